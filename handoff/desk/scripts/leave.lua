-- leave.lua: files a left message: a new request with one message activity, started and
-- ended now, in the index of left messages.
--
-- KEYS[1..9] the desk's shared keys (prelude.lua)
-- KEYS[10] <P>customer:<customer>             the customer (untouched when unknown)
-- KEYS[11] <P>customer:<customer>:requests    their requests (idem)
-- KEYS[12] <P>customer:<customer>:open        their open requests (idem)
-- KEYS[13] <P>request:<new request id>        the new request
-- KEYS[14] <P>request:<new request id>:activities
-- KEYS[15] <P>activity:<new activity id>      the message activity
--
-- ARGV[1..2] now, agent ('', prelude.lua); arg(1) conversation, arg(2) task ('' none),
-- arg(3) customer ('' unknown), arg(4) intent, arg(5) summary, arg(6) message, arg(7) new
-- request id, arg(8) new activity id, arg(9) title, arg(10) the contact an anonymous
-- customer gave ('' none).
--
-- Returns {'ok', '', request, activity, customer}.
local cu = arg(3)
if cu ~= '' and redis.call('EXISTS', KEYS[10]) == 0 then cu = '' end
newRequest(arg(7), cu, arg(9), '')
newActivity(arg(8), arg(7), cu, {'conversation_id', arg(1), 'task_id', arg(2),
  'kind', 'message', 'agent_id', '', 'agent_name', '', 'intent', arg(4), 'summary', arg(5),
  'message', arg(6), 'contact', arg(10), 'ended_at', NOW})
indexMessages(arg(7))
return interaction(arg(8))
