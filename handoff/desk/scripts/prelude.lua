-- prelude.lua: the start of every desk script (the shared keys, the key names and the steps
-- the writes share); the script's own file follows it.
--
-- KEYS[1..9], the desk's shared keys, in every desk script (the shared steps below may touch
-- any of them):
--   KEYS[1] <P>seq              sequence ordering requests and activities (INCR)
--   KEYS[2] <P>idx:email        hash e-mail key -> customer id
--   KEYS[3] <P>idx:account      hash account number key -> customer id
--   KEYS[4] <P>idx:external     hash external id -> customer id
--   KEYS[5] <P>idx:task         hash task id -> activity id
--   KEYS[6] <P>idx:task:end     sorted set: end (unix s) of each KEYS[5] field
--   KEYS[7] <P>idx:conv         hash conversation id -> its latest activity id
--   KEYS[8] <P>idx:conv:end     sorted set: end (unix s) of each KEYS[7] field
--   KEYS[9] <P>idx:messages     sorted set of the open requests' left messages (activity ids)
-- KEYS[10...]: the script's own keys, the records named by its arguments (see its header).
--
-- P is "<store prefix>{desk}:": every desk key carries the hash tag {desk}, so one script's
-- keys are in one Redis Cluster slot. The keys of records a script only learns while it runs
-- (an activity read from an index, a request or customer read from a record, the members
-- of a set) cannot be passed in KEYS, since they are not known before the call and a read
-- before it would race with other writers: the builders below (cus, req, act...) name them
-- from P, which is KEYS[1]'s prefix, so they stay under the same hash tag. The same builders
-- name the keys the script did receive in KEYS when a shared step reaches them by id.
--
-- ARGV[1] now (RFC 3339), ARGV[2] agent making the change ("" for the system), then the
-- script's own arguments, arg(1) = ARGV[3], arg(2) = ARGV[4]...
--
-- Returns (every script): {status, detail, then records as flat hashes (HGETALL), empty
-- when absent}.
local SEQ, EMAILS, ACCOUNTS, EXTERNAL = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local TASKS, TASKS_END, CONVS, CONVS_END = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local MESSAGES = KEYS[9]
local P = string.match(SEQ, '^(.*)seq$')
local NOW, BY = ARGV[1], ARGV[2]
local function arg(i) return ARGV[2 + i] end
local function cus(id) return P .. 'customer:' .. id end
local function cusreqs(id) return P .. 'customer:' .. id .. ':requests' end
local function cusopen(id) return P .. 'customer:' .. id .. ':open' end
local function phonek(d) return P .. 'idx:phone:' .. d end
local function req(id) return P .. 'request:' .. id end
local function reqacts(id) return P .. 'request:' .. id .. ':activities' end
local function act(id) return P .. 'activity:' .. id end
-- TASKS and CONVS point to activities while their conversation lives: each field's end (unix
-- seconds) in a sorted set beside them, renewed when the interaction changes, swept as new
-- ones come (Redis 7.0 has no per-field TTL).
local function keepIndexed(ends, field, at) redis.call('ZADD', ends, at, field) end
local function keepInteraction(aid, task, at)
  keepIndexed(TASKS_END, task, at)
  local c = redis.call('HGET', act(aid), 'conversation_id')
  if c and redis.call('HGET', CONVS, c) == aid then keepIndexed(CONVS_END, c, at) end
end
local function sweepIndex(idx, ends, now)
  local old = redis.call('ZRANGEBYSCORE', ends, '-inf', now, 'LIMIT', 0, 20)
  for _, f in ipairs(old) do redis.call('HDEL', idx, f) end
  if #old > 0 then redis.call('ZREM', ends, unpack(old)) end
end
local function all(k) return redis.call('HGETALL', k) end

-- touch records a change: one more version, now, by BY.
local function touch(k)
  redis.call('HINCRBY', k, 'version', 1)
  redis.call('HSET', k, 'updated_at', NOW, 'updated_by', BY)
end

-- check answers a write on record k made with version v: nil when it may go on.
local function check(k, v)
  local cur = redis.call('HGET', k, 'version')
  if not cur then return {'not_found'} end
  if cur ~= v then return {'stale', cur, all(k)} end
  return nil
end

local function index(id, ek, pk, ak)
  if ek ~= '' then redis.call('HSET', EMAILS, ek, id) end
  if pk ~= '' then redis.call('SADD', phonek(pk), id) end
  if ak ~= '' then redis.call('HSET', ACCOUNTS, ak, id) end
end

local function unindex(id, ek, pk, ak)
  if (ek or '') ~= '' and redis.call('HGET', EMAILS, ek) == id then redis.call('HDEL', EMAILS, ek) end
  if (pk or '') ~= '' then redis.call('SREM', phonek(pk), id) end
  if (ak or '') ~= '' and redis.call('HGET', ACCOUNTS, ak) == id then redis.call('HDEL', ACCOUNTS, ak) end
end

-- taken: the customer holding key in index idx, when it is not id.
local function taken(idx, key, id)
  if key == '' then return nil end
  local o = redis.call('HGET', idx, key)
  if o and o ~= id then return o end
  return nil
end

-- newRequest opens request id for customer c ('' while unknown), ordered by a sequence.
local function newRequest(id, c, title, description)
  local s = redis.call('INCR', SEQ)
  redis.call('HSET', req(id), 'id', id, 'version', 1, 'customer_id', c, 'title', title,
    'description', description, 'status', 'open', 'created_at', NOW, 'closed_at', '',
    'updated_at', NOW, 'updated_by', BY, 'seq', s)
  if c ~= '' then
    redis.call('ZADD', cusreqs(c), s, id)
    redis.call('ZADD', cusopen(c), s, id)
  end
end

-- newActivity files activity id under request r; fields is a flat list of its own fields.
local function newActivity(id, r, c, fields)
  redis.call('HSET', act(id), 'id', id, 'version', 1, 'request_id', r, 'customer_id', c,
    'tags', '', 'tagkeys', '', 'started_at', NOW, 'ended_at', '', 'created_at', NOW,
    'updated_at', NOW, 'updated_by', BY)
  redis.call('HSET', act(id), unpack(fields))
  redis.call('ZADD', reqacts(r), redis.call('INCR', SEQ), id)
end

-- latestOpen is the most recent open request of customer c, or nil.
local function latestOpen(c)
  if c == '' then return nil end
  return redis.call('ZREVRANGE', cusopen(c), 0, 0)[1]
end

-- interaction answers with activity aid, its request and its customer.
local function interaction(aid)
  local f = redis.call('HMGET', act(aid), 'request_id', 'customer_id')
  local c = {}
  if (f[2] or '') ~= '' then c = all(cus(f[2])) end
  return {'ok', '', all(req(f[1])), all(act(aid)), c}
end

-- indexMessages puts the message activities of request r in the index of left messages
-- while r is open, and takes them out while it is closed; scored by their filing order.
local function indexMessages(r)
  local open = redis.call('HGET', req(r), 'status') == 'open'
  local list = redis.call('ZRANGE', reqacts(r), 0, -1, 'WITHSCORES')
  for i = 1, #list, 2 do
    local x = list[i]
    if redis.call('HGET', act(x), 'kind') == 'message' then
      if open then redis.call('ZADD', MESSAGES, list[i + 1], x) else redis.call('ZREM', MESSAGES, x) end
    end
  end
end

-- link files activity aid under customer cu: its request, when it has no customer, moves to
-- cu if they have no open request; otherwise the activity moves to their most recent open
-- request and the request left empty is deleted. A refusal, or nil.
local function link(aid, cu)
  if redis.call('EXISTS', cus(cu)) == 0 then return {'customer_not_found'} end
  local a = act(aid)
  local r = redis.call('HGET', a, 'request_id')
  local rc = redis.call('HGET', req(r), 'customer_id') or ''
  if rc ~= '' and rc ~= cu then return {'linked_other'} end
  if rc ~= '' then return nil end
  local open = latestOpen(cu)
  if not open then
    local f = redis.call('HMGET', req(r), 'seq', 'status')
    redis.call('HSET', req(r), 'customer_id', cu)
    touch(req(r))
    redis.call('ZADD', cusreqs(cu), f[1], r)
    if f[2] == 'open' then redis.call('ZADD', cusopen(cu), f[1], r) end
    for _, x in ipairs(redis.call('ZRANGE', reqacts(r), 0, -1)) do
      redis.call('HSET', act(x), 'customer_id', cu)
      touch(act(x))
    end
    return nil
  end
  local score = redis.call('ZSCORE', reqacts(r), aid)
  redis.call('ZREM', reqacts(r), aid)
  redis.call('ZADD', reqacts(open), score, aid)
  redis.call('HSET', a, 'request_id', open, 'customer_id', cu)
  touch(a)
  if redis.call('ZCARD', reqacts(r)) == 0 then redis.call('DEL', req(r)) end
  indexMessages(open)
  return nil
end

local function split(s)
  local out = {}
  for x in string.gmatch(s or '', '[^\31]+') do out[#out + 1] = x end
  return out
end
