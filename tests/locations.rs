//! Cookies (with CSRF), the query string and the JSON body, and their precedence.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

mod common;

use common::*;
use jwt_ext::{Auth, JsonToken, Refresh, Token};
use rocket::http::{ContentType, Cookie, Header, Status};
use rocket::local::blocking::Client;
use rocket::{delete, get, post, put, routes};
use serde_json::{json, Value};

#[get("/protected")]
fn protected(token: Token) -> String {
    format!(
        "{} via {}",
        token.identity(),
        token.location().map_or("?", |l| l.as_str())
    )
}

#[delete("/protected")]
fn protected_delete(token: Token) -> String {
    token.identity().to_owned()
}

#[post("/refresh")]
fn refresh(token: Token<(), Refresh>) -> String {
    token.identity().to_owned()
}

#[post("/json", data = "<req>")]
fn json_route(req: JsonToken) -> Value {
    json!({"who": req.identity(), "via": req.location().map(|l| l.as_str()), "text": req.body()["text"]})
}

#[post("/json-refresh", data = "<req>")]
fn json_refresh(req: JsonToken<(), Refresh>) -> String {
    req.identity().to_owned()
}

fn app(locations: Value) -> Client {
    let rocket = rocket_with(json!({"token_location": locations}))
        .attach(Auth::fairing())
        .mount(
            "/",
            routes![
                protected,
                protected_delete,
                refresh,
                json_route,
                json_refresh
            ],
        );
    client(rocket)
}

fn tokens(client: &Client) -> (String, String) {
    let auth = auth(client);
    (
        auth.access_token("alice").issue().expect("issues"),
        auth.refresh_token("alice").issue().expect("issues"),
    )
}

#[test]
fn query_string_location() {
    let client = app(json!(["query_string"]));
    let (access, _) = tokens(&client);
    assert_eq!(
        answer(client.get(format!("/protected?jwt={access}")).dispatch()),
        (Status::Ok, json!("alice via query_string"))
    );
    assert_eq!(
        answer(client.get("/protected").dispatch()),
        (Status::Unauthorized, msg("Missing 'jwt' query parameter"))
    );
    assert_eq!(
        answer(client.get("/protected?jwt=").dispatch()),
        (Status::Unauthorized, msg("Missing 'jwt' query parameter"))
    );
    assert_eq!(
        answer(client.get("/protected?jwt=a.b").dispatch()),
        (Status::UnprocessableEntity, msg("Not enough segments"))
    );
}

#[test]
fn query_string_name_and_prefix() {
    let rocket = rocket_with(json!({"token_location": "query_string", "query_string_name": "token", "query_string_value_prefix": "Bearer "}))
        .attach(Auth::fairing())
        .mount("/", routes![protected]);
    let client = client(rocket);
    let (access, _) = tokens(&client);
    assert_eq!(
        answer(
            client
                .get(format!("/protected?token=Bearer%20{access}"))
                .dispatch()
        )
        .0,
        Status::Ok
    );
    assert_eq!(
        answer(client.get(format!("/protected?token={access}")).dispatch()),
        (Status::UnprocessableEntity, msg("Invalid value for query parameter 'token'. Expected the value to start with 'Bearer '"))
    );
}

#[test]
fn cookie_location_reads_the_cookie_of_the_route_kind() {
    let client = app(json!(["cookies"]));
    let (access, refresh) = tokens(&client);
    let get = client
        .get("/protected")
        .cookie(Cookie::new("access_token_cookie", access.clone()));
    assert_eq!(
        answer(get.dispatch()),
        (Status::Ok, json!("alice via cookies"))
    );
    assert_eq!(
        answer(client.get("/protected").dispatch()),
        (
            Status::Unauthorized,
            msg("Missing cookie \"access_token_cookie\"")
        )
    );
    let csrf = auth(&client)
        .csrf_token(&refresh)
        .expect("valid")
        .expect("a csrf claim");
    let post = client
        .post("/refresh")
        .cookie(Cookie::new("refresh_token_cookie", refresh))
        .header(Header::new("X-CSRF-TOKEN", csrf));
    assert_eq!(answer(post.dispatch()), (Status::Ok, json!("alice")));
    let post = client
        .post("/refresh")
        .cookie(Cookie::new("access_token_cookie", access));
    assert_eq!(
        answer(post.dispatch()),
        (
            Status::Unauthorized,
            msg("Missing cookie \"refresh_token_cookie\"")
        )
    );
}

#[test]
fn csrf_is_checked_on_the_configured_methods_only() {
    let client = app(json!(["cookies"]));
    let (access, _) = tokens(&client);
    let csrf = auth(&client)
        .csrf_token(&access)
        .expect("valid")
        .expect("a csrf claim");
    let cookie = || Cookie::new("access_token_cookie", access.clone());
    assert_eq!(
        answer(client.get("/protected").cookie(cookie()).dispatch()).0,
        Status::Ok
    );
    assert_eq!(
        answer(client.delete("/protected").cookie(cookie()).dispatch()),
        (Status::Unauthorized, msg("Missing CSRF token"))
    );
    let wrong = client
        .delete("/protected")
        .cookie(cookie())
        .header(Header::new("X-CSRF-TOKEN", "nope"));
    assert_eq!(
        answer(wrong.dispatch()),
        (
            Status::Unauthorized,
            msg("CSRF double submit tokens do not match")
        )
    );
    let right = client
        .delete("/protected")
        .cookie(cookie())
        .header(Header::new("X-CSRF-TOKEN", csrf));
    assert_eq!(answer(right.dispatch()), (Status::Ok, json!("alice")));

    let unprotected =
        rocket_with(json!({"token_location": ["cookies"], "cookie_csrf_protect": false}))
            .attach(Auth::fairing())
            .mount("/", routes![protected_delete]);
    let unprotected = common::client(unprotected);
    let token = auth(&unprotected)
        .access_token("alice")
        .issue()
        .expect("issues");
    assert!(auth(&unprotected)
        .decode(&token)
        .expect("valid")
        .csrf()
        .is_none());
    let delete = unprotected
        .delete("/protected")
        .cookie(Cookie::new("access_token_cookie", token));
    assert_eq!(answer(delete.dispatch()), (Status::Ok, json!("alice")));
}

#[test]
fn locations_are_tried_in_order_and_only_absence_moves_on() {
    let client = app(json!(["headers", "cookies", "query_string"]));
    let (access, _) = tokens(&client);
    let cookie = Cookie::new("access_token_cookie", access.clone());
    assert_eq!(
        answer(client.get("/protected").cookie(cookie.clone()).dispatch()),
        (Status::Ok, json!("alice via cookies"))
    );
    let both = client
        .get(format!("/protected?jwt={access}"))
        .header(bearer(&access))
        .cookie(cookie.clone());
    assert_eq!(
        answer(both.dispatch()),
        (Status::Ok, json!("alice via headers"))
    );
    // A bad header is the answer; the cookie behind it is not consulted.
    let bad_header = client
        .get("/protected")
        .header(Header::new("Authorization", "Bearer"))
        .cookie(cookie);
    assert_eq!(answer(bad_header.dispatch()).0, Status::UnprocessableEntity);
    // So is a present but invalid token.
    let bad_token = client
        .get(format!("/protected?jwt={access}"))
        .header(bearer("x.y.z"));
    assert_eq!(answer(bad_token.dispatch()).0, Status::UnprocessableEntity);
    assert_eq!(
        answer(client.get("/protected").dispatch()),
        (
            Status::Unauthorized,
            msg("Missing JWT in headers, cookies or query_string (Missing Authorization Header; Missing cookie \"access_token_cookie\"; Missing 'jwt' query parameter)")
        )
    );
}

#[test]
fn json_body_location() {
    let client = app(json!(["headers", "json"]));
    let (access, refresh) = tokens(&client);
    let post = |path: &str, body: String| {
        answer(
            client
                .post(path.to_owned())
                .header(ContentType::JSON)
                .body(body)
                .dispatch(),
        )
    };
    assert_eq!(
        post(
            "/json",
            json!({"access_token": access, "text": "hi"}).to_string()
        ),
        (
            Status::Ok,
            json!({"who": "alice", "via": "json", "text": "hi"})
        )
    );
    assert_eq!(
        post(
            "/json-refresh",
            json!({"refresh_token": refresh}).to_string()
        ),
        (Status::Ok, json!("alice"))
    );
    let missing = msg("Missing JWT in headers or json (Missing Authorization Header; Missing \"access_token\" key in json data.)");
    for body in [
        json!({"text": "hi"}).to_string(),
        "[1]".into(),
        "not json".into(),
        json!({"access_token": 5}).to_string(),
    ] {
        assert_eq!(
            post("/json", body.clone()),
            (Status::Unauthorized, missing.clone()),
            "{body}"
        );
    }
    let plain = client
        .post("/json")
        .header(ContentType::Plain)
        .body(json!({"access_token": access}).to_string());
    assert_eq!(
        answer(plain.dispatch()),
        (Status::Unauthorized, msg("Missing JWT in headers or json (Missing Authorization Header; Invalid content-type. Must be application/json.)"))
    );
    let header_first = client
        .post("/json")
        .header(bearer(&access))
        .header(ContentType::JSON)
        .body(r#"{"text": "yo"}"#);
    assert_eq!(
        answer(header_first.dispatch()),
        (
            Status::Ok,
            json!({"who": "alice", "via": "headers", "text": "yo"})
        )
    );
    assert_eq!(
        post("/json", json!({"access_token": "a.b"}).to_string()),
        (Status::UnprocessableEntity, msg("Not enough segments"))
    );
}

#[put("/protected")]
fn protected_put(token: Token) -> String {
    token.identity().to_owned()
}

#[test]
fn a_method_override_never_skips_the_csrf_check() {
    // PUT is left out of `csrf_methods`: only the original POST makes the check due.
    let rocket = rocket_with(json!({"token_location": ["cookies"], "csrf_methods": ["POST"]}))
        .attach(Auth::fairing())
        .mount("/", routes![protected, protected_put]);
    let client = common::client(rocket);
    let (access, _) = tokens(&client);
    let cookie = || Cookie::new("access_token_cookie", access.clone());
    for body in ["_method=PUT&note=x", "_method=GET"] {
        let overridden = client
            .post("/protected")
            .header(ContentType::Form)
            .cookie(cookie())
            .body(body);
        assert_eq!(
            answer(overridden.dispatch()),
            (Status::Unauthorized, msg("Missing CSRF token")),
            "{body}"
        );
    }
    let csrf = auth(&client)
        .csrf_token(&access)
        .expect("valid")
        .expect("csrf");
    let with_csrf = client
        .post("/protected")
        .header(ContentType::Form)
        .header(Header::new("X-CSRF-TOKEN", csrf))
        .cookie(cookie())
        .body("_method=PUT");
    assert_eq!(answer(with_csrf.dispatch()), (Status::Ok, json!("alice")));
    // A PUT that was a PUT is not checked here, as configured.
    assert_eq!(
        answer(client.put("/protected").cookie(cookie()).dispatch()).0,
        Status::Ok
    );
}

#[delete("/logout")]
fn logout(auth: &Auth, _token: Token, jar: &rocket::http::CookieJar<'_>) -> &'static str {
    auth.unset_jwt_cookies(jar);
    "bye"
}

#[delete("/revoke")]
async fn revoke(auth: &Auth, token: Token) -> Result<&'static str, jwt_ext::AuthError> {
    auth.revoke(&token).await.map(|()| "revoked")
}

fn refreshing_app() -> Client {
    let rocket = rocket_with(
        json!({"token_location": ["headers", "cookies"], "implicit_refresh_window": 120}),
    )
    .attach(Auth::fairing())
    .mount("/", routes![protected, logout, revoke]);
    common::client(rocket)
}

fn access_cookie(response: &rocket::local::blocking::LocalResponse<'_>) -> Option<String> {
    response.headers().get("Set-Cookie").find_map(|c| {
        c.strip_prefix("access_token_cookie=")
            .map(|v| v.split(';').next().unwrap_or("").to_owned())
    })
}

#[test]
fn an_expiring_access_cookie_is_refreshed_by_the_response() {
    let client = refreshing_app();
    let auth = auth(&client);
    let expiring = auth
        .access_token("alice")
        .expires_in(std::time::Duration::from_secs(60))
        .issue()
        .unwrap();
    let response = client
        .get("/protected")
        .cookie(Cookie::new("access_token_cookie", expiring.clone()))
        .dispatch();
    assert_eq!(response.status(), Status::Ok);
    let csrf_set = response
        .headers()
        .get("Set-Cookie")
        .any(|c| c.starts_with("csrf_access_token="));
    let new = access_cookie(&response).expect("a new access cookie");
    assert!(csrf_set);
    let data = auth.decode(&new).unwrap();
    assert_eq!(data.identity(), "alice");
    assert!(data.expires_at().unwrap() > auth.decode(&expiring).unwrap().expires_at().unwrap());

    // Far from expiry, in a header, or on a failed request: nothing.
    let fresh = auth.access_token("alice").issue().unwrap();
    let response = client
        .get("/protected")
        .cookie(Cookie::new("access_token_cookie", fresh))
        .dispatch();
    assert_eq!(access_cookie(&response), None);
    let response = client
        .get("/protected")
        .header(bearer(&expiring))
        .dispatch();
    assert_eq!(access_cookie(&response), None);
}

#[test]
fn implicit_refresh_never_resurrects_an_ended_session() {
    let client = refreshing_app();
    let auth = auth(&client);
    let expiring = || {
        auth.access_token("alice")
            .expires_in(std::time::Duration::from_secs(60))
            .issue()
            .unwrap()
    };
    let with_csrf = |token: &str| {
        let csrf = auth.csrf_token(token).unwrap().unwrap();
        (
            Cookie::new("access_token_cookie", token.to_owned()),
            Header::new("X-CSRF-TOKEN", csrf),
        )
    };

    let token = expiring();
    let (cookie, csrf) = with_csrf(&token);
    let response = client
        .delete("/logout")
        .cookie(cookie)
        .header(csrf)
        .dispatch();
    assert_eq!(response.status(), Status::Ok);
    let set: Vec<&str> = response.headers().get("Set-Cookie").collect();
    assert!(
        set.iter()
            .all(|c| !c.starts_with("access_token_cookie=") || c.contains("Max-Age=0")),
        "{set:?}"
    );

    let token = expiring();
    let (cookie, csrf) = with_csrf(&token);
    let response = client
        .delete("/revoke")
        .cookie(cookie)
        .header(csrf)
        .dispatch();
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(access_cookie(&response), None);
}

#[post("/cookie-login")]
fn cookie_login(auth: &Auth, jar: &rocket::http::CookieJar<'_>) -> &'static str {
    let token = auth.access_token("alice").issue().unwrap_or_default();
    auth.set_access_cookies(jar, &token);
    "in"
}

#[test]
fn cookie_attributes_follow_the_configuration() {
    let rocket = rocket_with(json!({
        "token_location": ["cookies"], "cookie_secure": true, "cookie_domain": "example.com",
        "cookie_samesite": "Strict", "session_cookie": false, "access_cookie_path": "/api",
        "access_csrf_cookie_path": "/", "access_cookie_name": "a", "access_csrf_cookie_name": "ca",
    }))
    .attach(Auth::fairing())
    .mount("/", routes![cookie_login]);
    let client = common::client(rocket);
    let response = client.post("/cookie-login").dispatch();
    let set: Vec<String> = response
        .headers()
        .get("Set-Cookie")
        .map(str::to_owned)
        .collect();
    let jwt = set
        .iter()
        .find(|c| c.starts_with("a="))
        .expect("jwt cookie");
    let csrf = set
        .iter()
        .find(|c| c.starts_with("ca="))
        .expect("csrf cookie");
    assert!(
        jwt.contains("HttpOnly") && !csrf.contains("HttpOnly"),
        "{set:?}"
    );
    for cookie in [jwt, csrf] {
        for attribute in [
            "Secure",
            "Domain=example.com",
            "SameSite=Strict",
            "Max-Age=31540000",
        ] {
            assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
        }
    }
    assert!(
        jwt.contains("Path=/api") && csrf.contains("Path=/;") || csrf.ends_with("Path=/"),
        "{set:?}"
    );
    let value = jwt.trim_start_matches("a=").split(';').next().unwrap();
    let csrf_value = csrf.trim_start_matches("ca=").split(';').next().unwrap();
    assert_eq!(
        auth(&client).csrf_token(value).unwrap().as_deref(),
        Some(csrf_value)
    );
}

#[test]
fn the_csrf_value_may_come_from_a_form_field() {
    let rocket = rocket_with(json!({"token_location": ["cookies"], "csrf_check_form": true}))
        .attach(Auth::fairing())
        .mount("/", routes![refresh, protected_put]);
    let client = common::client(rocket);
    let (access, refresh_token) = tokens(&client);
    let csrf = auth(&client).csrf_token(&access).unwrap().unwrap();
    let refresh_csrf = auth(&client).csrf_token(&refresh_token).unwrap().unwrap();
    let put = |body: String| {
        let request = client
            .post("/protected")
            .header(ContentType::Form)
            .cookie(Cookie::new("access_token_cookie", access.clone()))
            .body(body);
        answer(request.dispatch())
    };
    assert_eq!(
        put(format!("_method=PUT&csrf_token={csrf}&note=x")),
        (Status::Ok, json!("alice"))
    );
    assert_eq!(
        put("_method=PUT&csrf_token=forged".into()),
        (
            Status::Unauthorized,
            msg("CSRF double submit tokens do not match")
        )
    );
    assert_eq!(
        put("_method=PUT&note=x".into()),
        (Status::Unauthorized, msg("Missing CSRF token"))
    );
    let refresh = client
        .post("/refresh")
        .header(ContentType::Form)
        .cookie(Cookie::new("refresh_token_cookie", refresh_token.clone()))
        .body(format!("csrf_token={refresh_csrf}"));
    assert_eq!(answer(refresh.dispatch()), (Status::Ok, json!("alice")));

    // Off by default: the form field is not read.
    let rocket = rocket_with(json!({"token_location": ["cookies"]}))
        .attach(Auth::fairing())
        .mount("/", routes![protected_put]);
    let client = common::client(rocket);
    let access = auth(&client).access_token("alice").issue().unwrap();
    let csrf = auth(&client).csrf_token(&access).unwrap().unwrap();
    let request = client
        .post("/protected")
        .header(ContentType::Form)
        .cookie(Cookie::new("access_token_cookie", access))
        .body(format!("_method=PUT&csrf_token={csrf}"));
    assert_eq!(
        answer(request.dispatch()),
        (Status::Unauthorized, msg("Missing CSRF token"))
    );
}
