-- forget.lua: erases a conversation from the routing (its person's erasure): its live task
-- ends as if the customer had left (cancelled, its offer withdrawn or its agent's slot
-- freed; the notice says erased), then every task the conversation had is deleted with its entries in the queue,
-- the offers, the waiting indexes and its agent's tasks. The notices this step writes are
-- kept for the notice readers of every instance (the desks must drop the conversation) and
-- deleted by the sweep once arg(2) ms have passed (<P>forgotten).
--
-- KEYS[1..8] the routing's shared keys (prelude.lua)
-- KEYS[9]  <P>conv:<conversation>         the conversation's live task id
-- KEYS[10] <P>conv:<conversation>:tasks   every task of the conversation (enqueue.lua)
-- KEYS[11] <P>forgotten                   sorted set of notice ids to delete, by due time
-- Derived from KEYS[1]'s prefix (known only inside the script): the tasks read from KEYS[9]
-- and KEYS[10], their refusals and agents, and the tasks and agents dispatch() matches.
--
-- ARGV[1..6] the routing's common arguments (prelude.lua); arg(1) conversation, arg(2) how
-- long (ms) the notices written here stay readable.
--
-- Returns finish(): 'ok' with the number of tasks deleted, then the notices.
local c = arg(1)
local live = redis.call('GET', KEYS[9])
if live then
  local f = redis.call('HMGET', tk(live), 'state', 'agent', 'assigned')
  if f[1] == 'offered' then endOffer(live, f[2], 'offer_withdrawn') end
  if f[1] == 'assigned' then release(live, f[2], f[3]) end
  ended(live, c, 'cancelled', '')
  note('erased', live, c, f[2] or '')
end
local tasks = redis.call('SMEMBERS', KEYS[10])
if live then tasks[#tasks + 1] = live end
local deleted = 0
for _, t in ipairs(tasks) do
  unsetWaiting(t)
  if redis.call('ZREM', Q, t) == 1 then queueChanged = true end
  redis.call('ZREM', OFFERS, t)
  local a = redis.call('HGET', tk(t), 'agent') or ''
  if a ~= '' then
    redis.call('SREM', atk(a), t)
    if redis.call('HGET', ak(a), 'offer') == t then
      redis.call('HSET', ak(a), 'offer', '')
      refresh(a)
    end
  end
  deleted = deleted + redis.call('DEL', tk(t))
  redis.call('DEL', rejk(t))
end
redis.call('DEL', KEYS[9], KEYS[10])
dispatch()
local out = finish('ok', deleted)
for i = 4, #out, 6 do redis.call('ZADD', KEYS[11], NOW + tonumber(arg(2)), out[i]) end
return out
