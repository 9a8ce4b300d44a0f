-- delete_reply.lua: deletes a canned reply still at the version given.
--
-- KEYS[1..9] the desk's shared keys (prelude.lua; untouched here)
-- KEYS[10] <P>reply:<reply>   the reply
-- KEYS[11] <P>replies         sorted set of the replies' ids
-- KEYS[12] <P>idx:reply       hash name key -> reply id
--
-- ARGV[1..2] now, agent (prelude.lua); arg(1) reply id, arg(2) version.
--
-- Returns {'ok', ''}, {'not_found'} or {'stale', version, reply}.
local k = KEYS[10]
local refused = check(k, arg(2))
if refused then return refused end
local key = redis.call('HGET', k, 'namekey')
if key and redis.call('HGET', KEYS[12], key) == arg(1) then redis.call('HDEL', KEYS[12], key) end
redis.call('ZREM', KEYS[11], arg(1))
redis.call('DEL', k)
return {'ok', ''}
