//! Verification failures and how each one is answered (SPEC §9).
//!
//! Every way a request can fail authentication is one variant of [`AuthError`]; its status
//! and message are decided here and nowhere else (the response is rendered in `respond`).

use std::borrow::Cow;
use std::fmt;

use rocket::http::Status;

/// The families of failures, one per error hook of Flask-JWT-Extended.
///
/// Register a replacement response for a family with
/// [`AuthFairing::on_error`](crate::AuthFairing::on_error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// No token where one was expected (Flask's `unauthorized_loader`).
    Missing,
    /// A malformed, badly signed or otherwise unacceptable token (`invalid_token_loader`).
    Invalid,
    /// The token's `exp` has passed (`expired_token_loader`).
    Expired,
    /// The route needs a fresh token (`needs_fresh_token_loader`).
    NeedsFresh,
    /// The token was revoked (`revoked_token_loader`).
    Revoked,
    /// The user lookup hook found no user (`user_lookup_error_loader`).
    UserLookup,
    /// Custom claims or the token verification hook refused the token
    /// (`token_verification_failed_loader`).
    ClaimsVerification,
    /// The CSRF double-submit check failed.
    Csrf,
    /// The token is valid but its holder may not call the route: a role, scope or check of
    /// the route refused it (403).
    Forbidden,
    /// The revocation store could not answer, so the request fails closed.
    StoreUnavailable,
    /// A trusted issuer's keys could not be fetched, and none are cached (503).
    IssuerUnavailable,
    /// `Auth::fairing()` is not attached (launch refuses guarded routes without it, so only a
    /// hand-written guard or responder can meet this).
    NotConfigured,
}

impl ErrorKind {
    /// The kind's name in metrics and logs: `missing`, `invalid`, `expired`, ...
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Missing => "missing",
            ErrorKind::Invalid => "invalid",
            ErrorKind::Expired => "expired",
            ErrorKind::NeedsFresh => "needs_fresh",
            ErrorKind::Revoked => "revoked",
            ErrorKind::UserLookup => "user_lookup",
            ErrorKind::ClaimsVerification => "claims_verification",
            ErrorKind::Csrf => "csrf",
            ErrorKind::StoreUnavailable => "store_unavailable",
            ErrorKind::IssuerUnavailable => "issuer_unavailable",
            ErrorKind::NotConfigured => "not_configured",
            ErrorKind::Forbidden => "forbidden",
        }
    }
}

/// Why a request was refused.
///
/// Messages are fixed texts (or name a configured header, cookie or identity); they never contain
/// the token or the text of an internal error.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthError {
    /// No token was found; the message names where it was looked for.
    Missing(Cow<'static, str>),
    /// The `Authorization` header is present but not of the form `Bearer <JWT>`.
    BadHeader(Cow<'static, str>),
    /// The token is malformed or fails a check; the message says which.
    Invalid(Cow<'static, str>),
    /// The token has expired.
    Expired,
    /// The refresh token's family is past `refresh_family_lifetime`: the user logs in again.
    FamilyExpired,
    /// A refresh token was sent to a route that takes access tokens.
    RefreshNotAllowed,
    /// An access token was sent to a route that takes refresh tokens.
    RefreshRequired,
    /// The route needs a fresh token and this one is not (or no longer) fresh.
    NeedsFresh,
    /// The token, or every token of its identity, was revoked.
    Revoked,
    /// The user lookup hook returned no user for this identity.
    UserLookup {
        /// The token's identity.
        identity: String,
    },
    /// Custom claims validation or the token verification hook refused the token.
    ClaimsVerification,
    /// The CSRF double-submit check failed; the message says how.
    Csrf(&'static str),
    /// The revocation store could not answer.
    StoreUnavailable,
    /// The keys of the token's trusted issuer could not be fetched, and none are cached.
    IssuerUnavailable,
    /// `Auth::fairing()` is not attached.
    NotConfigured,
    /// The token passed verification, but a role, scope or check of the route refused it.
    Forbidden {
        /// The scopes the route requires, when a scope check refused (for
        /// `WWW-Authenticate`); empty otherwise.
        scopes: &'static [&'static str],
    },
    /// The JSON body of a [`JsonToken`](crate::JsonToken) does not fit the handler's type.
    BadBody,
}

impl AuthError {
    /// A malformed or unacceptable token, with a fixed message.
    pub(crate) const fn invalid(message: &'static str) -> Self {
        AuthError::Invalid(Cow::Borrowed(message))
    }

    /// 403 `Insufficient permissions`, for an application's own authorization guard (pass
    /// it to [`refuse`](crate::refuse) so the response has jwt-ext's shape and hooks).
    pub const fn forbidden() -> Self {
        AuthError::Forbidden { scopes: &[] }
    }

    /// The family this failure belongs to.
    pub fn kind(&self) -> ErrorKind {
        match self {
            AuthError::Missing(_) => ErrorKind::Missing,
            AuthError::BadHeader(_)
            | AuthError::Invalid(_)
            | AuthError::RefreshNotAllowed
            | AuthError::RefreshRequired => ErrorKind::Invalid,
            AuthError::Expired | AuthError::FamilyExpired => ErrorKind::Expired,
            AuthError::NeedsFresh => ErrorKind::NeedsFresh,
            AuthError::Revoked => ErrorKind::Revoked,
            AuthError::UserLookup { .. } => ErrorKind::UserLookup,
            AuthError::ClaimsVerification => ErrorKind::ClaimsVerification,
            AuthError::Csrf(_) => ErrorKind::Csrf,
            AuthError::StoreUnavailable => ErrorKind::StoreUnavailable,
            AuthError::IssuerUnavailable => ErrorKind::IssuerUnavailable,
            AuthError::NotConfigured => ErrorKind::NotConfigured,
            AuthError::Forbidden { .. } => ErrorKind::Forbidden,
            AuthError::BadBody => ErrorKind::Invalid,
        }
    }

    /// The HTTP status of the default response (Flask-JWT-Extended 4.x's).
    pub fn status(&self) -> Status {
        match self {
            AuthError::Missing(_)
            | AuthError::Expired
            | AuthError::FamilyExpired
            | AuthError::NeedsFresh
            | AuthError::Revoked
            | AuthError::UserLookup { .. }
            | AuthError::Csrf(_) => Status::Unauthorized,
            AuthError::BadHeader(_)
            | AuthError::Invalid(_)
            | AuthError::RefreshNotAllowed
            | AuthError::RefreshRequired => Status::UnprocessableEntity,
            AuthError::ClaimsVerification => Status::BadRequest,
            AuthError::StoreUnavailable | AuthError::IssuerUnavailable => {
                Status::ServiceUnavailable
            }
            AuthError::NotConfigured => Status::InternalServerError,
            AuthError::Forbidden { .. } => Status::Forbidden,
            AuthError::BadBody => Status::UnprocessableEntity,
        }
    }

    /// The message of the default response.
    pub fn message(&self) -> Cow<'_, str> {
        match self {
            AuthError::Missing(m) | AuthError::BadHeader(m) | AuthError::Invalid(m) => {
                Cow::Borrowed(m)
            }
            AuthError::Expired => "Token has expired".into(),
            AuthError::FamilyExpired => "Session has expired, please log in again".into(),
            AuthError::RefreshNotAllowed => "Only non-refresh tokens are allowed".into(),
            AuthError::RefreshRequired => "Only refresh tokens are allowed".into(),
            AuthError::NeedsFresh => "Fresh token required".into(),
            AuthError::Revoked => "Token has been revoked".into(),
            AuthError::UserLookup { identity } => {
                Cow::Owned(format!("Error loading the user {identity}"))
            }
            AuthError::ClaimsVerification => "User claims verification failed".into(),
            AuthError::Csrf(m) => Cow::Borrowed(m),
            AuthError::StoreUnavailable => "Token revocation store unavailable".into(),
            AuthError::IssuerUnavailable => "Token issuer keys unavailable".into(),
            AuthError::NotConfigured => "Authentication is not configured".into(),
            AuthError::Forbidden { .. } => "Insufficient permissions".into(),
            AuthError::BadBody => "Invalid JSON body".into(),
        }
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for AuthError {}

/// A revocation store that could not answer. Guards turn it into 503
/// `Token revocation store unavailable` (fail closed); the reason only goes to the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(String);

impl StoreError {
    /// A failure with a reason for the logs.
    pub fn new(reason: impl Into<String>) -> Self {
        StoreError(reason.into())
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "revocation store unavailable: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

/// A store that cannot answer fails closed: 503, with the reason only in the log.
impl From<StoreError> for AuthError {
    fn from(e: StoreError) -> Self {
        rocket::warn!("jwt-ext: {e}; failing closed with 503");
        AuthError::StoreUnavailable
    }
}

/// A configuration value that cannot work; the message names the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub(crate) String);

impl ConfigError {
    pub(crate) fn new(key: &str, problem: impl fmt::Display) -> Self {
        ConfigError(format!("`jwt.{key}`: {problem}"))
    }

    /// The same error about entry `index` of `keys`: `jwt.keys[index].<key>`.
    pub(crate) fn in_key_set(self, index: usize) -> Self {
        ConfigError(self.0.replacen("`jwt.", &format!("`jwt.keys[{index}]."), 1))
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// Why a token could not be issued.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IssueError {
    /// A custom claim would replace a reserved claim; rename it.
    ReservedClaim(String),
    /// An additional header would replace a header the library sets; rename it.
    ReservedHeader(String),
    /// Custom claims must serialize to a JSON object.
    ClaimsNotAnObject,
    /// Serializing the custom claims failed.
    Serialize(String),
    /// No private key is configured, so this app can verify tokens but not issue them.
    NoSigningKey,
    /// The `kid` chosen to sign names no key of `keys` with a private (or HS) half.
    UnknownSigningKey(String),
    /// An encode-key hook is registered: issue with `issue_async().await`.
    NeedsAsyncIssue,
    /// The encode-key hook failed; the reason is logged.
    KeyHook(String),
    /// The crypto backend could not sign.
    Signing(String),
}

impl fmt::Display for IssueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IssueError::ReservedClaim(name) => write!(
                f,
                "custom claim `{name}` would override a reserved claim; give it another name"
            ),
            IssueError::ReservedHeader(name) => write!(
                f,
                "additional header `{name}` would override a header set by jwt-ext; give it another name"
            ),
            IssueError::ClaimsNotAnObject => {
                f.write_str("custom claims must serialize to a JSON object (a struct or a map)")
            }
            IssueError::Serialize(e) => write!(f, "custom claims could not be serialized: {e}"),
            IssueError::NoSigningKey => f.write_str(
                "no signing key: set `jwt.private_key` or `jwt.private_key_file` to issue tokens",
            ),
            IssueError::Signing(e) => write!(f, "signing failed: {e}"),
            IssueError::UnknownSigningKey(kid) => write!(
                f,
                "`{kid}` names no key of `keys` that can sign; give a kid with a private key"
            ),
            IssueError::NeedsAsyncIssue => f.write_str(
                "an encode-key hook is registered: issue with `.issue_async().await`, or choose \
                 the key with `.key(kid)`",
            ),
            IssueError::KeyHook(e) => write!(f, "the encode-key hook failed: {e}"),
        }
    }
}

impl std::error::Error for IssueError {}
