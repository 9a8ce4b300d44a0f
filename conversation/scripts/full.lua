-- full.lua: the start of exchange.lua and append.lua (no script of its own): full() closes a
-- conversation that has no room left for n more events under its cap. The cap keeps two
-- places for the system message and the closing event it appends then (with the tag given),
-- so the stream never exceeds the cap.
--
-- KEYS, ARGV: none of its own; full() receives the meta and stream keys from the script's
-- KEYS[1] and KEYS[2] (see exchange.lua, append.lua), then the current seq, n, the entry tag,
-- the cap (0: none), the JSON of the message and of the closing event.
--
-- Returns (full()): {first, last} seq of the pair appended, or nil when there is room (or
-- no cap).
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
