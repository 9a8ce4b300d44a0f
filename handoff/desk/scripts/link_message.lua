-- link_message.lua: links a left message, which no agent holds, to a customer, as link.lua
-- links an interaction.
--
-- KEYS[1..9] the desk's shared keys (prelude.lua)
-- KEYS[10] <P>activity:<activity>             the message activity
-- KEYS[11] <P>customer:<customer>             the customer
-- KEYS[12] <P>customer:<customer>:requests    their requests
-- KEYS[13] <P>customer:<customer>:open        their open requests
-- Derived from KEYS[1]'s prefix (known only inside the script): the activity's request and
-- its activities, the customer's open request it may move to, and the records
-- interaction() reads back.
--
-- ARGV[1..2] now, agent (prelude.lua); arg(1) message activity, arg(2) customer.
--
-- Returns {'ok', '', request, activity, customer}, or {'no_message'},
-- {'customer_not_found'}, {'linked_other'}.
local aid, cu = arg(1), arg(2)
if redis.call('HGET', KEYS[10], 'kind') ~= 'message' then return {'no_message'} end
local refused = link(aid, cu)
if refused then return refused end
return interaction(aid)
