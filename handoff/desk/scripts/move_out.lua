-- move_out.lua: the first step of a link (see the package doc): freezes the request of
-- activity aid, in a home without a customer, for its move to customer cu's home, and
-- answers what is to be copied. While frozen (field moved_to on the request and each of its
-- activities) writes answer {'moved', cu}. Freezing again for cu is a no-op.
--
-- KEYS[1] <H>customer               the home's customer (absent: a {r:...} home)
-- KEYS[2] <H>activity:<aid>         the activity linked
-- Derived from H: its request and the request's activities.
--
-- ARGV[1..2] now, agent (prelude.lua); arg(1) activity, arg(2) customer.
--
-- Returns {'ok', '', request, activities...}, {'not_found'} or {'linked_other'} (the
-- request has a customer or is being moved to another).
local aid, cu = arg(1), arg(2)
if redis.call('EXISTS', KEYS[2]) == 0 then return {'not_found'} end
local r = redis.call('HGET', KEYS[2], 'request_id')
local f = redis.call('HMGET', req(r), 'customer_id', 'moved_to')
if (f[1] or '') ~= '' and f[1] ~= cu then return {'linked_other'} end
if (f[2] or '') ~= '' and f[2] ~= cu then return {'linked_other'} end
local out = {'ok', ''}
redis.call('HSET', req(r), 'moved_to', cu)
out[#out + 1] = all(req(r))
for _, x in ipairs(redis.call('ZRANGE', reqacts(r), 0, -1)) do
  redis.call('HSET', act(x), 'moved_to', cu)
  out[#out + 1] = all(act(x))
end
return out
