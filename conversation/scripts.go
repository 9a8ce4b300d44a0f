package conversation

import "github.com/redis/go-redis/v9"

// fullLua closes a conversation that has no room left for n more events under its cap: the
// cap keeps two places for the system message and the closing event it appends then (with
// the tag given), so the stream never exceeds the cap. It answers {first, last} of the pair,
// or nil when there is room (or no cap). Arguments: meta and stream keys, current seq, n, tag,
// cap (0: none), the message's and the closing event's JSON.
const fullLua = `
local function full(meta, stream, seq, n, tag, cap, msg, closed)
  cap = tonumber(cap)
  if cap <= 0 or seq + n <= cap - 2 then return nil end
  local first = redis.call('HINCRBY', meta, 'seq', 1)
  redis.call('XADD', stream, first .. '-' .. tag, 'e', msg)
  local last = redis.call('HINCRBY', meta, 'seq', 1)
  redis.call('XADD', stream, last .. '-' .. tag, 'e', closed)
  redis.call('HSET', meta, 'owner', 'closed')
  return {first, last}
end
`

// postScript stores a customer message once per idempotency key, after checking the token and
// the per-conversation rate. When the bot is to answer and a Lock is given, it also takes the
// lock and returns the data under it (see Lock). KEYS: meta, stream, idempotency record, rate
// counter[, lock, lock data]. ARGV: token hash, event JSON, "1" when there is an idempotency
// key, now (ms), lease (ms), record TTL (s), rate limit (0: none), rate window (ms),
// conversation TTL (s), channel, lock token, lock TTL (ms), entry tag, cap of events (0:
// none), the JSON of the message and of the closing event that end a full conversation.
var postScript = redis.NewScript(fullLua + `
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
`)

// appendScript first releases a Lock when one is given (whatever happens next: the data under
// it is saved even when the conversation changed hands), then appends events, optionally only
// while the conversation has a given owner, then optionally changes the owner, sets one
// metadata field, and completes an idempotency record with the range of the appended events.
// KEYS: meta, stream, idempotency record[, lock, lock data]. ARGV: required owner ("" any), new
// owner ("" keep), "1" when there is a record, conversation TTL (s), channel, metadata field
// ("" none), its value, lock token, lock data ("" keep), its TTL (ms), entry tag, cap of
// events (0: none), the JSON of the message and of the closing event that end a full
// conversation, then one JSON per event. When the events do not fit under the cap, the
// conversation ends instead ('full'), unless it is closed or being closed (it has the room).
var appendScript = redis.NewScript(fullLua + `
local lost = 0
if #KEYS > 3 then
  if redis.call('GET', KEYS[4]) == ARGV[8] then
    if ARGV[9] ~= '' then redis.call('SET', KEYS[5], ARGV[9], 'PX', ARGV[10]) end
    redis.call('DEL', KEYS[4])
  else
    lost = 1
  end
end
if redis.call('EXISTS', KEYS[1]) == 0 then return {'not_found'} end
local owner = redis.call('HGET', KEYS[1], 'owner')
if ARGV[1] ~= '' and owner ~= ARGV[1] then
  if ARGV[3] == '1' then redis.call('HSET', KEYS[3], 'from', 1, 'to', 0) end
  return {'owner', owner, lost}
end
local cur = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
if owner ~= 'closed' and ARGV[2] ~= 'closed' and #ARGV > 14 then -- (a close fits in the two places kept)
  local ended = full(KEYS[1], KEYS[2], cur, #ARGV - 14, ARGV[11], ARGV[12], ARGV[13], ARGV[14])
  if ended then
    if ARGV[3] == '1' then redis.call('HSET', KEYS[3], 'from', ended[1], 'to', ended[2]) end
    redis.call('EXPIRE', KEYS[1], ARGV[4])
    redis.call('EXPIRE', KEYS[2], ARGV[4])
    redis.call('PUBLISH', ARGV[5], ended[2])
    return {'full', ended[1], ended[2], owner, lost}
  end
end
local first, seq = 0, 0
for i = 15, #ARGV do
  seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
  if first == 0 then first = seq end
  redis.call('XADD', KEYS[2], seq .. '-' .. ARGV[11], 'e', ARGV[i])
end
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'owner', ARGV[2]) end
if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], ARGV[6], ARGV[7]) end
if ARGV[3] == '1' then
  if first == 0 then
    redis.call('HSET', KEYS[3], 'from', 1, 'to', 0)
  else
    redis.call('HSET', KEYS[3], 'from', first, 'to', seq)
  end
end
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
if seq > 0 then redis.call('PUBLISH', ARGV[5], seq) end
return {'ok', first, seq, owner, lost}
`)
