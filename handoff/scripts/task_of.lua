-- task_of.lua: a conversation's task in one round trip (every agent message checks it).
-- Read only; no prelude.
--
-- KEYS[1] <P>conv:<conversation>   the conversation's live task id
-- Derived from KEYS[1]'s prefix P ("<store prefix>{handoff}:", the same hash tag): the task
-- hash <P>task:<id>, whose id is read from KEYS[1] inside the script (reading it first would
-- cost a round trip and race with the end of the task).
--
-- ARGV[1] the conversation id (the end of KEYS[1], which gives P).
--
-- Returns false without a task pointer, else the task hash (flat; empty when the task is
-- gone).
local P = string.sub(KEYS[1], 1, #KEYS[1] - #('conv:' .. ARGV[1]))
local id = redis.call('GET', KEYS[1])
if not id then return false end
return redis.call('HGETALL', P .. 'task:' .. id)
