-- add_tag.lua: adds a tag to an activity still at the version given.
--
-- KEYS[1] <H>customer             the home's customer (prelude.lua; untouched here)
-- KEYS[2] <H>activity:<activity>  the activity
--
-- ARGV[1..2] now, agent (prelude.lua); arg(1) activity, arg(2) version, arg(3) tag,
-- arg(4) its key, arg(5) the most tags allowed.
--
-- Returns {'ok', '', activity}, {'not_found'}, {'stale', version, activity}, {'moved', customer},
-- {'duplicate_tag'} or {'too_many_tags'}.
local k = KEYS[2]
local refused = check(k, arg(2))
if refused then return refused end
local f = redis.call('HMGET', k, 'tags', 'tagkeys')
local keys = split(f[2])
for _, x in ipairs(keys) do
  if x == arg(4) then return {'duplicate_tag'} end
end
if #keys >= tonumber(arg(5)) then return {'too_many_tags'} end
local tags = split(f[1])
tags[#tags + 1], keys[#keys + 1] = arg(3), arg(4)
redis.call('HSET', k, 'tags', table.concat(tags, '\31'), 'tagkeys', table.concat(keys, '\31'))
touch(k)
return {'ok', '', all(k)}
