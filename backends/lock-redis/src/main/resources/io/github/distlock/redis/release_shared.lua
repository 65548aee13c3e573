-- Releases a shared lease if the owner still holds one. The last reader out releases the lock as its readers' mark
-- with release.lua's rules (run here as the function releaseHeldBy, in the same atomic script): the key goes to the
-- oldest writer still waiting, told on its node's channel, or else keeps its last token for a short retention.
--
-- KEYS[1]  the lock (see acquire_shared.lua)
-- KEYS[2]  the key's queue of waiting writers (see acquire.lua)
-- KEYS[3]  the readers (see acquire_shared.lua)
-- ARGV[1]  the owner token the shared lease was granted to
-- ARGV[2]  how long to keep the last token, in milliseconds (see release.lua)
-- ARGV[3]  the prefix of the nodes' channels (see release.lua)
-- ARGV[4]  how long a handed-off key waits for its new owner to claim it, in milliseconds
-- ARGV[5]  the readers' mark
--
-- Returns 1 when released, 0 when the owner held no shared lease on the key (expired or already released).
local value = redis.call('GET', KEYS[1])
if not value then
  return 0
end
local colon = string.find(value, ':', 1, true)
if not colon or string.sub(value, colon + 1) ~= ARGV[5] then
  return 0
end
local time = redis.call('TIME')
local nowMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local score = redis.call('ZSCORE', KEYS[3], ARGV[1])
if not score or tonumber(score) <= nowMs then
  return 0
end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', string.format('%.0f', nowMs))
if redis.call('ZCARD', KEYS[3]) > 0 then
  local lastEnd = tonumber(redis.call('ZRANGE', KEYS[3], -1, -1, 'WITHSCORES')[2])
  redis.call('PEXPIRE', KEYS[1], string.format('%.0f', lastEnd - nowMs))
  return 1
end
redis.call('DEL', KEYS[3])
return releaseHeldBy({KEYS[1], KEYS[2]}, {ARGV[5], ARGV[2], ARGV[3], ARGV[4]})
