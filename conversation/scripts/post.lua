-- post.lua (after full.lua): stores a customer message once per idempotency key, after
-- checking the token and the per-conversation rate. When the bot is to answer and a lock is
-- given, it also takes the lock and returns the data under it (see Lock). Every key carries
-- the conversation's hash tag {<id>}, the lock's too (Lock's contract).
--
-- KEYS[1] <prefix>conv:{<id>}               the conversation's meta hash (token, owner, seq)
-- KEYS[2] <prefix>conv:{<id>}:events        its event stream
-- KEYS[3] <prefix>conv:{<id>}:idem:<key>    the idempotency record (untouched without a key)
-- KEYS[4] <prefix>conv:{<id>}:rate          the rate counter
-- KEYS[5] the lock (optional, with KEYS[6])
-- KEYS[6] the data kept under the lock
--
-- ARGV[1] token hash, ARGV[2] event JSON, ARGV[3] "1" when there is an idempotency key,
-- ARGV[4] now (ms), ARGV[5] lease (ms), ARGV[6] record TTL (s), ARGV[7] rate limit (0:
-- none), ARGV[8] rate window (ms), ARGV[9] conversation TTL (s), ARGV[10] the pub/sub
-- channel (not a key), ARGV[11] lock token, ARGV[12] lock TTL (ms), ARGV[13] entry tag,
-- ARGV[14] cap of events (0: none), ARGV[15] the JSON of the message and ARGV[16] of the
-- closing event that end a full conversation.
--
-- Returns {'not_found'}, {'forbidden'}, {'closed'}, {'limited', ms left}, {'done', seq,
-- from, to} (a replay), {'busy', seq, ms left}, {'retake', seq, owner, lock data or nil},
-- {'full', first, last} or {'new', seq, owner, lock data or nil}.
local function hold(owner)
  if #KEYS < 6 or owner ~= 'bot' then return nil end
  if not redis.call('SET', KEYS[5], ARGV[11], 'NX', 'PX', ARGV[12]) then return nil end
  return redis.call('GET', KEYS[6]) or ''
end
local tok = redis.call('HGET', KEYS[1], 'token')
if not tok then return {'not_found'} end
if tok ~= ARGV[1] then return {'forbidden'} end
local owner = redis.call('HGET', KEYS[1], 'owner')
local now = tonumber(ARGV[4])
if ARGV[3] == '1' then
  local rec = redis.call('HMGET', KEYS[3], 'seq', 'from', 'to', 'lease')
  if rec[1] then
    if rec[2] then
      redis.call('HINCRBY', KEYS[3], 'replays', 1) -- a write, so that a WAIT after it means something
      return {'done', tonumber(rec[1]), tonumber(rec[2]), tonumber(rec[3])}
    end
    if tonumber(rec[4]) > now then return {'busy', tonumber(rec[1]), tonumber(rec[4]) - now} end
    redis.call('HSET', KEYS[3], 'lease', now + tonumber(ARGV[5]))
    return {'retake', tonumber(rec[1]), owner, hold(owner)}
  end
end
if owner == 'closed' then return {'closed'} end
local limit = tonumber(ARGV[7])
if limit > 0 then
  local n = redis.call('INCR', KEYS[4])
  if n == 1 then redis.call('PEXPIRE', KEYS[4], ARGV[8]) end
  if n > limit then return {'limited', redis.call('PTTL', KEYS[4])} end
end
local cur = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
local ended = full(KEYS[1], KEYS[2], cur, 1, ARGV[13], ARGV[14], ARGV[15], ARGV[16])
if ended then
  redis.call('EXPIRE', KEYS[1], ARGV[9])
  redis.call('EXPIRE', KEYS[2], ARGV[9])
  redis.call('PUBLISH', ARGV[10], ended[2])
  return {'full', ended[1], ended[2]}
end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('XADD', KEYS[2], seq .. '-' .. ARGV[13], 'e', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[9])
redis.call('EXPIRE', KEYS[2], ARGV[9])
if ARGV[3] == '1' then
  if owner == 'bot' then
    redis.call('HSET', KEYS[3], 'seq', seq, 'lease', now + tonumber(ARGV[5]))
  else
    redis.call('HSET', KEYS[3], 'seq', seq, 'from', seq + 1, 'to', seq)
  end
  redis.call('EXPIRE', KEYS[3], ARGV[6])
end
redis.call('PUBLISH', ARGV[10], seq)
return {'new', seq, owner, hold(owner)}
