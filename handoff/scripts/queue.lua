-- queue.lua: a consistent view of the queue for listings and estimates. Read only; no
-- prelude.
--
-- KEYS[1] <P>queue     sorted set of the waiting and offered tasks, by queue score
-- KEYS[2] <P>ready     sorted set of the Prêt connected agents
-- KEYS[3] <P>handled   list of the recent handling times (ms)
-- KEYS[4] <P>pool      hash: cap, free, the Prêt connected agents' capacity and free slots
-- Derived from KEYS[1]'s prefix (P is "<store prefix>{handoff}:", the same hash tag): the
-- tasks listed in KEYS[1] (<P>task:<id>), known only inside the script (listing them first
-- would race with the transitions).
--
-- ARGV[1] the most tasks to list.
-- ARGV[2] "all": each task's whole hash; "brief": its {id, conv, state, rejects} only.
--
-- Returns {the first tasks (flat hashes, or {id, conv, state}), {ready agents, capacity, free
-- slots}, the handling times, the queue's length}.
local P = string.match(KEYS[1], '^(.*)queue$')
local tasks = {}
for _, t in ipairs(redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)) do
  if ARGV[2] == 'brief' then
    tasks[#tasks + 1] = redis.call('HMGET', P .. 'task:' .. t, 'id', 'conv', 'state', 'rejects')
  else
    tasks[#tasks + 1] = redis.call('HGETALL', P .. 'task:' .. t)
  end
end
local pool = redis.call('HMGET', KEYS[4], 'cap', 'free')
return {tasks, {redis.call('ZCARD', KEYS[2]), pool[1] or '0', pool[2] or '0'},
  redis.call('LRANGE', KEYS[3], 0, -1), redis.call('ZCARD', KEYS[1])}
