//! [`Mint`]: a token of any shape, for tests: the app's own token, then changed.

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::EncodingKey;
use serde_json::{Map, Value};

use crate::auth::Auth;
use crate::claims::Claims;
use crate::issue::TokenBuilder;
use crate::kind::TokenType;
use crate::Algorithm;

/// Who signs a minted token.
enum Signature {
    /// The app's signing key, or the key of the set with this `kid`.
    App(Option<String>),
    /// A key the app does not hold.
    Foreign(Algorithm, EncodingKey),
    /// `alg: none` and an empty signature.
    Unsigned,
    /// The app's signature with one character changed.
    Corrupted,
}

/// A token being minted by [`Kit::access`](super::Kit::access) or
/// [`Kit::refresh`](super::Kit::refresh); finish with [`mint`](Self::mint).
///
/// It starts as exactly the token the app would issue (its hooks' claims and headers, its
/// `kid`, its CSRF value, its family), read at the app's [`Clock`](super::Clock); every method
/// then changes it, with none of the issuing rules: reserved claims and headers may be set, a
/// token may be expired, signed by a stranger or not at all.
///
/// ```
/// # use jwt_ext::testing::Kit;
/// # fn demo(kit: &Kit<'_>) {
/// use std::time::Duration;
/// let expired = kit.access("alice").expired().mint();
/// let stale = kit.access("alice").fresh(false).mint();
/// let forged = kit.access("alice").signed_with_secret(jwt_ext::Algorithm::HS256, b"guess").mint();
/// let early = kit.access("alice").not_yet_valid().mint();
/// let old = kit.refresh("bob").issued_ago(Duration::from_secs(3600)).mint();
/// let wrong_type = kit.refresh("alice").claim("type", "access").mint();
/// # }
/// ```
#[must_use = "a token is only made by `.mint()`"]
pub struct Mint<'a> {
    builder: TokenBuilder<'a>,
    auth: &'a Auth,
    kind: TokenType,
    ago: i64,
    claims: Vec<(String, Option<Value>)>,
    headers: Vec<(String, Option<Value>)>,
    signature: Signature,
    expired: bool,
}

impl<'a> Mint<'a> {
    pub(super) fn new(auth: &'a Auth, identity: String, kind: TokenType) -> Self {
        let builder = match kind {
            TokenType::Access => auth.access_token(identity),
            TokenType::Refresh => auth.refresh_token(identity),
        };
        Mint {
            builder,
            auth,
            kind,
            ago: 0,
            claims: Vec::new(),
            headers: Vec::new(),
            signature: Signature::App(None),
            expired: false,
        }
    }

    /// Fresh (`true`) or not (`false`, the default), as [`TokenBuilder::fresh`].
    pub fn fresh(mut self, fresh: bool) -> Self {
        self.builder = self.builder.fresh(fresh);
        self
    }

    /// Fresh for this long after issue, as [`TokenBuilder::fresh_for`].
    pub fn fresh_for(mut self, duration: Duration) -> Self {
        self.builder = self.builder.fresh_for(duration);
        self
    }

    /// Lives this long after issue instead of the configured lifetime.
    pub fn expires_in(mut self, duration: Duration) -> Self {
        self.builder = self.builder.expires_in(duration);
        self
    }

    /// No `exp` claim.
    pub fn never_expires(mut self) -> Self {
        self.builder = self.builder.never_expires();
        self
    }

    /// In the refresh-token family `family` (`fam`), as [`TokenBuilder::family`].
    pub fn family(mut self, family: impl Into<String>) -> Self {
        self.builder = self.builder.family(family);
        self
    }

    /// Issued this long ago: `iat`, `nbf`, `exp` and a `fresh` timestamp move back together.
    pub fn issued_ago(mut self, ago: Duration) -> Self {
        self.ago = i64::try_from(ago.as_secs()).unwrap_or(i64::MAX);
        self
    }

    /// Expired beyond the leeway: issued one lifetime (and the leeway, and a second) ago, so
    /// `iat` and `exp` stay consistent; a token without a lifetime gets an `exp` in the past.
    pub fn expired(mut self) -> Self {
        self.expired = true;
        self
    }

    /// Not valid before an hour from now (`nbf`).
    pub fn not_yet_valid(self) -> Self {
        let at = self.auth.settings.clock.now().saturating_add(3600);
        self.claim("nbf", at)
    }

    /// Sets a claim, reserved ones included (`type`, `sub`, `jti`, `exp`, ...).
    pub fn claim(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.claims.push((name.into(), Some(value.into())));
        self
    }

    /// Sets the claims of a [`Claims`] type; panics if they do not serialize to an object.
    pub fn claims<C: Claims>(mut self, claims: &C) -> Self {
        match claims.to_claims() {
            Ok(map) => self
                .claims
                .extend(map.into_iter().map(|(name, value)| (name, Some(value)))),
            Err(e) => panic!("jwt-ext testing: the claims do not serialize: {e}"),
        }
        self
    }

    /// Removes a claim (`exp`, `jti`, the identity, ...).
    pub fn without_claim(mut self, name: impl Into<String>) -> Self {
        self.claims.push((name.into(), None));
        self
    }

    /// Sets a header parameter, `alg`, `kid` and `typ` included (set after the signer chose
    /// `alg`, so `.header("alg", "HS512")` makes the header lie).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.headers.push((name.into(), Some(value.into())));
        self
    }

    /// Removes a header parameter.
    pub fn without_header(mut self, name: impl Into<String>) -> Self {
        self.headers.push((name.into(), None));
        self
    }

    /// Signs with the key of the app's `keys` whose `kid` this is.
    pub fn key(mut self, kid: impl Into<String>) -> Self {
        self.signature = Signature::App(Some(kid.into()));
        self
    }

    /// Signs with an HMAC secret the app may not hold (`alg` is set to `algorithm`).
    pub fn signed_with_secret(mut self, algorithm: Algorithm, secret: &[u8]) -> Self {
        match EncodingKey::from_secret(secret) {
            Ok(key) => self.signature = Signature::Foreign(algorithm, key),
            Err(e) => panic!("jwt-ext testing: not an HMAC secret: {e}"),
        }
        self
    }

    /// Signs with a PEM private key (RSA, EC or Ed25519 as `algorithm` says); panics on a
    /// key that does not parse.
    pub fn signed_with_pem(mut self, algorithm: Algorithm, private_pem: &[u8]) -> Self {
        let key = match algorithm.as_str().get(..2) {
            Some("RS" | "PS") => EncodingKey::from_rsa_pem(private_pem),
            Some("ES") => EncodingKey::from_ec_pem(private_pem),
            Some("Ed") => EncodingKey::from_ed_pem(private_pem),
            _ => EncodingKey::from_secret(private_pem),
        };
        match key {
            Ok(key) => self.signature = Signature::Foreign(algorithm, key),
            Err(e) => panic!("jwt-ext testing: not a {algorithm} private key: {e}"),
        }
        self
    }

    /// `alg: none` with an empty signature.
    pub fn unsigned(mut self) -> Self {
        self.signature = Signature::Unsigned;
        self
    }

    /// The app's signature with one character changed (always a different signature).
    pub fn bad_signature(mut self) -> Self {
        self.signature = Signature::Corrupted;
        self
    }

    /// The token. Panics when the app cannot sign (no private key) or a key is unknown.
    pub fn mint(self) -> String {
        let (auth, kind) = (self.auth, self.kind);
        let builder = match &self.signature {
            Signature::App(Some(kid)) => self.builder.key(kid.clone()),
            _ => self.builder,
        };
        let genuine = builder
            .sign()
            .unwrap_or_else(|e| panic!("jwt-ext testing: cannot mint a {kind:?} token: {e}"));
        let part = |index| -> Map<String, Value> {
            let text = genuine.split('.').nth(index).unwrap_or_default();
            let json = URL_SAFE_NO_PAD.decode(text).unwrap_or_default();
            serde_json::from_slice(&json).unwrap_or_default()
        };
        let (mut header, mut payload) = (part(0), part(1));
        let ago = match (self.expired, lifetime(&payload)) {
            (false, _) => self.ago,
            (true, Some(lifetime)) => lifetime.saturating_add(auth.settings.leeway + 1),
            (true, None) => {
                let past = auth.settings.clock.now() - auth.settings.leeway - 1;
                payload.insert("exp".into(), past.into());
                0
            }
        };
        move_back(&mut payload, ago);
        apply(&mut payload, self.claims);
        let message_header = signed_header(&mut header, &self.signature, self.headers);
        let mut token = URL_SAFE_NO_PAD.encode(json(&message_header));
        token.push('.');
        token.push_str(&URL_SAFE_NO_PAD.encode(json(&payload)));
        let signature = sign(auth, &self.signature, &header, token.as_bytes());
        token.push('.');
        token.push_str(&signature);
        token
    }
}

/// `exp - iat` of a payload that has both.
fn lifetime(payload: &Map<String, Value>) -> Option<i64> {
    let at = |name| payload.get(name).and_then(Value::as_i64);
    at("exp")?.checked_sub(at("iat")?)
}

/// Moves the time claims `ago` seconds back.
fn move_back(payload: &mut Map<String, Value>, ago: i64) {
    if ago == 0 {
        return;
    }
    for name in ["iat", "nbf", "exp"] {
        if let Some(at) = payload.get(name).and_then(Value::as_i64) {
            payload.insert(name.into(), at.saturating_sub(ago).into());
        }
    }
    if let Some(until) = payload.get("fresh").and_then(Value::as_f64) {
        payload.insert("fresh".into(), (until - ago as f64).into());
    }
}

fn apply(map: &mut Map<String, Value>, changes: Vec<(String, Option<Value>)>) {
    for (name, value) in changes {
        match value {
            Some(value) => map.insert(name, value),
            None => map.remove(&name),
        };
    }
}

/// The header the token carries: `alg` of the signer, then the test's changes. `signing` keeps
/// the header the app's key signs with (its own `alg`).
fn signed_header(
    signing: &mut Map<String, Value>,
    signature: &Signature,
    changes: Vec<(String, Option<Value>)>,
) -> Map<String, Value> {
    match signature {
        Signature::Foreign(algorithm, _) => {
            signing.insert("alg".into(), algorithm.as_str().into());
            signing.remove("kid");
        }
        Signature::Unsigned => {
            signing.insert("alg".into(), "none".into());
        }
        Signature::App(_) | Signature::Corrupted => {}
    }
    let mut header = signing.clone();
    apply(&mut header, changes);
    header
}

fn json(map: &Map<String, Value>) -> Vec<u8> {
    serde_json::to_vec(map).unwrap_or_default()
}

fn sign(auth: &Auth, signature: &Signature, header: &Map<String, Value>, message: &[u8]) -> String {
    let failed = |e: jsonwebtoken::errors::Error| panic!("jwt-ext testing: signing failed: {e}");
    match signature {
        Signature::Unsigned => String::new(),
        Signature::Foreign(algorithm, key) => {
            jsonwebtoken::crypto::sign(message, key, algorithm.jose()).unwrap_or_else(failed)
        }
        Signature::App(kid) => app_signer(auth, kid.as_deref(), header)
            .sign(message)
            .unwrap_or_else(failed),
        Signature::Corrupted => {
            let genuine = app_signer(auth, None, header)
                .sign(message)
                .unwrap_or_else(failed);
            corrupt(&genuine)
        }
    }
}

fn app_signer<'k>(
    auth: &'k Auth,
    kid: Option<&str>,
    header: &Map<String, Value>,
) -> crate::keys::Signer<'k> {
    let kid = kid.or_else(|| header.get("kid").and_then(Value::as_str));
    let keys = &auth.settings.keys;
    keys.signer(kid)
        .or_else(|| keys.signer(None))
        .unwrap_or_else(|| panic!("jwt-ext testing: the app has no key that signs"))
}

/// `signature` with its first character changed: the first of base64url carries six
/// significant bits (the last may carry padding bits a decoder ignores).
fn corrupt(signature: &str) -> String {
    let replacement = if signature.starts_with('A') { "B" } else { "A" };
    format!("{replacement}{}", signature.get(1..).unwrap_or_default())
}
