//! Every captured answer of Moodle 4.1, 4.5 and 5.0 decodes to what the capture tool's own
//! short answer (`summary.json`) says it is: a Moodle error code, a success, an empty 403, an
//! HTML page or a redirect.

use moodle_sim::{Capture, Catalog};
use moodle_ws::public_config::parse_public_config;
use moodle_ws::text::html_title;
use moodle_ws::{decode_envelope, SiteInfo, UserRecord, WsError};

fn decode(c: &Capture) -> Result<serde_json::Value, WsError> {
    decode_envelope(
        c.answer.status,
        c.answer.header("content-type"),
        c.answer.body.as_bytes(),
    )
}

/// The text between the first pair of backticks: the error code in a short answer.
fn backticked(short: &str) -> Option<&str> {
    let start = short.find('`')? + 1;
    let end = short[start..].find('`')? + start;
    Some(&short[start..end])
}

#[test]
fn every_capture_decodes_as_its_short_answer_says() {
    let mut checked = 0;
    for (version, state, c) in Catalog::builtin().every_capture() {
        let at = format!("{}/{}/{}", version.id, state.name, c.probe);
        let short = &state.summary[&c.probe];
        let result = decode(c);
        if let Some(code) = backticked(short) {
            // Moodle's JSON error envelope, whatever the status and the exception's class.
            let got = if c.probe == "public_config" {
                result.and_then(parse_public_config).map(|_| ())
            } else {
                result.map(|_| ())
            };
            match got {
                Err(e) => assert_eq!(e.errorcode(), Some(code), "{at}: {short}"),
                Ok(()) => panic!("{at}: decoded as a success, summary says {short}"),
            }
        } else if short.contains("(empty)") {
            match result {
                Err(WsError::Http {
                    status,
                    body_excerpt,
                    ..
                }) => {
                    assert_eq!(status, c.answer.status, "{at}");
                    assert!(body_excerpt.is_empty(), "{at}");
                }
                Err(WsError::Protocol { reason, .. }) => {
                    assert!(reason.contains("empty"), "{at}: {reason}");
                }
                other => panic!("{at}: {other:?} for {short}"),
            }
        } else if short.contains(" ok ") {
            let value = result.unwrap_or_else(|e| panic!("{at}: {e}"));
            if c.probe == "public_config" {
                let cfg = parse_public_config(value).unwrap();
                assert!(
                    short.contains(&format!("ws={}", cfg.enablewebservices)),
                    "{at}"
                );
                assert!(
                    short.contains(&format!("maint={}", cfg.maintenanceenabled)),
                    "{at}"
                );
            } else {
                let info: SiteInfo = serde_json::from_value(value).unwrap();
                assert!(short.contains(&format!("user={} ", info.username)), "{at}");
                assert!(
                    short.contains(&format!("admin={} ", u8::from(info.userissiteadmin))),
                    "{at}"
                );
                assert!(
                    short.contains(&format!("fn={} ", info.functions.len())),
                    "{at}"
                );
                assert!(
                    short.contains(&format!(
                        "files={}/{}",
                        info.downloadfiles, info.uploadfiles
                    )),
                    "{at}"
                );
                assert!(
                    info.release
                        .starts_with(version.id.split('-').next().unwrap()),
                    "{at}"
                );
            }
        } else if let Some(list) = short.strip_prefix("200 [") {
            let users: Vec<UserRecord> =
                serde_json::from_value(result.unwrap_or_else(|e| panic!("{at}: {e}"))).unwrap();
            let count: usize = list.split(':').next().unwrap().parse().unwrap();
            assert_eq!(users.len(), count, "{at}");
            for u in &users {
                assert!(
                    short.contains(&format!("{}(auth={})", u.username, u.auth)),
                    "{at}"
                );
            }
        } else if short.contains("loginurl") {
            let value = result.unwrap_or_else(|e| panic!("{at}: {e}"));
            assert!(
                value["loginurl"]
                    .as_str()
                    .unwrap()
                    .contains("/auth/userkey/login.php?key="),
                "{at}"
            );
        } else if short.contains(" html") || short.contains('→') {
            // A page, not JSON: an error for a web-service decoder, with its title kept.
            let err = result.expect_err(&at);
            if let Some(title) = short.split('«').nth(1).and_then(|t| t.split('»').next()) {
                let shown = html_title(&c.answer.body).unwrap_or_default();
                let title = title.trim_end_matches('…');
                assert!(
                    shown.starts_with(title)
                        || title.contains(&shown)
                        || short.contains("html error"),
                    "{at}: title {shown:?} for {short}"
                );
            }
            if (300..400).contains(&c.answer.status) {
                assert!(c.answer.header("location").is_some(), "{at}");
            }
            assert!(!matches!(err, WsError::Moodle { .. }), "{at}");
        } else {
            panic!("{at}: no expectation for the short answer {short:?}");
        }
        checked += 1;
    }
    println!("{checked} captured answers decoded as their short answers say");
    assert!(checked > 1500);
}

#[test]
fn exception_classes_differ_by_version_and_errorcodes_do_not() {
    let catalog = Catalog::builtin();
    let body = |v: &str, s: &str, p: &str| {
        catalog
            .version(v)
            .unwrap()
            .state(s)
            .unwrap()
            .capture(p)
            .unwrap()
            .answer
            .body
            .clone()
    };
    // 4.1 plain classes, 4.5 and 5.0 namespaced; one error code.
    assert!(body("4.1", "opensis_token_invalid", "site_info_opensis")
        .contains("\"exception\":\"moodle_exception\""));
    assert!(body("4.5", "opensis_token_invalid", "site_info_opensis")
        .contains("core\\\\exception\\\\moodle_exception"));
    // A function that does not exist: invalidrecord before 5.0, invalidrecordunknown in 5.0.
    for (version, code) in [
        ("4.1", "invalidrecord"),
        ("4.5", "invalidrecord"),
        ("5.0", "invalidrecordunknown"),
    ] {
        let c = catalog
            .version(version)
            .unwrap()
            .state("good")
            .unwrap()
            .capture("exists_local_get_users_information")
            .unwrap();
        let err = decode(c).unwrap_err();
        assert!(err.is_errorcode(code), "{version}: {err:?}");
        assert!(err.is_missing_function(), "{version}");
    }
}
