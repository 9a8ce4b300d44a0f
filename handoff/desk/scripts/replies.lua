-- replies.lua: every canned reply of the shared library, in creation order. Read only.
--
-- KEYS[1] <P>customer (prelude.lua; the library's home is {desk}: H is <P>, no such record)
-- KEYS[2] <P>replies   sorted set of the replies' ids
-- Derived from KEYS[1]'s prefix (known only inside the script): the replies listed in KEYS[2].
--
-- ARGV[1..2] now, agent ('', prelude.lua).
--
-- Returns {'ok', '', then each reply}.
local out = {'ok', ''}
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  out[#out + 1] = all(H .. 'reply:' .. id)
end
return out
