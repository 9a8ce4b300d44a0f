-- update_reply.lua: replaces the name and text of a canned reply still at the version given,
-- unless another reply has the new name.
--
-- KEYS[1] <P>customer (prelude.lua; the library's home is {desk}: H is <P>, no such record)
-- KEYS[2] <P>reply:<reply>   the reply
-- KEYS[3] <P>idx:reply       hash name key -> reply id
--
-- ARGV[1..2] now, agent (prelude.lua); arg(1) reply id, arg(2) version, arg(3) name,
-- arg(4) its key, arg(5) text.
--
-- Returns {'ok', '', reply}, {'not_found'}, {'stale', version, reply} or
-- {'duplicate_reply', other id}.
local k = KEYS[2]
local refused = check(k, arg(2))
if refused then return refused end
local other = redis.call('HGET', KEYS[3], arg(4))
if other and other ~= arg(1) then return {'duplicate_reply', other} end
local old = redis.call('HGET', k, 'namekey')
if old ~= arg(4) then
  if redis.call('HGET', KEYS[3], old) == arg(1) then redis.call('HDEL', KEYS[3], old) end
  redis.call('HSET', KEYS[3], arg(4), arg(1))
end
redis.call('HSET', k, 'name', arg(3), 'namekey', arg(4), 'text', arg(5))
touch(k)
return {'ok', '', all(k)}
