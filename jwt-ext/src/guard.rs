//! Request guards (SPEC §5): the verified [`Token`], [`OptionalToken`] and [`CurrentUser`].
//!
//! The token is found and decoded once per request and the result cached; each guard then
//! applies its policy (token type, freshness, revocation, custom claims) on top, in the order of
//! SPEC §4. A failing guard answers with the error's status; the fairing turns that answer
//! into the JSON body of SPEC §9 (or the error hook's response).

use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use rocket::request::{FromRequest, Outcome};
use rocket::{Ignite, Request, Rocket, Sentinel};

use crate::auth::{store_unavailable, Auth};
use crate::claims::Claims;
use crate::csrf;
use crate::error::AuthError;
use crate::location::{self, JsonBody, Location};
use crate::token::{self, DecodeOptions, TokenData, TokenType};

/// What a route demands of its token: Flask's `jwt_required()` parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
}

impl Policy {
    /// An access token, checked against the revocation store: the default.
    pub const ACCESS: Policy = Policy {
        kind: Some(TokenType::Access),
        fresh: false,
        optional: false,
        check_revocation: true,
        locations: None,
    };

    /// The token type whose cookie and JSON key are read: refresh routes read the refresh ones.
    fn reads(&self) -> TokenType {
        self.kind.unwrap_or(TokenType::Access)
    }
}

/// A type-level policy for the guards' `P` parameter.
///
/// The provided ones are [`Access`], [`Fresh`], [`Refresh`], [`AnyType`] and [`RoutePolicy`]
/// (the default: the policy the route's `#[jwt_required]` attribute set, or [`Access`]).
pub trait Requirement: Send + Sync + 'static {
    /// The policy for this request.
    fn policy(req: &Request<'_>) -> Policy;
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
#[derive(Debug)]
pub struct RoutePolicy;

impl Requirement for Access {
    fn policy(_: &Request<'_>) -> Policy {
        Policy::ACCESS
    }
}

impl Requirement for Fresh {
    fn policy(_: &Request<'_>) -> Policy {
        Policy {
            fresh: true,
            ..Policy::ACCESS
        }
    }
}

impl Requirement for Refresh {
    fn policy(_: &Request<'_>) -> Policy {
        Policy {
            kind: Some(TokenType::Refresh),
            ..Policy::ACCESS
        }
    }
}

impl Requirement for AnyType {
    fn policy(_: &Request<'_>) -> Policy {
        Policy {
            kind: None,
            ..Policy::ACCESS
        }
    }
}

/// Everything the guards remember about one request, in one request-local slot.
#[derive(Default)]
struct RequestState {
    /// The policy a route attribute set.
    route_policy: OnceLock<Policy>,
    /// The token, found and decoded once.
    decoded: OnceLock<Result<Arc<TokenData>, AuthError>>,
    /// The revocation store's answer, asked once.
    revocation: rocket::tokio::sync::OnceCell<Result<(), AuthError>>,
    /// The first failure, rendered by the fairing.
    failure: OnceLock<AuthError>,
    /// The outcome of the route attribute's policy, once it passed.
    enforced: OnceLock<Option<Arc<TokenData>>>,
}

fn state<'r>(req: &'r Request<'_>) -> &'r RequestState {
    req.local_cache(RequestState::default)
}

impl Requirement for RoutePolicy {
    fn policy(req: &Request<'_>) -> Policy {
        state(req)
            .route_policy
            .get()
            .copied()
            .unwrap_or(Policy::ACCESS)
    }
}

/// Records the route's policy before any other guard runs (used by the route attributes).
pub(crate) fn set_route_policy(req: &Request<'_>, policy: Policy) {
    let _ = state(req).route_policy.set(policy);
}

/// The token this request carried, if one was found and verified.
pub(crate) fn verified<'r>(req: &'r Request<'_>) -> Option<&'r Arc<TokenData>> {
    state(req).decoded.get()?.as_ref().ok()
}

pub(crate) fn failure<'r>(req: &'r Request<'_>) -> Option<&'r AuthError> {
    state(req).failure.get()
}

/// Remembers the failure for the fairing and pairs it with its status.
fn record(req: &Request<'_>, error: AuthError) -> (rocket::http::Status, AuthError) {
    // The first failure is the one the response reports.
    let _ = state(req).failure.set(error.clone());
    (error.status(), error)
}

pub(crate) fn fail<T>(req: &Request<'_>, error: AuthError) -> Outcome<T, AuthError> {
    Outcome::Error(record(req, error))
}

fn auth<'r>(req: &'r Request<'_>) -> Result<&'r Auth, AuthError> {
    req.rocket().state::<Auth>().ok_or_else(|| {
        // Unreachable: `Sentinel` refuses to launch guarded routes without the fairing.
        rocket::error!("jwt-ext: `Auth` is not managed; attach `Auth::fairing()`");
        AuthError::StoreUnavailable
    })
}

/// Finds, decodes and verifies the token up to the CSRF check (SPEC §4, all but the
/// route-specific steps).
pub(crate) fn decode_request(
    req: &Request<'_>,
    auth: &Auth,
    policy: &Policy,
    body: Option<&JsonBody>,
) -> Result<Arc<TokenData>, AuthError> {
    let settings = &auth.settings;
    let locations = policy.locations.unwrap_or(&settings.locations);
    let found = location::find(req, settings, locations, policy.reads(), body)?;
    let mut data = token::decode(
        settings,
        &found.token,
        token::now(),
        DecodeOptions::default(),
    )?;
    data.location = Some(found.location);
    csrf::check(&data, found.csrf)?;
    Ok(Arc::new(data))
}

/// Token type, then freshness.
pub(crate) fn check_type_and_freshness(policy: &Policy, data: &TokenData) -> Result<(), AuthError> {
    match (policy.kind, data.token_type()) {
        (Some(TokenType::Access), TokenType::Refresh) => return Err(AuthError::RefreshNotAllowed),
        (Some(TokenType::Refresh), TokenType::Access) => return Err(AuthError::RefreshRequired),
        _ => {}
    }
    if policy.fresh && !data.freshness().is_fresh_at(token::now_f64()) {
        return Err(AuthError::NeedsFresh);
    }
    Ok(())
}

/// Asks the revocation store; a store that cannot answer fails closed.
pub(crate) async fn check_revocation(auth: &Auth, data: &TokenData) -> Result<(), AuthError> {
    match auth.blocklist.is_revoked(data).await {
        Ok(false) => Ok(()),
        Ok(true) => Err(AuthError::Revoked),
        Err(e) => Err(store_unavailable(e)),
    }
}

/// The token verification hook.
pub(crate) fn check_hook(auth: &Auth, data: &TokenData) -> Result<(), AuthError> {
    match &auth.hooks.token_verification {
        Some(verify) if !verify(data) => Err(AuthError::ClaimsVerification),
        _ => Ok(()),
    }
}

/// Applies the route-specific steps of SPEC §4 to a decoded token: type, freshness,
/// revocation (asked once per request), then the token verification hook.
pub(crate) async fn apply_policy(
    req: &Request<'_>,
    auth: &Auth,
    policy: &Policy,
    data: &Arc<TokenData>,
) -> Result<(), AuthError> {
    check_type_and_freshness(policy, data)?;
    if policy.check_revocation {
        state(req)
            .revocation
            .get_or_init(|| check_revocation(auth, data))
            .await
            .clone()?;
    }
    check_hook(auth, data)
}

/// Runs the whole pipeline for `policy`: `Ok(None)` when the policy is optional and no
/// location holds a token.
pub(crate) async fn verify(
    req: &Request<'_>,
    policy: Policy,
) -> Result<Option<Arc<TokenData>>, AuthError> {
    let state = state(req);
    // The route attribute already enforced this very policy: its outcome stands.
    if let (Some(outcome), Some(route)) = (state.enforced.get(), state.route_policy.get()) {
        if *route == policy {
            return Ok(outcome.clone());
        }
    }
    let auth = auth(req)?;
    let decoded = state
        .decoded
        .get_or_init(|| decode_request(req, auth, &policy, None));
    let data = match decoded {
        Ok(data) => data,
        Err(AuthError::Missing(_)) if policy.optional => return Ok(None),
        Err(e) => return Err(e.clone()),
    };
    apply_policy(req, auth, &policy, data).await?;
    Ok(Some(Arc::clone(data)))
}

/// Runs [`verify`] for the route's policy and remembers a success, so the handler's guards
/// under the same policy do not repeat the checks.
pub(crate) async fn enforce_route_policy(
    req: &Request<'_>,
    policy: Policy,
) -> Result<Option<Arc<TokenData>>, AuthError> {
    set_route_policy(req, policy);
    let outcome = verify(req, policy).await?;
    let _ = state(req).enforced.set(outcome.clone());
    Ok(outcome)
}

fn read_claims<C: Claims>(data: &TokenData) -> Result<C, AuthError> {
    let claims = C::from_payload(data.payload_json()).and_then(|c| c.validate().map(|()| c));
    claims.map_err(|e| {
        rocket::debug!("jwt-ext: custom claims refused: {e}");
        AuthError::ClaimsVerification
    })
}

/// A verified token with custom claims `C`, under policy `P`.
///
/// `C` defaults to `()` (no custom claims); use a `#[derive(Claims)]` struct or
/// `serde_json::Map<String, Value>` to read them. `P` defaults to [`RoutePolicy`]: the route
/// attribute's policy, or an access token. The payload and header are reachable through
/// `Deref` to [`TokenData`].
///
/// ```no_run
/// use jwt_ext::{Refresh, Token};
///
/// #[rocket::get("/me")]
/// fn me(token: Token) -> String {
///     format!("hello {}", token.identity())
/// }
///
/// #[rocket::post("/refresh")]
/// fn refresh(token: Token<(), Refresh>) -> String {
///     token.identity().to_owned()
/// }
/// ```
pub struct Token<C = (), P = RoutePolicy> {
    data: Arc<TokenData>,
    claims: C,
    policy: PhantomData<fn() -> P>,
}

impl<C, P> Token<C, P> {
    /// The custom claims.
    pub fn claims(&self) -> &C {
        &self.claims
    }

    /// The custom claims, by value.
    pub fn into_claims(self) -> C {
        self.claims
    }

    /// The verified token data, shared with other guards of this request.
    pub fn data(&self) -> &Arc<TokenData> {
        &self.data
    }
}

impl<C, P> Deref for Token<C, P> {
    type Target = TokenData;

    fn deref(&self) -> &TokenData {
        &self.data
    }
}

impl<C: std::fmt::Debug, P> std::fmt::Debug for Token<C, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("identity", &self.data.identity())
            .field("type", &self.data.token_type())
            .field("claims", &self.claims)
            .finish_non_exhaustive()
    }
}

#[rocket::async_trait]
impl<'r, C: Claims, P: Requirement> FromRequest<'r> for Token<C, P> {
    type Error = AuthError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, AuthError> {
        let policy = Policy {
            optional: false,
            ..P::policy(req)
        };
        let data = match verify(req, policy).await {
            Ok(Some(data)) => data,
            Ok(None) => return fail(req, AuthError::Missing("Missing JWT".into())),
            Err(e) => return fail(req, e),
        };
        match read_claims(&data) {
            Ok(claims) => Outcome::Success(Token {
                data,
                claims,
                policy: PhantomData,
            }),
            Err(e) => fail(req, e),
        }
    }
}

/// A verified token if the request carries one, `None` if no location holds a token
/// (Flask's `jwt_required(optional=True)`).
///
/// Unlike Rocket's `Option<Token>`, a token that is present but bad (expired, forged, revoked,
/// of the wrong type) still fails the request with its error.
pub struct OptionalToken<C = (), P = RoutePolicy>(Option<Token<C, P>>);

impl<C, P> OptionalToken<C, P> {
    /// The token, if one was sent.
    pub fn as_ref(&self) -> Option<&Token<C, P>> {
        self.0.as_ref()
    }

    /// The token, if one was sent, by value.
    pub fn into_inner(self) -> Option<Token<C, P>> {
        self.0
    }

    /// The identity of the token, if one was sent.
    pub fn identity(&self) -> Option<&str> {
        self.0.as_ref().map(|t| t.identity())
    }
}

#[rocket::async_trait]
impl<'r, C: Claims, P: Requirement> FromRequest<'r> for OptionalToken<C, P> {
    type Error = AuthError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, AuthError> {
        let policy = Policy {
            optional: true,
            ..P::policy(req)
        };
        let data = match verify(req, policy).await {
            Ok(Some(data)) => data,
            Ok(None) => return Outcome::Success(OptionalToken(None)),
            Err(e) => return fail(req, e),
        };
        match read_claims(&data) {
            Ok(claims) => Outcome::Success(OptionalToken(Some(Token {
                data,
                claims,
                policy: PhantomData,
            }))),
            Err(e) => fail(req, e),
        }
    }
}

/// The user a verified token speaks for, loaded by the [`UserLoader`](crate::UserLoader)
/// registered for `U` (Flask's `current_user`). The lookup runs once per request.
///
/// A route using it refuses to launch when no loader for `U` is registered.
pub struct CurrentUser<U, P = RoutePolicy> {
    user: Arc<U>,
    token: Arc<TokenData>,
    policy: PhantomData<fn() -> P>,
}

impl<U, P> CurrentUser<U, P> {
    /// The verified token the user was loaded from.
    pub fn token(&self) -> &TokenData {
        &self.token
    }

    /// The user, shared with other guards of this request.
    pub fn into_inner(self) -> Arc<U> {
        self.user
    }
}

impl<U, P> Deref for CurrentUser<U, P> {
    type Target = U;

    fn deref(&self) -> &U {
        &self.user
    }
}

/// The loaded user of this request, per user type.
struct UserSlot<U>(Option<Arc<U>>);

#[rocket::async_trait]
impl<'r, U: Send + Sync + 'static, P: Requirement> FromRequest<'r> for CurrentUser<U, P> {
    type Error = AuthError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, AuthError> {
        let policy = Policy {
            optional: false,
            ..P::policy(req)
        };
        let token = match verify(req, policy).await {
            Ok(Some(data)) => data,
            Ok(None) => return fail(req, AuthError::Missing("Missing JWT".into())),
            Err(e) => return fail(req, e),
        };
        let auth = match auth(req) {
            Ok(auth) => auth,
            Err(e) => return fail(req, e),
        };
        let slot = req
            .local_cache_async(async {
                let user = match auth.hooks.user_loader::<U>() {
                    Some(loader) => loader.load_user(&token, req).await,
                    None => None,
                };
                UserSlot(user.map(Arc::new))
            })
            .await;
        match &slot.0 {
            Some(user) => Outcome::Success(CurrentUser {
                user: Arc::clone(user),
                token,
                policy: PhantomData,
            }),
            None => fail(
                req,
                AuthError::UserLookup {
                    identity: token.identity().to_owned(),
                },
            ),
        }
    }
}

/// A verified token that may travel in the JSON body (the `json` location), with the body.
///
/// Request guards cannot read the body, so the `json` location is served by this data guard:
/// use it as the route's `data = "<..>"` parameter. It looks in the policy's locations in
/// order like the other guards (the header first, say, then the body) and hands the parsed
/// body to the handler, since the body can only be read once.
///
/// ```no_run
/// use jwt_ext::JsonToken;
///
/// #[rocket::post("/notes", data = "<req>")]
/// fn add_note(req: JsonToken) -> String {
///     format!("{} wrote {}", req.identity(), req.body()["text"])
/// }
/// ```
pub struct JsonToken<C = (), P = RoutePolicy> {
    token: Token<C, P>,
    body: serde_json::Value,
}

impl<C, P> JsonToken<C, P> {
    /// The verified token.
    pub fn token(&self) -> &Token<C, P> {
        &self.token
    }

    /// The parsed JSON body (`Null` when the request had none or it was not JSON).
    pub fn body(&self) -> &serde_json::Value {
        &self.body
    }

    /// The token and the body, by value.
    pub fn into_parts(self) -> (Token<C, P>, serde_json::Value) {
        (self.token, self.body)
    }
}

impl<C, P> Deref for JsonToken<C, P> {
    type Target = TokenData;

    fn deref(&self) -> &TokenData {
        &self.token.data
    }
}

/// Reads a JSON body within Rocket's `json` limit; anything else (another content type, bad
/// JSON, a body over the limit) is simply a body without a token.
async fn read_json_body(
    req: &Request<'_>,
    data: rocket::Data<'_>,
    settings: &crate::config::Settings,
) -> (JsonBody, serde_json::Value) {
    if !req.content_type().is_some_and(|ct| ct.is_json()) {
        return (JsonBody::WrongContentType, serde_json::Value::Null);
    }
    let limit = req
        .limits()
        .get("json")
        .unwrap_or(rocket::data::Limits::JSON);
    let body = match data.open(limit).into_bytes().await {
        Ok(bytes) if bytes.is_complete() => serde_json::from_slice(&bytes).unwrap_or_default(),
        _ => serde_json::Value::Null,
    };
    let value = |key: &str| {
        body.get(key)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    let found = JsonBody::Json {
        access: value(&settings.access.json_key),
        refresh: value(&settings.refresh.json_key),
    };
    (found, body)
}

#[rocket::async_trait]
impl<'r, C: Claims, P: Requirement> rocket::data::FromData<'r> for JsonToken<C, P> {
    type Error = AuthError;

    async fn from_data(
        req: &'r Request<'_>,
        data: rocket::Data<'r>,
    ) -> rocket::data::Outcome<'r, Self> {
        let fail = |error| rocket::data::Outcome::Error(record(req, error));
        let policy = Policy {
            optional: false,
            ..P::policy(req)
        };
        let auth = match auth(req) {
            Ok(auth) => auth,
            Err(e) => return fail(e),
        };
        let (found, body) = read_json_body(req, data, &auth.settings).await;
        let verified = match decode_request(req, auth, &policy, Some(&found)) {
            Ok(data) => apply_policy(req, auth, &policy, &data).await.map(|()| data),
            Err(e) => Err(e),
        };
        let token = verified.and_then(|data| {
            read_claims(&data).map(|claims| Token {
                data,
                claims,
                policy: PhantomData,
            })
        });
        match token {
            Ok(token) => rocket::data::Outcome::Success(JsonToken { token, body }),
            Err(e) => fail(e),
        }
    }
}

/// Logs and reports whether `Auth::fairing()` is missing.
pub(crate) fn missing_fairing(rocket: &Rocket<Ignite>) -> bool {
    if rocket.state::<Auth>().is_some() {
        return false;
    }
    rocket::error!(
        "jwt-ext: a route uses a JWT guard but `Auth::fairing()` is not attached; \
         add `.attach(jwt_ext::Auth::fairing())` to your rocket"
    );
    true
}

impl<C, P> Sentinel for Token<C, P> {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        missing_fairing(rocket)
    }
}

impl<C, P> Sentinel for JsonToken<C, P> {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        missing_fairing(rocket)
    }
}

impl<C, P> Sentinel for OptionalToken<C, P> {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        missing_fairing(rocket)
    }
}

impl<U: Send + Sync + 'static, P> Sentinel for CurrentUser<U, P> {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        if missing_fairing(rocket) {
            return true;
        }
        let registered = rocket
            .state::<Auth>()
            .is_some_and(|auth| auth.hooks.user_loader::<U>().is_some());
        if !registered {
            rocket::error!(
                "jwt-ext: a route uses `CurrentUser<{}>` but no user loader for that type is \
                 registered; add `.user_loader(..)` to `Auth::fairing()`",
                std::any::type_name::<U>()
            );
        }
        !registered
    }
}
