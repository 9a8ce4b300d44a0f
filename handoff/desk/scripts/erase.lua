-- erase.lua: erases a person's desk records for a privacy request (package privacy): the
-- activities given (those of the person's conversations, wherever they are filed), the desk's
-- links and index entries of the conversations given, and, when a customer is given, the
-- customer with every request, activity, tag and left message of theirs and every index entry
-- pointing at them. A request left without an activity is deleted. Records already gone count
-- 0: erasing twice is erasing once.
--
-- KEYS[1..9] the desk's shared keys (prelude.lua)
-- KEYS[10] <P>customer:<customer>             the customer (untouched when '')
-- KEYS[11] <P>customer:<customer>:requests    their requests (idem)
-- KEYS[12] <P>customer:<customer>:open        their open requests (idem)
-- Derived from KEYS[1]'s prefix (known only inside the script): the activities given and the
-- requests they are filed under, the customer's requests and their activities, the set of the
-- customer's phone, and the conversations' links <P>conv:<conversation>:customer.
--
-- ARGV[1..2] now, agent (prelude.lua); arg(1) customer ('' none), arg(2) the number n of
-- activity ids, arg(3..2+n) the activity ids, then the conversation ids.
--
-- Returns {'ok', '', counts}: a flat hash of what was deleted, by kind.
local cu, n = arg(1), tonumber(arg(2))
local count = {customers = 0, requests = 0, activities = 0, left_messages = 0, tags = 0,
  conversation_links = 0, index_entries = 0}
local function add(kind, v) count[kind] = count[kind] + v end

-- unpoint deletes field of index idx (and its end in ends) when it points at id (any id
-- when id is nil).
local function unpoint(idx, ends, field, id)
  if not field or field == '' then return end
  local v = redis.call('HGET', idx, field)
  if v and (id == nil or v == id) then
    redis.call('HDEL', idx, field)
    if ends then redis.call('ZREM', ends, field) end
    add('index_entries', 1)
  end
end

local emptied = {}
local function eraseActivity(x)
  local f = redis.call('HMGET', act(x), 'request_id', 'task_id', 'conversation_id', 'kind', 'tags')
  if not f[1] then return end
  unpoint(TASKS, TASKS_END, f[2], x)
  unpoint(CONVS, CONVS_END, f[3], x)
  add('index_entries', redis.call('ZREM', MESSAGES, x))
  if f[4] == 'message' then add('left_messages', 1) end
  add('tags', #split(f[5]))
  redis.call('ZREM', reqacts(f[1]), x)
  emptied[#emptied + 1] = f[1]
  add('activities', redis.call('DEL', act(x)))
end

local function eraseRequest(r)
  local c = redis.call('HGET', req(r), 'customer_id')
  if c and c ~= '' then
    redis.call('ZREM', cusreqs(c), r)
    redis.call('ZREM', cusopen(c), r)
  end
  redis.call('DEL', reqacts(r))
  add('requests', redis.call('DEL', req(r)))
end

for i = 1, n do eraseActivity(arg(2 + i)) end
for _, r in ipairs(emptied) do
  if redis.call('ZCARD', reqacts(r)) == 0 and redis.call('EXISTS', req(r)) == 1 then eraseRequest(r) end
end

if cu ~= '' then
  for _, r in ipairs(redis.call('ZRANGE', KEYS[11], 0, -1)) do
    for _, x in ipairs(redis.call('ZRANGE', reqacts(r), 0, -1)) do eraseActivity(x) end
    eraseRequest(r)
  end
  local f = redis.call('HMGET', KEYS[10], 'email_key', 'phone_key', 'account_key', 'external_id')
  unpoint(EMAILS, nil, f[1], cu)
  unpoint(ACCOUNTS, nil, f[3], cu)
  unpoint(EXTERNAL, nil, f[4], cu)
  if f[2] and f[2] ~= '' then add('index_entries', redis.call('SREM', phonek(f[2]), cu)) end
  redis.call('DEL', KEYS[11], KEYS[12])
  add('customers', redis.call('DEL', KEYS[10]))
end

for i = n + 3, #ARGV - 2 do
  local c = arg(i)
  add('conversation_links', redis.call('DEL', P .. 'conv:' .. c .. ':customer'))
  unpoint(CONVS, CONVS_END, c, nil)
end

local out = {}
for _, kind in ipairs({'customers', 'requests', 'activities', 'left_messages', 'tags',
    'conversation_links', 'index_entries'}) do
  out[#out + 1] = kind
  out[#out + 1] = count[kind]
end
return {'ok', '', out}
