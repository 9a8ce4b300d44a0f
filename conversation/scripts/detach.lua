-- detach.lua: removes one attachment of a conversation and gives its bytes back to the quota
-- (an attachment whose event could not be written).
--
-- KEYS[1] <prefix>conv:{<id>}, KEYS[2] <prefix>conv:{<id>}:files, KEYS[3] <prefix>conv:{<id>}:files:data
-- (see attach.lua). ARGV[1] the attachment's id, ARGV[2] its size in bytes.
--
-- Returns {'ok'} when it removed the attachment, {'none'} when there was none.
if redis.call('HDEL', KEYS[2], ARGV[1]) == 0 then return {'none'} end
redis.call('HDEL', KEYS[3], ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HINCRBY', KEYS[1], 'file_bytes', -tonumber(ARGV[2]))
end
return {'ok'}
