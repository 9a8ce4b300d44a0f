-- prelude.lua: the start of every desk record script (the home's keys, the key names and the
-- steps the writes share); the script's own file follows it.
--
-- A script works on one home, the hash tag its records share (see the package doc):
-- {c:<customer id>} for a customer and everything filed for them, {r:<request id>} for a
-- request without a customer and its activities. Every key a script touches is in its home,
-- hence in one Redis Cluster slot.
--
-- KEYS[1] <H>customer   the home's customer record (absent in a {r:...} home)
-- KEYS[2...]: the script's own keys, records of the same home named by its arguments (see its
-- header).
--
-- H is "<store prefix>{<home>}:", read from KEYS[1]. The keys of records a script only learns
-- while it runs (an activity read from a request, the members of a set) cannot be passed in
-- KEYS: the builders below (req, act...) name them from H, so they stay in the home's slot.
-- Home keys: <H>customer, <H>requests (zset of the customer's requests by filing order),
-- <H>open (their open requests), <H>request:<id>, <H>request:<id>:activities (zset),
-- <H>activity:<id>.
--
-- ARGV[1] now (RFC 3339), ARGV[2] agent making the change ("" for the system), then the
-- script's own arguments, arg(1) = ARGV[3], arg(2) = ARGV[4]...
--
-- Returns (every script): {status, detail, then records as flat hashes (HGETALL), empty
-- when absent}. A record being moved to a customer's home (field moved_to, see link.lua) is
-- not written: the script answers {'moved', customer id} and the caller finishes the move.
local CUS = KEYS[1]
local H = string.match(CUS, '^(.*)customer$')
local NOW, BY = ARGV[1], ARGV[2]
local function arg(i) return ARGV[2 + i] end
local REQS, OPEN = H .. 'requests', H .. 'open'
local function req(id) return H .. 'request:' .. id end
local function reqacts(id) return H .. 'request:' .. id .. ':activities' end
local function act(id) return H .. 'activity:' .. id end
local function all(k) return redis.call('HGETALL', k) end

-- touch records a change: one more version, now, by BY.
local function touch(k)
  redis.call('HINCRBY', k, 'version', 1)
  redis.call('HSET', k, 'updated_at', NOW, 'updated_by', BY)
end

-- moving answers a write on record k while it is being moved, or nil.
local function moving(k)
  local to = redis.call('HGET', k, 'moved_to')
  if to and to ~= '' then return {'moved', to} end
  return nil
end

-- check answers a write on record k made with version v: nil when it may go on.
local function check(k, v)
  local cur = redis.call('HGET', k, 'version')
  if not cur then return {'not_found'} end
  local m = moving(k)
  if m then return m end
  if cur ~= v then return {'stale', cur, all(k)} end
  return nil
end

-- newRequest opens request id of the home's customer c ('' for none), filed at seq s.
local function newRequest(id, c, title, description, s)
  redis.call('HSET', req(id), 'id', id, 'version', 1, 'customer_id', c, 'title', title,
    'description', description, 'status', 'open', 'created_at', NOW, 'closed_at', '',
    'updated_at', NOW, 'updated_by', BY, 'seq', s)
  if c ~= '' then
    redis.call('ZADD', REQS, s, id)
    redis.call('ZADD', OPEN, s, id)
  end
end

-- newActivity files activity id under request r at seq s; fields is a flat list of its own
-- fields.
local function newActivity(id, r, c, fields, s)
  redis.call('HSET', act(id), 'id', id, 'version', 1, 'request_id', r, 'customer_id', c,
    'tags', '', 'tagkeys', '', 'started_at', NOW, 'ended_at', '', 'created_at', NOW,
    'updated_at', NOW, 'updated_by', BY, 'seq', s)
  redis.call('HSET', act(id), unpack(fields))
  redis.call('ZADD', reqacts(r), s, id)
end

-- latestOpen is the home customer's most recent open request, or nil.
local function latestOpen()
  return redis.call('ZREVRANGE', OPEN, 0, 0)[1]
end

-- interaction answers with activity aid, its request and the home's customer.
local function interaction(aid)
  local r = redis.call('HGET', act(aid), 'request_id') or ''
  return {'ok', '', all(req(r)), all(act(aid)), all(CUS)}
end

-- messagesOf lists the message activities of request r with their filing order, as a flat
-- hash (for the index of left messages, which the caller keeps).
local function messagesOf(r)
  local out = {}
  local list = redis.call('ZRANGE', reqacts(r), 0, -1, 'WITHSCORES')
  for i = 1, #list, 2 do
    if redis.call('HGET', act(list[i]), 'kind') == 'message' then
      out[#out + 1] = list[i]
      out[#out + 1] = list[i + 1]
    end
  end
  return out
end

local function split(s)
  local out = {}
  for x in string.gmatch(s or '', '[^\31]+') do out[#out + 1] = x end
  return out
end
