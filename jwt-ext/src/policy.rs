//! What a route demands of its token: [`Policy`] (Flask's `jwt_required()` parameters and the
//! authorization on claims) and the type-level [`Requirement`]s the guards take as their `P`
//! parameter.

use rocket::Request;

use crate::authorize::Check;

use crate::kind::TokenType;
use crate::location::Location;

/// What a route demands of its token: Flask's `jwt_required()` parameters.
///
/// Build one from [`Policy::access`], [`Policy::refresh`] or [`Policy::any_type`] and the
/// `const` modifiers; a [`Requirement`] hands it to the guards.
///
/// ```
/// use jwt_ext::{Location, Policy};
///
/// const ADMIN: Policy = Policy::access().fresh().locations(&[Location::Headers]);
/// assert!(ADMIN.fresh && ADMIN.check_revocation);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Policy {
    /// The accepted token type; `None` accepts both (`verify_type=False`).
    pub kind: Option<TokenType>,
    /// Require a fresh token.
    pub fresh: bool,
    /// No token is fine (the guard yields `None`); a present but bad token still fails.
    pub optional: bool,
    /// Consult the revocation store.
    pub check_revocation: bool,
    /// Look in these locations, in order, instead of the configured `token_location`.
    pub locations: Option<&'static [Location]>,
    /// The token's roles claim (`roles_claim`, `"roles"` by default) must hold one of these;
    /// none: no role needed.
    pub roles: &'static [&'static str],
    /// The token must grant every one of these OAuth 2 scopes (`scope` or `scp`).
    pub scopes: &'static [&'static str],
    /// Custom checks; every one must pass.
    pub checks: &'static [Check],
}

impl Policy {
    /// An access token, checked against the revocation store: the default.
    pub const ACCESS: Policy = Policy::access();

    /// An access token, checked against the revocation store.
    pub const fn access() -> Self {
        Policy {
            kind: Some(TokenType::Access),
            fresh: false,
            optional: false,
            check_revocation: true,
            locations: None,
            roles: &[],
            scopes: &[],
            checks: &[],
        }
    }

    /// A refresh token (Flask's `refresh=True`).
    pub const fn refresh() -> Self {
        Policy {
            kind: Some(TokenType::Refresh),
            ..Policy::access()
        }
    }

    /// Either token type (Flask's `verify_type=False`).
    pub const fn any_type() -> Self {
        Policy {
            kind: None,
            ..Policy::access()
        }
    }

    /// Also require a fresh token (Flask's `fresh=True`).
    pub const fn fresh(self) -> Self {
        Policy {
            fresh: true,
            ..self
        }
    }

    /// No token is fine (Flask's `optional=True`).
    pub const fn optional(self) -> Self {
        Policy {
            optional: true,
            ..self
        }
    }

    /// Do not consult the revocation store (Flask's `skip_revocation_check=True`).
    pub const fn skip_revocation_check(self) -> Self {
        Policy {
            check_revocation: false,
            ..self
        }
    }

    /// Look in these locations, in this order, instead of `token_location`.
    pub const fn locations(self, locations: &'static [Location]) -> Self {
        Policy {
            locations: Some(locations),
            ..self
        }
    }

    /// Only holders of one of these roles (403 otherwise); see [`Policy::roles`](Policy#structfield.roles).
    pub const fn roles(self, roles: &'static [&'static str]) -> Self {
        Policy { roles, ..self }
    }

    /// Only tokens granted every one of these scopes (403 otherwise).
    pub const fn scopes(self, scopes: &'static [&'static str]) -> Self {
        Policy { scopes, ..self }
    }

    /// Only tokens every one of these checks accepts (403 otherwise).
    pub const fn checks(self, checks: &'static [Check]) -> Self {
        Policy { checks, ..self }
    }

    /// Whether any authorization (roles, scopes, checks) is asked for.
    pub(crate) const fn authorizes(&self) -> bool {
        !self.roles.is_empty() || !self.scopes.is_empty() || !self.checks.is_empty()
    }

    /// The same policy, required: a guard that must produce a token.
    pub(crate) const fn required(self) -> Self {
        Policy {
            optional: false,
            ..self
        }
    }

    /// The token type whose cookie and JSON key are read: refresh routes read the refresh ones.
    pub(crate) fn reads(&self) -> TokenType {
        self.kind.unwrap_or(TokenType::Access)
    }
}

/// A type-level policy for the guards' `P` parameter.
///
/// The provided ones are [`Access`], [`Fresh`], [`Refresh`], [`AnyType`] and [`RoutePolicy`]
/// (the default: the policy the route's `#[jwt_required]` attribute set, or [`Access`]).
///
/// ```
/// use jwt_ext::{Location, Policy, Requirement, Token};
/// use rocket::Request;
///
/// /// A fresh access token, from the header only.
/// struct Critical;
///
/// impl Requirement for Critical {
///     fn policy(_: &Request<'_>) -> Policy {
///         Policy::access().fresh().locations(&[Location::Headers])
///     }
/// }
///
/// #[rocket::post("/password")]
/// fn change_password(token: Token<(), Critical>) -> String {
///     format!("changed for {}", token.identity())
/// }
/// ```
pub trait Requirement: Send + Sync + 'static {
    /// The policy for this request.
    fn policy(req: &Request<'_>) -> Policy;

    /// The policy an OpenAPI document states for routes with this requirement (feature
    /// `openapi`), known without a request; `None`: the route attribute's, else an access
    /// token. An access token unless overridden: override it when `policy` asks for another
    /// token type, locations or freshness.
    fn documented() -> Option<Policy> {
        Some(Policy::access())
    }
}

/// An access token.
#[derive(Debug)]
pub struct Access;
/// A fresh access token (Flask's `fresh=True`).
#[derive(Debug)]
pub struct Fresh;
/// A refresh token (Flask's `refresh=True`).
#[derive(Debug)]
pub struct Refresh;
/// An access or a refresh token (Flask's `verify_type=False`).
#[derive(Debug)]
pub struct AnyType;
/// The route's policy, set by `#[jwt_required(..)]`; an access token when there is none.
/// (Its `Requirement` lives with the request state it reads, in `verify`.)
#[derive(Debug)]
pub struct RoutePolicy;

impl Requirement for Access {
    fn policy(_: &Request<'_>) -> Policy {
        Policy::access()
    }
}

impl Requirement for Fresh {
    fn policy(_: &Request<'_>) -> Policy {
        Policy::access().fresh()
    }

    fn documented() -> Option<Policy> {
        Some(Policy::access().fresh())
    }
}

impl Requirement for Refresh {
    fn policy(_: &Request<'_>) -> Policy {
        Policy::refresh()
    }

    fn documented() -> Option<Policy> {
        Some(Policy::refresh())
    }
}

impl Requirement for AnyType {
    fn policy(_: &Request<'_>) -> Policy {
        Policy::any_type()
    }

    fn documented() -> Option<Policy> {
        Some(Policy::any_type())
    }
}
