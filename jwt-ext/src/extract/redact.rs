//! Keeping query-string tokens out of Rocket's request log line: Rocket logs a request's URI
//! after the request fairings ran, so this one (attached when `query_string` is a configured
//! location) replaces the token's value with `REDACTED` in the URI and keeps the original query
//! for [`super::query`] to read.

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::uri::Origin;
use rocket::{Data, Request};

use crate::auth::Auth;

/// The query as it arrived, when a token in it was redacted from the URI.
pub(super) struct OriginalQuery(pub(super) Option<String>);

/// Redacts the query-string token from the URI that Rocket logs and handlers see.
pub(crate) struct QueryRedaction;

#[rocket::async_trait]
impl Fairing for QueryRedaction {
    fn info(&self) -> Info {
        Info {
            name: "jwt-ext query-string token redaction",
            kind: Kind::Request,
        }
    }

    async fn on_request(&self, req: &mut Request<'_>, _: &mut Data<'_>) {
        let Some(auth) = req.rocket().state::<Auth>() else {
            return;
        };
        let name = auth.settings.query_string_name.as_str();
        let Some(query) = req.uri().query() else {
            return;
        };
        if !query.segments().any(|(field, _)| field == name) {
            return;
        }
        let original = query.as_str().to_owned();
        let redacted: Vec<String> = query
            .raw_segments()
            .map(|segment| match segment.as_str().split_once('=') {
                Some((field, _)) if decoded(field) == name => format!("{field}=REDACTED"),
                _ => segment.as_str().to_owned(),
            })
            .collect();
        let uri = format!("{}?{}", req.uri().path(), redacted.join("&"));
        if let Ok(origin) = Origin::parse_owned(uri) {
            req.local_cache(|| OriginalQuery(Some(original)));
            req.set_uri(origin);
        }
    }
}

fn decoded(field: &str) -> String {
    rocket::http::RawStr::new(field)
        .url_decode_lossy()
        .into_owned()
        .replace('+', " ")
}
