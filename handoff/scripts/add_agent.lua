-- add_agent.lua: creates an agent account, once per login.
--
-- KEYS[1] <P>login:<login>   the login index (the agent id)
-- KEYS[2] <P>agent:<id>      the agent hash
-- KEYS[3] <P>agents          the set of the agent ids
--
-- ARGV[1] id, ARGV[2] login, ARGV[3] name, ARGV[4] password hash, ARGV[5] skills (comma
-- separated), ARGV[6] capacity, ARGV[7] now (ms), ARGV[8] role.
--
-- Returns 'ok', or 'exists' when the login is taken.
if redis.call('SETNX', KEYS[1], ARGV[1]) == 0 then return 'exists' end
redis.call('HSET', KEYS[2], 'id', ARGV[1], 'login', ARGV[2], 'name', ARGV[3], 'pw', ARGV[4],
  'skills', ARGV[5], 'capacity', ARGV[6], 'created', ARGV[7], 'state', 'offline',
  'load', 0, 'sockets', 0, 'offer', '', 'idle', ARGV[7], 'role', ARGV[8])
redis.call('SADD', KEYS[3], ARGV[1])
return 'ok'
