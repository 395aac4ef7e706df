//! The lists the macro crate keeps beside the runtime's (reserved claims, location names)
//! cannot drift: a proc-macro crate cannot import them, so this test reads its source.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

use jwt_ext::{Location, RESERVED_CLAIMS};

fn macro_source(path: &str) -> String {
    let path = format!(
        "{}/../jwt-ext-macros/src/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).expect("the macro crate's source")
}

/// The string literals of the array constant `name` in `source`.
fn strings(source: &str, name: &str) -> Vec<String> {
    let start = source
        .find(&format!("const {name}"))
        .unwrap_or_else(|| panic!("`{name}` is gone from the macro crate"));
    let body = &source[start..];
    let body = &body[body.find("= [").expect("an array")..body.find("];").expect("its end")];
    body.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_macros_reserve_exactly_the_runtimes_claims() {
    let mut ours = strings(&macro_source("claims/parse.rs"), "RESERVED");
    let mut theirs: Vec<String> = RESERVED_CLAIMS.iter().map(|c| (*c).to_owned()).collect();
    ours.sort();
    theirs.sort();
    assert_eq!(ours, theirs);
}

/// Every location, by an exhaustive match: a new variant does not compile here until listed.
fn variant_name(location: Location) -> &'static str {
    match location {
        Location::Headers => "Headers",
        Location::Cookies => "Cookies",
        Location::QueryString => "QueryString",
        Location::Json => "Json",
    }
}

#[test]
fn the_macros_know_exactly_the_runtimes_locations() {
    let pairs = strings(&macro_source("route/parse.rs"), "LOCATION_NAMES");
    let pairs: Vec<_> = pairs
        .chunks(2)
        .map(|p| (p[0].clone(), p[1].clone()))
        .collect();
    let all = [
        Location::Headers,
        Location::Cookies,
        Location::QueryString,
        Location::Json,
    ];
    assert_eq!(pairs.len(), all.len(), "{pairs:?}");
    for location in all {
        let name = location.as_str();
        assert_eq!(name.parse::<Location>(), Ok(location));
        assert!(
            pairs.contains(&(name.to_owned(), variant_name(location).to_owned())),
            "{name}: {pairs:?}"
        );
    }
}
