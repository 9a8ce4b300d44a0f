-- create_reply.lua: a new canned reply (réponse type) of the shared library, unless another
-- has the same name (compared ignoring case, accents and runs of spaces) or the library is full.
--
-- KEYS[1] <P>customer (prelude.lua; the library's home is {desk}: H is <P>, no such record)
-- KEYS[2] <P>reply:<reply>   the new reply
-- KEYS[3] <P>replies         sorted set of the replies' ids, in creation order
-- KEYS[4] <P>idx:reply       hash name key -> reply id
--
-- ARGV[1..2] now, agent (prelude.lua); arg(1) reply id, arg(2) name, arg(3) its key,
-- arg(4) text, arg(5) the most replies allowed.
--
-- Returns {'ok', '', reply}, {'duplicate_reply', other id} or {'too_many_replies'}.
local other = redis.call('HGET', KEYS[4], arg(3))
if other then return {'duplicate_reply', other} end
if redis.call('ZCARD', KEYS[3]) >= tonumber(arg(5)) then return {'too_many_replies'} end
redis.call('HSET', KEYS[2], 'id', arg(1), 'version', 1, 'name', arg(2), 'namekey', arg(3),
  'text', arg(4), 'created_at', NOW, 'updated_at', NOW, 'updated_by', BY)
redis.call('ZADD', KEYS[3], redis.call('INCR', H .. 'seq'), arg(1))
redis.call('HSET', KEYS[4], arg(3), arg(1))
return {'ok', '', all(KEYS[2])}
