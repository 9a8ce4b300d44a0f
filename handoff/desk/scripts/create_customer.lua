-- create_customer.lua: records a new customer in their home {c:<id>}. The unique values it
-- holds (e-mail, account number, external id) were reserved by the caller beforehand.
--
-- KEYS[1] <H>customer   the new customer (prelude.lua)
--
-- ARGV[1..2] now, agent (prelude.lua); arg(1) id, arg(2) external id ('' none), arg(3) name,
-- arg(4) email, arg(5) email key, arg(6) phone, arg(7) phone key, arg(8) address, arg(9)
-- account number, arg(10) account key, arg(11) language, arg(12) notes.
--
-- Returns {'ok', '', customer}.
redis.call('HSET', CUS, 'id', arg(1), 'version', 1, 'name', arg(3), 'email', arg(4),
  'email_key', arg(5), 'phone', arg(6), 'phone_key', arg(7), 'address', arg(8),
  'account_number', arg(9), 'account_key', arg(10), 'language', arg(11), 'notes', arg(12),
  'external_id', arg(2), 'created_at', NOW, 'updated_at', NOW, 'updated_by', BY)
return {'ok', '', all(CUS)}
