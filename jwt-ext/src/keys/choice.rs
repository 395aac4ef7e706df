//! [`KeyChoice`]: what a decode-key hook answers.

/// The key a decode-key hook chose for one token (Flask's `decode_key_loader` returns one).
///
/// Whatever it is, the token's `alg` must be in the allow-list and fit the key: a `Kid` of the
/// set with its own algorithm, a `Secret` for HS*, a `PublicPem` for RS*, PS*, ES* and EdDSA.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyChoice {
    /// The key of `keys` with this `kid`.
    Kid(String),
    /// An HMAC secret, used as given.
    Secret(Vec<u8>),
    /// A PEM public key.
    PublicPem(Vec<u8>),
}

/// Names the choice without its key material.
impl std::fmt::Debug for KeyChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyChoice::Kid(kid) => f.debug_tuple("Kid").field(kid).finish(),
            KeyChoice::Secret(_) => f.write_str("Secret(..)"),
            KeyChoice::PublicPem(_) => f.write_str("PublicPem(..)"),
        }
    }
}
