-- messages.lua: the open requests' left messages, newest first. Read only.
--
-- KEYS[1..9] the desk's shared keys (prelude.lua)
-- Derived from KEYS[1]'s prefix (known only inside the script): the activities listed in
-- KEYS[9] and their requests and customers.
--
-- ARGV[1..2] now, agent ('', prelude.lua); arg(1) the most messages to answer.
--
-- Returns {'ok', '', then per message its request, activity and customer as interaction()
-- gives them}.
local out = {'ok', ''}
for _, aid in ipairs(redis.call('ZREVRANGE', MESSAGES, 0, tonumber(arg(1)) - 1)) do
  local one = interaction(aid)
  for i = 3, 5 do out[#out + 1] = one[i] end
end
return out
