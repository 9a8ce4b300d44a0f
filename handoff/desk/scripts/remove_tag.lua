-- remove_tag.lua: removes a tag from an activity still at the version given; it also
-- matches a tag stored with exactly the text given, whatever its key.
--
-- KEYS[1] <H>customer             the home's customer (prelude.lua; untouched here)
-- KEYS[2] <H>activity:<activity>  the activity
--
-- ARGV[1..2] now, agent (prelude.lua); arg(1) activity, arg(2) version, arg(3) the tag's
-- key, arg(4) the tag as spelt.
--
-- Returns {'ok', '', activity}, {'not_found'}, {'stale', version, activity}, {'moved', customer} or
-- {'tag_not_found'}.
local k = KEYS[2]
local refused = check(k, arg(2))
if refused then return refused end
local f = redis.call('HMGET', k, 'tags', 'tagkeys')
local tags, keys = split(f[1]), split(f[2])
local keptTags, keptKeys = {}, {}
for i, x in ipairs(keys) do
  if x ~= arg(3) and tags[i] ~= arg(4) then
    keptTags[#keptTags + 1], keptKeys[#keptKeys + 1] = tags[i], x
  end
end
if #keptKeys == #keys then return {'tag_not_found'} end
redis.call('HSET', k, 'tags', table.concat(keptTags, '\31'), 'tagkeys', table.concat(keptKeys, '\31'))
touch(k)
return {'ok', '', all(k)}
