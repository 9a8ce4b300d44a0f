-- leave.lua: files a left message: a new request with one message activity, started and
-- ended now, in the customer's home or, when unknown, in the {r:<request>} home of its own.
--
-- KEYS[1] <H>customer                   the customer (absent in a {r:...} home)
-- KEYS[2] <H>request:<new request id>   the new request
-- KEYS[3] <H>activity:<new activity id> the message activity
-- Derived from H: <H>requests, <H>open, the request's activities.
--
-- ARGV[1..2] now, agent ('', prelude.lua); arg(1) conversation, arg(2) task ('' none),
-- arg(3) customer ('' unknown), arg(4) intent, arg(5) summary, arg(6) message, arg(7) new
-- request id, arg(8) new activity id, arg(9) title, arg(10) the contact an anonymous
-- customer gave ('' none), arg(11) the request's filing order, arg(12) the activity's.
--
-- Returns {'ok', '', request, activity, customer} or {'customer_not_found'}.
local cu = arg(3)
if cu ~= '' and redis.call('EXISTS', CUS) == 0 then return {'customer_not_found'} end
newRequest(arg(7), cu, arg(9), '', arg(11))
newActivity(arg(8), arg(7), cu, {'conversation_id', arg(1), 'task_id', arg(2),
  'kind', 'message', 'agent_id', '', 'agent_name', '', 'intent', arg(4), 'summary', arg(5),
  'message', arg(6), 'contact', arg(10), 'ended_at', NOW}, arg(12))
return interaction(arg(8))
