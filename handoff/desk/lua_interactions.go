package desk

// The scripts the server runs on its own, for the interactions. Their arguments follow the
// prelude's; each answers with interaction() (request, activity, customer).
var (
	// attachScript: task, conversation, customer ('' unknown), agent, agent's name, intent,
	// summary, new request id, new activity id, title of a new request. The task's activity,
	// when it exists, is kept (a reconnecting desk, a transfer, a re-pick) and only changes
	// agent; otherwise a chat activity goes to the customer's most recent open request, or to
	// a new one.
	attachScript = script(`
local t, c, cu, agent = arg(1), arg(2), arg(3), arg(4)
local existing = redis.call('HGET', TASKS, t)
if existing then
  if redis.call('HGET', act(existing), 'agent_id') ~= agent then
    redis.call('HSET', act(existing), 'agent_id', agent, 'agent_name', arg(5))
    touch(act(existing))
  end
  return interaction(existing)
end
if cu ~= '' and redis.call('EXISTS', cus(cu)) == 0 then cu = '' end
local r = latestOpen(cu)
if not r then
  r = arg(8)
  newRequest(r, cu, arg(10), '')
end
newActivity(arg(9), r, cu, {'conversation_id', c, 'task_id', t, 'kind', 'chat',
  'agent_id', agent, 'agent_name', arg(5), 'intent', arg(6), 'summary', arg(7), 'message', ''})
redis.call('HSET', TASKS, t, arg(9))
redis.call('HSET', CONVS, c, arg(9))
return interaction(arg(9))
`)

	// linkScript: conversation, customer, TTL (s) of the conversation's customer. The
	// interaction's request, when it has no customer, moves to the customer if they have no
	// open request; otherwise the activity moves to their most recent open request and the
	// request left empty is deleted.
	linkScript = script(`
local c, cu = arg(1), arg(2)
local aid = redis.call('HGET', CONVS, c)
if not aid then return {'no_interaction'} end
if redis.call('EXISTS', cus(cu)) == 0 then return {'customer_not_found'} end
local a = act(aid)
local r = redis.call('HGET', a, 'request_id')
local rc = redis.call('HGET', req(r), 'customer_id') or ''
if rc ~= '' and rc ~= cu then return {'linked_other'} end
if rc == '' then
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
  else
    local score = redis.call('ZSCORE', reqacts(r), aid)
    redis.call('ZREM', reqacts(r), aid)
    redis.call('ZADD', reqacts(open), score, aid)
    redis.call('HSET', a, 'request_id', open, 'customer_id', cu)
    touch(a)
    if redis.call('ZCARD', reqacts(r)) == 0 then redis.call('DEL', req(r)) end
  end
end
redis.call('SET', convcus(c), cu, 'EX', arg(3))
return interaction(aid)
`)

	// endScript: task. Sets the activity's ended_at, once.
	endScript = script(`
local aid = redis.call('HGET', TASKS, arg(1))
if not aid then return {'no_interaction'} end
if (redis.call('HGET', act(aid), 'ended_at') or '') == '' then
  redis.call('HSET', act(aid), 'ended_at', NOW)
  touch(act(aid))
end
return interaction(aid)
`)

	// changeAgentScript: task, agent, agent's name.
	changeAgentScript = script(`
local aid = redis.call('HGET', TASKS, arg(1))
if not aid then return {'no_interaction'} end
if redis.call('HGET', act(aid), 'agent_id') ~= arg(2) then
  redis.call('HSET', act(aid), 'agent_id', arg(2), 'agent_name', arg(3))
  touch(act(aid))
end
return interaction(aid)
`)

	// leaveScript: conversation, task ('' none), customer ('' unknown), intent, summary,
	// message, new request id, new activity id, title. A new request with one message
	// activity, started and ended now.
	leaveScript = script(`
local cu = arg(3)
if cu ~= '' and redis.call('EXISTS', cus(cu)) == 0 then cu = '' end
newRequest(arg(7), cu, arg(9), '')
newActivity(arg(8), arg(7), cu, {'conversation_id', arg(1), 'task_id', arg(2),
  'kind', 'message', 'agent_id', '', 'agent_name', '', 'intent', arg(4), 'summary', arg(5),
  'message', arg(6), 'ended_at', NOW})
return interaction(arg(8))
`)
)
