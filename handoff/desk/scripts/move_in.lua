-- move_in.lua: the second step of a link: files the frozen request and activities (read by
-- move_out.lua) in customer cu's home. When cu has no open request the request comes whole;
-- otherwise its activities go to cu's most recent open request and the request is dropped.
-- Idempotent: when the linked activity is already there, it only answers.
--
-- KEYS[1] <H>customer               the customer (prelude.lua)
-- KEYS[2] <H>activity:<aid>         the linked activity's copy
-- Derived from H: <H>requests, <H>open, the request filed and its activities.
--
-- ARGV[1..2] now, agent (prelude.lua); arg(1) activity, arg(2) customer, arg(3) JSON
-- {"request": {field: value}, "activities": [{field: value}...]}.
--
-- Returns {'ok', '1' when the request was dropped else '', request, activity, customer} or
-- {'customer_not_found'}.
local aid, cu = arg(1), arg(2)
if redis.call('EXISTS', CUS) == 0 then return {'customer_not_found'} end
if redis.call('EXISTS', KEYS[2]) == 1 then return interaction(aid) end
local moved = cjson.decode(arg(3))
local function write(k, h, extra)
  local flat = {}
  for f, v in pairs(h) do
    if f ~= 'moved_to' then flat[#flat + 1] = f; flat[#flat + 1] = v end
  end
  redis.call('HSET', k, unpack(flat))
  redis.call('HSET', k, unpack(extra))
  touch(k)
end
local rq = moved.request
local into, dropped = latestOpen(), '1'
if not into then
  into, dropped = rq.id, ''
  write(req(into), rq, {'customer_id', cu})
  redis.call('ZADD', REQS, rq.seq, into)
  if rq.status == 'open' then redis.call('ZADD', OPEN, rq.seq, into) end
end
for _, a in ipairs(moved.activities) do
  write(act(a.id), a, {'customer_id', cu, 'request_id', into})
  redis.call('ZADD', reqacts(into), a.seq or 0, a.id)
end
local out = interaction(aid)
out[2] = dropped
return out
