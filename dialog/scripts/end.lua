-- end.lua: saves the session and releases the lock, if the lock is still the caller's;
-- returns 0 when it is not (it expired: nothing is saved), else 1.
--
-- KEYS[1] <prefix>dialog:lock:{<conversation id>}     the lock
-- KEYS[2] <prefix>dialog:session:{<conversation id>}  the session (JSON)
--
-- ARGV[1] the holder's token, ARGV[2] the session to save ("" keep it), ARGV[3] its
-- lifetime (ms).
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] ~= '' then redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3]) end
return redis.call('DEL', KEYS[1])
