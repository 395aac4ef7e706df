//! Compile-time behaviour of the macros: every valid form compiles, every mistake gives one
//! error spanned at the culprit. Re-bless with `TRYBUILD=overwrite` when a message changes on
//! purpose.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/pass/*.rs");
    cases.compile_fail("tests/fail/*.rs");
}
