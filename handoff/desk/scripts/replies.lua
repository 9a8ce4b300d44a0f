-- replies.lua: every canned reply of the shared library, in creation order. Read only.
--
-- KEYS[1..9] the desk's shared keys (prelude.lua; untouched here)
-- KEYS[10] <P>replies   sorted set of the replies' ids
-- Derived from KEYS[1]'s prefix (known only inside the script): the replies listed in KEYS[10].
--
-- ARGV[1..2] now, agent ('', prelude.lua).
--
-- Returns {'ok', '', then each reply}.
local out = {'ok', ''}
for _, id in ipairs(redis.call('ZRANGE', KEYS[10], 0, -1)) do
  out[#out + 1] = all(P .. 'reply:' .. id)
end
return out
