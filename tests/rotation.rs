//! Refresh-token rotation with reuse detection (SPEC §14) on the quickstart, memory store:
//! families, exactly-once refresh, the reuse interval, the absolute lifetime, logout.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

#[allow(dead_code)] // its `main` is not called here
#[path = "../examples/quickstart.rs"]
mod quickstart;

mod common;

use common::msg;
use common::rotation::{exactly_one_success, family, login, pair, protected, refresh, rotating};
use jwt_ext::{Auth, IssueError};
use rocket::http::{Header, Status};
use serde_json::json;

fn revoked() -> (Status, serde_json::Value) {
    (Status::Unauthorized, msg("Token has been revoked"))
}

#[rocket::async_test]
async fn a_refresh_spends_the_token_and_answers_a_pair_of_its_family() {
    let client = rotating(quickstart::rocket(), json!({})).await;
    let (access, first) = login(&client).await;
    let fam = family(&first);
    assert_eq!(family(&access), fam, "the login's tokens share a family");
    let id = uuid::Uuid::parse_str(&fam).expect("a uuid");
    assert_eq!(id.get_version_num(), 7, "the family id carries its start");

    let response = client
        .post("/refresh")
        .header(Header::new("Authorization", format!("Bearer {first}")))
        .dispatch()
        .await;
    let cookies: Vec<String> = response
        .headers()
        .get("Set-Cookie")
        .map(str::to_owned)
        .collect();
    for name in [
        "access_token_cookie=",
        "refresh_token_cookie=",
        "csrf_access_token=",
        "csrf_refresh_token=",
    ] {
        assert!(
            cookies.iter().any(|c| c.starts_with(name)),
            "{name} in {cookies:?}"
        );
    }
    assert_eq!(response.status(), Status::Ok);
    let body: serde_json::Value =
        serde_json::from_str(&response.into_string().await.unwrap()).unwrap();
    let (new_access, second) = pair(&body);
    assert_eq!(
        (family(&new_access), family(&second)),
        (fam.clone(), fam.clone())
    );
    assert_eq!(protected(&client, &new_access).await, Status::Ok);
    // The new refresh token refreshes in turn.
    let (status, body) = refresh(&client, &second).await;
    assert_eq!(status, Status::Ok, "{body}");
    assert_eq!(family(&pair(&body).1), fam);
}

#[rocket::async_test]
async fn reuse_revokes_the_whole_family_on_every_route() {
    let client = rotating(quickstart::rocket(), json!({})).await;
    let (login_access, first) = login(&client).await;
    let (status, body) = refresh(&client, &first).await;
    assert_eq!(status, Status::Ok);
    let (access, second) = pair(&body);
    // The thief (or the owner) presents the spent token: reuse.
    assert_eq!(refresh(&client, &first).await, revoked());
    // Now the newest refresh token and every access token of the family are refused.
    assert_eq!(refresh(&client, &second).await, revoked());
    assert_eq!(protected(&client, &access).await, Status::Unauthorized);
    assert_eq!(
        protected(&client, &login_access).await,
        Status::Unauthorized
    );
    // Another login is another family, untouched.
    let (other_access, other_refresh) = login(&client).await;
    assert_eq!(protected(&client, &other_access).await, Status::Ok);
    assert_eq!(refresh(&client, &other_refresh).await.0, Status::Ok);
}

#[rocket::async_test]
async fn a_spent_token_is_refused_elsewhere_too_and_that_is_reuse() {
    let client = rotating(quickstart::rocket(), json!({})).await;
    let (_, first) = login(&client).await;
    let (_, body) = refresh(&client, &first).await;
    let (access, _) = pair(&body);
    // Logging out with the spent refresh token is a presentation of it.
    let response = client
        .delete("/logout")
        .header(Header::new("Authorization", format!("Bearer {first}")))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Unauthorized);
    assert_eq!(protected(&client, &access).await, Status::Unauthorized);
}

#[rocket::async_test]
async fn concurrent_refreshes_with_one_token_succeed_exactly_once() {
    let client = rotating(quickstart::rocket(), json!({})).await;
    let (_, token) = login(&client).await;
    let attempts = (0..50).map(|_| refresh(&client, &token));
    let answers = rocket::futures::future::join_all(attempts).await;
    exactly_one_success(&answers);
}

#[rocket::async_test]
async fn within_the_reuse_interval_a_second_tab_gets_a_pair_of_the_same_family() {
    let client = rotating(quickstart::rocket(), json!({"refresh_reuse_interval": 2})).await;
    let (_, first) = login(&client).await;
    let (status, body) = refresh(&client, &first).await;
    assert_eq!(status, Status::Ok);
    let (_, from_first_tab) = pair(&body);
    let (status, body) = refresh(&client, &first).await;
    assert_eq!(status, Status::Ok, "the second tab within the interval");
    let (second_access, from_second_tab) = pair(&body);
    assert_eq!(family(&from_second_tab), family(&from_first_tab));
    assert_ne!(from_second_tab, from_first_tab);
    // Past the interval the same presentation is reuse, and ends the family.
    jwt_ext::testing::Kit::new(client.rocket())
        .clock()
        .advance(std::time::Duration::from_secs(3));
    assert_eq!(refresh(&client, &first).await, revoked());
    assert_eq!(refresh(&client, &from_first_tab).await, revoked());
    assert_eq!(
        protected(&client, &second_access).await,
        Status::Unauthorized
    );
}

/// A family id whose login was `seconds_ago`.
fn family_started(seconds_ago: u64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let ts = uuid::Timestamp::from_unix(uuid::NoContext, now - seconds_ago, 0);
    uuid::Uuid::new_v7(ts).to_string()
}

#[rocket::async_test]
async fn no_refresh_after_the_family_lifetime() {
    let client = rotating(
        quickstart::rocket(),
        json!({"refresh_family_lifetime": 3600}),
    )
    .await;
    let auth = client.rocket().state::<Auth>().expect("the fairing");
    let old = auth
        .refresh_token("test")
        .family(family_started(3700))
        .issue()
        .unwrap();
    assert_eq!(
        refresh(&client, &old).await,
        (
            Status::Unauthorized,
            msg("Session has expired, please log in again")
        )
    );
    // An access token of a family near its end lives no longer than the family.
    let near_end = auth
        .access_token("test")
        .family(family_started(3590))
        .issue()
        .unwrap();
    let data = auth.decode(&near_end).expect("valid");
    let exp = data.expires_at().expect("an exp");
    assert!(
        exp <= data.issued_at().unwrap() + 10,
        "capped at the family's end"
    );
    // A family within its lifetime refreshes.
    let young = auth
        .refresh_token("test")
        .family(family_started(60))
        .issue()
        .unwrap();
    assert_eq!(refresh(&client, &young).await.0, Status::Ok);
}

#[rocket::async_test]
async fn logging_out_with_the_refresh_token_ends_the_family() {
    let client = rotating(quickstart::rocket(), json!({})).await;
    let (access, refresh_token) = login(&client).await;
    let response = client
        .delete("/logout")
        .header(Header::new(
            "Authorization",
            format!("Bearer {refresh_token}"),
        ))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(protected(&client, &access).await, Status::Unauthorized);
}

#[rocket::async_test]
async fn tokens_without_a_family_are_families_of_one() {
    // Issued before rotation was turned on: no `fam`.
    let before = rotating(
        quickstart::rocket(),
        json!({"refresh_token_rotation": false}),
    )
    .await;
    let (access, old) = login(&before).await;
    assert!(!old.is_empty());
    let client = rotating(quickstart::rocket(), json!({})).await;
    assert_eq!(
        protected(&client, &access).await,
        Status::Ok,
        "no forced logout"
    );
    let (status, body) = refresh(&client, &old).await;
    assert_eq!(status, Status::Ok);
    let (_, new) = pair(&body);
    assert_eq!(
        uuid::Uuid::parse_str(&family(&new))
            .unwrap()
            .get_version_num(),
        7
    );
    assert_eq!(refresh(&client, &old).await, revoked());
}

#[rocket::async_test]
async fn fam_is_a_reserved_claim_and_rotation_is_off_by_default() {
    let client = rotating(quickstart::rocket(), json!({})).await;
    let auth = client.rocket().state::<Auth>().unwrap();
    assert_eq!(
        auth.access_token("test").claim("fam", "mine").issue(),
        Err(IssueError::ReservedClaim("fam".into()))
    );
    let flask_like = rotating(
        quickstart::rocket(),
        json!({"refresh_token_rotation": false}),
    )
    .await;
    let (_, token) = login(&flask_like).await;
    let (status, body) = refresh(&flask_like, &token).await;
    assert_eq!(status, Status::Ok);
    assert!(
        body.get("refresh_token").is_none(),
        "Flask's refresh: an access token only"
    );
    assert_eq!(
        refresh(&flask_like, &token).await.0,
        Status::Ok,
        "nothing is spent"
    );
}
