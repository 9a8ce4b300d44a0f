-- accept.lua: an agent accepts the task offered to them.
--
-- KEYS[1..8] the routing's shared keys (prelude.lua)
-- KEYS[9]  <P>agent:<agent>         the agent
-- KEYS[10] <P>agent:<agent>:tasks   their tasks
-- KEYS[11] <P>task:<task>           the task
-- Derived from KEYS[1]'s prefix (known only inside the script): the tasks and agents
-- dispatch() matches.
--
-- ARGV[1..6] the routing's common arguments (prelude.lua); arg(1) agent, arg(2) task.
--
-- Returns finish(): 'ok' with the task, or 'not_found', 'taken', 'gone', 'not_offered',
-- 'expired', 'full'.
local a, t = arg(1), arg(2)
local f = redis.call('HMGET', KEYS[11], 'state', 'agent', 'deadline')
if not f[1] then return finish('not_found') end
if f[1] == 'assigned' then
  if f[2] == a then return finish('ok', '', t) end
  return finish('taken')
end
if f[1] ~= 'offered' and f[1] ~= 'waiting' then return finish('gone') end
if f[1] == 'waiting' or f[2] ~= a then return finish('not_offered') end
if num(f[3], 0) <= NOW then
  endOffer(t, a, 'offer_expired')
  dispatch()
  return finish('expired')
end
if not hasRoom(a, t) then return finish('full') end
assign(t, a)
dispatch() -- an agent with room left gets the next offer now
return finish('ok', '', t)
