-- Takes several lock leases at once, all or none: the first attempt of a set of keys on one server (or in one
-- Cluster slot). Each key is taken exactly as acquire.lua takes a key for a caller that does not queue.
--
-- KEYS[i]    the lock of the i-th key (see acquire.lua)
-- ARGV[1]    the lease time in milliseconds
-- ARGV[i+1]  the owner token of the i-th key's new lease
--
-- Returns {1, token of key 1, token of key 2, ...} when every key was granted (a key already held by its own owner
-- token, after a retried attempt whose reply was lost, counts as granted and is extended), or {0, i, remaining
-- milliseconds of the holder's lease} for the first key i held by another owner; then nothing was changed.
local values = {}
for i = 1, #KEYS do
  local value = redis.call('GET', KEYS[i])
  if value then
    local colon = string.find(value, ':', 1, true)
    if colon and string.sub(value, colon + 1) ~= ARGV[i + 1] then
      return {0, i, redis.call('PTTL', KEYS[i])}
    end
  end
  values[i] = value
end
local tokens = {1}
for i = 1, #KEYS do
  local value = values[i]
  local colon = value and string.find(value, ':', 1, true)
  if colon then
    redis.call('PEXPIRE', KEYS[i], ARGV[1])
    tokens[i + 1] = tonumber(string.sub(value, 1, colon - 1))
  else
    local last = value and tonumber(value)
    local time = redis.call('TIME')
    local token = tonumber(time[1]) * 1000000 + tonumber(time[2])
    if last and last >= token then
      token = last + 1
    end
    redis.call('SET', KEYS[i], string.format('%.0f', token) .. ':' .. ARGV[i + 1], 'PX', ARGV[1])
    tokens[i + 1] = token
  end
end
return tokens
