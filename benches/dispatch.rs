//! The cost of each layer inside Rocket, without the network's noise: one request dispatched
//! through Rocket's local client to the floor's hand-written guard, to an unguarded route, and
//! to jwt-ext's `Token` guard (with and without the route attribute).
#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)] // a benchmark, not an API

#[allow(dead_code)] // its `main` is not called here
#[path = "floor.rs"]
mod floor;

use criterion::{criterion_group, Criterion};
use jwt_ext::{jwt_required, Auth, Token};
use rocket::http::Header;
use rocket::local::blocking::Client;
use rocket::serde::json::{json, Json, Value};
use rocket::{get, routes};

const SECRET: &str = "jwt-ext quickstart demo secret -- replace me in production!";

#[get("/protected")]
fn bare(token: Token) -> Json<Value> {
    Json(json!({"logged_in_as": token.identity()}))
}

#[jwt_required]
#[get("/attribute")]
fn attribute(token: Token) -> Json<Value> {
    Json(json!({"logged_in_as": token.identity()}))
}

/// The floor server, ours, and a valid access token for both.
struct Setup {
    floor: Client,
    ours: Client,
    token: String,
}

impl Setup {
    fn new() -> Self {
        let floor = Client::untracked(
            floor::rocket().configure(rocket::Config::figment().merge(("log_level", "off"))),
        )
        .expect("the floor launches");
        let figment = rocket::Config::figment()
            .merge(("log_level", "off"))
            .merge(("jwt.secret_key", SECRET));
        let ours = Client::untracked(
            rocket::custom(figment)
                .attach(Auth::fairing())
                .mount("/", routes![bare, attribute]),
        )
        .expect("launches");
        let token = ours
            .rocket()
            .state::<Auth>()
            .unwrap()
            .access_token("test")
            .issue()
            .unwrap();
        let setup = Setup { floor, ours, token };
        for variant in VARIANTS {
            assert_eq!(setup.dispatch(variant), 200, "{variant}");
        }
        setup
    }

    /// One request of `variant`; its status.
    fn dispatch(&self, variant: &str) -> u16 {
        let bearer = Header::new("Authorization", format!("Bearer {}", self.token));
        let response = match variant {
            "unguarded" => self.floor.get("/public").dispatch(),
            "floor" => self.floor.get("/protected").header(bearer).dispatch(),
            "token" => self.ours.get("/protected").header(bearer).dispatch(),
            _ => self.ours.get("/attribute").header(bearer).dispatch(),
        };
        response.status().code
    }
}

const VARIANTS: [&str; 4] = ["unguarded", "floor", "token", "attribute"];

fn bench(c: &mut Criterion) {
    let setup = Setup::new();
    let mut group = c.benchmark_group("dispatch");
    for (variant, name) in VARIANTS.iter().zip([
        "unguarded (floor server)",
        "floor guard",
        "jwt-ext Token",
        "jwt-ext #[jwt_required] + Token",
    ]) {
        group.bench_function(name, |b| b.iter(|| setup.dispatch(variant)));
    }
    group.finish();
}

/// `JWT_EXT_PROBE=<variant>:<n>` dispatches `n` requests of one variant and exits: run under
/// `valgrind --tool=callgrind` at two `n`s, the difference is instructions per request
/// (`benches/instructions.sh`), a figure that does not move with the machine's load.
fn probe(spec: &str) {
    let (variant, n) = spec.split_once(':').expect("JWT_EXT_PROBE=<variant>:<n>");
    let n: usize = n.parse().expect("a request count");
    let setup = Setup::new();
    for _ in 0..n {
        assert_eq!(setup.dispatch(variant), 200);
    }
}

criterion_group!(benches, bench);

fn main() {
    match std::env::var("JWT_EXT_PROBE") {
        Ok(spec) => probe(&spec),
        Err(_) => {
            benches();
            Criterion::default().configure_from_args().final_summary();
        }
    }
}
