//! The Lua scripts of the Redis store: each runs atomically, in one round trip.

/// Keeps the larger "revoked at or before" time and the later expiry (none = forever).
pub(super) const REVOKE_IDENTITY: &str = r"
local current = redis.call('GET', KEYS[1])
if (not current) or tonumber(current) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
end
if ARGV[2] == '' then
  redis.call('PERSIST', KEYS[1])
elseif not current then
  redis.call('EXPIREAT', KEYS[1], ARGV[2])
else
  redis.call('EXPIREAT', KEYS[1], ARGV[2], 'GT')
end
return 1
";

/// Rotation (SPEC §14) in one script, so a spend is atomic and a check one round trip.
/// KEYS: token, identity, family, spent. ARGV: mode (`check` or `spend`), now, iat (or ''),
/// has a family (`1`/`0`), and for a spend: reuse-until, spent keep-until (or ''), family
/// keep-until (or ''). The spent key holds "reuse-until family-keep-until".
/// Answers 0: not revoked / first spend, 1: again, 2: reuse, 3: revoked.
pub(super) const ROTATION: &str = r"
local now = tonumber(ARGV[2])
local has_family = ARGV[4] == '1'
local function revoke_family(keep)
  if not has_family then return end
  if keep == '' then
    redis.call('SET', KEYS[3], 1)
    return
  end
  local ttl = redis.call('TTL', KEYS[3])
  if ttl == -2 then
    redis.call('SET', KEYS[3], 1, 'EXAT', keep)
  elseif ttl ~= -1 then
    redis.call('EXPIREAT', KEYS[3], keep, 'GT')
  end
end
if redis.call('EXISTS', KEYS[1]) == 1 then return 3 end
local before = redis.call('GET', KEYS[2])
if before and (ARGV[3] == '' or tonumber(ARGV[3]) <= tonumber(before)) then return 3 end
if has_family and redis.call('EXISTS', KEYS[3]) == 1 then return 3 end
local spent = redis.call('GET', KEYS[4])
local reuse_until, family_keep = nil, ''
if spent then
  local space = string.find(spent, ' ')
  reuse_until = tonumber(string.sub(spent, 1, space - 1))
  family_keep = string.sub(spent, space + 1)
end
if ARGV[1] == 'check' then
  if spent and now > reuse_until then
    revoke_family(family_keep)
    return 3
  end
  return 0
end
if not spent then
  local value = ARGV[5] .. ' ' .. ARGV[7]
  if ARGV[6] == '' then
    redis.call('SET', KEYS[4], value)
  else
    redis.call('SET', KEYS[4], value, 'EXAT', ARGV[6])
  end
  return 0
end
if now <= reuse_until then return 1 end
revoke_family(ARGV[7])
return 2
";
