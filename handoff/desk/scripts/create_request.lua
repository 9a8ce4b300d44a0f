-- create_request.lua: opens a request for the home's customer.
--
-- KEYS[1] <H>customer             the customer (prelude.lua)
-- KEYS[2] <H>request:<id>         the new request
-- Derived from H: <H>requests, <H>open.
--
-- ARGV[1..2] now, agent (prelude.lua); arg(1) id, arg(2) customer, arg(3) title,
-- arg(4) description, arg(5) its filing order.
--
-- Returns {'ok', '', request} or {'customer_not_found'}.
if redis.call('EXISTS', CUS) == 0 then return {'customer_not_found'} end
newRequest(arg(1), arg(2), arg(3), arg(4), arg(5))
return {'ok', '', all(KEYS[2])}
