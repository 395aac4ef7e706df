//! What the fuzz targets do with one input, shared with `tests/fuzz_corpus.rs`, which replays
//! the committed corpus through the same code in the normal test suite.
//!
//! Tokens need no `exp` here (`require_exp = false`), so the seed tokens stay valid and the
//! fuzzer reaches every stage of the pipeline, not only "expired".

#![allow(dead_code)] // each target uses one half

use jwt_ext::{Auth, JsonToken, Token};
use rocket::http::{ContentType, Cookie, Header};
use rocket::local::blocking::Client;
use rocket::{get, post, routes};

/// The secret the seed tokens are signed with.
pub const SECRET: &str = "fuzz-secret-fuzz-secret-fuzz-secret-0123";

#[get("/t")]
fn read(token: Token<serde_json::Map<String, serde_json::Value>>) -> String {
    format!("{} {}", token.identity(), token.claims().len())
}

#[post("/t", data = "<body>")]
fn read_body(body: JsonToken) -> String {
    body.identity().to_owned()
}

/// A server with every location on, the JSON body first.
pub fn client() -> Client {
    let figment = rocket::Config::figment()
        .merge(("log_level", "off"))
        .merge((
            "jwt",
            serde_json::json!({
                "secret_key": SECRET,
                "require_exp": false,
                "token_location": ["json", "headers", "cookies", "query_string"],
            }),
        ));
    let rocket = rocket::custom(figment)
        .attach(Auth::fairing())
        .mount("/", routes![read, read_body]);
    Client::untracked(rocket).expect("the fuzz server launches")
}

/// The verify entry point on `data` as an `Authorization` value and as a bare token.
pub fn verify(client: &Client, runtime: &rocket::tokio::runtime::Runtime, data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(auth) = client.rocket().state::<Auth>() else {
        return;
    };
    let _ = runtime.block_on(jwt_ext::__private::verify_authorization(auth, text));
    if let Ok(token) = auth.decode(text) {
        // A verified token's payload is exactly what was signed: re-reading it must agree.
        assert_eq!(
            token.payload().get("sub").and_then(|s| s.as_str()),
            Some(token.identity())
        );
    }
    let _ = auth.unverified_header(text);
}

/// One request whose first byte picks the location the rest of `data` travels in; whatever
/// it holds, the answer is never a server error.
pub fn request(client: &Client, data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest).into_owned();
    let response = match selector % 5 {
        0 => client
            .get("/t")
            .header(Header::new("Authorization", text))
            .dispatch(),
        1 => client
            .get("/t")
            .cookie(Cookie::new("access_token_cookie", text))
            .dispatch(),
        2 => client.get(format!("/t?{}", query(rest))).dispatch(),
        3 => client
            .post("/t")
            .header(ContentType::JSON)
            .body(rest)
            .dispatch(),
        _ => client
            .get("/t")
            .header(Header::new("Authorization", format!("Bearer {text}")))
            .header(Header::new("Authorization", "Bearer x"))
            .dispatch(),
    };
    let status = response.status().code;
    assert!((200..500).contains(&status), "answered {status}");
}

/// `data` as a query string: query characters kept, everything else percent-encoded.
fn query(data: &[u8]) -> String {
    data.iter()
        .map(|&b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'=' | b'&' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
