-- append.lua (after full.lua): first releases a lock when one is given (whatever happens
-- next: the data under it is saved even when the conversation changed hands), then appends
-- events, optionally only while the conversation has a given owner, then optionally changes
-- the owner, sets one metadata field, and completes an idempotency record with the range of
-- the appended events. When the events do not fit under the cap, the conversation ends
-- instead ('full'), unless it is closed or being closed (it has the room). Every key carries
-- the conversation's hash tag {<id>}, the lock's too (Lock's contract).
--
-- KEYS[1] <prefix>conv:{<id>}               the conversation's meta hash (owner, seq...)
-- KEYS[2] <prefix>conv:{<id>}:events        its event stream
-- KEYS[3] <prefix>conv:{<id>}:idem:<key>    the idempotency record (untouched without one)
-- KEYS[4] the lock (optional, with KEYS[5])
-- KEYS[5] the data kept under the lock
--
-- ARGV[1] required owner ("" any), ARGV[2] new owner ("" keep), ARGV[3] "1" when there is a
-- record, ARGV[4] conversation TTL (s), ARGV[5] the pub/sub channel (not a key), ARGV[6]
-- metadata field ("" none), ARGV[7] its value, ARGV[8] lock token, ARGV[9] lock data (""
-- keep), ARGV[10] its TTL (ms), ARGV[11] entry tag, ARGV[12] cap of events (0: none),
-- ARGV[13] the JSON of the message and ARGV[14] of the closing event that end a full
-- conversation, ARGV[15...] one JSON per event.
--
-- Returns {'not_found'}, {'owner', owner, lost}, {'full', first, last, owner, lost} or
-- {'ok', first, last (0, 0: none), owner, lost}; lost is 1 when the lock given was no
-- longer held.
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
