//! Authorization on claims (SPEC §5, §9): once a token passed every verification step, the
//! route's roles, scopes and checks decide whether its holder may call the route. A refusal
//! answers 403 `Insufficient permissions` ([`AuthError::Forbidden`]).

use std::fmt;

use serde_json::Value;

use crate::claims::{Claims, ClaimsError};
use crate::error::AuthError;
use crate::token::TokenData;

/// A custom authorization check: a name for the logs and a function of the verified token.
///
/// `#[jwt_required(check = is_admin)]` builds one from `fn is_admin(claims: &MyClaims) -> bool`;
/// by hand, [`Check::claims`] does the same inside a non-capturing closure:
///
/// ```
/// use jwt_ext::{Check, Claims, Policy};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Serialize, Deserialize, Claims)]
/// struct NoteClaims { role: String }
///
/// fn is_admin(claims: &NoteClaims) -> bool {
///     claims.role == "admin"
/// }
///
/// const ADMINS: Policy = Policy::access()
///     .checks(&[Check::new("is_admin", |token| Check::claims(token, is_admin))]);
/// ```
#[derive(Clone, Copy)]
pub struct Check {
    name: &'static str,
    run: fn(&TokenData) -> Result<(), Denied>,
}

impl Check {
    /// A check named `name` (logged when it refuses) that runs `run` on the verified token.
    pub const fn new(name: &'static str, run: fn(&TokenData) -> Result<(), Denied>) -> Self {
        Check { name, run }
    }

    /// The name given to [`Check::new`].
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// Reads the token's claims as `C` (validated as the guards validate them) and runs
    /// `check` on them. Claims that do not parse or validate answer 400
    /// `User claims verification failed`, as custom claims do; a refusal answers 403.
    pub fn claims<C: Claims, R: Permission>(
        token: &TokenData,
        check: fn(&C) -> R,
    ) -> Result<(), Denied> {
        let claims = C::from_token(token)
            .and_then(|claims| claims.validate().map(|()| claims))
            .map_err(|e| Denied(Refusal::Claims(e)))?;
        check(&claims).into_permission()
    }

    pub(crate) fn run(&self, token: &TokenData) -> Result<(), AuthError> {
        (self.run)(token).map_err(|denied| {
            rocket::debug!("jwt-ext: check `{}` refused the token: {denied}", self.name);
            match denied.0 {
                Refusal::Claims(_) => AuthError::ClaimsVerification,
                Refusal::Forbidden(_) => AuthError::Forbidden { scopes: &[] },
            }
        })
    }
}

impl fmt::Debug for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Check").field(&self.name).finish()
    }
}

/// Two checks are the same when they run the same function under the same name.
impl PartialEq for Check {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && std::ptr::fn_addr_eq(self.run, other.run)
    }
}

impl Eq for Check {}

/// Why a [`Check`] refused a token; the reason only goes to the log.
#[derive(Debug)]
pub struct Denied(Refusal);

#[derive(Debug)]
enum Refusal {
    Forbidden(String),
    Claims(ClaimsError),
}

impl Denied {
    /// A refusal with a reason for the log (never sent to the client): answers 403.
    pub fn new(reason: impl fmt::Display) -> Self {
        Denied(Refusal::Forbidden(reason.to_string()))
    }
}

impl fmt::Display for Denied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Refusal::Forbidden(reason) => f.write_str(reason),
            Refusal::Claims(e) => write!(f, "claims refused: {e}"),
        }
    }
}

/// What a check returns: `bool`, or `Result<(), E>` with a displayable error.
#[diagnostic::on_unimplemented(
    message = "an authorization check must return `bool` or `Result<(), E>` with `E: Display`",
    label = "this check returns `{Self}`"
)]
pub trait Permission {
    /// `Ok` when the token's holder may call the route.
    fn into_permission(self) -> Result<(), Denied>;
}

impl Permission for bool {
    fn into_permission(self) -> Result<(), Denied> {
        if self {
            Ok(())
        } else {
            Err(Denied::new("the check returned false"))
        }
    }
}

impl<E: fmt::Display> Permission for Result<(), E> {
    fn into_permission(self) -> Result<(), Denied> {
        self.map_err(Denied::new)
    }
}

/// The token holds at least one of `wanted` in `claim` (a string, or an array of strings).
pub(crate) fn has_any_role(token: &TokenData, claim: &str, wanted: &[&str]) -> bool {
    let held = token.payload().get(claim);
    match held {
        Some(Value::String(role)) => wanted.contains(&role.as_str()),
        Some(Value::Array(roles)) => roles
            .iter()
            .filter_map(Value::as_str)
            .any(|role| wanted.contains(&role)),
        _ => false,
    }
}

/// The token was granted every one of `wanted`: OAuth 2's `scope` (space-separated, RFC 6749
/// §3.3) or, when there is none, `scp` (an array, or a space-separated string, as Entra ID and
/// Okta send it).
pub(crate) fn has_scopes(token: &TokenData, wanted: &[&str]) -> bool {
    let payload = token.payload();
    let granted: Vec<&str> = match payload.get("scope").or_else(|| payload.get("scp")) {
        Some(Value::String(scopes)) => scopes.split(' ').collect(),
        Some(Value::Array(scopes)) => scopes.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    wanted.iter().all(|scope| granted.contains(scope))
}
