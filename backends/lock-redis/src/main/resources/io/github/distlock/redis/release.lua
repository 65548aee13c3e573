-- Releases a lease if it is still held by the given owner, keeps the last fencing token for a short retention
-- (so that a new lease granted within the same clock tick still gets a larger token) and wakes waiters.
--
-- KEYS[1]  the lock key
-- ARGV[1]  the owner token the lease was granted to
-- ARGV[2]  how long to keep the last token, in milliseconds
-- ARGV[3]  the channel on which releases are announced; the message is KEYS[1]
--
-- Returns 1 when released, 0 when the lease was not held by this owner (expired, taken over, already released).
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then
  return 0
end
redis.call('HDEL', KEYS[1], 'owner')
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], KEYS[1])
return 1
