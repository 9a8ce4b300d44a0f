-- attempt.lua: counts one login attempt against the (address, login) pair and the address,
-- in one step, before the password is checked: parallel guesses count too. A key that
-- reached its limit blocks the next attempt for a delay that doubles with each attempt past
-- the limit (first delay, 2×, 4×… up to the max delay); counts are forgotten after the
-- forget delay of quiet.
--
-- KEYS[1] <store prefix>{handoff:auth}:pair:<hash>   the pair's counter (hash: n, until)
-- KEYS[2] <store prefix>{handoff:auth}:ip:<hash>     the address's counter
--
-- ARGV[1] now (ms), ARGV[2] pair limit, ARGV[3] address limit, ARGV[4] first delay (ms),
-- ARGV[5] max delay (ms), ARGV[6] forget (ms).
--
-- Returns {0, 0} when allowed, else {1 (pair) or 2 (address), ms to wait}.
local now = tonumber(ARGV[1])
for i = 1, 2 do
  local untl = tonumber(redis.call('HGET', KEYS[i], 'until') or '0')
  if untl > now then return {i, untl - now} end
end
for i = 1, 2 do
  local n = redis.call('HINCRBY', KEYS[i], 'n', 1)
  redis.call('PEXPIRE', KEYS[i], ARGV[6])
  local limit = tonumber(ARGV[i + 1])
  if n >= limit then
    local delay = math.min(tonumber(ARGV[4]) * 2 ^ math.min(n - limit, 40), tonumber(ARGV[5]))
    redis.call('HSET', KEYS[i], 'until', now + delay)
  end
end
return {0, 0}
