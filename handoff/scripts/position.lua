-- position.lua: one task's place in the queue and the figures of its estimate, from the
-- queue's ranks (no read of the tasks ahead). Read only; no prelude.
--
-- KEYS[1] <P>queue     sorted set of the waiting and offered tasks, by queue score
-- KEYS[2] <P>waiting   sorted set of the waiting (not offered) tasks, by queue score
-- KEYS[3] <P>ready     sorted set of the Prêt connected agents
-- KEYS[4] <P>handled   list of the recent handling times (ms)
-- KEYS[5] <P>pool      hash: cap, free, the Prêt connected agents' capacity and free slots
-- KEYS[6] <P>task:<task>  the task
--
-- ARGV[1] the task id.
--
-- Returns {rank in the queue (-1: not in it), rank among the waiting (-1: not waiting), the
-- task (flat hash, empty when gone), {ready agents, capacity, free slots}, the handling
-- times}.
local rank = redis.call('ZRANK', KEYS[1], ARGV[1]) or -1
local wrank = redis.call('ZRANK', KEYS[2], ARGV[1]) or -1
local pool = redis.call('HMGET', KEYS[5], 'cap', 'free')
return {rank, wrank, redis.call('HGETALL', KEYS[6]),
  {redis.call('ZCARD', KEYS[3]), pool[1] or '0', pool[2] or '0'}, redis.call('LRANGE', KEYS[4], 0, -1)}
