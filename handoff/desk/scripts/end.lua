-- end.lua: sets the ended_at of the task's activity, once.
--
-- KEYS[1..9] the desk's shared keys (prelude.lua)
-- Derived from KEYS[1]'s prefix (known only inside the script): the activity read from
-- KEYS[5] and the records interaction() reads back.
--
-- ARGV[1..2] now, agent (prelude.lua); arg(1) task, arg(2) end of its index entries (unix s).
--
-- Returns {'ok', '', request, activity, customer}, or {'no_interaction'}.
local aid = redis.call('HGET', TASKS, arg(1))
if not aid then return {'no_interaction'} end
keepInteraction(aid, arg(1), arg(2))
if (redis.call('HGET', act(aid), 'ended_at') or '') == '' then
  redis.call('HSET', act(aid), 'ended_at', NOW)
  touch(act(aid))
end
return interaction(aid)
