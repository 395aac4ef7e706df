//! Fetching an issuer's keys: discovery, then its JWKS, each with a deadline and a size cap.

use std::time::Duration;

use reqwest::header::CACHE_CONTROL;
use serde_json::Value;

use super::jwk::{self, IssuerKey};
use crate::config::{IssuerKeySource, IssuerSettings};

/// The deadline of one request to a provider.
pub(super) const DEADLINE: Duration = Duration::from_secs(2);
/// The largest document read from a provider.
pub(super) const MAX_BYTES: usize = 256 * 1024;

/// An issuer's keys and how long the provider said they may be kept.
pub(super) struct Fetched {
    pub(super) keys: Vec<IssuerKey>,
    pub(super) max_age: Option<Duration>,
}

/// Reads the JWKS of `issuer` (through its discovery document when configured so).
pub(super) async fn keys(
    client: &reqwest::Client,
    issuer: &IssuerSettings,
) -> Result<Fetched, String> {
    let jwks_uri = match &issuer.source {
        IssuerKeySource::Jwks(uri) => uri.clone(),
        IssuerKeySource::Discovery(url) => discover(client, issuer, url).await?,
    };
    let (document, max_age) = json(client, &jwks_uri).await?;
    Ok(Fetched {
        keys: jwk::keys(&document)?,
        max_age,
    })
}

/// The `jwks_uri` of the discovery document, whose `issuer` must be the configured one.
async fn discover(
    client: &reqwest::Client,
    issuer: &IssuerSettings,
    url: &str,
) -> Result<String, String> {
    let (document, _) = json(client, url).await?;
    if document.get("issuer").and_then(Value::as_str) != Some(issuer.issuer.as_str()) {
        return Err(format!(
            "the discovery document at {url} names another issuer"
        ));
    }
    let uri = document
        .get("jwks_uri")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("the discovery document at {url} has no `jwks_uri`"))?;
    let loopback_http = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|prefix| uri.starts_with(prefix));
    if !uri.starts_with("https://") && !loopback_http {
        return Err(format!(
            "the discovery document's `jwks_uri` {uri} is not https://"
        ));
    }
    Ok(uri.to_owned())
}

/// A JSON document, within the deadline and the size cap, with its `Cache-Control` max-age.
async fn json(client: &reqwest::Client, url: &str) -> Result<(Value, Option<Duration>), String> {
    let fetch = async {
        let mut response = client.get(url).send().await.map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("HTTP {}", response.status()));
        }
        let max_age = response
            .headers()
            .get(CACHE_CONTROL)
            .and_then(|value| value.to_str().ok())
            .and_then(max_age);
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| e.to_string())? {
            if body.len() + chunk.len() > MAX_BYTES {
                return Err(format!("larger than {} KB", MAX_BYTES / 1024));
            }
            body.extend_from_slice(&chunk);
        }
        let document = serde_json::from_slice(&body).map_err(|e| format!("not JSON ({e})"))?;
        Ok((document, max_age))
    };
    match rocket::tokio::time::timeout(DEADLINE, fetch).await {
        Ok(result) => result.map_err(|e| format!("{url}: {e}")),
        Err(_) => Err(format!("{url}: no answer within {} s", DEADLINE.as_secs())),
    }
}

/// `max-age=<seconds>` of a `Cache-Control` value; `no-store`/`no-cache` count as 0.
fn max_age(value: &str) -> Option<Duration> {
    value.split(',').map(str::trim).find_map(|directive| {
        if directive.eq_ignore_ascii_case("no-store") || directive.eq_ignore_ascii_case("no-cache")
        {
            return Some(Duration::ZERO);
        }
        let (name, seconds) = directive.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("max-age")
            .then(|| seconds.trim().parse().ok().map(Duration::from_secs))
            .flatten()
    })
}
