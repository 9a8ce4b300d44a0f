-- link.lua: links the conversation's latest interaction to a customer, as the prelude's
-- link() says, and makes the conversation the customer's for a while.
--
-- KEYS[1..9] the desk's shared keys (prelude.lua)
-- KEYS[10] <P>conv:<conversation>:customer    the conversation's customer (SET EX)
-- KEYS[11] <P>customer:<customer>             the customer
-- KEYS[12] <P>customer:<customer>:requests    their requests
-- KEYS[13] <P>customer:<customer>:open        their open requests
-- Derived from KEYS[1]'s prefix (known only inside the script): the activity read from
-- KEYS[7], its request and the request's activities, the customer's open request it may move
-- to, and the records interaction() reads back.
--
-- ARGV[1..2] now, agent (prelude.lua); arg(1) conversation, arg(2) customer, arg(3) TTL (s)
-- of the conversation's customer.
--
-- Returns {'ok', '', request, activity, customer}, or {'no_interaction'},
-- {'customer_not_found'}, {'linked_other'}.
local c, cu = arg(1), arg(2)
local aid = redis.call('HGET', CONVS, c)
if not aid then return {'no_interaction'} end
local refused = link(aid, cu)
if refused then return refused end
redis.call('SET', KEYS[10], cu, 'EX', arg(3))
return interaction(aid)
