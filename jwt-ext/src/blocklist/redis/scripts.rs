//! The Lua scripts of the Redis store: each runs atomically, in one round trip, on the keys of
//! one identity (one hash slot).
//!
//! Every check starts with the epoch of the identity's slot (SPEC §15): a missing epoch means
//! the store lost its data (a restart without persistence, `FLUSHALL`, a failover to a replica
//! that missed writes, or a store that never had any), so the script records "now" as the new
//! epoch and every token issued before it is refused as revoked. A check answers
//! `{revoked, lost}`: `lost` is 1 when this check found the epoch missing.
//!
//! Every write publishes the slot's bucket on the revocation channel, in the same script, so
//! an instance caching answers never misses a revocation that succeeded.

/// The epoch check shared by the check scripts: KEYS[1] is the epoch, ARGV[1] now, ARGV[2]
/// the token's `iat` (or '' for none: it cannot prove it is newer), ARGV[3] the channel;
/// the script defines `REVOKED`, its answer for a revoked token.
macro_rules! epoch_prelude {
    () => {
        r"
local lost = 0
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  redis.call('SET', KEYS[1], ARGV[1])
  redis.call('PUBLISH', ARGV[3], '*')
  epoch = ARGV[1]
  lost = 1
end
if ARGV[2] == '' or tonumber(ARGV[2]) < tonumber(epoch) then return {REVOKED, lost} end
"
    };
}

/// A check of an access token (or a refresh token outside a family). KEYS: epoch, identity,
/// then the token and family keys, any of which revokes. ARGV: now, iat, channel.
pub(super) const CHECK: &str = concat!(
    "#!lua\nlocal REVOKED = 1\n",
    epoch_prelude!(),
    r"
local before = redis.call('GET', KEYS[2])
if before and tonumber(ARGV[2]) <= tonumber(before) then return {1, lost} end
for i = 3, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then return {1, lost} end
end
return {0, lost}
"
);

/// Revokes a token or a family: KEYS[1] the key. ARGV: the expiry (or '' for none), the
/// channel, the bucket.
pub(super) const REVOKE_KEY: &str = r"#!lua
if ARGV[1] == '' then
  redis.call('SET', KEYS[1], 1)
else
  redis.call('SET', KEYS[1], 1, 'EXAT', ARGV[1])
end
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1
";

/// Keeps the larger "revoked at or before" time and the later expiry (none = forever).
/// KEYS[1] the identity key. ARGV: issued before, expiry (or ''), the channel, the bucket.
pub(super) const REVOKE_IDENTITY: &str = r"#!lua
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
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
";

/// Rotation (SPEC §14) in one script, so a spend is atomic and a check one round trip.
/// KEYS: epoch, token, identity, family, spent. ARGV: now, iat (or ''), channel, bucket, mode
/// (`check` or `spend`), has a family (`1`/`0`), and for a spend: reuse-until, spent
/// keep-until (or ''), family keep-until (or ''). The spent key holds "reuse-until
/// family-keep-until". Answers `{answer, lost}`, the answer 0: not revoked / first spend,
/// 1: again, 2: reuse, 3: revoked.
pub(super) const ROTATION: &str = concat!(
    "#!lua\nlocal REVOKED = 3\n",
    epoch_prelude!(),
    r"
local now = tonumber(ARGV[1])
local has_family = ARGV[6] == '1'
local function revoke_family(keep)
  if not has_family then return end
  redis.call('PUBLISH', ARGV[3], ARGV[4])
  if keep == '' then
    redis.call('SET', KEYS[4], 1)
    return
  end
  local ttl = redis.call('TTL', KEYS[4])
  if ttl == -2 then
    redis.call('SET', KEYS[4], 1, 'EXAT', keep)
  elseif ttl ~= -1 then
    redis.call('EXPIREAT', KEYS[4], keep, 'GT')
  end
end
if redis.call('EXISTS', KEYS[2]) == 1 then return {3, lost} end
local before = redis.call('GET', KEYS[3])
if before and tonumber(ARGV[2]) <= tonumber(before) then return {3, lost} end
if has_family and redis.call('EXISTS', KEYS[4]) == 1 then return {3, lost} end
local spent = redis.call('GET', KEYS[5])
local reuse_until, family_keep = nil, ''
if spent then
  local space = string.find(spent, ' ')
  reuse_until = tonumber(string.sub(spent, 1, space - 1))
  family_keep = string.sub(spent, space + 1)
end
if ARGV[5] == 'check' then
  if spent and now > reuse_until then
    revoke_family(family_keep)
    return {3, lost}
  end
  return {0, lost}
end
if not spent then
  local value = ARGV[7] .. ' ' .. ARGV[9]
  if ARGV[8] == '' then
    redis.call('SET', KEYS[5], value)
  else
    redis.call('SET', KEYS[5], value, 'EXAT', ARGV[8])
  end
  return {0, lost}
end
if now <= reuse_until then return {1, lost} end
revoke_family(ARGV[9])
return {2, lost}
"
);
