-- disconnect.lua: an agent's socket disconnects (lost(): the last one starts the drop grace).
--
-- KEYS[1..8] the routing's shared keys (prelude.lua)
-- KEYS[9] <P>agent:<agent>          the agent
-- Derived from KEYS[1]'s prefix (known only inside the script): the task of the pending
-- offer lost() withdraws (read from KEYS[9]), and the tasks and agents dispatch() matches.
--
-- ARGV[1..6] the routing's common arguments (prelude.lua); arg(1) agent, arg(2) socket id.
--
-- Returns finish(): 'ok'.
lost(arg(1), arg(1) .. '|' .. arg(2))
dispatch()
return finish('ok')
