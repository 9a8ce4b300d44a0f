-- patch_request.lua: changes the fields given of a request still at the version given.
-- Closing sets closed_at and takes the request out of the customer's open ones and its left
-- messages out of their index; reopening clears it and puts them back.
--
-- KEYS[1..9] the desk's shared keys (prelude.lua)
-- KEYS[10] <P>request:<id>                    the request
-- KEYS[11] <P>request:<id>:activities         its activities
-- Derived from KEYS[1]'s prefix (known only inside the script): the open requests of the
-- request's customer, read from KEYS[10] (a link may have given it one since the caller
-- looked), and the activities listed in KEYS[11].
--
-- ARGV[1..2] now, agent (prelude.lua); arg(1) id, arg(2) version, arg(3) '1' to set the
-- title, arg(4) title, arg(5) '1' to set the description, arg(6) description, arg(7)
-- status ('' unchanged).
--
-- Returns {'ok', '', request}, {'not_found'} or {'stale', version, request}.
local id = arg(1)
local k = KEYS[10]
local refused = check(k, arg(2))
if refused then return refused end
if arg(3) == '1' then redis.call('HSET', k, 'title', arg(4)) end
if arg(5) == '1' then redis.call('HSET', k, 'description', arg(6)) end
local f = redis.call('HMGET', k, 'status', 'customer_id', 'seq')
local st = arg(7)
if st ~= '' and st ~= f[1] then
  redis.call('HSET', k, 'status', st)
  if st == 'closed' then
    redis.call('HSET', k, 'closed_at', NOW)
    if f[2] ~= '' then redis.call('ZREM', cusopen(f[2]), id) end
  else
    redis.call('HSET', k, 'closed_at', '')
    if f[2] ~= '' then redis.call('ZADD', cusopen(f[2]), f[3], id) end
  end
  indexMessages(id)
end
touch(k)
return {'ok', '', all(k)}
