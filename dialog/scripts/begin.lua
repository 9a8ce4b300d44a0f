-- begin.lua: takes the conversation's session lock and returns its session ("" for none), or
-- false when another turn holds the lock (the caller waits and tries again). Only the callers
-- of Engine.Handle lock (tools, benchmarks); the server's turn does not (see Engine.Answer).
--
-- KEYS[1] <prefix>dialog:lock:{<conversation id>}     the lock
-- KEYS[2] <prefix>dialog:session:{<conversation id>}  the session (JSON)
--
-- ARGV[1] the holder's token, ARGV[2] the lock's lifetime (ms).
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end
return redis.call('GET', KEYS[2]) or ''
