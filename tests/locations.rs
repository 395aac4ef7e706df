//! Cookies with CSRF, and the precedence of locations.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

mod common;

use common::locations::*;
use common::*;
use jwt_ext::Auth;
use rocket::http::{ContentType, Cookie, Header, Status};
use rocket::routes;
use serde_json::json;

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
