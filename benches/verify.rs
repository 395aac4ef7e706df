//! The verify and issue paths against their floors, in one run: jwt-ext's whole verify path
//! (header parsing → decode → every check of SPEC §4 → in-memory revocation lookup) against a
//! bare `jsonwebtoken::decode` of the same token with the same validation, and issuing an
//! access + refresh pair against two bare `jsonwebtoken::encode` calls; for HS256, RS256, ES256
//! and EdDSA.
#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)] // a benchmark, not an API

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use criterion::{criterion_group, criterion_main, Criterion};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use jwt_ext::Auth;
use serde::{Deserialize, Serialize};

const SECRET: &str = "benchmark-secret-benchmark-secret-0123456789";
const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/keys/");

/// The payload a hand-written guard would decode: Flask-JWT-Extended's layout.
#[derive(Serialize, Deserialize)]
struct Payload {
    fresh: bool,
    iat: i64,
    jti: String,
    #[serde(rename = "type")]
    kind: String,
    sub: String,
    nbf: i64,
    csrf: String,
    exp: i64,
}

impl Payload {
    fn new(kind: &str, lifetime: i64) -> Self {
        let now = jsonwebtoken::get_current_timestamp() as i64;
        Payload {
            fresh: false,
            iat: now,
            jti: uuid::Uuid::new_v4().to_string(),
            kind: kind.into(),
            sub: "alice".into(),
            nbf: now,
            csrf: uuid::Uuid::new_v4().to_string(),
            exp: now + lifetime,
        }
    }
}

/// Polls a future that completes without waiting (the memory store's), without a runtime.
fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the memory store does not wait"),
    }
}

struct Case {
    name: &'static str,
    algorithm: Algorithm,
    config: serde_json::Value,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

fn pem(name: &str) -> Vec<u8> {
    std::fs::read(format!("{KEYS}{name}")).expect("fixture key")
}

fn cases() -> Vec<Case> {
    type Pem<K> = fn(&[u8]) -> jsonwebtoken::errors::Result<K>;
    let asymmetric = |name,
                      algorithm,
                      private: &str,
                      public: &str,
                      enc: Pem<EncodingKey>,
                      dec: Pem<DecodingKey>| Case {
        name,
        algorithm,
        config: serde_json::json!({
            "algorithm": name,
            "private_key_file": format!("{KEYS}{private}"),
            "public_key_file": format!("{KEYS}{public}"),
        }),
        encoding: enc(&pem(private)).expect("private key"),
        decoding: dec(&pem(public)).expect("public key"),
    };
    vec![
        Case {
            name: "HS256",
            algorithm: Algorithm::HS256,
            config: serde_json::json!({"secret_key": SECRET}),
            encoding: EncodingKey::from_secret(SECRET.as_bytes()).expect("key"),
            decoding: DecodingKey::from_secret(SECRET.as_bytes()).expect("key"),
        },
        asymmetric(
            "RS256",
            Algorithm::RS256,
            "rsa_private.pem",
            "rsa_public.pem",
            EncodingKey::from_rsa_pem,
            DecodingKey::from_rsa_pem,
        ),
        asymmetric(
            "ES256",
            Algorithm::ES256,
            "ec_private.pem",
            "ec_public.pem",
            EncodingKey::from_ec_pem,
            DecodingKey::from_ec_pem,
        ),
        asymmetric(
            "EdDSA",
            Algorithm::EdDSA,
            "ed_private.pem",
            "ed_public.pem",
            EncodingKey::from_ed_pem,
            DecodingKey::from_ed_pem,
        ),
    ]
}

/// An `Auth` built the way the fairing builds it, from a rocket with this configuration.
fn auth(config: serde_json::Value) -> rocket::local::blocking::Client {
    let figment = rocket::figment::Figment::from(rocket::Config::debug_default())
        .merge(("log_level", "off"))
        .merge(("jwt", config));
    rocket::local::blocking::Client::untracked(rocket::custom(figment).attach(Auth::fairing()))
        .expect("launches")
}

fn bench(c: &mut Criterion) {
    for case in cases() {
        let client = auth(case.config.clone());
        let auth = client.rocket().state::<Auth>().expect("managed");
        let token = auth.access_token("alice").issue().expect("issues");
        let header_value = format!("Bearer {token}");
        let mut validation = Validation::new(case.algorithm);
        validation.validate_nbf = true;
        validation.leeway = 0;
        // Both sides must accept the token, or the comparison means nothing.
        ready(jwt_ext::__private::verify_authorization(
            auth,
            &header_value,
        ))
        .expect("jwt-ext accepts");
        jsonwebtoken::decode::<Payload>(&token, &case.decoding, &validation)
            .expect("jsonwebtoken accepts");

        let mut group = c.benchmark_group(format!("verify/{}", case.name));
        group.bench_function("jwt-ext", |b| {
            b.iter(|| {
                ready(jwt_ext::__private::verify_authorization(
                    auth,
                    black_box(&header_value),
                ))
                .expect("valid")
            })
        });
        group.bench_function("jsonwebtoken::decode", |b| {
            b.iter(|| {
                let token = black_box(&header_value)
                    .strip_prefix("Bearer ")
                    .expect("bearer");
                jsonwebtoken::decode::<Payload>(token, &case.decoding, &validation).expect("valid")
            })
        });
        group.finish();

        let mut group = c.benchmark_group(format!("issue-pair/{}", case.name));
        group.bench_function("jwt-ext", |b| {
            b.iter(|| {
                let access = auth
                    .access_token(black_box("alice"))
                    .fresh(true)
                    .issue()
                    .expect("issues");
                let refresh = auth
                    .refresh_token(black_box("alice"))
                    .issue()
                    .expect("issues");
                (access, refresh)
            })
        });
        let header = Header::new(case.algorithm);
        group.bench_function("2x jsonwebtoken::encode", |b| {
            b.iter(|| {
                let access =
                    jsonwebtoken::encode(&header, &Payload::new("access", 900), &case.encoding)
                        .expect("encodes");
                let refresh = jsonwebtoken::encode(
                    &header,
                    &Payload::new("refresh", 2_592_000),
                    &case.encoding,
                )
                .expect("encodes");
                (access, refresh)
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
