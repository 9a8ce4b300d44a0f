-- update_customer.lua: replaces the editable fields of a customer still at the version
-- given. The new unique values were reserved by the caller; it releases the old ones after.
--
-- KEYS[1] <H>customer   the customer (prelude.lua)
--
-- ARGV[1..2] now, agent (prelude.lua); arg(1) version, arg(2) name, arg(3) email, arg(4)
-- email key, arg(5) phone, arg(6) phone key, arg(7) address, arg(8) account number, arg(9)
-- account key, arg(10) language, arg(11) notes.
--
-- Returns {'ok', '', customer, old} (old: the index keys it had: email_key, phone_key,
-- account_key), {'not_found'} or {'stale', version, customer}.
local refused = check(CUS, arg(1))
if refused then return refused end
local f = redis.call('HMGET', CUS, 'email_key', 'phone_key', 'account_key')
redis.call('HSET', CUS, 'name', arg(2), 'email', arg(3), 'email_key', arg(4), 'phone', arg(5),
  'phone_key', arg(6), 'address', arg(7), 'account_number', arg(8), 'account_key', arg(9),
  'language', arg(10), 'notes', arg(11))
touch(CUS)
return {'ok', '', all(CUS), {'email_key', f[1] or '', 'phone_key', f[2] or '', 'account_key', f[3] or ''}}
