// Owns: a deterministic, property-style stand-in for the fuzzers (fuzz/) that runs in every
// `cargo test`: mutated captures into the decoders, mutated addresses into normalisation. Must not: depend on time or chance.
//
// Properties: nothing panics; excerpts stay one line of at most 300 characters (+ "…"); only a
// 2xx status decodes to a success; a site root is http(s), has a host, no credentials, query or
// fragment, and normalising it again gives the same root.

use moodle_sim::Catalog;
use moodle_ws::public_config::parse_public_config;
use moodle_ws::{decode_envelope, normalize_site_url, same_site, SiteInfo, WsError};

const ROUNDS: usize = 4000;

/// xorshift64*: the same sequence on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Pieces that steer a mutation towards the decoders' branches.
const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b",",
    b":",
    b"\"errorcode\":\"invalidtoken\"",
    b"\"exception\":\"moodle_exception\"",
    b"\"message\":",
    b"\"error\":true",
    b"\"data\":{\"wwwroot\":\"x\"}",
    b"<title>",
    b"</title>",
    b"<TITLE",
    b"<b>Warning</b>",
    b"<!DOCTYPE html>",
    b"\\u0000",
    b"\\ud800",
    b"1e999",
    b"-0",
    b"null",
    b"\xff",
    b"\xc3",
    b"\xe2\x80",
    b"\r\n\r\n",
    b"   \n\t ",
];

fn mutate(rng: &mut Rng, input: &[u8], corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(8) {
            0 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] ^= 1 << rng.below(8);
            }
            1 => out.insert(at, rng.next() as u8),
            2 if !out.is_empty() => {
                let end = (at + rng.below(64)).min(out.len());
                out.drain(at.min(end)..end);
            }
            3 => {
                let token = rng.pick(TOKENS);
                out.splice(at..at, token.iter().copied());
            }
            4 => out.truncate(at),
            5 => {
                // Splice the tail of another input in.
                let other = rng.pick(corpus);
                let from = rng.below(other.len() + 1);
                out.truncate(at);
                out.extend_from_slice(&other[from..]);
            }
            6 if !out.is_empty() => {
                let start = rng.below(out.len());
                let end = (start + rng.below(256)).min(out.len());
                let piece = out[start..end].to_vec();
                for _ in 0..rng.below(8) {
                    out.splice(at.min(out.len())..at.min(out.len()), piece.iter().copied());
                }
            }
            _ => {
                let token = rng.pick(TOKENS);
                let depth = rng.below(300);
                let nested: Vec<u8> = token.repeat(depth);
                out.splice(at..at, nested);
            }
        }
    }
    out
}

fn check_excerpt(excerpt: &str) {
    assert!(
        excerpt.chars().count() <= 301,
        "excerpt of {} chars",
        excerpt.chars().count()
    );
    assert!(!excerpt.contains('\n') && !excerpt.contains('\r'));
}

fn check_decoding(status: u16, content_type: Option<&str>, body: &[u8]) {
    match decode_envelope(status, content_type, body) {
        Ok(value) => {
            assert!(
                (200..300).contains(&status),
                "status {status} decoded as success"
            );
            let _ = parse_public_config(value.clone()).map_err(|e| e.to_string());
            let _ = serde_json::from_value::<SiteInfo>(value);
        }
        Err(e) => {
            if let WsError::Http { body_excerpt, .. } | WsError::Protocol { body_excerpt, .. } = &e
            {
                check_excerpt(body_excerpt);
            }
            // What an admin reads stays a sentence, whatever the page held.
            let said = e.to_string().chars().count();
            assert!(said > 0 && said < 1000, "an error of {said} chars: {e:?}");
        }
    }
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
        if let Err(WsError::Protocol { body_excerpt, .. }) = parse_public_config(value) {
            check_excerpt(&body_excerpt);
        }
    }
}

fn check_root(text: &str) {
    let Ok(root) = normalize_site_url(text) else {
        return;
    };
    let url = root.as_url();
    assert!(matches!(url.scheme(), "http" | "https"), "{text:?}");
    assert!(url.host_str().is_some_and(|h| !h.is_empty()), "{text:?}");
    assert!(
        url.username().is_empty() && url.password().is_none(),
        "{text:?}"
    );
    assert!(
        url.query().is_none() && url.fragment().is_none(),
        "{text:?}"
    );
    let shown = root.to_string();
    assert_eq!(
        normalize_site_url(&shown).as_ref(),
        Ok(&root),
        "{text:?} → {shown:?}"
    );
    assert!(same_site(&shown, text), "{text:?}");
    assert!(root
        .endpoint("webservice/rest/server.php")
        .as_str()
        .starts_with(url.as_str()));
}

const PUBLIC_CONFIG: &str = r#"[{"error":false,"data":{"wwwroot":"https:\/\/moodle.school.org","sitename":"SIS Lab Moodle","enablewebservices":1,"maintenanceenabled":0,"maintenancemessage":""}}]"#;
const AJAX_ERROR: &str = r#"[{"error":true,"exception":{"message":"Site is undergoing maintenance","errorcode":"sitemaintenance"}}]"#;

#[test]
fn mutated_answers_never_panic_the_decoders() {
    let mut corpus: Vec<Vec<u8>> = Catalog::builtin()
        .every_capture()
        .map(|(_, _, c)| c.answer.body.as_bytes().to_vec())
        .collect();
    corpus.sort();
    corpus.dedup();
    corpus.push(PUBLIC_CONFIG.as_bytes().to_vec());
    corpus.push(AJAX_ERROR.as_bytes().to_vec());
    let statuses = [
        200, 201, 204, 299, 301, 303, 400, 403, 404, 500, 502, 503, 0, 99, 999,
    ];
    let types = [
        None,
        Some("application/json"),
        Some("text/html; charset=utf-8"),
        Some("TEXT/HTML"),
        Some("\u{0}"),
    ];
    let mut rng = Rng(0x5151_0d1e_2026_0001);
    for _ in 0..ROUNDS {
        let seed = rng.pick(&corpus).clone();
        let body = mutate(&mut rng, &seed, &corpus);
        check_decoding(*rng.pick(&statuses), *rng.pick(&types), &body);
    }
}

#[test]
fn hostile_shapes_are_bounded() {
    // Far deeper than serde_json's recursion limit: an error, not a stack overflow.
    for open in ["[", "{\"a\":", "[{\"errorcode\":"] {
        let deep = open.repeat(200_000);
        check_decoding(200, Some("application/json"), deep.as_bytes());
    }
    // A large body of many words: the excerpt reads only its start.
    let words = "<p>word</p> ".repeat(350_000);
    check_decoding(200, Some("text/html"), words.as_bytes());
    check_decoding(502, None, words.as_bytes());
    // Invalid UTF-8 everywhere.
    let bytes: Vec<u8> = (0..=255u8).cycle().take(64 * 1024).collect();
    check_decoding(200, None, &bytes);
    // The error envelope with every field of the wrong type.
    check_decoding(
        200,
        None,
        br#"{"errorcode":7,"exception":[],"message":{},"debuginfo":1}"#,
    );
    check_decoding(200, None, br#"[{"error":true,"exception":"nope"}]"#);
    check_decoding(200, None, br#"[{"error":false,"data":{"wwwroot":null}}]"#);
    // Found by fuzzing (fuzz/fuzz_targets/moodle_answers.rs): a page whose title ran for
    // 4 KB made an error message of 5,525 characters. Titles are now cut at 200.
    let finding = include_bytes!("fuzz-findings/moodle_answers-long-title.bin");
    for content_type in [None, Some("text/html")] {
        check_decoding(200, content_type, finding);
        check_decoding(404, content_type, finding);
    }
    // Found by fuzzing too: a redirect to a 1.5 KB address made an error of 1,577 characters,
    // its query string included. Both are now left out of the error's words.
    let location = format!("https://moodle.school.org/{}?key=secret", "h".repeat(1500));
    let redirect = WsError::Redirect {
        status: 303,
        location,
        by_moodle: false,
    };
    let said = redirect.to_string();
    assert!(
        said.chars().count() < 400 && !said.contains("secret"),
        "{said}"
    );
    // A wrong type quotes the value it met: a long one is cut in the error's words.
    let long = serde_json::json!([{ "id": "x".repeat(5000) }]);
    let e = moodle_ws::envelope::decode_answer::<Vec<moodle_ws::UserRecord>>(
        "core_user_get_users_by_field",
        &long,
    )
    .unwrap_err();
    assert!(e.to_string().chars().count() < 1000, "{e}");
    assert!(matches!(&e, WsError::Protocol { reason, .. } if reason.len() > 5000));
}

#[test]
fn mutated_addresses_normalise_to_stable_roots() {
    let seeds: Vec<Vec<u8>> = [
        "moodle.school.org",
        "https://moodle.school.org/",
        " https://moodle.school.org/login/index.php?x=1#top ",
        "https://school.org/moodle/my/",
        "https://school.org/moodle/admin/settings.php?section=manageauths",
        "http://127.0.0.1:8080/index.php",
        "HTTPS://Moodle.School.ORG",
        "\"https://moodle.school.org\"",
        "<https://moodle.school.org/moodle/course/view.php?id=2>",
        "https://[::1]:8443/moodle/webservice/rest/server.php",
        "“https://Bücher.example/lms/”",
        "https://admin:pw@moodle.school.org",
        // Found by fuzzing (fuzz/fuzz_targets/normalize_site_url.rs): not stable before.
        "hp.yorg''lserver.ghp.yorg'''moo'''''''?'''''''''''''0''''",
        "sxc.hool//'/////////",
        "http:/'message/exadxn",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    for seed in &seeds {
        check_root(&String::from_utf8_lossy(seed));
    }
    let mut rng = Rng(0x0a11_ce55_2026_0002);
    for _ in 0..ROUNDS {
        let seed = rng.pick(&seeds).clone();
        let mutated = mutate(&mut rng, &seed, &seeds);
        check_root(&String::from_utf8_lossy(&mutated));
    }
}
