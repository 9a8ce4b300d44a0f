-- sweep.lua: applies what is due now: offers past their deadline (the agent becomes Non
-- prêt, the task goes to the next agent), socket leases not renewed (a lost socket), and
-- drop graces over (the agent is Hors ligne, their conversations go back to the head of the
-- queue), and the notices of erased conversations whose time is up (<P>forgotten, written by
-- forget.lua) are deleted from the stream. Each is applied by whichever instance comes
-- first, once.
--
-- KEYS[1..8] the routing's shared keys (prelude.lua)
-- Derived from KEYS[1]'s prefix (known only inside the script): every task and agent it
-- handles is read from KEYS[2], KEYS[6] or KEYS[5] (what is due), then the tasks and agents
-- dispatch() matches (only when something was due: a sweep with nothing to apply reads
-- nothing more).
--
-- ARGV[1..6] the routing's common arguments (prelude.lua); arg(1) the most entries of each
-- kind to apply.
--
-- Returns finish(): 'ok' with the number of entries applied.
local limit, done = tonumber(arg(1)), 0
for _, t in ipairs(redis.call('ZRANGEBYSCORE', OFFERS, '-inf', NOW, 'LIMIT', 0, limit)) do
  local f = redis.call('HMGET', tk(t), 'state', 'agent', 'deadline')
  if f[1] == 'offered' and num(f[3], 0) <= NOW then
    endOffer(t, f[2], 'offer_expired')
  else
    redis.call('ZREM', OFFERS, t)
  end
  done = done + 1
end
for _, m in ipairs(redis.call('ZRANGEBYSCORE', SOCKS, '-inf', NOW, 'LIMIT', 0, limit)) do
  lost(string.match(m, '^(.-)|'), m)
  done = done + 1
end
for _, a in ipairs(redis.call('ZRANGEBYSCORE', DROPS, '-inf', NOW, 'LIMIT', 0, limit)) do
  redis.call('ZREM', DROPS, a)
  if num(redis.call('HGET', ak(a), 'sockets'), 0) == 0 then
    for _, t in ipairs(redis.call('SMEMBERS', atk(a))) do
      requeueHead(t)
      note('requeued', t, redis.call('HGET', tk(t), 'conv'), a)
    end
    redis.call('DEL', atk(a))
    redis.call('HSET', ak(a), 'load', 0, 'state', 'offline', 'offer', '')
    note('state', '', '', a, 'offline')
    refresh(a)
  end
  done = done + 1
end
local FORGOTTEN = P .. 'forgotten'
for _, id in ipairs(redis.call('ZRANGEBYSCORE', FORGOTTEN, '-inf', NOW, 'LIMIT', 0, limit)) do
  redis.call('XDEL', STREAM, id)
  redis.call('ZREM', FORGOTTEN, id)
end
-- Nothing due, nothing changed: every transition already offered what it could.
if done > 0 or reindexed then dispatch() end
return finish('ok', done)
