//! The quickstart's routes plus `GET /metrics` for Prometheus: jwt-ext's metrics (SPEC §16)
//! through the `metrics` facade and `metrics-exporter-prometheus`.
//!
//! ```sh
//! cargo run --example metrics
//! curl -s localhost:8000/metrics | grep jwt_ext
//! ```
//!
//! jwt-ext records through whatever recorder the app installs (none: nothing is recorded, at no
//! measurable cost): `jwt_ext.authentications` (`outcome`, `error.type`),
//! `jwt_ext.tokens.issued` (`token.type`), `jwt_ext.revocations` (`kind`),
//! `jwt_ext.store.errors` (`store`), and the histograms `jwt_ext.verification.duration` and
//! `jwt_ext.store.duration` (seconds). Prometheus spells the dots as underscores.

#[allow(dead_code)] // its `main` is not this example's
#[path = "quickstart.rs"]
mod quickstart;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use rocket::{get, routes, Build, Rocket, State};

#[get("/metrics")]
fn metrics(handle: &State<PrometheusHandle>) -> String {
    handle.render()
}

/// The quickstart with a Prometheus recorder installed and its page mounted.
pub fn rocket() -> Rocket<Build> {
    let handle = PrometheusBuilder::new()
        .install_recorder()
        .unwrap_or_else(|e| panic!("a metrics recorder is already installed: {e}"));
    quickstart::rocket()
        .manage(handle)
        .mount("/", routes![metrics])
}

#[rocket::main]
async fn main() -> Result<(), Box<rocket::Error>> {
    rocket().launch().await.map(|_| ()).map_err(Box::new)
}
