//! [`AuthFairing`]: reads the configuration at ignition, registers hooks, renders failures.

use std::sync::{Arc, Mutex};

use rocket::fairing::{self, Fairing, Info, Kind};
use rocket::{Build, Request, Response, Rocket};
use serde_json::{Map, Value};

use crate::auth::Auth;
use crate::blocklist::{Blocklist, MemoryBlocklist};
use crate::config::{BlocklistSetting, Config, Settings};
use crate::error::{AuthError, ErrorKind};
use crate::extract::QueryRedaction;
use crate::hooks::{Hooks, KeyFuture, UserLoader};
use crate::implicit_refresh::implicit_refresh;
use crate::issuers::Issuers;
use crate::keys::KeyChoice;
use crate::kind::TokenType;
use crate::location::Location;
use crate::token::TokenData;
use crate::verify::{self, GUARD_FAILED};

/// The fairing that sets up JWT authentication, and the builder where hooks are registered.
///
/// At ignition it reads the `jwt` table of Rocket's configuration, checks every key (a bad
/// value aborts launch with a message naming the key) and puts an [`Auth`] in managed state.
/// It also turns a failed JWT guard's status into the JSON response of SPEC §9, without
/// touching the app's own catchers for other failures.
///
/// ```no_run
/// use jwt_ext::Auth;
///
/// #[rocket::launch]
/// fn rocket() -> _ {
///     rocket::build().attach(
///         Auth::fairing()
///             .additional_claims(|_identity, _kind| {
///                 let mut claims = serde_json::Map::new();
///                 claims.insert("aud_hint".into(), "demo".into());
///                 claims
///             })
///             .token_verification(|token| !token.identity().is_empty()),
///     )
/// }
/// ```
#[derive(Default)]
pub struct AuthFairing {
    // `on_ignite` only gets `&self` and moves the hooks into `Auth`, hence the lock.
    pending: Mutex<Pending>,
}

#[derive(Default)]
struct Pending {
    hooks: Hooks,
    blocklist: Option<Arc<dyn Blocklist>>,
}

impl Auth {
    /// The fairing that reads the configuration and puts an `Auth` in managed state.
    pub fn fairing() -> AuthFairing {
        AuthFairing::default()
    }
}

impl AuthFairing {
    fn pending(&mut self) -> &mut Pending {
        self.pending.get_mut().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers the loader behind [`CurrentUser<L::User>`](crate::CurrentUser). One loader per
    /// user type; a second one for the same type replaces the first.
    pub fn user_loader<L: UserLoader>(mut self, loader: L) -> Self {
        self.pending().hooks.add_user_loader(loader);
        self
    }

    /// Claims added to every new token (Flask's `additional_claims_loader`). Claims given to
    /// the [`TokenBuilder`](crate::TokenBuilder) win over these.
    pub fn additional_claims<F>(mut self, hook: F) -> Self
    where
        F: Fn(&str, TokenType) -> Map<String, Value> + Send + Sync + 'static,
    {
        self.pending().hooks.additional_claims = Some(Box::new(hook));
        self
    }

    /// Header parameters added to every new token (Flask's `additional_headers_loader`).
    pub fn additional_headers<F>(mut self, hook: F) -> Self
    where
        F: Fn(&str, TokenType) -> Map<String, Value> + Send + Sync + 'static,
    {
        self.pending().hooks.additional_headers = Some(Box::new(hook));
        self
    }

    /// A last check of every verified token (Flask's `token_verification_loader`); `false`
    /// answers 400 `User claims verification failed`.
    pub fn token_verification<F>(mut self, hook: F) -> Self
    where
        F: Fn(&TokenData) -> bool + Send + Sync + 'static,
    {
        self.pending().hooks.token_verification = Some(Box::new(hook));
        self
    }

    /// Chooses the key of each received token from its unverified header and payload (Flask's
    /// `decode_key_loader`), e.g. a tenant's secret. The payload is then parsed before the
    /// signature is checked (for this hook only). The token's `alg` must still be in the
    /// allow-list and fit the chosen key; an `Err` answers 422 like a bad signature.
    /// [`Auth::decode`](crate::Auth::decode) does not consult it (it is not async).
    ///
    /// ```
    /// use jwt_ext::{Auth, KeyChoice};
    ///
    /// let fairing = Auth::fairing().decode_key(|_header, payload| {
    ///     let tenant = payload.get("tenant").and_then(|t| t.as_str()).map(str::to_owned);
    ///     Box::pin(async move {
    ///         match tenant.as_deref() {
    ///             Some("acme") => Ok(KeyChoice::Secret(b"acme's secret: 32 bytes or more!!".to_vec())),
    ///             _ => Err("unknown tenant".to_owned()),
    ///         }
    ///     })
    /// });
    /// ```
    pub fn decode_key<F>(mut self, hook: F) -> Self
    where
        F: Fn(&Map<String, Value>, &Map<String, Value>) -> KeyFuture<KeyChoice>
            + Send
            + Sync
            + 'static,
    {
        self.pending().hooks.decode_key = Some(Box::new(hook));
        self
    }

    /// Chooses the `kid` of `keys` that signs each new token from its identity and type
    /// (Flask's `encode_key_loader`); `Ok(None)` signs with `signing_key`. Tokens are then
    /// issued with [`TokenBuilder::issue_async`](crate::TokenBuilder::issue_async) (the sync
    /// `issue` says so); an `Err` fails the issue.
    pub fn encode_key<F>(mut self, hook: F) -> Self
    where
        F: Fn(&str, TokenType) -> KeyFuture<Option<String>> + Send + Sync + 'static,
    {
        self.pending().hooks.encode_key = Some(Box::new(hook));
        self
    }

    /// Replaces the response for one kind of failure (Flask's `expired_token_loader`,
    /// `invalid_token_loader`, ...).
    ///
    /// ```
    /// use jwt_ext::{json_response, Auth, ErrorKind};
    /// use rocket::http::Status;
    ///
    /// let fairing = Auth::fairing().on_error(ErrorKind::Expired, |_err, _req| {
    ///     json_response(Status::Unauthorized, &serde_json::json!({"error": "session over"}))
    /// });
    /// ```
    pub fn on_error<F>(mut self, kind: ErrorKind, hook: F) -> Self
    where
        F: Fn(&AuthError, &Request<'_>) -> Response<'static> + Send + Sync + 'static,
    {
        self.pending().hooks.errors.insert(kind, Box::new(hook));
        self
    }

    /// Uses this revocation store instead of the one named by `jwt.blocklist`.
    pub fn blocklist(mut self, store: impl Blocklist) -> Self {
        self.pending().blocklist = Some(Arc::new(store));
        self
    }
}

impl Pending {
    fn build(&mut self, config: Config) -> Result<Auth, String> {
        crate::keys::ensure_crypto_provider()?;
        let settings = Settings::from_config(config).map_err(|e| e.to_string())?;
        let (blocklist, store) = match (self.blocklist.take(), &settings.blocklist) {
            (Some(store), _) => (store, "custom"),
            (None, BlocklistSetting::Memory) => (
                Arc::new(MemoryBlocklist::new()) as Arc<dyn Blocklist>,
                "memory",
            ),
            (None, BlocklistSetting::Redis { .. }) => (redis_store(&settings.blocklist)?, "redis"),
        };
        let issuers = Issuers::new(&settings.issuers)?;
        Ok(Auth {
            settings,
            hooks: std::mem::take(&mut self.hooks),
            blocklist,
            issuers,
            store,
        })
    }
}

#[cfg(feature = "redis")]
fn redis_store(setting: &BlocklistSetting) -> Result<Arc<dyn Blocklist>, String> {
    use crate::blocklist::RedisBlocklist;
    use crate::config::RedisTopology;
    let BlocklistSetting::Redis {
        topology,
        prefix,
        timeout,
        cache,
    } = setting
    else {
        return Err("`jwt.blocklist`: not a Redis store".into());
    };
    let store = match topology {
        RedisTopology::Standalone(url) => RedisBlocklist::open(url),
        RedisTopology::Cluster(nodes) => RedisBlocklist::open_cluster(nodes),
        RedisTopology::Sentinel { sentinels, service } => {
            RedisBlocklist::open_sentinel(sentinels, service)
        }
    }
    .map_err(|e| format!("`jwt.blocklist`: {e}"))?
    .with_prefix(prefix.as_str())
    .with_timeout(*timeout)
    .with_cache(*cache);
    Ok(Arc::new(store))
}

#[cfg(not(feature = "redis"))]
fn redis_store(_: &BlocklistSetting) -> Result<Arc<dyn Blocklist>, String> {
    Err(
        "`jwt.blocklist`: a Redis store needs jwt-ext's `redis` feature (enable it in \
         Cargo.toml), or use `memory`"
            .into(),
    )
}

#[rocket::async_trait]
impl Fairing for AuthFairing {
    fn info(&self) -> Info {
        Info {
            name: "jwt-ext",
            kind: Kind::Ignite | Kind::Liftoff | Kind::Response | Kind::Singleton,
        }
    }

    /// The trusted issuers' first key fetches start here, on Rocket's runtime, without
    /// holding up the launch.
    async fn on_liftoff(&self, rocket: &Rocket<rocket::Orbit>) {
        if let Some(auth) = rocket.state::<Auth>() {
            auth.issuers.prefetch();
        }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        let config = match Config::extract(rocket.figment()) {
            Ok(config) => config,
            Err(errors) => {
                for error in errors {
                    rocket::error!("jwt-ext: {error}");
                }
                return Err(rocket);
            }
        };
        let built = match self.pending.lock() {
            Ok(mut pending) => pending.build(config),
            Err(_) => Err("the fairing was poisoned by an earlier panic".to_owned()),
        };
        if let Ok(auth) = &built {
            warn_about_release(&rocket, auth);
            // Failures are the store's to log: checks fail closed until it answers.
            let _ = auth.blocklist.prepare().await;
        }
        match built {
            // Reading CSRF values from forms costs a look at every form body: only when asked.
            Ok(auth) => {
                // Each costs a look at every request: only when its location is configured.
                let form_csrf = auth.settings.csrf_check_form;
                let query = auth.settings.locations.contains(&Location::QueryString);
                let mut rocket = rocket.manage(auth);
                if form_csrf {
                    rocket = rocket.attach(FormCsrfFairing);
                }
                if query {
                    rocket = rocket.attach(QueryRedaction);
                }
                Ok(rocket)
            }
            Err(message) => {
                rocket::error!("jwt-ext: {message}");
                Err(rocket)
            }
        }
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        let Some(auth) = req.rocket().state::<Auth>() else {
            return;
        };
        if res.status().code < 400 {
            implicit_refresh(auth, req, res).await;
            return;
        }
        // Only a catcher's answer to our own failure carries this status; every response the
        // application produced itself (its own 401s, say) is left as it is.
        if res.status() != GUARD_FAILED {
            return;
        }
        if let Some(error) = verify::failure(req) {
            res.merge(auth.error_response(&error, req));
        }
    }
}

/// Runs [`read_form`] on every request; attached by the main fairing when `csrf_check_form`
/// is on.
struct FormCsrfFairing;

#[rocket::async_trait]
impl rocket::fairing::Fairing for FormCsrfFairing {
    fn info(&self) -> rocket::fairing::Info {
        rocket::fairing::Info {
            name: "jwt-ext CSRF form fields",
            kind: rocket::fairing::Kind::Request,
        }
    }

    async fn on_request(&self, req: &mut Request<'_>, data: &mut rocket::Data<'_>) {
        if let Some(auth) = req.rocket().state::<Auth>() {
            crate::csrf::read_form(&auth.settings, req, data).await;
        }
    }
}

/// In Rocket's release profile, cookies without `Secure` travel in clear over plain HTTP.
fn warn_about_release(rocket: &Rocket<Build>, auth: &Auth) {
    let settings = &auth.settings;
    let release = rocket.figment().profile() == rocket::Config::RELEASE_PROFILE;
    let cookies = settings
        .locations
        .contains(&crate::location::Location::Cookies);
    let tls = rocket.figment().find_value("tls").is_ok();
    if release && cookies && !settings.cookie_secure && !tls {
        rocket::warn!(
            "jwt-ext: tokens travel in cookies without `Secure` in the release profile: set \
             `jwt.cookie_secure = true` (behind HTTPS), or they can leak over plain HTTP"
        );
    }
}
