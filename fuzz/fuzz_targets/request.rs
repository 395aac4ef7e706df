//! The location parsers: any bytes in the header, a cookie, the query string or a JSON body.
#![no_main]

#[path = "../harness.rs"]
mod harness;

thread_local! {
    // The blocking client is not `Sync`; libFuzzer calls the target from one thread.
    static CLIENT: rocket::local::blocking::Client = harness::client();
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    CLIENT.with(|client| harness::request(client, data));
});
