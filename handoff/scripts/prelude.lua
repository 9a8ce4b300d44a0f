-- prelude.lua: the start of every routing script (the shared keys, the key names and the
-- steps the transitions share); the script's own file follows it.
--
-- KEYS[1..8], the routing's shared keys, in every routing script (dispatch(), refresh() and
-- finish(), which every transition may run, touch most of them):
--   KEYS[1] <P>queue     sorted set of the waiting and offered tasks, by queue score
--   KEYS[2] <P>offers    sorted set of the pending offers' tasks, by deadline (ms)
--   KEYS[3] <P>avail     sorted set of the agents an offer may go to now, by idle time
--   KEYS[4] <P>ready     sorted set of the Prêt connected agents, by idle time
--   KEYS[5] <P>drops     sorted set of the agents who lost their last socket, by end of grace
--   KEYS[6] <P>sockets   sorted set of the sockets '<agent>|<socket>', by end of lease
--   KEYS[7] <P>handled   list of the recent handling times (ms)
--   KEYS[8] <P>notices   the notice stream (XADD)
-- KEYS[9...]: the script's own keys, the records named by its arguments (see its header).
--
-- P is "<store prefix>{handoff}:": every routing key carries the hash tag {handoff}, so one
-- script's keys are in one Redis Cluster slot. The keys of tasks and agents a script only
-- learns while it runs (the tasks of the queue and the agents of the available set that
-- dispatch() matches, a conversation's task, an agent's pending offer, the sweeper's due
-- entries) cannot be passed in KEYS: they are not known before the call, and reading them
-- before it would race with the other instances. The builders below (tk, rejk, ak, atk)
-- name them from P, which is KEYS[1]'s prefix, so they stay under the same hash tag. The same
-- builders name the keys the script did receive in KEYS when a shared step reaches them by id.
--
-- ARGV[1] now (ms), ARGV[2] offer timeout (ms), ARGV[3] drop grace (ms), ARGV[4] stream
-- MAXLEN, ARGV[5] terminal task TTL (s), ARGV[6] socket lease (ms), then the script's own
-- arguments, arg(1) = ARGV[7], arg(2) = ARGV[8]...
--
-- Returns (finish()): {status, detail, task hash (flat, or empty), then per notice: stream
-- id, kind, task, conversation, agent, extra}.
local Q, OFFERS, AVAIL, READY = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local DROPS, SOCKS, HIST, STREAM = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local P = string.match(Q, '^(.*)queue$')
local NOW = tonumber(ARGV[1])
local TIMEOUT, GRACE = tonumber(ARGV[2]), tonumber(ARGV[3])
local MAXLEN, TTL, LEASE = ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
local function arg(i) return ARGV[6 + i] end
local function tk(t) return P .. 'task:' .. t end
local function rejk(t) return P .. 'task:' .. t .. ':rejected' end
local function ak(a) return P .. 'agent:' .. a end
local function atk(a) return P .. 'agent:' .. a .. ':tasks' end
local function ck(c) return P .. 'conv:' .. c end
local function num(v, d) return tonumber(v) or d end

local notes, queueChanged = {}, false
local function note(kind, t, c, a, x)
  notes[#notes + 1] = {kind, t or '', c or '', a or '', tostring(x or '')}
end

-- finish appends the notices to the stream, in this same atomic step, and builds the reply.
local function finish(status, detail, task)
  if queueChanged then note('queue') end
  local out = {status, tostring(detail or ''), {}}
  if task and task ~= '' then out[3] = redis.call('HGETALL', tk(task)) end
  for _, n in ipairs(notes) do
    out[#out + 1] = redis.call('XADD', STREAM, 'MAXLEN', '~', MAXLEN, '*',
      'k', n[1], 't', n[2], 'c', n[3], 'a', n[4], 'x', n[5], 'at', ARGV[1])
    for i = 1, 5 do out[#out + 1] = n[i] end
  end
  return out
end

-- refresh recomputes whether agent a is Prêt and connected (READY) and whether an offer may
-- go to them now (AVAIL: no pending offer, load below capacity), both ordered by idle time.
local function refresh(a)
  local f = redis.call('HMGET', ak(a), 'state', 'sockets', 'load', 'capacity', 'offer', 'idle')
  local idle = num(f[6], 0)
  if f[1] == 'ready' and num(f[2], 0) > 0 then
    redis.call('ZADD', READY, idle, a)
    if (f[5] or '') == '' and num(f[3], 0) < num(f[4], 1) then
      redis.call('ZADD', AVAIL, idle, a)
      return
    end
  else
    redis.call('ZREM', READY, a)
  end
  redis.call('ZREM', AVAIL, a)
end

-- hasRoom: load plus a pending offer for another task stays below capacity.
local function hasRoom(a, t)
  local f = redis.call('HMGET', ak(a), 'load', 'capacity', 'offer')
  local reserved = 0
  if (f[3] or '') ~= '' and f[3] ~= t then reserved = 1 end
  return num(f[1], 0) + reserved < num(f[2], 1)
end

local function skilled(a, cat)
  if not cat or cat == '' then return true end
  local sk = redis.call('HGET', ak(a), 'skills')
  if not sk or sk == '' then return true end
  return string.find(',' .. sk .. ',', ',' .. cat .. ',', 1, true) ~= nil
end

local function offerTo(t, c, a)
  local dl = NOW + TIMEOUT
  redis.call('HSET', tk(t), 'state', 'offered', 'agent', a, 'deadline', dl)
  redis.call('HSET', ak(a), 'offer', t)
  redis.call('ZADD', OFFERS, dl, t)
  refresh(a)
  note('offered', t, c, a, dl)
end

-- dispatch offers the waiting tasks, in queue order, to the available agents, idle longest
-- first, skipping agents without the task's skill and those who rejected it.
local function dispatch()
  if redis.call('ZCARD', AVAIL) == 0 then return end
  for _, t in ipairs(redis.call('ZRANGE', Q, 0, 199)) do
    local f = redis.call('HMGET', tk(t), 'state', 'category', 'conv')
    if f[1] == 'waiting' then
      local agents = redis.call('ZRANGE', AVAIL, 0, -1)
      if #agents == 0 then return end
      for _, a in ipairs(agents) do
        if skilled(a, f[2]) and redis.call('SISMEMBER', rejk(t), a) == 0 then
          offerTo(t, f[3], a)
          break
        end
      end
    end
  end
end

-- endOffer takes the offer of task t back from agent a; the task waits again at its place.
-- kind: offer_expired (the agent becomes Non prêt), offer_rejected, offer_withdrawn.
local function endOffer(t, a, kind)
  local c = redis.call('HGET', tk(t), 'conv')
  redis.call('ZREM', OFFERS, t)
  redis.call('HSET', tk(t), 'state', 'waiting', 'agent', '', 'deadline', '')
  if redis.call('HGET', ak(a), 'offer') == t then redis.call('HSET', ak(a), 'offer', '') end
  note(kind, t, c, a)
  if kind == 'offer_rejected' then redis.call('SADD', rejk(t), a) end
  if kind == 'offer_expired' and redis.call('HGET', ak(a), 'state') == 'ready' then
    redis.call('HSET', ak(a), 'state', 'not_ready')
    note('state', '', '', a, 'not_ready')
  end
  refresh(a)
end

local function assign(t, a)
  local c = redis.call('HGET', tk(t), 'conv')
  if redis.call('ZREM', Q, t) == 1 then queueChanged = true end
  redis.call('ZREM', OFFERS, t)
  redis.call('HSET', tk(t), 'state', 'assigned', 'agent', a, 'deadline', '', 'assigned', NOW)
  if redis.call('HGET', ak(a), 'offer') == t then redis.call('HSET', ak(a), 'offer', '') end
  redis.call('HINCRBY', ak(a), 'load', 1)
  redis.call('HSET', ak(a), 'idle', NOW)
  redis.call('SADD', atk(a), t)
  refresh(a)
  note('assigned', t, c, a)
end

-- release frees agent a's slot for task t and records how long it was handled.
local function release(t, a, assignedAt)
  if redis.call('SREM', atk(a), t) == 1 and num(redis.call('HINCRBY', ak(a), 'load', -1), 0) < 0 then
    redis.call('HSET', ak(a), 'load', 0)
  end
  redis.call('HSET', ak(a), 'idle', NOW)
  if num(assignedAt, 0) > 0 then
    redis.call('LPUSH', HIST, NOW - num(assignedAt, 0))
    redis.call('LTRIM', HIST, 0, 49)
  end
  refresh(a)
end

-- requeueHead puts task t back at the head of the queue (before every other priority),
-- ordered by age among the re-queued.
local function requeueHead(t)
  redis.call('HSET', tk(t), 'state', 'waiting', 'agent', '', 'deadline', '', 'assigned', '')
  redis.call('ZADD', Q, redis.call('HGET', tk(t), 'created'), t)
  queueChanged = true
end

-- ended gives task t its final state; the record is kept TTL seconds for the desk.
local function ended(t, c, state, outcome)
  if redis.call('ZREM', Q, t) == 1 then queueChanged = true end
  redis.call('ZREM', OFFERS, t)
  redis.call('HSET', tk(t), 'state', state, 'outcome', outcome, 'ended', NOW, 'deadline', '')
  redis.call('DEL', ck(c), rejk(t))
  redis.call('EXPIRE', tk(t), TTL)
end

-- lost forgets one socket of agent a; the last one starts the drop grace and withdraws the
-- pending offer (the agent cannot see it any more).
local function lost(a, member)
  if redis.call('ZREM', SOCKS, member) == 0 then return end
  local n = redis.call('HINCRBY', ak(a), 'sockets', -1)
  if n > 0 then return end
  if n < 0 then redis.call('HSET', ak(a), 'sockets', 0) end
  local offer = redis.call('HGET', ak(a), 'offer')
  if offer and offer ~= '' then endOffer(offer, a, 'offer_withdrawn') end
  redis.call('ZADD', DROPS, NOW + GRACE, a)
  refresh(a)
  note('agent_dropped', '', '', a, NOW + GRACE)
end
