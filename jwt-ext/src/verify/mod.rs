//! The verification pipeline of a request (SPEC §4) and the request state it keeps.
//!
//! Every guard runs the whole pipeline under its own policy: extraction in the policy's
//! locations, then decode, CSRF, type, freshness, revocation and the verification hook. What
//! is remembered is keyed by what it depends on, so a guard never inherits another guard's
//! answer for a different token, policy or route:
//!
//! - decodes and revocation answers by the token's text and location (the same token judged
//!   twice is decoded and looked up once);
//! - per route tried (Rocket's forwarding starts afresh): the route attribute's policy, the one
//!   token the route's guards judge (a guard finding another one refuses the request), and
//!   whether a token passed a whole guard;
//! - loaded users by token and user type.

use std::any::{Any, TypeId};
use std::sync::{Arc, Mutex, MutexGuard};

use rocket::http::Status;
use rocket::request::Outcome;
use rocket::tokio::sync::OnceCell;
use rocket::{Request, Route};

use crate::auth::Auth;
use crate::csrf;
use crate::error::AuthError;
use crate::extract::{self, JsonBody};
use crate::hooks::{self, UserLoader};
use crate::location::Location;
use crate::policy::{Policy, Requirement, RoutePolicy};
use crate::telemetry;

mod judge;

use crate::token::{self, DecodeOptions, TokenData};
pub(crate) use judge::judge;

/// The status a failed guard hands to Rocket. No application answers with it, so the fairing
/// knows that a response with this status is a catcher's answer to our failure, which it
/// replaces with the failure's own status and body; a handler that swallowed a failure
/// (`Option<Token>`) and answered by itself is left alone.
pub(crate) const GUARD_FAILED: Status = Status::new(499);

/// Everything the guards remember about one request, in one request-local slot.
#[derive(Default)]
struct RequestState {
    tokens: Mutex<Vec<Arc<Verified>>>,
    routes: Mutex<Vec<RouteScope>>,
    users: Mutex<Vec<UserEntry>>,
    /// The failure a guard reported last: the one whose status reached Rocket.
    failure: Mutex<Option<AuthError>>,
}

/// One token, as found in one location: its decode and its revocation answer.
struct Verified {
    token: Box<str>,
    location: Location,
    decoded: Result<Arc<TokenData>, AuthError>,
    revocation: OnceCell<Result<(), AuthError>>,
}

/// What the guards of one route have established.
struct RouteScope {
    route: usize,
    /// The policy its route attribute set.
    policy: Option<Policy>,
    /// The token its guards judge: the first one a guard found.
    token: Option<Arc<Verified>>,
    /// A token that passed a guard's whole pipeline, custom claims included.
    passed: Option<Arc<TokenData>>,
    /// A guard of this route refused the request's token.
    refused: bool,
}

/// A loaded user (or none), for one token and one user type.
struct UserEntry {
    token: usize,
    user_type: TypeId,
    user: Option<Arc<dyn Any + Send + Sync>>,
}

/// The request's state and the route being tried, looked up once per guard.
struct Context<'r> {
    state: &'r RequestState,
    /// The route, by address: routes live as long as the server.
    route: usize,
}

impl<'r> Context<'r> {
    fn of(req: &'r Request<'_>) -> Self {
        Context {
            state: req.local_cache(RequestState::default),
            route: req
                .route()
                .map_or(0, |route| std::ptr::from_ref::<Route>(route) as usize),
        }
    }

    /// Runs `f` on the scope of the route being tried.
    fn scope<T>(&self, f: impl FnOnce(&mut RouteScope) -> T) -> T {
        let mut routes = lock(&self.state.routes);
        let index = match routes.iter().position(|scope| scope.route == self.route) {
            Some(index) => index,
            None => {
                routes.push(RouteScope {
                    route: self.route,
                    policy: None,
                    token: None,
                    passed: None,
                    refused: false,
                });
                routes.len() - 1
            }
        };
        f(&mut routes[index])
    }
}

/// A poisoned lock only means a guard panicked mid-update of a list that is valid at every
/// step; keep serving rather than fail every later guard.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

fn with_scope<T>(req: &Request<'_>, f: impl FnOnce(&mut RouteScope) -> T) -> T {
    Context::of(req).scope(f)
}

/// The policy the route attribute of the route being tried set, or an access token.
impl Requirement for RoutePolicy {
    fn policy(req: &Request<'_>) -> Policy {
        with_scope(req, |scope| scope.policy).unwrap_or(Policy::ACCESS)
    }

    fn documented() -> Option<Policy> {
        None
    }
}

/// Records the route's policy before any other guard runs (the route attributes do).
fn set_route_policy(req: &Request<'_>, policy: Policy) {
    with_scope(req, |scope| scope.policy = Some(policy));
}

/// Remembers the failure for the fairing and hands Rocket the private status.
pub(crate) fn fail<T>(req: &Request<'_>, error: AuthError) -> Outcome<T, AuthError> {
    Outcome::Error(record(req, error))
}

pub(crate) fn record(req: &Request<'_>, error: AuthError) -> (Status, AuthError) {
    let cx = Context::of(req);
    let jti = cx.scope(|scope| {
        scope.refused = true;
        let decoded = scope.token.as_ref().map(|entry| entry.decoded.as_ref());
        decoded.and_then(|data| data.ok()?.jti().map(str::to_owned))
    });
    let first = lock(&cx.state.failure).replace(error.clone()).is_none();
    if first {
        telemetry::refused(error.kind());
        let level = auth(req)
            .ok()
            .and_then(|auth| auth.settings.failure_log_level);
        let route = req
            .route()
            .map_or_else(|| "?".to_owned(), |route| route.uri.to_string());
        telemetry::log_failure(level, &error, &route, jti.as_deref());
    }
    (GUARD_FAILED, error)
}

/// The failure that made a guard fail, for the fairing to render.
pub(crate) fn failure(req: &Request<'_>) -> Option<AuthError> {
    lock(&Context::of(req).state.failure).clone()
}

/// Records that `data` passed a guard's whole pipeline on the route being tried.
pub(crate) fn passed(req: &Request<'_>, data: &Arc<TokenData>) {
    let first = with_scope(req, |scope| {
        scope.passed.replace(Arc::clone(data)).is_none()
    });
    if first {
        telemetry::authenticated();
    }
}

/// The token that passed every guard of the route that answered, none of them refusing it.
pub(crate) fn accepted(req: &Request<'_>) -> Option<Arc<TokenData>> {
    with_scope(req, |scope| scope.passed.clone().filter(|_| !scope.refused))
}

pub(crate) fn auth<'r>(req: &'r Request<'_>) -> Result<&'r Auth, AuthError> {
    // Unreachable in practice: `Sentinel` refuses to launch guarded routes without the fairing.
    Auth::fetch(req.rocket())
}

/// Runs the whole pipeline for `policy`: `Ok(None)` when the policy is optional and no
/// location holds a token. `body` is what the [`JsonToken`](crate::JsonToken) data guard read.
pub(crate) async fn verify(
    req: &Request<'_>,
    policy: Policy,
    body: Option<&JsonBody>,
) -> Result<Option<Arc<TokenData>>, AuthError> {
    let auth = auth(req)?;
    let settings = &auth.settings;
    let locations = policy.locations.unwrap_or(&settings.locations);
    let found = match extract::find(req, settings, locations, policy.reads(), body) {
        Ok(found) => found,
        Err(AuthError::Missing(_)) if policy.optional => return Ok(None),
        Err(e) => return Err(e),
    };
    let cx = Context::of(req);
    let entry = verified(&cx, auth, &found.token, found.location).await;
    one_token_per_route(&cx, &entry)?;
    let data = entry.decoded.clone()?;
    csrf::check(&data, found.csrf)?;
    judge(auth, &policy, &data, &entry.revocation).await?;
    Ok(Some(data))
}

/// The route attribute's hidden guard: records the route's policy, then enforces it.
pub(crate) async fn enforce_route_policy(
    req: &Request<'_>,
    policy: Policy,
) -> Result<Option<Arc<TokenData>>, AuthError> {
    set_route_policy(req, policy);
    let outcome = verify(req, policy, None).await?;
    if let Some(data) = &outcome {
        passed(req, data);
    }
    Ok(outcome)
}

/// All guards of a route judge one token: another one found elsewhere is ambiguous (the same
/// text in two locations is the same token).
fn one_token_per_route(cx: &Context<'_>, entry: &Arc<Verified>) -> Result<(), AuthError> {
    cx.scope(|scope| match &scope.token {
        Some(first) if first.token != entry.token => Err(AuthError::invalid(
            "The request carries more than one token; send one",
        )),
        Some(_) => Ok(()),
        None => {
            scope.token = Some(Arc::clone(entry));
            Ok(())
        }
    })
}

/// The decode of `token` found in `location`, made once per request.
async fn verified(cx: &Context<'_>, auth: &Auth, token: &str, location: Location) -> Arc<Verified> {
    let cached = lock(&cx.state.tokens)
        .iter()
        .find(|entry| entry.location == location && *entry.token == *token)
        .cloned();
    if let Some(entry) = cached {
        return entry;
    }
    let settings = &auth.settings;
    let started = std::time::Instant::now();
    let decoded = match (
        auth.issuers.decode(settings, token).await,
        &auth.hooks.decode_key,
    ) {
        (Some(external), _) => external,
        (None, None) => token::decode(
            settings,
            token,
            settings.clock.now(),
            DecodeOptions::default(),
        ),
        (None, Some(hook)) => hooks::decode_with(settings, hook, token).await,
    };
    telemetry::verification(started.elapsed());
    let entry = Arc::new(Verified {
        token: token.into(),
        location,
        decoded: decoded.map(|mut data| {
            data.location = Some(location);
            Arc::new(data)
        }),
        revocation: OnceCell::new(),
    });
    lock(&cx.state.tokens).push(Arc::clone(&entry));
    entry
}

/// The user `loader` finds for `token`, looked up once per token and user type.
pub(crate) async fn user<L: UserLoader + ?Sized>(
    req: &Request<'_>,
    loader: &L,
    token: &Arc<TokenData>,
) -> Option<Arc<L::User>> {
    let key = Arc::as_ptr(token) as usize;
    let user_type = TypeId::of::<L::User>();
    let users = &Context::of(req).state.users;
    let cached = lock(users)
        .iter()
        .find(|entry| entry.token == key && entry.user_type == user_type)
        .map(|entry| entry.user.clone());
    let user = match cached {
        Some(user) => user,
        None => {
            let user = loader
                .load_user(token, req)
                .await
                .map(|user| Arc::new(user) as Arc<dyn Any + Send + Sync>);
            lock(users).push(UserEntry {
                token: key,
                user_type,
                user: user.clone(),
            });
            user
        }
    };
    user.and_then(|user| user.downcast::<L::User>().ok())
}
