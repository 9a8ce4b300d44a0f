-- attach.lua: keeps one attachment of a conversation, within its quota, in one atomic step.
-- The attachment lives as long as the conversation: both keys take its meta hash's time to
-- live here, and every append renews them with it (append.lua, exchange.lua).
--
-- KEYS[1] <prefix>conv:{<id>}               the conversation's meta hash (owner...)
-- KEYS[2] <prefix>conv:{<id>}:files         the attachments' descriptions: id → JSON
-- KEYS[3] <prefix>conv:{<id>}:files:data    their contents: id → bytes
--
-- ARGV[1] the attachment's id, ARGV[2] its description (JSON), ARGV[3] its size in bytes,
-- ARGV[4] its content, ARGV[5] the most files of a conversation, ARGV[6] the most bytes.
--
-- Returns {'not_found'}, {'closed'}, {'files', count}, {'bytes', used} or {'ok', files, bytes}
-- (what the conversation holds afterwards).
if redis.call('EXISTS', KEYS[1]) == 0 then return {'not_found'} end
if redis.call('HGET', KEYS[1], 'owner') == 'closed' then return {'closed'} end
local count = redis.call('HLEN', KEYS[2])
if count >= tonumber(ARGV[5]) then return {'files', count} end
local used = tonumber(redis.call('HGET', KEYS[1], 'file_bytes') or '0')
local size = tonumber(ARGV[3])
if used + size > tonumber(ARGV[6]) then return {'bytes', used} end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[4])
used = redis.call('HINCRBY', KEYS[1], 'file_bytes', size)
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then
  redis.call('PEXPIRE', KEYS[2], ttl)
  redis.call('PEXPIRE', KEYS[3], ttl)
end
return {'ok', count + 1, used}
