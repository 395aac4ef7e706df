//! One issuer's key cache.

use std::sync::{Arc, RwLock, RwLockReadGuard};
use std::time::{Duration, Instant};

use jsonwebtoken::{Algorithm, DecodingKey};
use rocket::tokio::sync::Mutex;

use super::fetch;
use super::jwk::IssuerKey;
use super::Lookup;
use crate::config::IssuerSettings;

/// Keys are kept this long when the provider says nothing.
const DEFAULT_MAX_AGE: Duration = Duration::from_secs(600);
/// And at least this long, at most a day, whatever it says.
const MIN_MAX_AGE: Duration = Duration::from_secs(30);
const MAX_MAX_AGE: Duration = Duration::from_secs(86_400);
/// An unknown `kid` refetches at most this often.
const COOLDOWN: Duration = Duration::from_secs(30);
/// The last good keys serve, when the provider is down, until they are this old.
const STALE_LIMIT: Duration = Duration::from_secs(86_400);

/// A trusted issuer and its keys.
pub(crate) struct Issuer {
    pub(crate) settings: IssuerSettings,
    client: reqwest::Client,
    state: Arc<RwLock<State>>,
    /// Held by the one request (or the prefetch) that is fetching.
    fetching: Arc<Mutex<()>>,
}

#[derive(Default)]
struct State {
    keys: Vec<IssuerKey>,
    /// When the keys were fetched, and until when they are fresh.
    fetched: Option<(Instant, Instant)>,
    last_attempt: Option<Instant>,
}

fn read(state: &RwLock<State>) -> RwLockReadGuard<'_, State> {
    state.read().unwrap_or_else(|e| e.into_inner())
}

impl Issuer {
    pub(crate) fn new(settings: IssuerSettings) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(fetch::DEADLINE)
            .build()
            .map_err(|e| format!("cannot build the HTTPS client: {e}"))?;
        Ok(Issuer {
            settings,
            client,
            state: Arc::default(),
            fetching: Arc::default(),
        })
    }

    /// The first fetch, in the background.
    pub(crate) fn prefetch(&self) {
        let (client, settings) = (self.client.clone(), self.settings.clone());
        let (state, fetching) = (Arc::clone(&self.state), Arc::clone(&self.fetching));
        rocket::tokio::spawn(async move {
            if let Ok(_guard) = fetching.try_lock() {
                refresh(&client, &settings, &state).await;
            }
        });
    }

    /// The key for a token of `kid` and `algorithm` (already in the issuer's allow-list).
    pub(crate) async fn key(
        &self,
        kid: Option<&str>,
        algorithm: Algorithm,
    ) -> Result<DecodingKey, Lookup> {
        let now = Instant::now();
        let (found, fresh, usable, may_refetch) = {
            let state = read(&self.state);
            let found = state
                .keys
                .iter()
                .find(|k| k.serves(kid, algorithm))
                .map(|k| k.key.clone());
            let fresh = state.fetched.is_some_and(|(_, until)| now < until);
            let usable = state
                .fetched
                .is_some_and(|(at, _)| now.duration_since(at) < STALE_LIMIT);
            let may_refetch = state
                .last_attempt
                .is_none_or(|at| now.duration_since(at) >= COOLDOWN);
            (found, fresh, usable, may_refetch)
        };
        match found {
            Some(key) if fresh || (usable && !may_refetch) => return Ok(key),
            None if usable && !may_refetch => return Err(Lookup::Unknown),
            _ => {}
        }
        // Stale keys, or an unknown kid past the cooldown: one request refetches, the others
        // carry on with what is cached. With nothing cached, a request waits for the fetch
        // under way (whose deadline bounds the wait).
        match self.fetching.try_lock() {
            Ok(_guard) if may_refetch => refresh(&self.client, &self.settings, &self.state).await,
            Ok(_) => {}
            Err(_) if !usable => drop(self.fetching.lock().await),
            Err(_) => {}
        }
        let state = read(&self.state);
        let usable = state
            .fetched
            .is_some_and(|(at, _)| Instant::now().duration_since(at) < STALE_LIMIT);
        match state.keys.iter().find(|k| k.serves(kid, algorithm)) {
            Some(key) if usable => Ok(key.key.clone()),
            _ if usable => Err(Lookup::Unknown),
            _ => Err(Lookup::Unavailable),
        }
    }
}

/// Fetches the keys; on success they replace the cached ones, on failure the cached ones stay
/// (and the failure is logged).
async fn refresh(client: &reqwest::Client, settings: &IssuerSettings, state: &RwLock<State>) {
    state
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .last_attempt = Some(Instant::now());
    match fetch::keys(client, settings).await {
        Ok(fetched) => {
            let max_age = fetched
                .max_age
                .unwrap_or(DEFAULT_MAX_AGE)
                .clamp(MIN_MAX_AGE, MAX_MAX_AGE);
            let now = Instant::now();
            let mut state = state.write().unwrap_or_else(|e| e.into_inner());
            state.keys = fetched.keys;
            state.fetched = Some((now, now + max_age));
        }
        Err(e) => rocket::warn!(
            "jwt-ext: could not fetch the keys of trusted issuer {}: {e}; the cached keys, if \
             any, stay in service",
            settings.issuer
        ),
    }
}
