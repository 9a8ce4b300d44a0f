-- enqueue.lua: queues a task for a conversation and offers what can be offered. A
-- conversation has at most one live task: a second enqueue returns it.
--
-- KEYS[1..8] the routing's shared keys (prelude.lua)
-- KEYS[9]  <P>conv:<conversation>   the conversation's live task id
-- KEYS[10] <P>task:<task>           the new task
-- KEYS[11] <P>conv:<conversation>:tasks every task of the conversation (forget.lua)
-- Derived from KEYS[1]'s prefix (known only inside the script): the existing task read from
-- KEYS[9], and the tasks and agents dispatch() matches.
--
-- ARGV[1..6] the routing's common arguments (prelude.lua); arg(1) task id, arg(2)
-- conversation, arg(3) customer, arg(4) intent, arg(5) category, arg(6) summary, arg(7)
-- priority, arg(8) queue score.
--
-- Returns finish(): 'ok' with the new task, or 'exists' with the existing one.
local t, c = arg(1), arg(2)
local existing = redis.call('GET', KEYS[9])
if existing then return finish('exists', existing, existing) end
redis.call('HSET', KEYS[10], 'id', t, 'conv', c, 'customer', arg(3), 'intent', arg(4),
  'category', arg(5), 'summary', arg(6), 'priority', arg(7), 'created', ARGV[1],
  'state', 'waiting', 'agent', '', 'deadline', '')
redis.call('SET', KEYS[9], t)
redis.call('SADD', KEYS[11], t)
redis.call('PERSIST', KEYS[11])
redis.call('ZADD', Q, arg(8), t)
setWaiting(t)
queueChanged = true
note('queued', t, c)
dispatch()
return finish('ok', t, t)
