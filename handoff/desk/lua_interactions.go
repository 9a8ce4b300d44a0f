package desk

// The scripts the server runs on its own, for the interactions. Their arguments follow the
// prelude's; each answers with interaction() (request, activity, customer).
var (
	// attachScript: task, conversation, customer ('' unknown), agent, agent's name, intent,
	// summary, new request id, new activity id, title of a new request, end of the index
	// entries (unix s), now (unix s). The task's activity,
	// when it exists, is kept (a reconnecting desk, a transfer, a re-pick) and only changes
	// agent; otherwise a chat activity goes to the customer's most recent open request, or to
	// a new one.
	attachScript = script(`
local t, c, cu, agent = arg(1), arg(2), arg(3), arg(4)
sweepIndex(TASKS, TASKS_END, arg(12))
sweepIndex(CONVS, CONVS_END, arg(12))
local existing = redis.call('HGET', TASKS, t)
if existing then
  keepInteraction(existing, t, arg(11))
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
keepIndexed(TASKS_END, t, arg(11))
keepIndexed(CONVS_END, c, arg(11))
return interaction(arg(9))
`)

	// linkScript: conversation, customer, TTL (s) of the conversation's customer. The
	// conversation's latest interaction is linked as the prelude's link() says.
	linkScript = script(`
local c, cu = arg(1), arg(2)
local aid = redis.call('HGET', CONVS, c)
if not aid then return {'no_interaction'} end
local refused = link(aid, cu)
if refused then return refused end
redis.call('SET', convcus(c), cu, 'EX', arg(3))
return interaction(aid)
`)

	// linkMessageScript: message activity, customer. Links a left message, which no agent
	// holds, as linkScript links an interaction.
	linkMessageScript = script(`
local aid, cu = arg(1), arg(2)
if redis.call('HGET', act(aid), 'kind') ~= 'message' then return {'no_message'} end
local refused = link(aid, cu)
if refused then return refused end
return interaction(aid)
`)

	// endScript: task, end of its index entries (unix s). Sets the activity's ended_at, once.
	endScript = script(`
local aid = redis.call('HGET', TASKS, arg(1))
if not aid then return {'no_interaction'} end
keepInteraction(aid, arg(1), arg(2))
if (redis.call('HGET', act(aid), 'ended_at') or '') == '' then
  redis.call('HSET', act(aid), 'ended_at', NOW)
  touch(act(aid))
end
return interaction(aid)
`)

	// changeAgentScript: task, agent, agent's name, end of its index entries (unix s).
	changeAgentScript = script(`
local aid = redis.call('HGET', TASKS, arg(1))
if not aid then return {'no_interaction'} end
keepInteraction(aid, arg(1), arg(4))
if redis.call('HGET', act(aid), 'agent_id') ~= arg(2) then
  redis.call('HSET', act(aid), 'agent_id', arg(2), 'agent_name', arg(3))
  touch(act(aid))
end
return interaction(aid)
`)

	// leaveScript: conversation, task ('' none), customer ('' unknown), intent, summary,
	// message, new request id, new activity id, title. A new request with one message
	// activity, started and ended now, in the index of left messages.
	leaveScript = script(`
local cu = arg(3)
if cu ~= '' and redis.call('EXISTS', cus(cu)) == 0 then cu = '' end
newRequest(arg(7), cu, arg(9), '')
newActivity(arg(8), arg(7), cu, {'conversation_id', arg(1), 'task_id', arg(2),
  'kind', 'message', 'agent_id', '', 'agent_name', '', 'intent', arg(4), 'summary', arg(5),
  'message', arg(6), 'ended_at', NOW})
indexMessages(arg(7))
return interaction(arg(8))
`)
)

// messagesScript: the most messages to answer. The open requests' left messages, newest
// first: per message, its request, activity and customer as interaction() gives them.
var messagesScript = script(`
local out = {'ok', ''}
for _, aid in ipairs(redis.call('ZREVRANGE', MESSAGES, 0, tonumber(arg(1)) - 1)) do
  local one = interaction(aid)
  for i = 3, 5 do out[#out + 1] = one[i] end
end
return out
`)
