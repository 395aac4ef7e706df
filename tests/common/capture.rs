//! A logger keeping every line jwt-ext logs in a test binary (`log::set_logger(&CAPTURE)` with
//! a `static CAPTURE: Capture = Capture::new();` of the binary's own).

use std::sync::Mutex;

pub struct Capture(pub Mutex<Vec<String>>);

impl Capture {
    pub const fn new() -> Self {
        Capture(Mutex::new(Vec::new()))
    }
}

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        if record.target().starts_with("jwt_ext") {
            self.0
                .lock()
                .unwrap()
                .push(format!("{} {}", record.level(), record.args()));
        }
    }

    fn flush(&self) {}
}
