-- reopen.lua: the agent who closed a conversation takes it back, within the reopen window:
-- the closed task is assigned to them again (the conversation's live task once more).
--
-- KEYS[1..8] the routing's shared keys (prelude.lua)
-- KEYS[9]  <P>agent:<agent>         the agent
-- KEYS[10] <P>agent:<agent>:tasks   their tasks
-- KEYS[11] <P>task:<task>           the closed task
-- Derived from KEYS[1]'s prefix (known only inside the script): the conversation's task
-- pointer (the conversation is read from the task), and the tasks and agents dispatch()
-- matches.
--
-- ARGV[1..6] the routing's common arguments (prelude.lua); arg(1) agent, arg(2) task,
-- arg(3) the reopen window (ms after the close).
--
-- Returns finish(): 'ok' with the task, or 'agent_not_found', 'not_found', 'not_closed',
-- 'closed_by_other', 'too_late', 'offline', 'reopened_elsewhere', 'full'.
local a, t, window = arg(1), arg(2), tonumber(arg(3))
local g = redis.call('HMGET', KEYS[9], 'id', 'state', 'sockets')
if not g[1] then return finish('agent_not_found') end
local f = redis.call('HMGET', KEYS[11], 'state', 'outcome', 'agent', 'ended', 'conv')
if not f[1] then return finish('not_found') end
if f[1] ~= 'closed' or f[2] ~= 'closed' then return finish('not_closed') end
if f[3] ~= a then return finish('closed_by_other') end
if num(f[4], 0) + window < NOW then return finish('too_late') end
if num(g[3], 0) == 0 or g[2] == 'offline' then return finish('offline') end
if redis.call('EXISTS', ck(f[5])) == 1 then return finish('reopened_elsewhere') end
if not hasRoom(a, t) then return finish('full') end
redis.call('PERSIST', KEYS[11])
redis.call('HSET', KEYS[11], 'outcome', '', 'ended', '')
redis.call('SET', ck(f[5]), t)
assign(t, a)
dispatch()
return finish('ok', '', t)
