//! The cost of each layer inside Rocket, without the network's noise: one request dispatched
//! through Rocket's local client to the floor's hand-written guard, to an unguarded route, and
//! to jwt-ext's `Token` guard (with and without the route attribute).
#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)] // a benchmark, not an API

#[allow(dead_code)] // its `main` is not called here
#[path = "floor.rs"]
mod floor;

use criterion::{criterion_group, criterion_main, Criterion};
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

fn bench(c: &mut Criterion) {
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
    let bearer = || Header::new("Authorization", format!("Bearer {token}"));
    for (client, path) in [
        (&floor, "/protected"),
        (&ours, "/protected"),
        (&ours, "/attribute"),
    ] {
        assert_eq!(
            client.get(path).header(bearer()).dispatch().status().code,
            200
        );
    }

    let mut group = c.benchmark_group("dispatch");
    group.bench_function("unguarded (floor server)", |b| {
        b.iter(|| floor.get("/public").dispatch())
    });
    group.bench_function("floor guard", |b| {
        b.iter(|| floor.get("/protected").header(bearer()).dispatch())
    });
    group.bench_function("jwt-ext Token", |b| {
        b.iter(|| ours.get("/protected").header(bearer()).dispatch())
    });
    group.bench_function("jwt-ext #[jwt_required] + Token", |b| {
        b.iter(|| ours.get("/attribute").header(bearer()).dispatch())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
