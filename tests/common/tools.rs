//! Outside tools of the interop tests and a server on a free port. A missing tool fails the
//! test under `CI=true` (`.ci/run` installs them) and skips it, saying why, elsewhere.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Reports a missing tool: a failure in CI, a plain skip message elsewhere.
pub fn missing(what: &str, install: &str) {
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{what} is required in CI; {install}"
    );
    eprintln!("SKIPPED: {what} is missing; {install}");
}

/// Flask-JWT-Extended's Python (with PyJWT's crypto extra): `FLASK_PYTHON`, or the venv
/// `.ci/run` makes.
pub fn flask_python() -> Option<PathBuf> {
    let path = std::env::var_os("FLASK_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/flask-venv/bin/python")
        });
    if path.exists() {
        return Some(path);
    }
    missing(
        &format!("Flask-JWT-Extended at {}", path.display()),
        "python3 -m venv target/flask-venv && target/flask-venv/bin/pip install \
         'flask-jwt-extended>=4,<5' 'pyjwt[crypto]', or set FLASK_PYTHON",
    );
    None
}

/// The venv's Python when it can import `module` (`openapi_spec_validator`, `schemathesis`).
pub fn python_with(module: &str) -> Option<PathBuf> {
    let path = std::env::var_os("FLASK_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/flask-venv/bin/python")
        });
    let imports = std::process::Command::new(&path)
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|output| output.status.success());
    if imports {
        return Some(path);
    }
    missing(
        &format!("Python's `{module}` at {}", path.display()),
        "target/flask-venv/bin/pip install openapi-spec-validator schemathesis (`.ci/run` does)",
    );
    None
}

/// `tests/browser` with its npm packages (`jose`, `playwright-core`) installed.
pub fn npm_packages(package: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("browser");
    if dir.join("node_modules").join(package).exists() {
        return Some(dir);
    }
    missing(
        &format!("the npm package `{package}`"),
        "run `npm ci --prefix tests/browser`",
    );
    None
}

/// Launches `rocket` on a free loopback port in a thread of its own; answers the port once it
/// accepts connections.
pub fn serve(rocket: rocket::Rocket<rocket::Build>) -> u16 {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let figment = rocket.figment().clone().merge(("port", port));
    let rocket = rocket.configure(figment);
    std::thread::spawn(move || {
        let _ = rocket::execute(rocket.launch());
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "the server on {port} did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    port
}
