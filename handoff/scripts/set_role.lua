-- set_role.lua: changes the role of an account that still exists.
--
-- KEYS[1] <P>agent:<id>      the agent hash
--
-- ARGV[1] the new role (agent, superviseur).
--
-- Returns 1, or 0 when the account is gone.
if redis.call('HEXISTS', KEYS[1], 'login') == 0 then return 0 end
redis.call('HSET', KEYS[1], 'role', ARGV[1])
return 1
