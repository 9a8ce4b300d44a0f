-- update_customer.lua: replaces the editable fields of a customer still at the version
-- given.
--
-- KEYS[1..9] the desk's shared keys (prelude.lua)
-- KEYS[10] <P>customer:<id>                   the customer
-- KEYS[11] <P>idx:phone:<phone key>           set of the customers with the new phone
--                                             (untouched when the phone key is '')
-- Derived from KEYS[1]'s prefix (known only inside the script): the set of the old phone,
-- whose key is read from KEYS[10].
--
-- ARGV[1..2] now, agent (prelude.lua); arg(1) id, arg(2) version, arg(3) name, arg(4)
-- email, arg(5) email key, arg(6) phone, arg(7) phone key, arg(8) address, arg(9) account
-- number, arg(10) account key, arg(11) language, arg(12) notes.
--
-- Returns {'ok', '', customer}, {'not_found'}, {'stale', version, customer}, or
-- {'duplicate', 'email:<id>' | 'account_number:<id>'}.
local id = arg(1)
local k = KEYS[10]
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
