-- erase.lua: erases a person's desk records in one home for a privacy request (package
-- privacy): the activities given (those of the person's conversations filed in this home),
-- and, when the home is a customer's, the customer with every request, activity, tag and left
-- message of theirs. A request left without an activity is deleted. Records already gone
-- count 0: erasing twice is erasing once. The entries outside the home that point at what it
-- deleted (unique values, phone, locators, task and conversation keys, left messages) are the
-- caller's to delete, from what it answers.
--
-- KEYS[1] <H>customer               the customer (absent: a {r:...} home, or no customer)
-- Derived from H: the activities given and their requests, the customer's requests and their
-- activities.
--
-- ARGV[1..2] now, agent (prelude.lua); arg(1) '1' to erase the customer, then the activity
-- ids.
--
-- Returns {'ok', '', counts, customer, requests, activities...}: counts a flat hash by kind,
-- customer the erased customer's record (empty when none), requests a flat list of the
-- request ids deleted (each followed by ''), then each activity deleted.
local count = {customers = 0, requests = 0, activities = 0, left_messages = 0, tags = 0}
local function add(kind, v) count[kind] = count[kind] + v end
local gone, reqs, emptied = {}, {}, {}

local function eraseActivity(x)
  local h = all(act(x))
  if #h == 0 then return end
  local f = redis.call('HMGET', act(x), 'request_id', 'kind', 'tags')
  if f[2] == 'message' then add('left_messages', 1) end
  add('tags', #split(f[3]))
  redis.call('ZREM', reqacts(f[1]), x)
  emptied[#emptied + 1] = f[1]
  add('activities', redis.call('DEL', act(x)))
  gone[#gone + 1] = h
end

local function eraseRequest(r)
  redis.call('ZREM', REQS, r)
  redis.call('ZREM', OPEN, r)
  redis.call('DEL', reqacts(r))
  local n = redis.call('DEL', req(r))
  if n == 1 then reqs[#reqs + 1] = r; reqs[#reqs + 1] = '' end
  add('requests', n)
end

for i = 2, #ARGV - 2 do eraseActivity(arg(i)) end
for _, r in ipairs(emptied) do
  if redis.call('ZCARD', reqacts(r)) == 0 and redis.call('EXISTS', req(r)) == 1 then eraseRequest(r) end
end
local customer = {}
if arg(1) == '1' then
  for _, r in ipairs(redis.call('ZRANGE', REQS, 0, -1)) do
    for _, x in ipairs(redis.call('ZRANGE', reqacts(r), 0, -1)) do eraseActivity(x) end
    eraseRequest(r)
  end
  customer = all(CUS)
  redis.call('DEL', REQS, OPEN)
  add('customers', redis.call('DEL', CUS))
end

local counts = {}
for _, kind in ipairs({'customers', 'requests', 'activities', 'left_messages', 'tags'}) do
  counts[#counts + 1] = kind
  counts[#counts + 1] = count[kind]
end
local out = {'ok', '', counts, customer, reqs}
for _, h in ipairs(gone) do out[#out + 1] = h end
return out
