-- renew.lua: the heartbeat of one process's desk sockets: their leases renewed in one step.
--
-- KEYS[1]   <P>sockets        sorted set of the sockets '<agent>|<socket>', by end of lease
-- KEYS[2..] <P>agent:<agent>  each socket's agent, in the order of ARGV[2..]
--
-- ARGV[1]   the new end of lease (ms)
-- ARGV[2..] the sockets, '<agent>|<socket>'
--
-- Returns the sockets not renewed: no longer in KEYS[1] (a sweep dropped them once their
-- lease ended: the caller connects them again) or whose agent no longer exists.
local missing = {}
for i = 2, #ARGV do
  local s = ARGV[i]
  if redis.call('EXISTS', KEYS[i]) == 1 and redis.call('ZSCORE', KEYS[1], s) then
    redis.call('ZADD', KEYS[1], ARGV[1], s)
  else
    missing[#missing + 1] = s
  end
end
return missing
