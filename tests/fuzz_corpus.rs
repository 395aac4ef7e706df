//! Replays the fuzz targets' committed corpus through the targets' own harness, so every input
//! the fuzzer once found interesting is checked by the normal suite (no panic, no 5xx).
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

#[path = "../fuzz/harness.rs"]
mod harness;

use std::path::PathBuf;

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .expect("the committed corpus")
        .map(|entry| {
            let path = entry.expect("a corpus entry").path();
            let data = std::fs::read(&path).expect("a corpus file");
            (path, data)
        })
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 10, "{} holds too few seeds", dir.display());
    inputs
}

#[test]
fn the_verify_corpus_replays() {
    let client = harness::client();
    let runtime = rocket::tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for (path, data) in corpus("verify") {
        eprintln!("{}", path.display());
        harness::verify(&client, &runtime, &data);
    }
}

#[test]
fn the_request_corpus_replays() {
    let client = harness::client();
    for (path, data) in corpus("request") {
        eprintln!("{}", path.display());
        harness::request(&client, &data);
    }
}

/// The seeds reach the end of the pipeline: the valid ones verify, the rest are refused.
#[test]
fn the_seeds_cover_success_and_refusal() {
    let client = harness::client();
    let seed = |name: &str| {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../fuzz/corpus/verify")
            .join(name);
        String::from_utf8(std::fs::read(path).unwrap()).unwrap()
    };
    let status = |name: &str| {
        let header = rocket::http::Header::new("Authorization", seed(name));
        client.get("/t").header(header).dispatch().status().code
    };
    assert_eq!(status("valid"), 200);
    assert_eq!(status("custom"), 200);
    for refused in [
        "refresh",
        "padded",
        "duplicate",
        "deep",
        "surrogate",
        "crit",
        "none",
        "expired",
    ] {
        assert!((400..500).contains(&status(refused)), "{refused}");
    }
}
