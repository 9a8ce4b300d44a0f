-- create_customer.lua: records a new customer. With an external id already known, it
-- answers 'exists' and that customer.
--
-- KEYS[1..9] the desk's shared keys (prelude.lua)
-- KEYS[10] <P>customer:<id>                   the new customer
-- KEYS[11] <P>idx:phone:<phone key>           set of the customers with that phone
--                                             (untouched when the phone key is '')
-- Derived from KEYS[1]'s prefix (known only inside the script): the existing customer read
-- from KEYS[4].
--
-- ARGV[1..2] now, agent (prelude.lua); arg(1) id, arg(2) external id ('' none), arg(3)
-- lenient ('1': a unique value another customer holds is dropped instead of refused),
-- arg(4) name, arg(5) email, arg(6) email key, arg(7) phone, arg(8) phone key, arg(9)
-- address, arg(10) account number, arg(11) account key, arg(12) language, arg(13) notes.
--
-- Returns {'ok', '', customer}, {'exists', id, customer}, or {'duplicate',
-- 'email:<id>' | 'account_number:<id>'}.
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
redis.call('HSET', KEYS[10], 'id', id, 'version', 1, 'name', arg(4), 'email', email,
  'email_key', ek, 'phone', arg(7), 'phone_key', arg(8), 'address', arg(9),
  'account_number', account, 'account_key', ak, 'language', arg(12), 'notes', arg(13),
  'external_id', ext, 'created_at', NOW, 'updated_at', NOW, 'updated_by', BY)
index(id, ek, arg(8), ak)
if ext ~= '' then redis.call('HSET', EXTERNAL, ext, id) end
return {'ok', '', all(KEYS[10])}
