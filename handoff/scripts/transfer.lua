-- transfer.lua: the agent gives the conversation they hold to another agent, or back to the
-- head of the queue (never offered again to the same agent).
--
-- KEYS[1..8] the routing's shared keys (prelude.lua)
-- KEYS[9]  <P>conv:<conversation>   the conversation's live task id
-- KEYS[10] <P>agent:<agent>         the agent
-- KEYS[11] <P>agent:<agent>:tasks   their tasks
-- KEYS[12] <P>agent:<target>        the target agent (untouched when the target is '')
-- KEYS[13] <P>agent:<target>:tasks  their tasks (idem)
-- Derived from KEYS[1]'s prefix (known only inside the script): the task read from KEYS[9]
-- and the agents who refused it, and the tasks and agents dispatch() matches.
--
-- ARGV[1..6] the routing's common arguments (prelude.lua); arg(1) agent, arg(2)
-- conversation, arg(3) target agent ('' = back to the head of the queue).
--
-- Returns finish(): 'ok' with the task, or 'conv_not_found', 'not_assigned', 'not_yours',
-- 'self', 'target_not_found', 'target_offline', 'target_full'.
local a, c, to = arg(1), arg(2), arg(3)
local t = redis.call('GET', KEYS[9])
if not t then return finish('conv_not_found') end
local f = redis.call('HMGET', tk(t), 'state', 'agent', 'assigned')
if f[1] ~= 'assigned' then return finish('not_assigned') end
if f[2] ~= a then return finish('not_yours') end
if to == '' then
  release(t, a, f[3])
  requeueHead(t)
  redis.call('SADD', rejk(t), a)
  note('transferred', t, c, a, '')
  dispatch()
  return finish('ok', '', t)
end
if to == a then return finish('self') end
local g = redis.call('HMGET', KEYS[12], 'id', 'state', 'sockets')
if not g[1] then return finish('target_not_found') end
if num(g[3], 0) == 0 or g[2] == 'offline' then return finish('target_offline') end
if not hasRoom(to, t) then return finish('target_full') end
release(t, a, f[3])
note('transferred', t, c, a, to)
assign(t, to)
dispatch()
return finish('ok', '', t)
