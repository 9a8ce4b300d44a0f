-- move_done.lua: the last step of a link: deletes the request frozen for customer cu and its
-- activities from their old home once move_in.lua copied them (arg(3) 'done'), or thaws them
-- when the move cannot be made (arg(3) 'undo'). Anything not frozen for cu is left alone, so
-- running it twice is running it once.
--
-- KEYS[1] <H>customer               the home's customer (absent: a {r:...} home)
-- KEYS[2] <H>request:<request>      the frozen request
-- Derived from H: the request's activities.
--
-- ARGV[1..2] now, agent (prelude.lua); arg(1) request, arg(2) customer, arg(3) 'done' or
-- 'undo'.
--
-- Returns {'ok', ''}.
local r, cu = arg(1), arg(2)
if redis.call('HGET', KEYS[2], 'moved_to') ~= cu then return {'ok', ''} end
local acts = redis.call('ZRANGE', reqacts(r), 0, -1)
if arg(3) == 'undo' then
  redis.call('HDEL', KEYS[2], 'moved_to')
  for _, x in ipairs(acts) do redis.call('HDEL', act(x), 'moved_to') end
  return {'ok', ''}
end
for _, x in ipairs(acts) do redis.call('DEL', act(x)) end
redis.call('DEL', KEYS[2], reqacts(r))
return {'ok', ''}
