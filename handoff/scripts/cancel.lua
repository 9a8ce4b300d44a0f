-- cancel.lua: the customer left: whatever its state, the conversation's task ends.
--
-- KEYS[1..8] the routing's shared keys (prelude.lua)
-- KEYS[9] <P>conv:<conversation>    the conversation's live task id
-- Derived from KEYS[1]'s prefix (known only inside the script): the task read from KEYS[9],
-- the agents who refused it, the agent it is offered or assigned to (read from the task)
-- and their tasks, and the tasks and agents dispatch() matches.
--
-- ARGV[1..6] the routing's common arguments (prelude.lua); arg(1) conversation.
--
-- Returns finish(): 'ok' with the task, or 'conv_not_found'.
local c = arg(1)
local t = redis.call('GET', KEYS[9])
if not t then return finish('conv_not_found') end
local f = redis.call('HMGET', tk(t), 'state', 'agent', 'assigned')
if f[1] == 'offered' then endOffer(t, f[2], 'offer_withdrawn') end
if f[1] == 'assigned' then release(t, f[2], f[3]) end
ended(t, c, 'cancelled', '')
note('cancelled', t, c, f[2] or '')
dispatch()
return finish('ok', '', t)
