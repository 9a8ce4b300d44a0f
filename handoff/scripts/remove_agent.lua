-- remove_agent.lua: deletes an account that has no conversation in progress, and takes the
-- agent out of the routing's sets and totals in the same step (a removed agent is offered
-- nothing and counts in no estimate).
--
-- KEYS[1] <P>login:<login>   the login index
-- KEYS[2] <P>agent:<id>      the agent hash
-- KEYS[3] <P>agents          the set of the agent ids
-- KEYS[4] <P>pool            the Prêt agents' capacity and free slots (prelude.lua)
-- KEYS[5] <P>ready           the Prêt connected agents
-- KEYS[6] <P>avail           the agents an offer may go to now
--
-- ARGV[1] id.
--
-- Returns 'ok', or 'busy' when the agent has conversations in progress.
local f = redis.call('HMGET', KEYS[2], 'load', 'pc', 'pf')
if (tonumber(f[1]) or 0) > 0 then return 'busy' end
local pc, pf = tonumber(f[2]) or 0, tonumber(f[3]) or 0
if pc ~= 0 then redis.call('HINCRBY', KEYS[4], 'cap', -pc) end
if pf ~= 0 then redis.call('HINCRBY', KEYS[4], 'free', -pf) end
redis.call('ZREM', KEYS[5], ARGV[1])
redis.call('ZREM', KEYS[6], ARGV[1])
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('SREM', KEYS[3], ARGV[1])
return 'ok'
