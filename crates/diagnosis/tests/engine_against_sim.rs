//! The diagnosis engine, driven through the real client against the simulated Moodle (real
//! captured answers), in the situations the table of captured states does not vary: what the
//! admin types (no tokens, swapped or doubled tokens, an e-mail), what the doctor sends and
//! does not send, and what it puts back.

#[path = "support/front_of_sim.rs"]
mod support;

use diagnosis::{diagnose, diagnose_with, DiagnoseInput, DiagnoseOptions, Outcome, Report, Status};
use moodle_sim::{Front, MoodleSim};
use moodle_ws::{build_http_client, HttpConfig, WsToken};

struct Run {
    sim: MoodleSim,
    report: Report,
}

impl Run {
    fn finding(&self, check: &str) -> &diagnosis::Finding {
        self.report
            .finding(check)
            .unwrap_or_else(|| panic!("no finding {check}"))
    }

    fn assert(&self, check: &str, expected: Status) {
        let f = self.finding(check);
        assert_eq!(
            f.status, expected,
            "{check}: {f:#?}\nall: {:#?}",
            self.report.checks
        );
    }

    fn assert_failing_steps(&self, steps: &[u8]) {
        assert_eq!(
            self.report.failing_steps(),
            steps,
            "failing: {:#?}",
            self.report
                .checks
                .iter()
                .filter(|f| f.status == Status::Fail)
                .collect::<Vec<_>>()
        );
    }

    /// The requests answered "not captured" (none, wherever the doctor stays on captured ground).
    fn uncaptured(&self) -> Vec<String> {
        self.sim
            .not_captured()
            .iter()
            .map(|r| format!("{} {} {}", r.method, r.uri, wsfunction(&r.body)))
            .collect()
    }
}

fn wsfunction(body: &str) -> String {
    body.split('&')
        .find(|p| p.starts_with("wsfunction="))
        .unwrap_or_default()
        .to_owned()
}

fn has_hex_run(text: &str, len: usize) -> bool {
    let mut run = 0;
    for c in text.chars() {
        run = if c.is_ascii_hexdigit() { run + 1 } else { 0 };
        if run >= len {
            return true;
        }
    }
    false
}

fn input(sim: &MoodleSim) -> DiagnoseInput {
    DiagnoseInput {
        url: sim.url(),
        opensis_token: WsToken::new(&sim.opensis_token()),
        userkey_token: WsToken::new(&sim.userkey_token()),
        admin_email: None,
    }
}

async fn run_with(
    version: &str,
    state: &str,
    options: DiagnoseOptions,
    edit: impl FnOnce(&MoodleSim, &mut DiagnoseInput),
) -> Run {
    let sim = MoodleSim::start(version, state).await.unwrap();
    let http = build_http_client(&HttpConfig::default()).unwrap();
    let mut inp = input(&sim);
    edit(&sim, &mut inp);
    let report = diagnose_with(&http, &inp, &options).await.unwrap();
    Run { sim, report }
}

async fn run(state: &str) -> Run {
    run_with("4.5", state, DiagnoseOptions::default(), |_, _| {}).await
}

#[tokio::test]
async fn the_good_state_passes_all_but_the_plugin_no_recorded_site_has() {
    let r = run("good").await;
    r.assert_failing_steps(&[3]);
    for check in [
        "site_reachable",
        "site_is_moodle",
        "userkey_ip_restriction_off",
        "admin_email_valid",
        "admin_email_account",
        "admin_email_unique",
        "sso_lands_on_dashboard",
        "sso_login_url_address",
        "site_address",
        "site_not_in_maintenance",
        "userkey_plugin_installed",
        "userkey_enabled",
        "userkey_mapping_email",
        "userkey_update_user_off",
        "webservice_auth_enabled",
        "opensis_service_exists",
        "opensis_service_open",
        "opensis_service_files",
        "web_services_enabled",
        "admin_authorised_userkey_service",
        "rest_protocol_enabled",
        "opensis_token",
        "opensis_token_admin",
        "token_user_account",
        "userkey_token",
        "tokens_in_right_fields",
        "sso_round_trip",
    ] {
        r.assert(check, Status::Pass);
    }
    r.assert("web_services_plugin_installed", Status::Fail);
    // The six local_get_* functions cannot be added before their plugin is installed.
    let functions = r.finding("opensis_functions");
    assert_eq!(functions.status, Status::Blocked);
    assert_eq!(functions.blocked_by, Some(3));
    assert!(functions.evidence.contains("25 of 31"));
    // Loopback is not reachable from the internet: a warning, never a failure.
    r.assert("site_public", Status::Warn);
    r.assert("userkey_lifetime", Status::NotVisible);
    let site = r.report.site.as_ref().unwrap();
    assert_eq!(site.release.as_deref(), Some("4.5.11+ (Build: 20260501)"));
    assert_eq!(site.version.as_deref(), Some("2024100711.02"));
    assert_eq!(site.branch.as_deref(), Some("4.5"));
    assert_eq!(site.wwwroot, r.sim.url());
    assert!(r.report.checks.iter().all(|f| f.link.is_some()));
    assert_eq!(r.report.verdict.outcome, Outcome::Failed);
    assert_eq!(
        r.report.verdict.headline,
        "1 step needs you: 3 Install the two openSIS plugins."
    );
    assert!(r.uncaptured().is_empty(), "{:?}", r.uncaptured());
}

#[tokio::test]
async fn tokens_and_keys_never_travel_in_a_url_or_a_report() {
    let r = run("good").await;
    let requests = r.sim.requests();
    assert!(requests.len() > 8);
    let tokens = [r.sim.opensis_token(), r.sim.userkey_token()];
    for req in &requests {
        for t in &tokens {
            assert!(!req.uri.contains(t.as_str()), "token in URL: {}", req.uri);
        }
    }
    assert!(requests
        .iter()
        .any(|q| q.method == "POST" && q.body.contains(&tokens[0])));
    let json = serde_json::to_string(&r.report).unwrap();
    for t in &tokens {
        assert!(!json.contains(t.as_str()));
    }
    // Neither a token nor a one-time login key (both 32 hex characters) is in the report.
    assert!(!has_hex_run(&json, 32), "{json}");
}

#[tokio::test]
async fn a_proxy_page_in_front_is_step_0_and_everything_else_waits() {
    let sim = MoodleSim::start_good().await.unwrap();
    sim.set_front(Some(Front::ProxyPage));
    let http = build_http_client(&HttpConfig::default()).unwrap();
    let report = diagnose(&http, &input(&sim)).await.unwrap();
    assert_eq!(report.failing_steps(), vec![0]);
    let f = report.finding("site_is_moodle").unwrap();
    assert_eq!(f.status, Status::Fail);
    assert!(f.evidence.contains("Sign in to continue"));
    assert!(report.site.is_none());
    for f in report.checks.iter().filter(|f| f.step > 0) {
        assert_eq!(
            (f.status, f.blocked_by),
            (Status::Blocked, Some(0)),
            "{f:?}"
        );
    }
    assert_eq!(report.verdict.outcome, Outcome::Failed);
}

#[tokio::test]
async fn maintenance_fails_step_0_and_the_admin_s_tokens_are_still_checked() {
    for version in ["4.1", "4.5", "5.0"] {
        let r = run_with(
            version,
            "maintenance",
            DiagnoseOptions::default(),
            |_, _| {},
        )
        .await;
        r.assert_failing_steps(&[0, 3]);
        let f = r.finding("site_not_in_maintenance");
        assert_eq!(f.status, Status::Fail);
        assert!(
            f.summary.contains("students and teachers cannot sign in"),
            "{f:?}"
        );
        r.assert("opensis_token", Status::Pass);
        r.assert("sso_round_trip", Status::Pass);
    }
}

#[tokio::test]
async fn a_non_admin_token_in_maintenance_is_named() {
    let r = run_with(
        "4.5",
        "maintenance",
        DiagnoseOptions::default(),
        |sim, i| {
            i.opensis_token = WsToken::new(&sim.wsuser_tokens().0);
            i.userkey_token = None;
        },
    )
    .await;
    let f = r.finding("opensis_token");
    assert_eq!(f.status, Status::Fail);
    assert!(f.summary.contains("maintenance"), "{f:?}");
    assert!(r.uncaptured().is_empty(), "{:?}", r.uncaptured());
}

#[tokio::test]
async fn maintenance_from_the_command_line_blocks_everything() {
    let r = run("climaintenance").await;
    r.assert_failing_steps(&[0]);
    let f = r.finding("site_not_in_maintenance");
    assert!(
        f.fix.contains("php admin/cli/maintenance.php --disable"),
        "{f:?}"
    );
    r.assert("site_is_moodle", Status::Pass);
}

#[tokio::test]
async fn an_address_that_is_not_the_wwwroot_names_it_and_the_rest_is_checked_there() {
    for version in ["4.1", "4.5", "5.0"] {
        let r = run_with(
            version,
            "wwwroot_mismatch",
            DiagnoseOptions::default(),
            |_, _| {},
        )
        .await;
        r.assert_failing_steps(&[0, 3]);
        let f = r.finding("site_address");
        assert_eq!(f.status, Status::Fail);
        let wwwroot = r.sim.wwwroot();
        assert!(
            f.summary
                .contains(&format!("openSIS must use exactly {wwwroot}")),
            "{f:?}"
        );
        assert_eq!(r.report.site.as_ref().unwrap().wwwroot, wwwroot);
        r.assert("sso_round_trip", Status::Pass);
        // Over loopback (or verified https) the first round goes out beside the public
        // configuration, so tokens may reach the address typed — an alias of the same site —
        // but nothing with an effect does: no login URL for the admin, no follow, no restore.
        for req in r.sim.requests() {
            if req.address == moodle_sim::SimAddress::Second && req.body.contains("wstoken") {
                let f = wsfunction(&req.body).replace("wsfunction=", "");
                let made_up = req.body.contains("example.invalid");
                assert!(
                    f == "core_webservice_get_site_info"
                        || f == "core_user_get_users_by_field"
                        || (f == "auth_userkey_request_login_url" && made_up),
                    "{req:?}"
                );
            }
        }
        assert!(r.uncaptured().is_empty(), "{version}: {:?}", r.uncaptured());
    }
}

#[tokio::test]
async fn rest_disabled_is_step_13_even_without_tokens() {
    for version in ["4.1", "4.5", "5.0"] {
        let r = run_with(
            version,
            "rest_disabled",
            DiagnoseOptions::default(),
            |_, i| {
                i.opensis_token = None;
                i.userkey_token = None;
            },
        )
        .await;
        r.assert("rest_protocol_enabled", Status::Fail);
        r.assert("web_services_enabled", Status::Pass);
        assert!(r.report.failing_steps().contains(&13));
        assert!(!r.report.failing_steps().contains(&11));
    }
}

#[tokio::test]
async fn web_services_disabled_is_step_11_not_13() {
    let r = run("ws_disabled").await;
    r.assert_failing_steps(&[11]);
    r.assert("rest_protocol_enabled", Status::Blocked);
    assert!(r
        .finding("web_services_enabled")
        .fix
        .contains("cfg.php --name=enablewebservices --set=1"));
}

#[tokio::test]
async fn moodle_5_0_names_a_missing_function_invalidrecordunknown() {
    let r = run_with("5.0", "good", DiagnoseOptions::default(), |_, _| {}).await;
    let f = r.finding("web_services_plugin_installed");
    assert_eq!(f.status, Status::Fail);
    assert!(f.evidence.contains("invalidrecordunknown"), "{f:?}");
    assert_eq!(
        r.report.site.as_ref().unwrap().branch.as_deref(),
        Some("5.0")
    );
}

#[tokio::test]
async fn functions_not_added_are_listed_apart_from_those_of_the_missing_plugin() {
    let r = run("functions_missing").await;
    let f = r.finding("opensis_functions");
    assert_eq!(f.status, Status::Fail);
    assert!(f.summary.starts_with("2 of the 31"), "{}", f.summary);
    assert!(f.fix.contains("core_user_create_users") && f.fix.contains("enrol_manual_enrol_users"));
    assert!(f
        .fix
        .contains("After installing the missing plugin (step 3), also add: local_get_"));
}

#[tokio::test]
async fn update_user_is_caught_and_the_old_value_is_sent_back() {
    for version in ["4.1", "4.5", "5.0"] {
        for give_email in [false, true] {
            let r = run_with(
                version,
                "userkey_updateuser",
                DiagnoseOptions::default(),
                |sim, i| {
                    i.admin_email = give_email.then(|| sim.admin_email());
                },
            )
            .await;
            let requests = r.sim.requests();
            let position = |needle: &str| {
                requests
                    .iter()
                    .position(|q| q.body.contains(needle))
                    .unwrap_or_else(|| panic!("{version}: no request with {needle}"))
            };
            let login = position("wsfunction=auth_userkey_request_login_url&moodlewsrestformat=json&user%5Bemail%5D=admin%40");
            let restore = position("wsfunction=core_user_update_users");
            assert!(restore > login, "{version}: restored before the login URL");
            // Exactly the old value of exactly the field that changed, for that account.
            let body = &requests[restore].body;
            let params: Vec<(String, String)> = serde_urlencoded::from_str(body).unwrap();
            let users: Vec<&(String, String)> = params
                .iter()
                .filter(|(k, _)| k.starts_with("users["))
                .collect();
            assert_eq!(
                users,
                [
                    &("users[0][id]".to_owned(), "2".to_owned()),
                    &("users[0][auth]".to_owned(), "manual".to_owned())
                ],
                "{version}"
            );
            let f = r.finding("userkey_update_user_off");
            assert_eq!(f.status, Status::Fail, "{version}: {f:?}");
            assert!(f
                .summary
                .starts_with("\"Update user?\" is on — it rewrote the admin's login method"));
            // The simulation holds no answer to the restore: the doctor says so and how to fix it.
            assert!(f.summary.contains("putting it back failed"), "{f:?}");
            assert!(f.fix.contains("\"Manual accounts\""), "{f:?}");
            assert_eq!(r.uncaptured().len(), 1, "{:?}", r.uncaptured());
        }
    }
}

#[tokio::test]
async fn nothing_is_sent_back_where_nothing_changed() {
    let r = run("userkey_createuser").await;
    r.assert("userkey_update_user_off", Status::Pass);
    assert!(!r
        .sim
        .requests()
        .iter()
        .any(|q| q.body.contains("core_user_update_users")));
}

#[tokio::test]
async fn no_sso_skips_the_probes_that_leave_a_trace() {
    let r = run_with(
        "4.5",
        "good",
        DiagnoseOptions {
            no_sso: true,
            ..Default::default()
        },
        |_, _| {},
    )
    .await;
    for req in r.sim.requests() {
        assert_ne!(req.probe.as_deref(), Some("login_url"), "{req:?}");
        assert_ne!(req.probe.as_deref(), Some("follow_login_url"));
        assert_ne!(req.probe.as_deref(), Some("simpleserver"));
    }
    for check in [
        "userkey_mapping_email",
        "userkey_update_user_off",
        "webservice_auth_enabled",
        "sso_round_trip",
    ] {
        r.assert(check, Status::Skipped);
    }
    // What needs no trace is still checked.
    r.assert("admin_authorised_userkey_service", Status::Pass);
    r.assert("token_user_account", Status::Pass);
    r.assert("rest_protocol_enabled", Status::Pass);
    r.assert_failing_steps(&[3]);
}

#[tokio::test]
async fn an_expired_token_is_told_apart_from_a_disabled_service() {
    for give_email in [false, true] {
        let r = run_with(
            "4.5",
            "token_expired",
            DiagnoseOptions::default(),
            |sim, i| {
                i.admin_email = give_email.then(|| sim.admin_email());
            },
        )
        .await;
        let f = r.finding("opensis_token_expired");
        assert_eq!(f.status, Status::Fail);
        assert!(f.summary.contains("expired"), "{f:?}");
        r.assert_failing_steps(&[15]);
    }
}

#[tokio::test]
async fn a_token_of_a_user_without_rest_is_step_15_not_10() {
    let r = run("token_owner_not_admin").await;
    r.assert_failing_steps(&[15]);
    let f = r.finding("opensis_token");
    assert!(f.fix.contains("Site administrators"), "{f:?}");
    assert_eq!(r.finding("opensis_service_open").blocked_by, Some(15));
    assert_eq!(
        r.finding("admin_authorised_userkey_service").blocked_by,
        Some(15)
    );
}

#[tokio::test]
async fn debugging_on_shows_moodle_s_reason_in_the_evidence() {
    let r = run_with(
        "4.5-debug",
        "token_owner_wsrole",
        DiagnoseOptions::default(),
        |_, _| {},
    )
    .await;
    let f = r.finding("userkey_token");
    assert_eq!(f.status, Status::Fail);
    assert!(f.evidence.contains("nopermissions"), "{f:?}");
}

#[tokio::test]
async fn swapped_tokens_are_named_and_the_rest_is_still_diagnosed() {
    for give_email in [false, true] {
        let r = run_with("4.5", "good", DiagnoseOptions::default(), |sim, i| {
            i.opensis_token = WsToken::new(&sim.userkey_token());
            i.userkey_token = WsToken::new(&sim.opensis_token());
            i.admin_email = give_email.then(|| sim.admin_email());
        })
        .await;
        r.assert_failing_steps(&[3, 15]);
        r.assert("tokens_in_right_fields", Status::Fail);
        r.assert("sso_round_trip", Status::Pass);
        r.assert("userkey_mapping_email", Status::Pass);
        // Sent with the wrong token before the swap was known: answers no capture holds.
        for q in r.uncaptured() {
            assert!(
                q.contains("auth_userkey_request_login_url")
                    || q.contains("core_user_get_users_by_field"),
                "{q}"
            );
        }
    }
}

#[tokio::test]
async fn the_same_token_twice_is_named() {
    let r = run_with("4.5", "good", DiagnoseOptions::default(), |sim, i| {
        i.userkey_token = WsToken::new(&sim.opensis_token());
    })
    .await;
    r.assert("tokens_in_right_fields", Status::Fail);
    r.assert("userkey_token", Status::Fail);
}

#[tokio::test]
async fn missing_tokens_say_what_to_create_and_the_public_checks_still_run() {
    let r = run_with("4.1", "good", DiagnoseOptions::default(), |_, i| {
        i.opensis_token = None;
        i.userkey_token = None;
    })
    .await;
    r.assert_failing_steps(&[15]);
    let f = r.finding("opensis_token");
    assert!(f.fix.contains("leave \"Valid until\" not enabled"), "{f:?}");
    for check in [
        "web_services_enabled",
        "rest_protocol_enabled",
        "webservice_auth_enabled",
        "userkey_enabled",
    ] {
        r.assert(check, Status::Pass);
    }
}

#[tokio::test]
async fn token_texts_follow_the_site_s_version() {
    let r = run_with(
        "4.5",
        "opensis_token_invalid",
        DiagnoseOptions::default(),
        |_, _| {},
    )
    .await;
    r.assert_failing_steps(&[15]);
    // Without a working token the version is unknown: both forms are described.
    assert!(r
        .finding("opensis_token")
        .fix
        .contains("Moodle 4.5 and later"));
    let r = run_with(
        "5.0",
        "token_owner_wsrole",
        DiagnoseOptions::default(),
        |_, _| {},
    )
    .await;
    let f = r.finding("opensis_token_admin");
    assert!(
        f.fix.contains("Moodle 5.0 fills in a date 30 days ahead"),
        "{f:?}"
    );
}

#[tokio::test]
async fn unreachable_site_is_step_0_and_everything_else_waits() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let http = build_http_client(&HttpConfig::default()).unwrap();
    let report = diagnose(
        &http,
        &DiagnoseInput {
            url: format!("http://127.0.0.1:{port}"),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(report.failing_steps(), vec![0]);
    let f = report.finding("site_reachable").unwrap();
    assert!(f.summary.contains("Nothing answers"), "{f:?}");
    assert!(report
        .checks
        .iter()
        .filter(|f| f.step > 0)
        .all(|f| f.status == Status::Blocked));
}

#[tokio::test]
async fn an_aged_key_that_still_signs_in_proves_the_life_time() {
    let options = DiagnoseOptions {
        key_lifetime_check: Some(std::time::Duration::from_millis(600)),
        ..Default::default()
    };
    let r = run_with("4.5", "good", options, |_, _| {}).await;
    r.assert("userkey_lifetime", Status::Pass);
}

/// The one answer no capture holds here: a login key older than `lifetime` is refused the way
/// auth_userkey's source refuses it (HTTP 404, Moodle's error page saying "Expired key").
async fn expiring_keys_in_front_of(sim: &MoodleSim, lifetime: std::time::Duration) -> String {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};
    use std::time::Instant;
    use support::{Answer, Changes};

    let issued: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let seen_keys = issued.clone();
    let changes = Changes {
        replace: Arc::new(move |seen| {
            let key = seen
                .param("key")
                .filter(|_| seen.path == "/auth/userkey/login.php")?;
            let old = issued
                .lock()
                .unwrap()
                .get(key)
                .is_some_and(|t| t.elapsed() > lifetime);
            old.then(|| Answer {
                status: 404,
                headers: vec![("content-type", "text/html; charset=utf-8".to_owned())],
                body: b"<!DOCTYPE html><html><head><title>Error</title></head><body><p class=\"errormessage\">Expired key</p></body></html>".to_vec(),
            })
        }),
        rewrite: Arc::new(move |_, body| {
            if let Some(key) = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["loginurl"].as_str().map(str::to_owned))
                .and_then(|u| u.split("key=").nth(1).map(str::to_owned))
            {
                seen_keys.lock().unwrap().insert(key, Instant::now());
            }
            body
        }),
    };
    support::in_front_of(&sim.url(), changes).await
}

#[tokio::test]
async fn a_key_refused_once_aged_fails_step_7() {
    let sim = MoodleSim::start_good().await.unwrap();
    let front = expiring_keys_in_front_of(&sim, std::time::Duration::from_millis(200)).await;
    let http = build_http_client(&HttpConfig::default()).unwrap();
    let options = DiagnoseOptions {
        key_lifetime_check: Some(std::time::Duration::from_millis(400)),
        ..Default::default()
    };
    let mut i = input(&sim);
    i.url = front;
    i.admin_email = Some(sim.admin_email());
    let report = diagnose_with(&http, &i, &options).await.unwrap();
    let f = report.finding("userkey_lifetime").unwrap();
    assert_eq!(f.status, Status::Fail, "{f:?}");
    assert!(f.fix.contains("keylifetime --set=120"));
    assert!(f.evidence.contains("\"Expired key\""), "{f:?}");
    // The first, fresh key still signed in: single sign-on itself works.
    assert_eq!(
        report.finding("sso_round_trip").unwrap().status,
        Status::Pass
    );
}

#[tokio::test]
async fn an_aged_key_beyond_the_captures_is_could_not_tell_not_a_pass() {
    let sim = MoodleSim::start_good().await.unwrap();
    sim.set_fresh_key_limit(std::time::Duration::from_millis(100));
    let http = build_http_client(&HttpConfig::default()).unwrap();
    let options = DiagnoseOptions {
        key_lifetime_check: Some(std::time::Duration::from_millis(300)),
        ..Default::default()
    };
    let report = diagnose_with(&http, &input(&sim), &options).await.unwrap();
    let f = report.finding("userkey_lifetime").unwrap();
    assert_eq!(f.status, Status::Unknown, "{f:?}");
    assert_eq!(report.could_not_tell().len(), 1);
}

#[tokio::test]
async fn each_probe_is_sent_once() {
    for give_email in [false, true] {
        let r = run_with("4.5", "good", DiagnoseOptions::default(), |sim, i| {
            i.admin_email = give_email.then(|| sim.admin_email());
        })
        .await;
        let mut probes: Vec<String> = r
            .sim
            .requests()
            .iter()
            .map(|q| q.probe.clone().unwrap_or_default())
            .collect();
        probes.sort();
        let mut expected = vec![
            "exists_local_get_users_information",
            "follow_login_url",
            "login_url",
            "login_url_unknown_email",
            "public_config",
            "simpleserver",
            "site_info_opensis",
            "site_info_userkey",
            // The three requests shaped like openSIS's sync.
            "sync_batch",
            "sync_course_html",
            "sync_names",
            "userkey_bad_key",
            // The accounts with the e-mail, read before the login URL is asked for and after.
            "user_by_email_opensis",
            "user_by_email_opensis",
        ];
        if !give_email {
            // The token owner's account first, for its e-mail.
            expected.push("user_by_id_opensis");
        }
        expected.sort_unstable();
        assert_eq!(probes, expected, "e-mail given: {give_email}");
    }
}

/// W1: https is claimed only for a site that answered at an https address. A plain-http site
/// (here the simulated Moodle, checked as a real school would be) is a warning that names
/// plain http; in the demo it passes, saying it is the demo's plain http; a name that does
/// not resolve is not judged at all.
#[tokio::test]
async fn https_is_never_claimed_for_plain_http_or_for_a_site_that_did_not_answer() {
    let sim = MoodleSim::start_good().await.unwrap();
    let http = build_http_client(&HttpConfig::default()).unwrap();
    let input = DiagnoseInput {
        url: sim.url(),
        ..DiagnoseInput::default()
    };
    let options = DiagnoseOptions {
        tokens_pending: true,
        ..DiagnoseOptions::default()
    };
    let report = diagnose_with(&http, &input, &options).await.unwrap();
    let https = report.finding("site_https").unwrap();
    assert_eq!(https.status, Status::Warn, "{https:?}");
    assert!(https.summary.contains("plain http"), "{}", https.summary);

    let demo = DiagnoseOptions {
        simulated_site: true,
        ..options.clone()
    };
    let report = diagnose_with(&http, &input, &demo).await.unwrap();
    let https = report.finding("site_https").unwrap();
    assert_eq!(https.status, Status::Pass);
    assert!(https.summary.contains("plain http"), "{}", https.summary);

    let nowhere = DiagnoseInput {
        url: "https://moodle.invalid".into(),
        ..DiagnoseInput::default()
    };
    let report = diagnose_with(&http, &nowhere, &options).await.unwrap();
    assert_eq!(
        report.finding("site_reachable").unwrap().status,
        Status::Fail
    );
    let https = report.finding("site_https").unwrap();
    assert_eq!(https.status, Status::Blocked, "{https:?}");
    assert_eq!(https.blocked_by, Some(0));
}

/// A bare `host:port` is tried as https; when that port speaks plain http, the doctor says so
/// and offers the http address, instead of blaming a certificate.
#[tokio::test]
async fn a_bare_host_and_port_that_speaks_plain_http_is_not_blamed_on_a_certificate() {
    let sim = MoodleSim::start_good().await.unwrap();
    let http = build_http_client(&HttpConfig::default()).unwrap();
    let bare = sim
        .url()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let input = DiagnoseInput {
        url: bare.clone(),
        ..DiagnoseInput::default()
    };
    let report = diagnose(&http, &input).await.unwrap();
    let reachable = report.finding("site_reachable").unwrap();
    assert_eq!(reachable.status, Status::Fail);
    assert!(
        reachable.summary.contains("does not speak HTTPS"),
        "{reachable:?}"
    );
    assert!(
        reachable.summary.contains("without https://"),
        "{reachable:?}"
    );
    assert!(!reachable.summary.contains("certificate"), "{reachable:?}");
    assert!(
        reachable.fix.contains(&format!("http://{bare}")),
        "{reachable:?}"
    );
    assert_eq!(
        report.finding("site_https").unwrap().status,
        Status::Blocked
    );
}
