-- Extends a lease if it is still held by the given owner. Never recreates a key that is gone.
--
-- KEYS[1]  the lock key (see acquire.lua)
-- ARGV[1]  the owner token the lease was granted to
-- ARGV[2]  the new lease time in milliseconds, counted from now
--
-- Returns 1 when renewed, 0 when the lease is no longer held by this owner.
local value = redis.call('GET', KEYS[1])
if value then
  local colon = string.find(value, ':', 1, true)
  if colon and string.sub(value, colon + 1) == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return 1
  end
end
return 0
