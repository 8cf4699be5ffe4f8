// Owns: fuzzing the simulated Moodle's capture parser with capture files. Must not: do I/O.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(capture) = moodle_sim::capture::parse(&text) {
        let _ = capture.request.header("content-type");
        let _ = format!("{capture:?}");
    }
});
