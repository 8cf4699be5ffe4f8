// Owns: fuzzing moodle_ws::public_config::parse_public_config with any JSON, directly and
// through decode_envelope as the probe does. Must not: do I/O.
#![no_main]

use libfuzzer_sys::fuzz_target;
use moodle_ws::decode_envelope;
use moodle_ws::public_config::parse_public_config;

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        if let Ok(config) = parse_public_config(value) {
            let _ = moodle_ws::normalize_site_url(&config.wwwroot);
        }
    }
    if let Ok(value) = decode_envelope(200, Some("application/json"), data) {
        let _ = parse_public_config(value).map_err(|e| e.to_string());
    }
});
