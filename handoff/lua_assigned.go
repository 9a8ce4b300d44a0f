package handoff

// The transitions of a conversation in progress, and the sweeper.
var (
	// closeScript: agent, conversation, outcome (closed or handed_back).
	closeScript = script(`
local a, c, outcome = arg(1), arg(2), arg(3)
local t = redis.call('GET', ck(c))
if not t then return finish('conv_not_found') end
local f = redis.call('HMGET', tk(t), 'state', 'agent', 'assigned')
if f[1] ~= 'assigned' then return finish('not_assigned') end
if f[2] ~= a then return finish('not_yours') end
release(t, a, f[3])
ended(t, c, 'closed', outcome)
note(outcome, t, c, a)
dispatch()
return finish('ok', '', t)
`)

	// transferScript: agent, conversation, target agent ("" = back to the head of the queue,
	// never offered again to the same agent).
	transferScript = script(`
local a, c, to = arg(1), arg(2), arg(3)
local t = redis.call('GET', ck(c))
if not t then return finish('conv_not_found') end
local f = redis.call('HMGET', tk(t), 'state', 'agent', 'assigned')
if f[1] ~= 'assigned' then return finish('not_assigned') end
if f[2] ~= a then return finish('not_yours') end
if to == '' then
  release(t, a, f[3])
  requeueHead(t)
  redis.call('SADD', rejk(t), a)
  note('transferred', t, c, a, '')
  dispatch()
  return finish('ok', '', t)
end
if to == a then return finish('self') end
local g = redis.call('HMGET', ak(to), 'id', 'state', 'sockets')
if not g[1] then return finish('target_not_found') end
if num(g[3], 0) == 0 or g[2] == 'offline' then return finish('target_offline') end
if not hasRoom(to, t) then return finish('target_full') end
release(t, a, f[3])
note('transferred', t, c, a, to)
assign(t, to)
dispatch()
return finish('ok', '', t)
`)

	// cancelScript: conversation. The customer left: whatever the task's state, it ends.
	cancelScript = script(`
local c = arg(1)
local t = redis.call('GET', ck(c))
if not t then return finish('conv_not_found') end
local f = redis.call('HMGET', tk(t), 'state', 'agent', 'assigned')
if f[1] == 'offered' then endOffer(t, f[2], 'offer_withdrawn') end
if f[1] == 'assigned' then release(t, f[2], f[3]) end
ended(t, c, 'cancelled', '')
note('cancelled', t, c, f[2] or '')
dispatch()
return finish('ok', '', t)
`)

	// sweepScript: limit. Applies what is due at NOW: offers past their deadline (the agent
	// becomes Non prêt, the task goes to the next agent), socket leases not renewed (a lost
	// socket), and drop graces over (the agent is Hors ligne, their conversations go back to
	// the head of the queue). Each is applied by whichever instance comes first, once.
	sweepScript = script(`
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
dispatch()
return finish('ok', done)
`)

	// queueScript: limit. A consistent view of the queue for listings and estimates: the
	// first tasks (flat hashes), the Prêt connected agents' {capacity, load, offer}, the
	// recent handling times (ms) and the queue's length. Read only.
	queueScript = script(`
local tasks, agents = {}, {}
for _, t in ipairs(redis.call('ZRANGE', Q, 0, tonumber(arg(1)) - 1)) do
  tasks[#tasks + 1] = redis.call('HGETALL', tk(t))
end
for _, a in ipairs(redis.call('ZRANGE', READY, 0, -1)) do
  local f = redis.call('HMGET', ak(a), 'capacity', 'load', 'offer')
  agents[#agents + 1] = {f[1] or '1', f[2] or '0', f[3] or ''}
end
return {tasks, agents, redis.call('LRANGE', HIST, 0, -1), redis.call('ZCARD', Q)}
`)
)
