-- take.lua: takes a free lock and returns its data.
--
-- KEYS[1] the lock (both keys carry the conversation's hash tag, see Lock)
-- KEYS[2] the data kept under it
--
-- ARGV[1] token, ARGV[2] lock TTL (ms).
--
-- Returns the data ('' when none), or false when the lock is held.
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end
return redis.call('GET', KEYS[2]) or ''
