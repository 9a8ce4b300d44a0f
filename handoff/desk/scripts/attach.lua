-- attach.lua: files the interaction an agent accepted or picked, as activity aid (the id the
-- caller reserved for the task). When aid exists (a reconnecting desk, a transfer, a re-pick)
-- it only changes agent; otherwise a chat activity goes to the customer's most recent open
-- request, or to a new one (in a {r:<new request>} home when the customer is unknown).
--
-- KEYS[1] <H>customer                      the customer (absent in a {r:...} home)
-- KEYS[2] <H>activity:<aid>                the activity
-- KEYS[3] <H>request:<new request id>      the request made when none is open
-- Derived from H: <H>requests, <H>open, the open request chosen and its activities.
--
-- ARGV[1..2] now, agent (prelude.lua); arg(1) task, arg(2) conversation, arg(3) customer
-- ('' unknown), arg(4) agent, arg(5) agent's name, arg(6) intent, arg(7) summary, arg(8) new
-- request id, arg(9) activity id, arg(10) title of a new request, arg(11) filing order of a
-- new request, arg(12) of the new activity.
--
-- Returns {'ok', '', request, activity, customer} (interaction()), {'moved', customer} or
-- {'customer_not_found'}.
local t, c, cu, agent, aid = arg(1), arg(2), arg(3), arg(4), arg(9)
if redis.call('EXISTS', KEYS[2]) == 1 then
  local m = moving(KEYS[2])
  if m then return m end
  if redis.call('HGET', KEYS[2], 'agent_id') ~= agent then
    redis.call('HSET', KEYS[2], 'agent_id', agent, 'agent_name', arg(5))
    touch(KEYS[2])
  end
  return interaction(aid)
end
if cu ~= '' and redis.call('EXISTS', CUS) == 0 then return {'customer_not_found'} end
local r = nil
if cu ~= '' then r = latestOpen() end
if not r then
  r = arg(8)
  newRequest(r, cu, arg(10), '', arg(11))
end
newActivity(aid, r, cu, {'conversation_id', c, 'task_id', t, 'kind', 'chat',
  'agent_id', agent, 'agent_name', arg(5), 'intent', arg(6), 'summary', arg(7), 'message', ''}, arg(12))
return interaction(aid)
