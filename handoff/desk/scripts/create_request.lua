-- create_request.lua: opens a request for a customer.
--
-- KEYS[1..9] the desk's shared keys (prelude.lua)
-- KEYS[10] <P>customer:<customer>             the customer
-- KEYS[11] <P>customer:<customer>:requests    their requests
-- KEYS[12] <P>customer:<customer>:open        their open requests
-- KEYS[13] <P>request:<id>                    the new request
--
-- ARGV[1..2] now, agent (prelude.lua); arg(1) id, arg(2) customer, arg(3) title,
-- arg(4) description.
--
-- Returns {'ok', '', request} or {'customer_not_found'}.
if redis.call('EXISTS', KEYS[10]) == 0 then return {'customer_not_found'} end
newRequest(arg(1), arg(2), arg(3), arg(4))
return {'ok', '', all(KEYS[13])}
