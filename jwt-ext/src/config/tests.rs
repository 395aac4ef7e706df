//! Configuration checks and their messages.

use super::*;
use crate::location::Location;

/// The first message ignition would log for `config`, read as the fairing reads it.
fn error(config: serde_json::Value) -> String {
    let figment = rocket::figment::Figment::from(("jwt", config));
    let config = match Config::extract(&figment) {
        Ok(config) => config,
        Err(errors) => return errors.join("; "),
    };
    match Settings::from_config(config) {
        Ok(_) => panic!("accepted"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn messages_name_the_key_and_the_fix() {
    let secret = "s".repeat(32);
    let cases = [
        (serde_json::json!({}), "`jwt.secret_key`: missing"),
        (
            serde_json::json!({"secret_key": "short"}),
            "`jwt.secret_key`: too short (5 bytes)",
        ),
        (
            serde_json::json!({"secret_key": secret, "token_location": ["pigeon"]}),
            "`jwt.token_location.0`: unknown location `pigeon`",
        ),
        (
            serde_json::json!({"secret_key": secret, "token_location": "pigeon"}),
            "`jwt.token_location`: unknown location `pigeon`",
        ),
        (
            serde_json::json!({"secret_key": secret, "cookie_samesite": "sometimes"}),
            "`jwt.cookie_samesite`: `sometimes` is not one of `Strict`, `Lax`, `None`",
        ),
        (
            serde_json::json!({"secret_key": secret, "token_location": []}),
            "`jwt.token_location`: name at least one of",
        ),
        (
            serde_json::json!({"secret_key": secret, "algorithm": "HS1"}),
            "`jwt.algorithm`: `HS1` is not a supported algorithm",
        ),
        (
            serde_json::json!({"secret_key": secret, "secrt_key": "typo"}),
            "`jwt.secrt_key`: unknown key `secrt_key`; did you mean `secret_key`?",
        ),
        (
            serde_json::json!({"secret_key": secret, "decode_algorithms": ["HS256", "none"]}),
            "`jwt.decode_algorithms.1`: `none` is not a supported algorithm",
        ),
        (
            serde_json::json!({"secret_key": secret, "csrf_methods": ["post", "P OST"]}),
            "`jwt.csrf_methods`: `P OST` is not an HTTP method",
        ),
        (
            serde_json::json!({"algorithm": "RS256", "private_key_file": "/nope"}),
            "`jwt.private_key_file`: cannot read `/nope`",
        ),
        (
            serde_json::json!({"algorithm": "ES256", "private_key": "x"}),
            "`jwt.private_key`: not a PEM private key for `ES256`",
        ),
    ];
    for (config, expected) in cases {
        let message = error(config);
        assert!(message.starts_with(expected), "{message}");
    }
}

#[test]
fn cross_field_messages_name_the_key_and_the_fix() {
    let secret = "s".repeat(32);
    let cases = [
        (
            serde_json::json!({"secret_key": secret, "blocklist": "redis:/x"}),
            "`jwt.blocklist`: expected `memory`, a `redis://`",
        ),
        (
            serde_json::json!({"secret_key": format!("-----BEGIN PUBLIC KEY-----\n{secret}")}),
            "`jwt.secret_key`: is PEM or SSH key text",
        ),
        (
            serde_json::json!({"secret_key": secret, "identity_claim": "type"}),
            "`jwt.identity_claim`: `type` is a reserved claim",
        ),
        (
            serde_json::json!({"secret_key": secret, "roles_claim": "sub"}),
            "`jwt.roles_claim`: `sub` cannot hold roles",
        ),
        (
            serde_json::json!({"secret_key": secret, "cookie_samesite": "none"}),
            "`jwt.cookie_samesite`: `None` needs `cookie_secure = true`",
        ),
        (
            serde_json::json!({"secret_key": secret, "refresh_token_expires": false}),
            "`jwt.refresh_token_expires`: `false` issues tokens without `exp`",
        ),
    ];
    for (config, expected) in cases {
        let message = error(config);
        assert!(message.starts_with(expected), "{message}");
    }
}

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/../tests/fixtures/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path).expect("fixture key")
}

#[test]
fn keys_are_checked_against_their_algorithm_and_their_pair() {
    let cases = [
        (
            serde_json::json!({"algorithm": "ES256", "private_key": fixture("ec384_private.pem"), "public_key": fixture("ec_public.pem")}),
            "`jwt.private_key`: is a P-384 key, but `ES256` needs a P-256 key",
        ),
        (
            serde_json::json!({"algorithm": "ES384", "public_key": fixture("ec_public.pem")}),
            "`jwt.public_key`: is a P-256 key, but `ES384` needs a P-384 key",
        ),
        (
            serde_json::json!({"algorithm": "RS256", "private_key": fixture("rsa_private.pem"), "public_key": fixture("rsa_other_public.pem")}),
            "`jwt.public_key`: does not match `private_key`",
        ),
        (
            serde_json::json!({"algorithm": "ES256", "private_key": fixture("ec_private.pem"), "public_key": fixture("ec_private.pem")}),
            "`jwt.public_key`: not a PEM public key",
        ),
    ];
    for (config, expected) in cases {
        let message = error(config);
        assert!(message.starts_with(expected), "{message}");
    }
}

#[test]
fn defaults_are_flasks() {
    let settings = Settings::from_config(Config {
        secret_key: Some("s".repeat(32)),
        ..Config::default()
    })
    .expect("valid");
    assert_eq!(settings.access_expires, Some(900));
    assert_eq!(settings.refresh_expires, Some(2_592_000));
    assert_eq!(settings.locations, [Location::Headers]);
    assert_eq!(
        settings.keys.decode_algorithms,
        [jsonwebtoken::Algorithm::HS256]
    );
    assert_eq!(settings.leeway, 0);
    assert!(settings.csrf_protect && settings.encode_nbf && settings.verify_sub);
}

/// An RS256 entry with kid `a`, `extra` merged in.
fn rsa_entry(extra: serde_json::Value) -> serde_json::Value {
    let mut entry = serde_json::json!({"kid": "a", "algorithm": "RS256", "private_key": fixture("rsa_private.pem")});
    if let (Some(entry), serde_json::Value::Object(extra)) = (entry.as_object_mut(), extra) {
        entry.extend(extra);
    }
    entry
}

fn assert_messages(cases: &[(serde_json::Value, &str)]) {
    for (jwt, expected) in cases {
        let message = error(jwt.clone());
        assert!(message.contains(expected), "{message}");
    }
}

#[test]
fn key_set_messages_name_the_signing_key_and_the_kids() {
    let rsa = rsa_entry;
    let cases = [
        (
            serde_json::json!({"keys": [rsa(serde_json::json!({})), rsa(serde_json::json!({}))]}),
            "`jwt.keys[1].kid`: `a` is the kid of another key",
        ),
        (
            serde_json::json!({"signing_key": "zz", "keys": [rsa(serde_json::json!({}))]}),
            "`jwt.signing_key`: `zz` names no key of `keys`",
        ),
        (
            serde_json::json!({"signing_key": "v", "keys": [rsa(serde_json::json!({})), {"kid": "v", "algorithm": "RS256", "public_key": fixture("rsa_public.pem")}]}),
            "`jwt.signing_key`: `v` is a verify-only key",
        ),
        (
            serde_json::json!({"keys": [rsa(serde_json::json!({})), rsa(serde_json::json!({"kid": "b"}))]}),
            "`jwt.signing_key`: missing: several keys can sign",
        ),
    ];
    assert_messages(&cases);
}

#[test]
fn key_set_messages_name_the_entry() {
    let rsa = rsa_entry;
    let cases = [
        (
            serde_json::json!({"keys": [rsa(serde_json::json!({"private_key": fixture("rsa1024_private.pem")}))]}),
            "`jwt.keys[0].private_key`: is an RSA key of fewer than 2048 bits",
        ),
        (
            serde_json::json!({"keys": [{"kid": "e", "algorithm": "ES256", "private_key": fixture("ec384_private.pem")}]}),
            "`jwt.keys[0].private_key`: is a P-384 key, but `ES256` needs a P-256 key",
        ),
        (
            serde_json::json!({"keys": [rsa(serde_json::json!({"public_key": fixture("rsa_other_public.pem")}))]}),
            "`jwt.keys[0].public_key`: does not match `private_key`",
        ),
        (
            serde_json::json!({"keys": [{"algorithm": "HS256", "secret_key": "key-set-hs-secret-key-set-hs-secret-0123"}]}),
            "`jwt.keys[0].kid`: missing: an HS key needs a `kid`",
        ),
        (
            serde_json::json!({"keys": [{"kid": "h", "algorithm": "HS256", "secret_key": "short"}]}),
            "`jwt.keys[0].secret_key`: too short",
        ),
        (
            serde_json::json!({"secret_key": "key-set-hs-secret-key-set-hs-secret-0123", "keys": [rsa(serde_json::json!({}))]}),
            "`jwt.secret_key`: is a single-key setting, and `keys` is set",
        ),
        (
            serde_json::json!({"keys": []}),
            "`jwt.keys`: the list is empty",
        ),
        (
            serde_json::json!({"keys": [{"kid": "x", "algorithm": "RS256"}]}),
            "`jwt.keys[0].private_key`: missing",
        ),
        (
            serde_json::json!({"keys": [rsa(serde_json::json!({"colour": "blue"}))]}),
            "colour",
        ),
    ];
    assert_messages(&cases);
}

#[cfg(feature = "trusted-issuers")]
#[test]
fn trusted_issuer_messages_name_the_entry_and_the_fix() {
    let secret = "s".repeat(32);
    let issuer = |entry: serde_json::Value| serde_json::json!({"secret_key": secret, "trusted_issuers": [entry]});
    let base = |extra: serde_json::Value| {
        let mut entry = serde_json::json!({"issuer": "https://id.example.com/", "discovery": true, "audience": "api"});
        if let (Some(entry), serde_json::Value::Object(extra)) = (entry.as_object_mut(), extra) {
            entry.extend(extra);
        }
        issuer(entry)
    };
    let cases = [
        (
            base(serde_json::json!({"issuer": ""})),
            "`jwt.trusted_issuers[0].issuer`: missing",
        ),
        (
            base(serde_json::json!({"issuer": "http://id.example.com/"})),
            "plain HTTP to another host than loopback",
        ),
        (
            base(serde_json::json!({"audience": []})),
            "`jwt.trusted_issuers[0].audience`: missing",
        ),
        (
            base(serde_json::json!({"algorithms": ["HS256"]})),
            "`HS256` is symmetric",
        ),
        (
            base(serde_json::json!({"jwks_uri": "https://id.example.com/jwks"})),
            "exclude each other",
        ),
        (
            base(serde_json::json!({"discovery": false})),
            "`jwt.trusted_issuers[0].jwks_uri`: missing",
        ),
        (
            base(serde_json::json!({"discovery": false, "jwks_uri": "ftp://x"})),
            "is not an https:// URL",
        ),
    ];
    assert_messages(&cases);
    let twice =
        serde_json::json!({"issuer": "https://a/", "jwks_uri": "https://a/jwks", "audience": "x"});
    let message =
        error(serde_json::json!({"secret_key": secret, "trusted_issuers": [twice.clone(), twice]}));
    assert!(
        message.contains("`jwt.trusted_issuers[1].issuer`: `https://a/` is listed twice"),
        "{message}"
    );
}
