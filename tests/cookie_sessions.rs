//! Cookie sessions: implicit refresh of expiring access cookies, cookie attributes, and the
//! CSRF value from a form field.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

mod common;

use common::locations::*;
use common::*;
use jwt_ext::{Auth, Token};
use rocket::http::{ContentType, Cookie, Header, Status};
use rocket::local::blocking::Client;
use rocket::{delete, post, routes};
use serde_json::json;

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
