-- patch_request.lua: changes the fields given of a request still at the version given.
-- Closing sets closed_at and takes the request out of the customer's open ones; reopening
-- clears it and puts it back. The caller updates the index of left messages with the
-- message activities it answers.
--
-- KEYS[1] <H>customer             the home's customer (prelude.lua)
-- KEYS[2] <H>request:<id>         the request
-- Derived from H: <H>open, the request's activities.
--
-- ARGV[1..2] now, agent (prelude.lua); arg(1) id, arg(2) version, arg(3) '1' to set the
-- title, arg(4) title, arg(5) '1' to set the description, arg(6) description, arg(7)
-- status ('' unchanged).
--
-- Returns {'ok', '', request, messages} (messages: a flat hash message
-- activity id -> filing order), {'not_found'}, {'moved', customer}
-- or {'stale', version, request}.
local id = arg(1)
local k = KEYS[2]
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
    if f[2] ~= '' then redis.call('ZREM', OPEN, id) end
  else
    redis.call('HSET', k, 'closed_at', '')
    if f[2] ~= '' then redis.call('ZADD', OPEN, f[3], id) end
  end
end
touch(k)
return {'ok', '', all(k), messagesOf(id)}
