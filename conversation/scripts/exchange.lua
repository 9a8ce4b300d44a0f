-- exchange.lua (after full.lua): stores a turn in one atomic step, or nothing at all: the
-- customer's message (none for the welcome), the events that answer it, the owner change and
-- metadata field they carry, the data kept with the conversation (the bot's session), and the
-- idempotency record of the message's key. It stores only if the conversation is still as the
-- turn read it (owner, and seq unless ARGV[4] is -1); else it returns 'stale' and the caller
-- reads again and computes the turn again. Every key carries the conversation's hash tag {<id>}.
--
-- KEYS[1] <prefix>conv:{<id>}               the conversation's meta hash (token, owner, seq)
-- KEYS[2] <prefix>conv:{<id>}:events        its event stream
-- KEYS[3] <prefix>conv:{<id>}:idem:<key>    the idempotency record (untouched without a key)
-- KEYS[4] <prefix>conv:{<id>}:rate          the rate counter
-- KEYS[5] the data kept with the conversation (untouched when ARGV[16] is "")
-- KEYS[6...] keys kept as long as the conversation (its attachments and notes): their time to live is
--            renewed with its own
--
-- ARGV[1] token hash, ARGV[2] "1" when there is an idempotency key, ARGV[3] owner expected,
-- ARGV[4] seq expected (-1: any), ARGV[5] the customer message's JSON ("" none), ARGV[6]
-- record TTL (s), ARGV[7] rate limit (0: none), ARGV[8] rate window (ms), ARGV[9]
-- conversation TTL (s), ARGV[10] the pub/sub channel (not a key), ARGV[11] entry tag,
-- ARGV[12] cap of events (0: none), ARGV[13] the JSON of the message and ARGV[14] of the
-- closing event that end a full conversation, ARGV[15] new owner ("" keep), ARGV[16] data to
-- keep ("" keep), ARGV[17] its TTL (ms), ARGV[18] metadata field ("" none), ARGV[19] its
-- value, ARGV[20...] one JSON per answering event.
--
-- Returns {'not_found'}, {'forbidden'}, {'closed'}, {'limited', ms left}, {'done', seq,
-- from, to} (the key's first turn), {'stale'}, {'full', first, last} or {'ok', seq of the
-- message (0: none), first, last (0, 0: no answer)}.
local meta = redis.call('HMGET', KEYS[1], 'token', 'owner', 'seq')
if not meta[1] then return {'not_found'} end
if meta[1] ~= ARGV[1] then return {'forbidden'} end
local hasKey = ARGV[2] == '1'
if hasKey then
  local rec = redis.call('HMGET', KEYS[3], 'seq', 'from', 'to')
  if rec[1] then
    redis.call('HINCRBY', KEYS[3], 'replays', 1) -- a write, so that a WAIT after it means something
    return {'done', tonumber(rec[1]), tonumber(rec[2]), tonumber(rec[3])}
  end
end
local owner, cur = meta[2], tonumber(meta[3] or '0')
if owner == 'closed' then return {'closed'} end
if owner ~= ARGV[3] or (ARGV[4] ~= '-1' and cur ~= tonumber(ARGV[4])) then return {'stale'} end
local limit = tonumber(ARGV[7])
if limit > 0 and ARGV[5] ~= '' then
  local n = redis.call('INCR', KEYS[4])
  if n == 1 then redis.call('PEXPIRE', KEYS[4], ARGV[8]) end
  if n > limit then return {'limited', redis.call('PTTL', KEYS[4])} end
end
local n = #ARGV - 19
if ARGV[5] ~= '' then n = n + 1 end
local function keep(last)
  redis.call('EXPIRE', KEYS[1], ARGV[9])
  redis.call('EXPIRE', KEYS[2], ARGV[9])
  for k = 6, #KEYS do redis.call('EXPIRE', KEYS[k], ARGV[9]) end
  if last > 0 then redis.call('PUBLISH', ARGV[10], last) end
end
local ended = full(KEYS[1], KEYS[2], cur, n, ARGV[11], ARGV[12], ARGV[13], ARGV[14])
if ended then -- (no record: a retry of the key finds the conversation closed)
  keep(ended[2])
  return {'full', ended[1], ended[2]}
end
local msg, first, seq = 0, 0, 0
if ARGV[5] ~= '' then
  msg = redis.call('HINCRBY', KEYS[1], 'seq', 1)
  redis.call('XADD', KEYS[2], msg .. '-' .. ARGV[11], 'e', ARGV[5])
  seq = msg
end
for i = 20, #ARGV do
  seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
  if first == 0 then first = seq end
  redis.call('XADD', KEYS[2], seq .. '-' .. ARGV[11], 'e', ARGV[i])
end
if ARGV[15] ~= '' then redis.call('HSET', KEYS[1], 'owner', ARGV[15]) end
if ARGV[18] ~= '' then redis.call('HSET', KEYS[1], ARGV[18], ARGV[19]) end
if ARGV[16] ~= '' then redis.call('SET', KEYS[5], ARGV[16], 'PX', ARGV[17]) end
if hasKey then
  if first == 0 then
    redis.call('HSET', KEYS[3], 'seq', msg, 'from', msg + 1, 'to', msg)
  else
    redis.call('HSET', KEYS[3], 'seq', msg, 'from', first, 'to', seq)
  end
  redis.call('EXPIRE', KEYS[3], ARGV[6])
end
keep(seq)
return {'ok', msg, first, seq}
