-- connect.lua: an agent's socket connects; also the socket's heartbeat: it renews the lease.
--
-- KEYS[1..8] the routing's shared keys (prelude.lua)
-- KEYS[9] <P>agent:<agent>          the agent
-- Derived from KEYS[1]'s prefix (known only inside the script): the tasks and agents
-- dispatch() matches.
--
-- ARGV[1..6] the routing's common arguments (prelude.lua); arg(1) agent, arg(2) socket id.
--
-- Returns finish(): 'ok' or 'agent_not_found'.
local a, s = arg(1), arg(2)
local f = redis.call('HMGET', KEYS[9], 'id', 'state')
if not f[1] then return finish('agent_not_found') end
if redis.call('ZADD', SOCKS, NOW + LEASE, a .. '|' .. s) == 1 then
  redis.call('HINCRBY', KEYS[9], 'sockets', 1)
  if redis.call('ZREM', DROPS, a) == 1 then note('agent_back', '', '', a) end
  if f[2] ~= 'ready' and f[2] ~= 'not_ready' then
    redis.call('HSET', KEYS[9], 'state', 'not_ready')
    note('state', '', '', a, 'not_ready')
  end
  refresh(a)
  dispatch()
end
return finish('ok')
