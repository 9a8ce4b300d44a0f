package handoff

import "github.com/redis/go-redis/v9"

// script builds a routing script: the shared prelude, then body.
func script(body string) *redis.Script { return redis.NewScript(prelude + body) }

// The routing transitions, one atomic script each. Their arguments follow the prelude's.
var (
	// enqueueScript: task id, conversation, customer, intent, category, summary, priority,
	// queue score. A conversation has at most one live task: a second Enqueue returns it.
	enqueueScript = script(`
local t, c = arg(1), arg(2)
local existing = redis.call('GET', ck(c))
if existing then return finish('exists', existing, existing) end
redis.call('HSET', tk(t), 'id', t, 'conv', c, 'customer', arg(3), 'intent', arg(4),
  'category', arg(5), 'summary', arg(6), 'priority', arg(7), 'created', ARGV[2],
  'state', 'waiting', 'agent', '', 'deadline', '')
redis.call('SET', ck(c), t)
redis.call('ZADD', Q, arg(8), t)
queueChanged = true
note('queued', t, c)
dispatch()
return finish('ok', t, t)
`)

	// setStateScript: agent, ready|not_ready.
	setStateScript = script(`
local a, s = arg(1), arg(2)
local f = redis.call('HMGET', ak(a), 'id', 'state', 'sockets', 'offer')
if not f[1] then return finish('agent_not_found') end
if s == 'ready' and num(f[3], 0) == 0 then return finish('offline') end
if f[2] ~= s then
  redis.call('HSET', ak(a), 'state', s)
  if s == 'ready' then redis.call('HSET', ak(a), 'idle', NOW) end
  note('state', '', '', a, s)
  if s ~= 'ready' and (f[4] or '') ~= '' then endOffer(f[4], a, 'offer_withdrawn') end
  refresh(a)
  dispatch()
end
return finish('ok', s)
`)

	// connectScript: agent, socket id. Also the socket's heartbeat: it renews the lease.
	connectScript = script(`
local a, s = arg(1), arg(2)
local f = redis.call('HMGET', ak(a), 'id', 'state')
if not f[1] then return finish('agent_not_found') end
if redis.call('ZADD', SOCKS, NOW + LEASE, a .. '|' .. s) == 1 then
  redis.call('HINCRBY', ak(a), 'sockets', 1)
  if redis.call('ZREM', DROPS, a) == 1 then note('agent_back', '', '', a) end
  if f[2] ~= 'ready' and f[2] ~= 'not_ready' then
    redis.call('HSET', ak(a), 'state', 'not_ready')
    note('state', '', '', a, 'not_ready')
  end
  refresh(a)
  dispatch()
end
return finish('ok')
`)

	// disconnectScript: agent, socket id.
	disconnectScript = script(`
lost(arg(1), arg(1) .. '|' .. arg(2))
dispatch()
return finish('ok')
`)

	// offerScript offers what can be offered now.
	offerScript = script(`
dispatch()
return finish('ok')
`)

	// acceptScript: agent, task.
	acceptScript = script(`
local a, t = arg(1), arg(2)
local f = redis.call('HMGET', tk(t), 'state', 'agent', 'deadline')
if not f[1] then return finish('not_found') end
if f[1] == 'assigned' then
  if f[2] == a then return finish('ok', '', t) end
  return finish('taken')
end
if f[1] ~= 'offered' and f[1] ~= 'waiting' then return finish('gone') end
if f[1] == 'waiting' or f[2] ~= a then return finish('not_offered') end
if num(f[3], 0) <= NOW then
  endOffer(t, a, 'offer_expired')
  dispatch()
  return finish('expired')
end
if not hasRoom(a, t) then return finish('full') end
assign(t, a)
return finish('ok', '', t)
`)

	// rejectScript: agent, task.
	rejectScript = script(`
local a, t = arg(1), arg(2)
local f = redis.call('HMGET', tk(t), 'state', 'agent', 'deadline')
if not f[1] then return finish('not_found') end
if f[1] ~= 'offered' or f[2] ~= a then return finish('not_offered') end
if num(f[3], 0) <= NOW then
  endOffer(t, a, 'offer_expired')
  dispatch()
  return finish('expired')
end
endOffer(t, a, 'offer_rejected')
dispatch()
return finish('ok')
`)

	// pickScript: agent, task. Pull: any connected agent, Prêt or not, within capacity.
	pickScript = script(`
local a, t = arg(1), arg(2)
local g = redis.call('HMGET', ak(a), 'id', 'state', 'sockets')
if not g[1] then return finish('agent_not_found') end
if num(g[3], 0) == 0 or g[2] == 'offline' then return finish('offline') end
local f = redis.call('HMGET', tk(t), 'state', 'agent', 'deadline')
if not f[1] then return finish('not_found') end
if f[1] == 'assigned' then
  if f[2] == a then return finish('ok', '', t) end
  return finish('taken')
end
if f[1] ~= 'offered' and f[1] ~= 'waiting' then return finish('gone') end
if f[1] == 'offered' and f[2] ~= a then return finish('offered_other') end
if f[1] == 'offered' and num(f[3], 0) <= NOW then
  endOffer(t, a, 'offer_expired')
  dispatch()
  return finish('expired')
end
if not hasRoom(a, t) then return finish('full') end
assign(t, a)
return finish('ok', '', t)
`)
)
