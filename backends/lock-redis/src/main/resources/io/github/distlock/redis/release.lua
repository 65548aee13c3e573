-- Releases a lease if it is still held by the given owner. If owners wait for the key, hands it to the oldest one
-- whose wait has not ended, with the next fencing token and a short claim time, and tells that owner's node only;
-- otherwise keeps the last fencing token for a short retention (so that a new lease granted within the same clock
-- tick still gets a larger token) and publishes nothing.
--
-- KEYS[1]  the lock key
-- KEYS[2]  the key's queue (see acquire.lua)
-- ARGV[1]  the owner token the lease was granted to
-- ARGV[2]  how long to keep the last token, in milliseconds
-- ARGV[3]  the prefix of the nodes' channels; a hand-off publishes 'KEYS[1]\nowner' on ARGV[3] .. node
-- ARGV[4]  how long a handed-off key waits for its new owner to claim it, in milliseconds
--
-- Returns 1 when released, 0 when the lease was not held by this owner (expired, taken over, already released).
local value = redis.call('GET', KEYS[1])
if not value then
  return 0
end
local colon = string.find(value, ':', 1, true)
if not colon or string.sub(value, colon + 1) ~= ARGV[1] then
  return 0
end
local last = tonumber(string.sub(value, 1, colon - 1))
local now
-- Bounded, so that a queue full of ended waits never makes one release long; the rest end with their waits.
for _ = 1, 16 do
  local head = redis.call('ZPOPMIN', KEYS[2])
  if #head == 0 then
    break
  end
  if not now then
    local time = redis.call('TIME')
    now = tonumber(time[1]) * 1000000 + tonumber(time[2])
  end
  if tonumber(head[2]) > now then
    local bar = string.find(head[1], '|', 1, true)
    local owner = string.sub(head[1], 1, bar - 1)
    local token = now
    if last >= token then
      token = last + 1
    end
    redis.call('SET', KEYS[1], string.format('%.0f', token) .. ':' .. owner, 'PX', ARGV[4])
    redis.call('PUBLISH', ARGV[3] .. string.sub(head[1], bar + 1), KEYS[1] .. '\n' .. owner)
    return 1
  end
end
redis.call('SET', KEYS[1], string.format('%.0f', last), 'PX', ARGV[2])
return 1
