-- offer.lua: offers what can be offered now.
--
-- KEYS[1..8] the routing's shared keys (prelude.lua)
-- Derived from KEYS[1]'s prefix (known only inside the script): the tasks and agents
-- dispatch() matches.
--
-- ARGV[1..6] the routing's common arguments (prelude.lua).
--
-- Returns finish(): 'ok'.
dispatch()
return finish('ok')
