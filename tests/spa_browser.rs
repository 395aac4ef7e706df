//! The SPA example in headless Chromium (Debian's `chromium`, driven by playwright-core from
//! `tests/browser`): log in, call the API, the CSRF failure without the header, refresh, log out.
//! Saves a screenshot of the logged-in page to `target/artifacts/spa-logged-in.png`.
//!
//! Without Chromium or the driver this test fails when `CI=true` and is skipped, saying why,
//! elsewhere (`.ci/run` installs both).
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

#[allow(dead_code)] // its `main` is not called here
#[path = "../examples/spa.rs"]
mod spa;

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn missing(what: &str) -> bool {
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "the browser test needs {what} in CI"
    );
    eprintln!("SKIPPED: {what} is missing; run `apt-get install chromium` and `npm ci --prefix tests/browser`");
    true
}

#[test]
fn the_spa_works_in_a_real_browser() {
    let browser_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("browser");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() && missing("Chromium") {
        return;
    }
    if !browser_dir.join("node_modules/playwright-core").exists() && missing("playwright-core") {
        return;
    }

    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let figment = rocket::Config::figment()
        .merge(("port", port))
        .merge(("address", "127.0.0.1"))
        .merge(("log_level", "off"));
    std::thread::spawn(move || {
        if let Err(e) = rocket::execute(spa::rocket_with(figment).launch()) {
            e.pretty_print();
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the SPA did not start");
        std::thread::sleep(Duration::from_millis(50));
    }

    let artifacts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let screenshot = artifacts.join("spa-logged-in.png");
    let output = Command::new("node")
        .arg(browser_dir.join("spa.mjs"))
        .arg(format!("http://127.0.0.1:{port}/"))
        .arg(&screenshot)
        .env("CHROMIUM", &chromium)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("SPA OK"),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(
        std::fs::metadata(&screenshot).unwrap().len() > 1000,
        "a screenshot was saved"
    );
}
