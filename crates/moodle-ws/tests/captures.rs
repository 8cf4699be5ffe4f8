//! Every recorded Moodle 4.5 answer decodes to what it means.

use moodle_sim::{all_captures, capture};
use moodle_ws::{decode_envelope, SiteInfo, WsError};

fn decode(name: &str) -> Result<serde_json::Value, WsError> {
    let c = capture(name);
    decode_envelope(c.status, Some(c.content_type()), c.body.as_bytes())
}

fn errorcode(name: &str) -> String {
    match decode(name) {
        Err(WsError::Moodle { errorcode, .. }) => errorcode,
        other => panic!("{name}: expected a Moodle error, got {other:?}"),
    }
}

#[test]
fn every_capture_has_an_expected_decoding() {
    let mut seen = 0;
    for c in all_captures() {
        let result = decode(c.name);
        match c.name {
            "invalid_token" => assert_eq!(errorcode(c.name), "invalidtoken"),
            "expired_token"
            | "function_not_in_service"
            | "service_disabled"
            | "restricted_users_not_authorized"
            | "userkey_auth_disabled"
            | "ok_site_info_userkey" => assert_eq!(errorcode(c.name), "accessexception"),
            "function_does_not_exist" => assert_eq!(errorcode(c.name), "invalidrecord"),
            "mapping_field_mismatch" | "user_not_found" => {
                assert_eq!(errorcode(c.name), "invalidparameter")
            }
            "webservices_disabled" | "rest_protocol_disabled" => assert_eq!(
                result.unwrap_err(),
                WsError::Http {
                    status: 403,
                    body_excerpt: String::new()
                }
            ),
            "wrong_path" => {
                assert!(matches!(result, Err(WsError::Http { status: 404, .. })))
            }
            "html_login_page" => match result {
                Err(WsError::Protocol { reason, .. }) => {
                    assert!(reason.contains("Home | sislab"), "{reason}")
                }
                other => panic!("html_login_page: {other:?}"),
            },
            "ok_follow_login_url" => {
                assert!(matches!(result, Err(WsError::Http { status: 303, .. })))
            }
            "ok_request_login_url" => {
                let v = result.unwrap();
                assert_eq!(
                    v["loginurl"],
                    "http://127.0.0.1:8080/auth/userkey/login.php?key=LOGINKEY"
                );
            }
            "ok_site_info_opensis" | "webservice_auth_disabled" | "downloadfiles_off" => {
                let info: SiteInfo = serde_json::from_value(result.unwrap()).unwrap();
                assert_eq!(info.release, "4.5.11+ (Build: 20260501)");
                assert_eq!(info.version, "2024100711.02");
                assert_eq!(info.sitename, "SIS Lab Moodle");
                assert_eq!(info.siteurl, "http://127.0.0.1:8080");
                assert!(info.userissiteadmin);
                assert_eq!(info.functions.len(), 24);
                assert!(info.has_function("core_webservice_get_site_info"));
                let files = (info.downloadfiles, info.uploadfiles);
                if c.name == "downloadfiles_off" {
                    assert_eq!(files, (0, 0));
                } else {
                    assert_eq!(files, (1, 1));
                }
            }
            other => panic!("capture {other} has no expectation: add one"),
        }
        seen += 1;
    }
    assert_eq!(seen, 19);
}

#[test]
fn namespaced_and_plain_exception_classes_are_matched_by_errorcode() {
    // 4.5 namespaces core exceptions; the webservice one is still plain.
    assert!(capture("invalid_token").body.contains("core\\\\exception"));
    assert!(capture("expired_token")
        .body
        .contains("\"webservice_access_exception\""));
    assert_eq!(errorcode("invalid_token"), "invalidtoken");
    assert_eq!(errorcode("expired_token"), "accessexception");
}
