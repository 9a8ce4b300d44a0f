-- limit.lua: counts one event in a fixed window and answers 0 while the count is within the
-- limit, else the milliseconds until the window ends. A counter left without expiry (a
-- PEXPIRE lost by a failover) gets the window again.
--
-- KEYS[1] <prefix>rate:<what is limited>   the window's counter
--
-- ARGV[1] the limit, ARGV[2] the window (ms).
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if n <= tonumber(ARGV[1]) then return 0 end
local t = redis.call('PTTL', KEYS[1])
if t < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  t = tonumber(ARGV[2])
end
return t
