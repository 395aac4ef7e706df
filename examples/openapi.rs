//! The quickstart, documented: its OpenAPI document at `/openapi.json` (the security schemes
//! of the configured token locations on every guarded operation) and a Swagger UI at `/docs/`.
//!
//! ```sh
//! cargo run --example openapi
//! curl -s localhost:8000/openapi.json
//! ```

#[path = "quickstart.rs"]
#[allow(dead_code)] // its `main` is the quickstart's
pub mod quickstart;

use rocket::{Build, Rocket};
use rocket_okapi::handlers::OpenApiHandler;
use rocket_okapi::swagger_ui::{make_swagger_ui, SwaggerUIConfig};

/// The quickstart rocket, serving its document and a UI.
pub fn rocket() -> Rocket<Build> {
    let rocket = quickstart::rocket();
    let (_, mut spec) = quickstart::routes_and_spec();
    if let Err(e) = jwt_ext::openapi::describe(&mut spec, rocket.figment()) {
        // Ignition reports the same configuration error and refuses to launch.
        eprintln!("openapi: the document has no security schemes: {e}");
    }
    let ui = SwaggerUIConfig {
        url: "../openapi.json".to_owned(),
        ..SwaggerUIConfig::default()
    };
    rocket
        .mount(
            "/",
            vec![OpenApiHandler::new(spec).into_route("/openapi.json")],
        )
        .mount("/docs/", make_swagger_ui(&ui))
}

#[rocket::main]
async fn main() -> Result<(), Box<rocket::Error>> {
    rocket().launch().await.map(|_| ()).map_err(Box::new)
}
