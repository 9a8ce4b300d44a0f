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
-- The indexes that keep dispatch() and the positions proportional to what changed, derived
-- from P as well (their names are fixed, but every script may touch them through the shared
-- steps):
--   <P>waiting            sorted set of the waiting (not offered) tasks, by queue score
--   <P>waiting:<category> the same for one category ('' = no category)
--   <P>wcats              set of the categories that have waiting tasks
--   <P>avail:<skill>      sorted set of the available agents with that skill, by idle time
--                         ('' = the agents without skills, who take every category)
--   <P>askills            set of the skills whose avail:<skill> is not empty ('' included)
--   <P>pool               hash: cap, free = the Prêt connected agents' total capacity and
--                         free slots (each agent's share is kept in its fields pc, pf)
--   <P>indexed            set once the indexes were built from the queue and READY (reindex)
--   <P>conv:<c>:tasks     set of every task of conversation c, for its erasure (forget.lua);
--                         it expires with the conversation's last ended task (ended())
-- KEYS[3] (AVAIL) stays the truth: an agent met in <P>avail:<skill> and absent from AVAIL
-- (an account removed meanwhile) is dropped from the index when met.
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
local WAIT, WCATS, POOL, INDEXED = P .. 'waiting', P .. 'wcats', P .. 'pool', P .. 'indexed'
local ASKILLS = P .. 'askills'
local function wk(cat) return P .. 'waiting:' .. cat end
local function sk(skill) return P .. 'avail:' .. skill end

local notes, queueChanged = {}, false
local function note(kind, t, c, a, x, task)
  notes[#notes + 1] = {kind, t or '', c or '', a or '', tostring(x or ''), task}
end

-- finish appends the notices to the stream, in this same atomic step, and builds the reply.
-- An entry's fields: k kind, t task, c conversation, a agent, x extra, at time; an offer's
-- also task, the task's hash as offered (a JSON list of field, value, …).
local function finish(status, detail, task)
  if queueChanged then note('queue') end
  local out = {status, tostring(detail or ''), {}}
  if task and task ~= '' then out[3] = redis.call('HGETALL', tk(task)) end
  for _, n in ipairs(notes) do
    local fields = {'k', n[1], 't', n[2], 'c', n[3], 'a', n[4], 'x', n[5], 'at', ARGV[1]}
    if n[6] then -- the task as offered, so that the offer reaches the desk without a read
      fields[#fields + 1], fields[#fields + 2] = 'task', cjson.encode(n[6])
    end
    out[#out + 1] = redis.call('XADD', STREAM, 'MAXLEN', '~', MAXLEN, '*', unpack(fields))
    for i = 1, 5 do out[#out + 1] = n[i] end
  end
  return out
end

-- skillsOf lists the skills s (comma separated); no skill is the skill ''.
local function skillsOf(s)
  if s == '' then return {''} end
  local out = {}
  for x in string.gmatch(s, '[^,]+') do out[#out + 1] = x end
  return out
end

-- unindexSkill takes agent a out of skill x's index.
local function unindexSkill(x, a)
  redis.call('ZREM', sk(x), a)
  if redis.call('ZCARD', sk(x)) == 0 then redis.call('SREM', ASKILLS, x) end
end

-- indexSkills moves agent a from the index keys of the skills old (nil: indexed nowhere) to
-- those of new (nil: not available), at idle time idle.
local function indexSkills(a, old, new, idle)
  if old and old ~= new then
    for _, x in ipairs(skillsOf(old)) do unindexSkill(x, a) end
  end
  if new then
    for _, x in ipairs(skillsOf(new)) do
      redis.call('ZADD', sk(x), idle, a)
      redis.call('SADD', ASKILLS, x)
    end
  end
  if old ~= new then
    if new then redis.call('HSET', ak(a), 'iskills', new) else redis.call('HDEL', ak(a), 'iskills') end
  end
end

-- refresh recomputes whether agent a is Prêt and connected (READY) and whether an offer may
-- go to them now (AVAIL and their skills' index: no pending offer, load below capacity), both
-- ordered by idle time, and their share of the pool's capacity and free slots.
local function refresh(a)
  local f = redis.call('HMGET', ak(a), 'state', 'sockets', 'load', 'capacity', 'offer', 'idle',
    'skills', 'iskills', 'pc', 'pf')
  local idle, load, cap = num(f[6], 0), num(f[3], 0), num(f[4], 1)
  local offered = (f[5] or '') ~= ''
  local ready = f[1] == 'ready' and num(f[2], 0) > 0
  local avail = ready and not offered and load < cap
  if ready then redis.call('ZADD', READY, idle, a) else redis.call('ZREM', READY, a) end
  if avail then redis.call('ZADD', AVAIL, idle, a) else redis.call('ZREM', AVAIL, a) end
  indexSkills(a, f[8], avail and (f[7] or '') or nil, idle)
  local pc, pf = 0, 0
  if ready then
    pc = cap
    pf = math.max(cap - load - (offered and 1 or 0), 0)
  end
  local dc, df = pc - num(f[9], 0), pf - num(f[10], 0)
  if dc ~= 0 then redis.call('HINCRBY', POOL, 'cap', dc) end
  if df ~= 0 then redis.call('HINCRBY', POOL, 'free', df) end
  if dc ~= 0 or df ~= 0 then redis.call('HSET', ak(a), 'pc', pc, 'pf', pf) end
end

-- setWaiting indexes task t as waiting, at its queue score; unsetWaiting takes it out.
local function setWaiting(t)
  local s = redis.call('ZSCORE', Q, t)
  if not s then return end
  local cat = redis.call('HGET', tk(t), 'category') or ''
  redis.call('ZADD', WAIT, s, t)
  redis.call('ZADD', wk(cat), s, t)
  redis.call('SADD', WCATS, cat)
end

-- dropWaiting takes task t out of the waiting indexes, its category's being cat.
local function dropWaiting(t, cat)
  redis.call('ZREM', WAIT, t)
  redis.call('ZREM', wk(cat), t)
  if redis.call('ZCARD', wk(cat)) == 0 then redis.call('SREM', WCATS, cat) end
end

local function unsetWaiting(t)
  if redis.call('ZSCORE', WAIT, t) then dropWaiting(t, redis.call('HGET', tk(t), 'category') or '') end
end

-- hasRoom: load plus a pending offer for another task stays below capacity.
local function hasRoom(a, t)
  local f = redis.call('HMGET', ak(a), 'load', 'capacity', 'offer')
  local reserved = 0
  if (f[3] or '') ~= '' and f[3] ~= t then reserved = 1 end
  return num(f[1], 0) + reserved < num(f[2], 1)
end

local function offerTo(t, c, a)
  local dl = NOW + TIMEOUT
  unsetWaiting(t)
  redis.call('HSET', tk(t), 'state', 'offered', 'agent', a, 'deadline', dl)
  redis.call('HSET', ak(a), 'offer', t)
  redis.call('ZADD', OFFERS, dl, t)
  refresh(a)
  note('offered', t, c, a, dl, redis.call('HGETALL', tk(t)))
  queueChanged = true -- the desks' queue shows the entry offered, without « Prendre »
end

-- firstIn is the agent idle longest in index key k who did not reject task t (nrej agents
-- did): the first nrej + 1 entries hold one if any.
local function firstIn(k, t, nrej)
  while true do
    local r = redis.call('ZRANGE', k, 0, nrej, 'WITHSCORES')
    local stale = false
    for i = 1, #r, 2 do
      local a = r[i]
      if k ~= AVAIL and not redis.call('ZSCORE', AVAIL, a) then
        unindexSkill(string.sub(k, #sk('') + 1), a)
        stale = true
        break
      end
      if nrej == 0 or redis.call('SISMEMBER', rejk(t), a) == 0 then return a, tonumber(r[i + 1]) end
    end
    if not stale then return nil end
  end
end

-- firstAgent is the agent idle longest among the index keys who did not reject task t (ties
-- by id, as in a sorted set).
local function firstAgent(t, keys)
  local nrej = redis.call('SCARD', rejk(t))
  local best, bestIdle
  for _, k in ipairs(keys) do
    local a, idle = firstIn(k, t, nrej)
    if a and (not best or idle < bestIdle or (idle == bestIdle and a < best)) then
      best, bestIdle = a, idle
    end
  end
  return best
end

-- dispatchScan bounds how many waiting tasks of one category dispatch() looks at for one
-- that is not refused by every agent who could take it.
local dispatchScan = 100

-- candidate is the first waiting task of category cat that an available agent may take, with
-- its queue score and that agent (the one idle longest), or nil.
local function candidate(cat)
  local keys = {AVAIL}
  if cat ~= '' then keys = {sk(cat), sk('')} end
  local any = false
  for _, k in ipairs(keys) do
    if redis.call('ZCARD', k) > 0 then any = true end
  end
  if not any then return nil end
  local r = redis.call('ZRANGE', wk(cat), 0, dispatchScan - 1, 'WITHSCORES')
  for i = 1, #r, 2 do
    local a = firstAgent(r[i], keys)
    if a then return r[i], tonumber(r[i + 1]), a end
  end
end

-- takeable are the waiting categories an available agent may take: all of them when an
-- agent without skills is available, else those of the available skills, and '' (no
-- category) when it waits.
local function takeable()
  if redis.call('ZCARD', sk('')) > 0 then return redis.call('SMEMBERS', WCATS) end
  local cats = redis.call('SINTER', WCATS, ASKILLS)
  if redis.call('SISMEMBER', WCATS, '') == 1 then cats[#cats + 1] = '' end
  return cats
end

-- dispatch offers the waiting tasks, in queue order, to the available agents, idle longest
-- first, skipping agents without the task's skill and those who rejected it. Its cost
-- follows the offers made and the categories both waiting and available, not the queue's
-- length or the number of agents: each such category's first task an available agent may
-- take is a candidate, the earliest candidate is offered, and so on until none is left.
local function dispatch()
  if redis.call('ZCARD', AVAIL) == 0 then return end
  local cats = takeable()
  while true do
    local bt, bs, ba, bc
    for _, cat in ipairs(cats) do
      local t, s, a = candidate(cat)
      if t and (not bt or s < bs or (s == bs and t < bt)) then bt, bs, ba, bc = t, s, a, cat end
    end
    if not bt then return end
    local f = redis.call('HMGET', tk(bt), 'state', 'conv')
    if f[1] == 'waiting' then offerTo(bt, f[2], ba) else dropWaiting(bt, bc) end
    if redis.call('ZCARD', AVAIL) == 0 then return end
  end
end

-- endOffer takes the offer of task t back from agent a; the task waits again at its place.
-- kind: offer_expired (the agent becomes Non prêt), offer_rejected, offer_withdrawn.
local function endOffer(t, a, kind)
  local c = redis.call('HGET', tk(t), 'conv')
  redis.call('ZREM', OFFERS, t)
  redis.call('HSET', tk(t), 'state', 'waiting', 'agent', '', 'deadline', '')
  setWaiting(t)
  queueChanged = true -- the entry may be picked again (« Prendre ») in every desk
  if redis.call('HGET', ak(a), 'offer') == t then redis.call('HSET', ak(a), 'offer', '') end
  note(kind, t, c, a)
  if kind == 'offer_rejected' and redis.call('SADD', rejk(t), a) == 1 then
    redis.call('HINCRBY', tk(t), 'rejects', 1) -- the queue tells when every Prêt agent refused it
  end
  if kind == 'offer_expired' and redis.call('HGET', ak(a), 'state') == 'ready' then
    redis.call('HSET', ak(a), 'state', 'not_ready')
    note('state', '', '', a, 'not_ready')
  end
  refresh(a)
end

local function assign(t, a)
  local c = redis.call('HGET', tk(t), 'conv')
  unsetWaiting(t)
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
  setWaiting(t)
  queueChanged = true
end

-- ended gives task t its final state; the record is kept TTL seconds for the desk.
local function ended(t, c, state, outcome)
  unsetWaiting(t)
  if redis.call('ZREM', Q, t) == 1 then queueChanged = true end
  redis.call('ZREM', OFFERS, t)
  redis.call('HSET', tk(t), 'state', state, 'outcome', outcome, 'ended', NOW, 'deadline', '')
  redis.call('DEL', ck(c), rejk(t))
  redis.call('EXPIRE', tk(t), TTL)
  redis.call('EXPIRE', ck(c) .. ':tasks', TTL)
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

-- reindex builds the indexes once from the queue and READY (a Redis routed by an earlier
-- version has tasks and agents but no index); it runs before every script's own steps and
-- costs one EXISTS once done. The steps above keep the indexes up to date from then on.
local reindexed = false
local function reindex()
  if redis.call('EXISTS', INDEXED) == 1 then return end
  for _, t in ipairs(redis.call('ZRANGE', Q, 0, -1)) do
    if redis.call('HGET', tk(t), 'state') == 'waiting' then setWaiting(t) end
  end
  for _, a in ipairs(redis.call('ZRANGE', READY, 0, -1)) do refresh(a) end
  redis.call('SET', INDEXED, '1')
  reindexed = true
end
reindex()
