//! Where the store's entries live. Every key of one identity carries the hash tag of the
//! identity's bucket, so they share a Cluster hash slot and a check is one script on one node:
//!
//! ```text
//! <prefix>{<bucket>}epoch                the slot's epoch (wipe detection)
//! <prefix>{<bucket>}token:<jti>          a revoked token
//! <prefix>{<bucket>}identity:<identity>  an identity revoked at or before a time
//! <prefix>{<bucket>}family:<fam>         a revoked refresh-token family
//! <prefix>{<bucket>}spent:<jti>          a spent refresh token
//! <prefix>revocations                    the channel every write publishes its bucket on
//! ```
//!
//! A bucket (not the identity itself) is the tag so that the epochs are few: a wiped node
//! loses the epochs of its buckets, and the first check in each bucket notices.

use super::StoreError;

/// How many buckets identities are spread over; part of the key layout (every instance of an
/// app must agree on it).
pub(super) const BUCKETS: u32 = 1024;

/// The keys of one store (one prefix).
#[derive(Debug, Clone)]
pub(super) struct Layout {
    prefix: String,
    channel: String,
    /// Why the prefix cannot be used, if it cannot.
    problem: Option<String>,
}

/// The keys of one bucket.
pub(super) struct Bucket {
    pub(super) number: u32,
    base: String,
}

impl Layout {
    /// A prefix with a brace would move the hash tag: [`usable`](Self::usable) says so.
    pub(super) fn new(prefix: String) -> Self {
        let problem = prefix.contains(['{', '}']).then(|| {
            format!(
                "the key prefix `{prefix}` has a brace; braces are the store's hash tags, \
                 choose a prefix without them"
            )
        });
        let channel = format!("{prefix}revocations");
        Layout {
            prefix,
            channel,
            problem,
        }
    }

    pub(super) fn usable(&self) -> Result<(), StoreError> {
        match &self.problem {
            Some(problem) => Err(StoreError::new(problem.clone())),
            None => Ok(()),
        }
    }

    pub(super) fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The channel revocations are published on.
    pub(super) fn channel(&self) -> &str {
        &self.channel
    }

    /// The bucket of `identity` (a token's revocation identity).
    pub(super) fn bucket_of(&self, identity: &str) -> Bucket {
        self.bucket(bucket_number(identity))
    }

    pub(super) fn bucket(&self, number: u32) -> Bucket {
        Bucket {
            number,
            base: format!("{}{{{number}}}", self.prefix),
        }
    }
}

impl Bucket {
    pub(super) fn epoch(&self) -> String {
        format!("{}epoch", self.base)
    }

    pub(super) fn token(&self, jti: &str) -> String {
        format!("{}token:{jti}", self.base)
    }

    pub(super) fn identity(&self, identity: &str) -> String {
        format!("{}identity:{identity}", self.base)
    }

    pub(super) fn family(&self, family: &str) -> String {
        format!("{}family:{family}", self.base)
    }

    pub(super) fn spent(&self, jti: &str) -> String {
        format!("{}spent:{jti}", self.base)
    }
}

/// FNV-1a: stable across instances, versions and platforms, as the layout must be.
pub(super) fn bucket_number(identity: &str) -> u32 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in identity.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    u32::try_from(hash % u64::from(BUCKETS)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_one_identity_share_a_hash_tag() {
        let layout = Layout::new("app:".into());
        assert!(layout.usable().is_ok());
        let bucket = layout.bucket_of("alice");
        let tag = format!("{{{}}}", bucket.number);
        for key in [
            bucket.epoch(),
            bucket.token("j"),
            bucket.identity("alice"),
            bucket.family("f"),
            bucket.spent("j"),
        ] {
            assert!(key.starts_with(&format!("app:{tag}")), "{key}");
        }
        // The layout is fixed: these numbers must never change.
        assert_eq!(bucket_number(""), 805);
        assert_eq!(bucket_number("alice"), 263);
        assert_eq!(bucket_number("bob"), 596);
        assert!(Layout::new("a{b}:".into()).usable().is_err());
    }
}
