-- resume.lua: clears the ended_at of an activity whose conversation its agent reopened.
--
-- KEYS[1] <H>customer               the home's customer (prelude.lua)
-- KEYS[2] <H>activity:<activity>    the activity
-- Derived from H: the records interaction() reads back.
--
-- ARGV[1..2] now, agent (prelude.lua); arg(1) activity.
--
-- Returns {'ok', '', request, activity, customer}, {'moved', customer} or {'no_interaction'}.
if redis.call('EXISTS', KEYS[2]) == 0 then return {'no_interaction'} end
local m = moving(KEYS[2])
if m then return m end
if (redis.call('HGET', KEYS[2], 'ended_at') or '') ~= '' then
  redis.call('HSET', KEYS[2], 'ended_at', '')
  touch(KEYS[2])
end
return interaction(arg(1))
