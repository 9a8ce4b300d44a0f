-- append.lua (after full.lua): appends events, optionally only while the conversation has a
-- given owner, then optionally changes the owner and sets one metadata field. When the events
-- do not fit under the cap, the conversation ends instead ('full'), unless it is closed or
-- being closed (it has the room). Both keys carry the conversation's hash tag {<id>}.
--
-- KEYS[1] <prefix>conv:{<id>}               the conversation's meta hash (owner, seq...)
-- KEYS[2] <prefix>conv:{<id>}:events        its event stream
-- KEYS[3...] keys kept as long as the conversation (its attachments and notes): their time to live is
--            renewed with its own
--
-- ARGV[1] required owner ("" any), ARGV[2] new owner ("" keep), ARGV[3] conversation TTL (s),
-- ARGV[4] the pub/sub channel (not a key), ARGV[5] metadata field ("" none), ARGV[6] its
-- value, ARGV[7] entry tag, ARGV[8] cap of events (0: none), ARGV[9] the JSON of the message
-- and ARGV[10] of the closing event that end a full conversation, ARGV[11...] one JSON per
-- event.
--
-- Returns {'not_found'}, {'owner', owner}, {'full', first, last, owner} or {'ok', first, last
-- (0, 0: none), owner}.
if redis.call('EXISTS', KEYS[1]) == 0 then return {'not_found'} end
local owner = redis.call('HGET', KEYS[1], 'owner')
if ARGV[1] ~= '' and owner ~= ARGV[1] then return {'owner', owner} end
local cur = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
if owner ~= 'closed' and ARGV[2] ~= 'closed' and #ARGV > 10 then -- (a close fits in the two places kept)
  local ended = full(KEYS[1], KEYS[2], cur, #ARGV - 10, ARGV[7], ARGV[8], ARGV[9], ARGV[10])
  if ended then
    redis.call('EXPIRE', KEYS[1], ARGV[3])
    redis.call('EXPIRE', KEYS[2], ARGV[3])
    for k = 3, #KEYS do redis.call('EXPIRE', KEYS[k], ARGV[3]) end
    redis.call('PUBLISH', ARGV[4], ended[2])
    return {'full', ended[1], ended[2], owner}
  end
end
local first, seq = 0, 0
for i = 11, #ARGV do
  seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
  if first == 0 then first = seq end
  redis.call('XADD', KEYS[2], seq .. '-' .. ARGV[7], 'e', ARGV[i])
end
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'owner', ARGV[2]) end
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], ARGV[5], ARGV[6]) end
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
for k = 3, #KEYS do redis.call('EXPIRE', KEYS[k], ARGV[3]) end
if seq > 0 then redis.call('PUBLISH', ARGV[4], seq) end
return {'ok', first, seq, owner}
