-- attach.lua: files the interaction an agent accepted or picked. The task's activity, when
-- it exists, is kept (a reconnecting desk, a transfer, a re-pick) and only changes agent;
-- otherwise a chat activity goes to the customer's most recent open request, or to a new one.
--
-- KEYS[1..9] the desk's shared keys (prelude.lua)
-- KEYS[10] <P>customer:<customer>             the customer (untouched when unknown)
-- KEYS[11] <P>customer:<customer>:requests    their requests (idem)
-- KEYS[12] <P>customer:<customer>:open        their open requests (idem)
-- KEYS[13] <P>request:<new request id>        the request made when none is open
-- KEYS[14] <P>request:<new request id>:activities
-- KEYS[15] <P>activity:<new activity id>      the activity made when the task has none
-- Derived from KEYS[1]'s prefix (known only inside the script): the task's existing
-- activity (read from KEYS[5]), the customer's open request chosen (read from KEYS[12]) and
-- its activities, and the records interaction() reads back.
--
-- ARGV[1..2] now, agent (prelude.lua); arg(1) task, arg(2) conversation, arg(3) customer
-- ('' unknown), arg(4) agent, arg(5) agent's name, arg(6) intent, arg(7) summary, arg(8) new
-- request id, arg(9) new activity id, arg(10) title of a new request, arg(11) end of the
-- index entries (unix s), arg(12) now (unix s).
--
-- Returns {'ok', '', request, activity, customer} (interaction()).
local t, c, cu, agent = arg(1), arg(2), arg(3), arg(4)
sweepIndex(TASKS, TASKS_END, arg(12))
sweepIndex(CONVS, CONVS_END, arg(12))
local existing = redis.call('HGET', TASKS, t)
if existing then
  keepInteraction(existing, t, arg(11))
  if redis.call('HGET', act(existing), 'agent_id') ~= agent then
    redis.call('HSET', act(existing), 'agent_id', agent, 'agent_name', arg(5))
    touch(act(existing))
  end
  return interaction(existing)
end
if cu ~= '' and redis.call('EXISTS', KEYS[10]) == 0 then cu = '' end
local r = latestOpen(cu)
if not r then
  r = arg(8)
  newRequest(r, cu, arg(10), '')
end
newActivity(arg(9), r, cu, {'conversation_id', c, 'task_id', t, 'kind', 'chat',
  'agent_id', agent, 'agent_name', arg(5), 'intent', arg(6), 'summary', arg(7), 'message', ''})
redis.call('HSET', TASKS, t, arg(9))
redis.call('HSET', CONVS, c, arg(9))
keepIndexed(TASKS_END, t, arg(11))
keepIndexed(CONVS_END, c, arg(11))
return interaction(arg(9))
