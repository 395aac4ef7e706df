//! The verify entry point: any bytes as a credential.
#![no_main]

#[path = "../harness.rs"]
mod harness;

thread_local! {
    // The blocking client is not `Sync`; libFuzzer calls the target from one thread.
    static CLIENT: rocket::local::blocking::Client = harness::client();
    static RUNTIME: rocket::tokio::runtime::Runtime =
        rocket::tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    CLIENT.with(|client| RUNTIME.with(|runtime| harness::verify(client, runtime, data)));
});
