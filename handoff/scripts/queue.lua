-- queue.lua: a consistent view of the queue for listings and estimates. Read only; no
-- prelude.
--
-- KEYS[1] <P>queue     sorted set of the waiting and offered tasks, by queue score
-- KEYS[2] <P>ready     sorted set of the Prêt connected agents
-- KEYS[3] <P>handled   list of the recent handling times (ms)
-- Derived from KEYS[1]'s prefix (P is "<store prefix>{handoff}:", the same hash tag): the
-- tasks listed in KEYS[1] (<P>task:<id>) and the agents listed in KEYS[2] (<P>agent:<id>),
-- known only inside the script (listing them first would race with the transitions).
--
-- ARGV[1] the most tasks to list.
--
-- Returns {the first tasks (flat hashes), the agents' {capacity, load, offer}, the handling
-- times, the queue's length}.
local P = string.match(KEYS[1], '^(.*)queue$')
local tasks, agents = {}, {}
for _, t in ipairs(redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)) do
  tasks[#tasks + 1] = redis.call('HGETALL', P .. 'task:' .. t)
end
for _, a in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  local f = redis.call('HMGET', P .. 'agent:' .. a, 'capacity', 'load', 'offer')
  agents[#agents + 1] = {f[1] or '1', f[2] or '0', f[3] or ''}
end
return {tasks, agents, redis.call('LRANGE', KEYS[3], 0, -1), redis.call('ZCARD', KEYS[1])}
