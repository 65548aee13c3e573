-- Takes a lock lease if nobody holds the key, and issues its fencing token.
--
-- KEYS[1]  the lock key: a hash with the fields 'owner' (while held) and 'token' (the last token issued)
-- ARGV[1]  the owner token of the new lease
-- ARGV[2]  the lease time in milliseconds
--
-- Returns {1, fencing token} when granted (also when ARGV[1] already holds the key: a retried attempt whose reply
-- was lost), or {0, remaining milliseconds of the holder's lease} when another owner holds it.
--
-- Fencing token = max(last token of this key + 1, server time in microseconds). The last token survives a
-- release for a short retention (see release.lua); after that, and after an expiry or a restart without
-- persistence, the server clock is ahead of every token issued before, so tokens keep increasing without a record
-- per key kept forever. Assumes the server clock does not step backwards.
local state = redis.call('HMGET', KEYS[1], 'owner', 'token')
local owner = state[1]
if owner then
  if owner == ARGV[1] then
    return {1, tonumber(state[2])}
  end
  return {0, redis.call('PTTL', KEYS[1])}
end
local time = redis.call('TIME')
local token = tonumber(time[1]) * 1000000 + tonumber(time[2])
local last = tonumber(state[2])
if last and last >= token then
  token = last + 1
end
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'token', string.format('%.0f', token))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, token}
