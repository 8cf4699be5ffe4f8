// Owns: fuzzing moodle_ws::decode_envelope with raw HTTP answers shaped like the recorded
// captures (status line, headers, blank line, body). Must not: do I/O.
#![no_main]

use libfuzzer_sys::fuzz_target;
use moodle_ws::public_config::parse_public_config;
use moodle_ws::{decode_envelope, SiteInfo, WsError};

#[path = "common/raw_answer.rs"]
mod raw_answer;
use raw_answer::RawInput;

fn check_excerpt(excerpt: &str) {
    assert!(excerpt.chars().count() <= 301, "excerpt too long");
    assert!(!excerpt.contains('\n'), "excerpt spans lines");
}

fuzz_target!(|data: &[u8]| {
    let raw = RawInput::parse(data);
    let status = raw.status;
    match decode_envelope(status, raw.header("content-type"), raw.body) {
        Ok(value) => {
            assert!((200..300).contains(&status), "success with status {status}");
            let _ = parse_public_config(value.clone());
            let _ = serde_json::from_value::<SiteInfo>(value);
        }
        Err(WsError::Http { body_excerpt, .. } | WsError::Protocol { body_excerpt, .. }) => {
            check_excerpt(&body_excerpt);
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
