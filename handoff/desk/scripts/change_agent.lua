-- change_agent.lua: gives the task's activity to another agent (a transfer).
--
-- KEYS[1..9] the desk's shared keys (prelude.lua)
-- Derived from KEYS[1]'s prefix (known only inside the script): the activity read from
-- KEYS[5] and the records interaction() reads back.
--
-- ARGV[1..2] now, agent making the change (prelude.lua); arg(1) task, arg(2) agent,
-- arg(3) agent's name, arg(4) end of its index entries (unix s).
--
-- Returns {'ok', '', request, activity, customer}, or {'no_interaction'}.
local aid = redis.call('HGET', TASKS, arg(1))
if not aid then return {'no_interaction'} end
keepInteraction(aid, arg(1), arg(4))
if redis.call('HGET', act(aid), 'agent_id') ~= arg(2) then
  redis.call('HSET', act(aid), 'agent_id', arg(2), 'agent_name', arg(3))
  touch(act(aid))
end
return interaction(aid)
