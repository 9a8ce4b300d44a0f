-- unlock.lua: releases a lock without touching its data.
--
-- KEYS[1] the lock (it carries the conversation's hash tag, see Lock)
--
-- ARGV[1] the token that holds it.
--
-- Returns 1 when released, 0 when the token no longer held it.
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
