-- reject.lua: an agent refuses the task offered to them; it is not offered to them again.
--
-- KEYS[1..8] the routing's shared keys (prelude.lua)
-- KEYS[9]  <P>agent:<agent>         the agent
-- KEYS[10] <P>task:<task>           the task
-- KEYS[11] <P>task:<task>:rejected  the agents who refused it
-- Derived from KEYS[1]'s prefix (known only inside the script): the tasks and agents
-- dispatch() matches.
--
-- ARGV[1..6] the routing's common arguments (prelude.lua); arg(1) agent, arg(2) task.
--
-- Returns finish(): 'ok', or 'not_found', 'not_offered', 'expired'.
local a, t = arg(1), arg(2)
local f = redis.call('HMGET', KEYS[10], 'state', 'agent', 'deadline')
if not f[1] then return finish('not_found') end
if f[1] ~= 'offered' or f[2] ~= a then return finish('not_offered') end
if num(f[3], 0) <= NOW then
  endOffer(t, a, 'offer_expired')
  dispatch()
  return finish('expired')
end
endOffer(t, a, 'offer_rejected')
dispatch()
return finish('ok')
