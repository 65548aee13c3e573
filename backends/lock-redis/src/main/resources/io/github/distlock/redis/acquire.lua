-- Takes a lock lease if nobody holds the key, and issues its fencing token; a waiter that finds it held takes (or
-- keeps) its place in the key's queue.
--
-- KEYS[1]  the lock: a string 'token:owner' while held, or 'token' (the last token issued) for a short retention
--          after a release
-- KEYS[2]  the key's queue: a sorted set of 'owner|node' scored by the end of the waiter's wait (server time, us)
-- ARGV[1]  the owner token of the new lease
-- ARGV[2]  the lease time in milliseconds
-- ARGV[3]  (waiters only) the node that announcements of a hand-off to this owner go to
-- ARGV[4]  (waiters only) how much longer the owner waits, in milliseconds
-- ARGV[5]  (waiters only) '1' if this owner may already be in the queue (an earlier attempt of its wait was refused)
--
-- Returns {1, fencing token} when granted (also when the key was handed to ARGV[1] by a release, or on a retried
-- attempt whose reply was lost; either way the lease is extended to ARGV[2]), or {0, remaining milliseconds of the
-- holder's lease} when another owner holds it.
--
-- Fencing token = max(last token of this key + 1, server time in microseconds). The last token survives a
-- release for a short retention (see release.lua); after that, and after an expiry or a restart without
-- persistence, the server clock is ahead of every token issued before, so tokens keep increasing without a record
-- per key kept forever. Assumes the server clock does not step backwards.
local value = redis.call('GET', KEYS[1])
local last
if value then
  local colon = string.find(value, ':', 1, true)
  if colon then
    if string.sub(value, colon + 1) == ARGV[1] then
      redis.call('PEXPIRE', KEYS[1], ARGV[2])
      return {1, tonumber(string.sub(value, 1, colon - 1))}
    end
    if ARGV[3] then
      local time = redis.call('TIME')
      local waitEnd = tonumber(time[1]) * 1000000 + tonumber(time[2]) + tonumber(ARGV[4]) * 1000
      -- NX keeps the place of an owner already queued, and then its entry's expiry covers the queue already.
      if redis.call('ZADD', KEYS[2], 'NX', string.format('%.0f', waitEnd), ARGV[1] .. '|' .. ARGV[3]) == 1
          and redis.call('PTTL', KEYS[2]) < tonumber(ARGV[4]) then
        redis.call('PEXPIRE', KEYS[2], ARGV[4])
      end
    end
    return {0, redis.call('PTTL', KEYS[1])}
  end
  last = tonumber(value)
end
if ARGV[5] == '1' then
  -- A free key goes to whoever asks first; a waiter that takes it leaves the queue, so no release hands it a key
  -- it no longer waits for.
  redis.call('ZREM', KEYS[2], ARGV[1] .. '|' .. ARGV[3])
end
local time = redis.call('TIME')
local token = tonumber(time[1]) * 1000000 + tonumber(time[2])
if last and last >= token then
  token = last + 1
end
redis.call('SET', KEYS[1], string.format('%.0f', token) .. ':' .. ARGV[1], 'PX', ARGV[2])
return {1, token}
