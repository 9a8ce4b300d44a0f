-- close.lua: the agent ends the conversation they hold (closed) or hands it back to the bot
-- (handed_back): the task ends and the agent's slot is freed.
--
-- KEYS[1..8] the routing's shared keys (prelude.lua)
-- KEYS[9]  <P>conv:<conversation>   the conversation's live task id
-- KEYS[10] <P>agent:<agent>         the agent
-- KEYS[11] <P>agent:<agent>:tasks   their tasks
-- Derived from KEYS[1]'s prefix (known only inside the script): the task read from KEYS[9]
-- and the agents who refused it, and the tasks and agents dispatch() matches.
--
-- ARGV[1..6] the routing's common arguments (prelude.lua); arg(1) agent, arg(2)
-- conversation, arg(3) outcome (closed or handed_back).
--
-- Returns finish(): 'ok' with the task, or 'conv_not_found', 'not_assigned', 'not_yours'.
local a, c, outcome = arg(1), arg(2), arg(3)
local t = redis.call('GET', KEYS[9])
if not t then return finish('conv_not_found') end
local f = redis.call('HMGET', tk(t), 'state', 'agent', 'assigned')
if f[1] ~= 'assigned' then return finish('not_assigned') end
if f[2] ~= a then return finish('not_yours') end
release(t, a, f[3])
ended(t, c, 'closed', outcome)
note(outcome, t, c, a)
dispatch()
return finish('ok', '', t)
