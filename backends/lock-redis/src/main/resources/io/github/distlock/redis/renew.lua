-- Extends a lease if it is still held by the given owner. Never recreates a key that is gone.
--
-- KEYS[1]  the lock key
-- ARGV[1]  the owner token the lease was granted to
-- ARGV[2]  the new lease time in milliseconds, counted from now
--
-- Returns 1 when renewed, 0 when the lease is no longer held by this owner.
if redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
