-- Takes a shared (reader's) lease if no writer holds the key and none waits for it, and issues its fencing token.
--
-- KEYS[1]  the lock (see acquire.lua): 'token:owner' while a writer holds it, 'token:' .. ARGV[3] while readers hold
--          it (expiring with the last reader's lease, so that acquire.lua, renew.lua and release.lua see it held by
--          an owner that is never theirs), or 'token' for a short retention after a release
-- KEYS[2]  the key's queue of waiting writers (see acquire.lua); a writer in it whose wait has not ended is the
--          writer's intent, which keeps new readers out
-- KEYS[3]  the readers: a sorted set of the readers' owner tokens scored by the end of their lease (server time, ms)
-- ARGV[1]  the owner token of the new shared lease
-- ARGV[2]  the lease time in milliseconds
-- ARGV[3]  the readers' mark, which no owner token equals (it contains '|', which queued owners never do)
--
-- Returns {1, fencing token} when granted, {0, remaining milliseconds of the writer's lease} when a writer holds
-- the key, or {0, -1} when a writer waits for it.
--
-- The token comes from the same rule as a writer's (acquire.lua): max(last token + 1, server time in
-- microseconds), and the lock keeps the highest token issued, so the next writer's token is higher than every
-- reader's.
local value = redis.call('GET', KEYS[1])
local last
if value then
  local colon = string.find(value, ':', 1, true)
  if colon then
    if string.sub(value, colon + 1) ~= ARGV[3] then
      return {0, redis.call('PTTL', KEYS[1])}
    end
    last = tonumber(string.sub(value, 1, colon - 1))
  else
    last = tonumber(value)
  end
end
local time = redis.call('TIME')
local nowUs = tonumber(time[1]) * 1000000 + tonumber(time[2])
local nowMs = math.floor(nowUs / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', string.format('%.0f', nowUs))
if redis.call('ZCARD', KEYS[2]) > 0 then
  return {0, -1}
end
local token = nowUs
if last and last >= token then
  token = last + 1
end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', string.format('%.0f', nowMs))
redis.call('ZADD', KEYS[3], string.format('%.0f', nowMs + tonumber(ARGV[2])), ARGV[1])
local lastEnd = tonumber(redis.call('ZRANGE', KEYS[3], -1, -1, 'WITHSCORES')[2])
redis.call('SET', KEYS[1], string.format('%.0f', token) .. ':' .. ARGV[3], 'PX', string.format('%.0f', lastEnd - nowMs))
redis.call('PEXPIRE', KEYS[3], string.format('%.0f', lastEnd - nowMs))
return {1, token}
