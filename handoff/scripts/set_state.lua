-- set_state.lua: an agent becomes Prêt or Non prêt; leaving Prêt withdraws their pending
-- offer.
--
-- KEYS[1..8] the routing's shared keys (prelude.lua)
-- KEYS[9] <P>agent:<agent>          the agent
-- Derived from KEYS[1]'s prefix (known only inside the script): the task of the pending
-- offer (read from KEYS[9]), and the tasks and agents dispatch() matches.
--
-- ARGV[1..6] the routing's common arguments (prelude.lua); arg(1) agent, arg(2) ready or
-- not_ready.
--
-- Returns finish(): 'ok' with the state, 'agent_not_found' or 'offline'.
local a, s = arg(1), arg(2)
local f = redis.call('HMGET', KEYS[9], 'id', 'state', 'sockets', 'offer')
if not f[1] then return finish('agent_not_found') end
if s == 'ready' and num(f[3], 0) == 0 then return finish('offline') end
if f[2] ~= s then
  redis.call('HSET', KEYS[9], 'state', s)
  if s == 'ready' then redis.call('HSET', KEYS[9], 'idle', NOW) end
  note('state', '', '', a, s)
  if s ~= 'ready' and (f[4] or '') ~= '' then endOffer(f[4], a, 'offer_withdrawn') end
  refresh(a)
  dispatch()
end
return finish('ok', s)
