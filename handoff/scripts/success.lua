-- success.lua: after a successful login, forgets the pair's attempts and takes the success
-- off the address's count (lifting its delay when the count falls below the limit): the
-- agents of one office share an address and must all be able to log in.
--
-- KEYS[1] <store prefix>{handoff:auth}:pair:<hash>   the pair's counter
-- KEYS[2] <store prefix>{handoff:auth}:ip:<hash>     the address's counter
--
-- ARGV[1] address limit.
--
-- Returns 0.
redis.call('DEL', KEYS[1])
local n = tonumber(redis.call('HGET', KEYS[2], 'n') or '0')
if n > 0 then n = redis.call('HINCRBY', KEYS[2], 'n', -1) end
if n < tonumber(ARGV[1]) then redis.call('HDEL', KEYS[2], 'until') end
return 0
