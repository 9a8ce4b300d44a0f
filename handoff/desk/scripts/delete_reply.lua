-- delete_reply.lua: deletes a canned reply still at the version given.
--
-- KEYS[1] <P>customer (prelude.lua; the library's home is {desk}: H is <P>, no such record)
-- KEYS[2] <P>reply:<reply>   the reply
-- KEYS[3] <P>replies         sorted set of the replies' ids
-- KEYS[4] <P>idx:reply       hash name key -> reply id
--
-- ARGV[1..2] now, agent (prelude.lua); arg(1) reply id, arg(2) version.
--
-- Returns {'ok', ''}, {'not_found'} or {'stale', version, reply}.
local k = KEYS[2]
local refused = check(k, arg(2))
if refused then return refused end
local key = redis.call('HGET', k, 'namekey')
if key and redis.call('HGET', KEYS[4], key) == arg(1) then redis.call('HDEL', KEYS[4], key) end
redis.call('ZREM', KEYS[3], arg(1))
redis.call('DEL', k)
return {'ok', ''}
