package desk

// The scripts of the records an agent edits. Their arguments follow the prelude's.
var (
	// createCustomerScript: id, external id, lenient ('1': a unique value another customer
	// holds is dropped instead of refused), name, email, email key, phone, phone key,
	// address, account number, account key, language, notes. With an external id already
	// known, it answers 'exists' and that customer.
	createCustomerScript = script(`
local id, ext, lenient = arg(1), arg(2), arg(3) == '1'
local email, ek, account, ak = arg(5), arg(6), arg(10), arg(11)
if ext ~= '' then
  local o = redis.call('HGET', EXTERNAL, ext)
  if o then return {'exists', o, all(cus(o))} end
end
local o = taken(EMAILS, ek, id)
if o and not lenient then return {'duplicate', 'email:' .. o} end
if o then email, ek = '', '' end
o = taken(ACCOUNTS, ak, id)
if o and not lenient then return {'duplicate', 'account_number:' .. o} end
if o then account, ak = '', '' end
redis.call('HSET', cus(id), 'id', id, 'version', 1, 'name', arg(4), 'email', email,
  'email_key', ek, 'phone', arg(7), 'phone_key', arg(8), 'address', arg(9),
  'account_number', account, 'account_key', ak, 'language', arg(12), 'notes', arg(13),
  'external_id', ext, 'created_at', NOW, 'updated_at', NOW, 'updated_by', BY)
index(id, ek, arg(8), ak)
if ext ~= '' then redis.call('HSET', EXTERNAL, ext, id) end
return {'ok', '', all(cus(id))}
`)

	// updateCustomerScript: id, version, then the fields as createCustomerScript from name.
	updateCustomerScript = script(`
local id = arg(1)
local k = cus(id)
local refused = check(k, arg(2))
if refused then return refused end
local ek, pk, ak = arg(5), arg(7), arg(10)
local o = taken(EMAILS, ek, id)
if o then return {'duplicate', 'email:' .. o} end
o = taken(ACCOUNTS, ak, id)
if o then return {'duplicate', 'account_number:' .. o} end
local f = redis.call('HMGET', k, 'email_key', 'phone_key', 'account_key')
unindex(id, f[1], f[2], f[3])
index(id, ek, pk, ak)
redis.call('HSET', k, 'name', arg(3), 'email', arg(4), 'email_key', ek, 'phone', arg(6),
  'phone_key', pk, 'address', arg(8), 'account_number', arg(9), 'account_key', ak,
  'language', arg(11), 'notes', arg(12))
touch(k)
return {'ok', '', all(k)}
`)

	// createRequestScript: id, customer, title, description.
	createRequestScript = script(`
if redis.call('EXISTS', cus(arg(2))) == 0 then return {'customer_not_found'} end
newRequest(arg(1), arg(2), arg(3), arg(4))
return {'ok', '', all(req(arg(1)))}
`)

	// patchRequestScript: id, version, '1' + title, '1' + description (else unchanged), status
	// ('' unchanged). Closing sets closed_at and takes the request out of the customer's open
	// ones and its left messages out of their index; reopening clears it and puts them back.
	patchRequestScript = script(`
local id = arg(1)
local k = req(id)
local refused = check(k, arg(2))
if refused then return refused end
if arg(3) == '1' then redis.call('HSET', k, 'title', arg(4)) end
if arg(5) == '1' then redis.call('HSET', k, 'description', arg(6)) end
local f = redis.call('HMGET', k, 'status', 'customer_id', 'seq')
local st = arg(7)
if st ~= '' and st ~= f[1] then
  redis.call('HSET', k, 'status', st)
  if st == 'closed' then
    redis.call('HSET', k, 'closed_at', NOW)
    if f[2] ~= '' then redis.call('ZREM', cusopen(f[2]), id) end
  else
    redis.call('HSET', k, 'closed_at', '')
    if f[2] ~= '' then redis.call('ZADD', cusopen(f[2]), f[3], id) end
  end
  indexMessages(id)
end
touch(k)
return {'ok', '', all(k)}
`)

	// addTagScript: activity, version, tag, its key, the most tags allowed.
	addTagScript = script(`
local k = act(arg(1))
local refused = check(k, arg(2))
if refused then return refused end
local f = redis.call('HMGET', k, 'tags', 'tagkeys')
local keys = split(f[2])
for _, x in ipairs(keys) do
  if x == arg(4) then return {'duplicate_tag'} end
end
if #keys >= tonumber(arg(5)) then return {'too_many_tags'} end
local tags = split(f[1])
tags[#tags + 1], keys[#keys + 1] = arg(3), arg(4)
redis.call('HSET', k, 'tags', table.concat(tags, '\31'), 'tagkeys', table.concat(keys, '\31'))
touch(k)
return {'ok', '', all(k)}
`)

	// removeTagScript: activity, version, the tag's key, the tag as spelt (it also matches a tag
	// stored with exactly that text, whatever its key).
	removeTagScript = script(`
local k = act(arg(1))
local refused = check(k, arg(2))
if refused then return refused end
local f = redis.call('HMGET', k, 'tags', 'tagkeys')
local tags, keys = split(f[1]), split(f[2])
local keptTags, keptKeys = {}, {}
for i, x in ipairs(keys) do
  if x ~= arg(3) and tags[i] ~= arg(4) then
    keptTags[#keptTags + 1], keptKeys[#keptKeys + 1] = tags[i], x
  end
end
if #keptKeys == #keys then return {'tag_not_found'} end
redis.call('HSET', k, 'tags', table.concat(keptTags, '\31'), 'tagkeys', table.concat(keptKeys, '\31'))
touch(k)
return {'ok', '', all(k)}
`)
)
