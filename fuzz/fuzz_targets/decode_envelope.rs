// Owns: fuzzing moodle_ws::decode_envelope with raw HTTP answers shaped like the recorded
// captures (status line, headers, blank line, body). Must not: do I/O.
#![no_main]

use libfuzzer_sys::fuzz_target;
use moodle_ws::public_config::parse_public_config;
use moodle_ws::{decode_envelope, SiteInfo, WsError};

/// Status, content type and body of a capture-like input; anything unparsable is a body.
fn split(data: &[u8]) -> (u16, Option<String>, &[u8]) {
    let blank = data
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, i + 4))
        .or_else(|| {
            data.windows(2)
                .position(|w| w == b"\n\n")
                .map(|i| (i, i + 2))
        });
    let Some((head_end, body_start)) = blank else {
        return (200, None, data);
    };
    let head = String::from_utf8_lossy(&data[..head_end]);
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let content_type = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.trim().to_owned());
    (status, content_type, &data[body_start..])
}

fn check_excerpt(excerpt: &str) {
    assert!(excerpt.chars().count() <= 301, "excerpt too long");
    assert!(!excerpt.contains('\n'), "excerpt spans lines");
}

fuzz_target!(|data: &[u8]| {
    let (status, content_type, body) = split(data);
    match decode_envelope(status, content_type.as_deref(), body) {
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
