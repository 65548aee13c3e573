-- Extends a shared lease if the owner still holds one; the lock and the readers' set then expire with the last
-- reader's lease. Never recreates a lease that is gone.
--
-- KEYS[1]  the lock (see acquire_shared.lua)
-- KEYS[2]  the readers (see acquire_shared.lua)
-- ARGV[1]  the owner token the shared lease was granted to
-- ARGV[2]  the new lease time in milliseconds, counted from now
-- ARGV[3]  the readers' mark
--
-- Returns 1 when renewed, 0 when the owner no longer holds a shared lease on the key.
local value = redis.call('GET', KEYS[1])
if not value then
  return 0
end
local colon = string.find(value, ':', 1, true)
if not colon or string.sub(value, colon + 1) ~= ARGV[3] then
  return 0
end
local time = redis.call('TIME')
local nowMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local score = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not score or tonumber(score) <= nowMs then
  return 0
end
redis.call('ZADD', KEYS[2], string.format('%.0f', nowMs + tonumber(ARGV[2])), ARGV[1])
local lastEnd = tonumber(redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')[2])
redis.call('PEXPIRE', KEYS[1], string.format('%.0f', lastEnd - nowMs))
redis.call('PEXPIRE', KEYS[2], string.format('%.0f', lastEnd - nowMs))
return 1
