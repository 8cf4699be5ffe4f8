//! The diagnosis engine, driven through the real client against the simulated Moodle with
//! each fault switched on, names the broken step.

use moodle_sim::{Fault, MoodleSim};
use moodle_ws::{build_http_client, HttpConfig, WsToken};
use setup_core::{diagnose, DiagnoseInput, Report, Status};

struct Run {
    sim: MoodleSim,
    report: Report,
}

impl Run {
    fn assert(&self, check: &str, expected: Status) {
        let f = self.report.finding(check).unwrap();
        assert_eq!(
            f.status, expected,
            "{check}: {f:#?}\nall: {:#?}",
            self.report.checks
        );
    }

    fn assert_only_failing_steps(&self, steps: &[u8]) {
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

async fn run_with(faults: &[Fault], edit: impl FnOnce(&MoodleSim, &mut DiagnoseInput)) -> Run {
    let sim = MoodleSim::start(faults.iter().copied()).await.unwrap();
    let http = build_http_client(&HttpConfig::default()).unwrap();
    let mut inp = input(&sim);
    edit(&sim, &mut inp);
    let report = diagnose(&http, &inp).await.unwrap();
    Run { sim, report }
}

async fn run(faults: &[Fault]) -> Run {
    run_with(faults, |_, _| {}).await
}

#[tokio::test]
async fn healthy_site_passes_every_step() {
    let r = run(&[]).await;
    r.assert_only_failing_steps(&[]);
    for check in [
        "site_reachable",
        "site_is_moodle",
        "site_address",
        "site_not_in_maintenance",
        "userkey_plugin_installed",
        "web_services_plugin_installed",
        "userkey_enabled",
        "userkey_mapping_email",
        "webservice_auth_enabled",
        "opensis_service_exists",
        "opensis_service_open",
        "opensis_service_files",
        "web_services_enabled",
        "admin_authorised_userkey_service",
        "rest_protocol_enabled",
        "opensis_functions",
        "opensis_token",
        "opensis_token_admin",
        "userkey_token",
        "tokens_in_right_fields",
        "sso_round_trip",
    ] {
        r.assert(check, Status::Pass);
    }
    // Loopback is not reachable from the internet: a warning, never a failure.
    r.assert("site_public", Status::Warn);
    r.assert("userkey_lifetime", Status::Unknown);
    let site = r.report.site.as_ref().unwrap();
    assert_eq!(site.release.as_deref(), Some("4.5.11+ (Build: 20260501)"));
    assert_eq!(site.version.as_deref(), Some("2024100711.02"));
    assert_eq!(site.wwwroot, r.sim.url());
    assert!(r.report.checks.iter().all(|f| f.link.is_some()));
}

#[tokio::test]
async fn tokens_never_travel_in_a_url() {
    let r = run(&[]).await;
    let requests = r.sim.requests();
    assert!(requests.len() > 5);
    let tokens = [r.sim.opensis_token(), r.sim.userkey_token()];
    for req in &requests {
        for t in &tokens {
            assert!(
                !req.uri.contains(t.as_str()),
                "token in URL: {}",
                req.method
            );
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
async fn not_moodle_proxy_page() {
    let r = run(&[Fault::NotMoodle]).await;
    r.assert_only_failing_steps(&[0]);
    r.assert("site_is_moodle", Status::Fail);
    assert!(r
        .report
        .finding("site_is_moodle")
        .unwrap()
        .evidence
        .contains("Sign in to continue"));
    r.assert("rest_protocol_enabled", Status::Unknown);
    r.assert("opensis_token", Status::Unknown);
    assert!(r.report.site.is_none());
}

#[tokio::test]
async fn maintenance_mode() {
    let r = run(&[Fault::Maintenance]).await;
    r.assert_only_failing_steps(&[0]);
    r.assert("site_not_in_maintenance", Status::Fail);
    r.assert("opensis_token", Status::Unknown);
}

#[tokio::test]
async fn wwwroot_differs_is_a_warning_and_the_real_root_is_used() {
    let r = run(&[Fault::WwwrootDiffers]).await;
    r.assert("site_address", Status::Warn);
    assert_eq!(r.report.site.as_ref().unwrap().wwwroot, r.sim.wwwroot());
    r.assert_only_failing_steps(&[]);
}

#[tokio::test]
async fn web_services_disabled_is_step_11_not_13() {
    let r = run(&[Fault::WebServicesDisabled]).await;
    r.assert_only_failing_steps(&[11]);
    r.assert("web_services_enabled", Status::Fail);
    r.assert("rest_protocol_enabled", Status::Unknown);
    r.assert("opensis_token", Status::Unknown);
    assert!(r
        .report
        .finding("web_services_enabled")
        .unwrap()
        .fix
        .contains("cfg.php --name=enablewebservices --set=1"));
}

#[tokio::test]
async fn rest_protocol_disabled_is_step_13_not_11() {
    let r = run(&[Fault::RestProtocolDisabled]).await;
    r.assert_only_failing_steps(&[13]);
    r.assert("web_services_enabled", Status::Pass);
    r.assert("rest_protocol_enabled", Status::Fail);
    r.assert("webservice_auth_enabled", Status::Unknown);
    assert!(r
        .report
        .finding("opensis_token")
        .unwrap()
        .summary
        .contains("step 13"));
}

#[tokio::test]
async fn userkey_not_installed_is_step_3() {
    let r = run(&[Fault::UserkeyNotInstalled]).await;
    r.assert("userkey_plugin_installed", Status::Fail);
    r.assert("userkey_enabled", Status::Unknown);
    r.assert("sso_round_trip", Status::Unknown);
    // Its function cannot be in the service either: reported as waiting for step 3.
    r.assert("opensis_functions", Status::Unknown);
    assert!(r.report.failing_steps().contains(&3));
    assert!(!r.report.failing_steps().contains(&6));
}

#[tokio::test]
async fn userkey_disabled_is_step_6() {
    let r = run(&[Fault::UserkeyDisabled]).await;
    r.assert_only_failing_steps(&[6]);
    r.assert("userkey_plugin_installed", Status::Pass);
    r.assert("userkey_enabled", Status::Fail);
    r.assert("admin_authorised_userkey_service", Status::Unknown);
    r.assert("sso_round_trip", Status::Unknown);
}

#[tokio::test]
async fn mapping_field_not_email_is_step_7() {
    let r = run(&[Fault::MappingFieldNotEmail]).await;
    r.assert_only_failing_steps(&[7]);
    r.assert("userkey_mapping_email", Status::Fail);
    assert!(r
        .report
        .finding("userkey_mapping_email")
        .unwrap()
        .fix
        .contains("mappingfield --set=email"));
    r.assert("admin_authorised_userkey_service", Status::Pass);
}

#[tokio::test]
async fn webservice_auth_disabled_is_step_8() {
    let r = run(&[Fault::WebserviceAuthDisabled]).await;
    r.assert_only_failing_steps(&[8]);
    r.assert("webservice_auth_enabled", Status::Fail);
}

#[tokio::test]
async fn service_disabled_or_restricted_is_step_10() {
    for fault in [Fault::ServiceDisabled, Fault::AuthorisedUsersOnly] {
        let r = run(&[fault]).await;
        r.assert_only_failing_steps(&[10]);
        r.assert("opensis_service_open", Status::Fail);
        r.assert("opensis_token", Status::Unknown);
        r.assert("opensis_functions", Status::Unknown);
    }
}

#[tokio::test]
async fn file_permissions_off_are_step_10() {
    let r = run(&[Fault::DownloadFilesOff]).await;
    r.assert_only_failing_steps(&[10]);
    let f = r.report.finding("opensis_service_files").unwrap();
    assert!(f.summary.contains("Can download files") && !f.summary.contains("upload"));
    let r = run(&[Fault::DownloadFilesOff, Fault::UploadFilesOff]).await;
    let f = r.report.finding("opensis_service_files").unwrap();
    assert!(f.summary.contains("Can download files") && f.summary.contains("Can upload files"));
}

#[tokio::test]
async fn web_services_plugin_missing_is_step_3_not_14() {
    let r = run(&[Fault::WebServicesPluginNotInstalled]).await;
    r.assert_only_failing_steps(&[3]);
    r.assert("web_services_plugin_installed", Status::Fail);
    let f = r.report.finding("web_services_plugin_installed").unwrap();
    assert!(f.evidence.contains("local_get_course_information"));
    r.assert("opensis_functions", Status::Unknown);
}

#[tokio::test]
async fn functions_not_added_is_step_14_with_the_list() {
    let r = run(&[Fault::FunctionsNotAdded]).await;
    r.assert_only_failing_steps(&[14]);
    let f = r.report.finding("opensis_functions").unwrap();
    assert!(f.summary.starts_with("7 of the 31"), "{}", f.summary);
    assert!(f.fix.contains("local_get_users_information"));
    assert!(f.fix.contains("auth_userkey_request_login_url"));
    assert!(!f.fix.contains("core_webservice_get_site_info"));
    r.assert("web_services_plugin_installed", Status::Pass);
}

#[tokio::test]
async fn both_plugin_and_functions_missing() {
    let r = run(&[
        Fault::WebServicesPluginNotInstalled,
        Fault::FunctionsNotAdded,
    ])
    .await;
    r.assert("web_services_plugin_installed", Status::Fail);
    r.assert("opensis_functions", Status::Fail);
    let f = r.report.finding("opensis_functions").unwrap();
    assert!(f.fix.contains("After installing the missing plugin"));
}

#[tokio::test]
async fn admin_not_authorised_on_userkey_service_is_step_12() {
    let r = run(&[Fault::AdminNotAuthorisedOnUserkey]).await;
    r.assert_only_failing_steps(&[12]);
    r.assert("admin_authorised_userkey_service", Status::Fail);
    r.assert("userkey_enabled", Status::Pass);
}

#[tokio::test]
async fn unknown_tokens_are_step_15() {
    let r = run_with(&[], |_, i| {
        i.opensis_token = WsToken::new("0123456789abcdef0123456789abcdef");
        i.userkey_token = WsToken::new("fedcba9876543210fedcba9876543210");
    })
    .await;
    r.assert_only_failing_steps(&[15]);
    r.assert("opensis_token", Status::Fail);
    r.assert("userkey_token", Status::Fail);
    assert!(r
        .report
        .finding("opensis_token")
        .unwrap()
        .evidence
        .contains("invalidtoken"));
}

#[tokio::test]
async fn expired_token_is_told_apart_from_a_disabled_service() {
    let r = run(&[Fault::OpensisTokenExpired]).await;
    r.assert("opensis_token", Status::Fail);
    assert!(r
        .report
        .finding("opensis_token")
        .unwrap()
        .summary
        .contains("expired"));
    r.assert("opensis_service_open", Status::Unknown);
    assert!(r.report.failing_steps().contains(&15));
    assert!(!r.report.failing_steps().contains(&10));
}

#[tokio::test]
async fn swapped_tokens_are_named_and_the_rest_is_still_diagnosed() {
    let r = run_with(&[], |sim, i| {
        i.opensis_token = WsToken::new(&sim.userkey_token());
        i.userkey_token = WsToken::new(&sim.opensis_token());
    })
    .await;
    r.assert_only_failing_steps(&[15]);
    r.assert("tokens_in_right_fields", Status::Fail);
    r.assert("opensis_functions", Status::Pass);
    r.assert("sso_round_trip", Status::Pass);
}

#[tokio::test]
async fn swapped_tokens_with_a_given_email_check_sso_with_the_right_token() {
    let r = run_with(&[], |sim, i| {
        i.opensis_token = WsToken::new(&sim.userkey_token());
        i.userkey_token = WsToken::new(&sim.opensis_token());
        i.admin_email = Some(sim.admin_email().to_owned());
    })
    .await;
    r.assert_only_failing_steps(&[15]);
    r.assert("tokens_in_right_fields", Status::Fail);
    r.assert("sso_round_trip", Status::Pass);
    r.assert("userkey_mapping_email", Status::Pass);
}

#[tokio::test]
async fn a_given_email_sends_each_sso_request_once() {
    let r = run_with(&[], |sim, i| {
        i.admin_email = Some(sim.admin_email().to_owned());
    })
    .await;
    r.assert_only_failing_steps(&[]);
    r.assert("sso_round_trip", Status::Pass);
    let requests = r.sim.requests();
    let count = |needle: &str| {
        requests
            .iter()
            .filter(|q| q.body.contains(needle) || q.uri.contains(needle))
            .count()
    };
    assert_eq!(count("auth_userkey_request_login_url"), 1);
    assert_eq!(count("/auth/userkey/login.php?key="), 2); // the probe, then the follow
    assert_eq!(count("core_user_get_users_by_field"), 0);
    assert_eq!(requests.len(), 7);
}

#[tokio::test]
async fn token_of_a_non_admin_is_step_15() {
    let r = run(&[Fault::OpensisTokenNotAdmin]).await;
    r.assert("opensis_token_admin", Status::Fail);
    assert!(r
        .report
        .finding("opensis_token_admin")
        .unwrap()
        .summary
        .contains("teacher"));
    assert!(r.report.failing_steps().contains(&15));
}

#[tokio::test]
async fn sso_round_trip_failure_is_step_15() {
    let r = run(&[Fault::LoginKeyRejected]).await;
    r.assert_only_failing_steps(&[15]);
    r.assert("sso_round_trip", Status::Fail);
    r.assert("userkey_token", Status::Pass);
}

#[tokio::test]
async fn missing_tokens_say_what_to_create() {
    let r = run_with(&[], |_, i| {
        i.opensis_token = None;
        i.userkey_token = None;
    })
    .await;
    r.assert_only_failing_steps(&[15]);
    r.assert("opensis_token", Status::Fail);
    r.assert("userkey_token", Status::Fail);
    // Without tokens the public checks still run.
    r.assert("web_services_enabled", Status::Pass);
    r.assert("rest_protocol_enabled", Status::Pass);
    r.assert("webservice_auth_enabled", Status::Pass);
    r.assert("userkey_enabled", Status::Pass);
}

#[tokio::test]
async fn a_given_admin_email_is_used_for_sso() {
    let r = run_with(&[Fault::MappingFieldNotEmail], |_, i| {
        i.admin_email = Some("admin@example.org".into());
    })
    .await;
    let f = r.report.finding("userkey_mapping_email").unwrap();
    assert_eq!(f.status, Status::Fail);
    assert!(f.summary.contains("admin@example.org"));
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
    assert_eq!(f.status, Status::Fail);
    assert!(f.summary.contains("Nothing answers"), "{f:?}");
    assert!(report
        .checks
        .iter()
        .filter(|f| f.step > 0)
        .all(|f| f.status == Status::Unknown || f.check.ends_with("_token")));
}

async fn run_key_lifetime(sim_lifetime: std::time::Duration) -> Report {
    let sim = MoodleSim::start([]).await.unwrap();
    sim.set_key_lifetime(sim_lifetime);
    let http = build_http_client(&HttpConfig::default()).unwrap();
    let options = setup_core::DiagnoseOptions {
        key_lifetime_check: Some(std::time::Duration::from_millis(600)),
        ..Default::default()
    };
    setup_core::diagnose_with(&http, &input(&sim), &options)
        .await
        .unwrap()
}

#[tokio::test]
async fn an_aged_key_that_still_signs_in_proves_the_life_time() {
    let report = run_key_lifetime(std::time::Duration::from_secs(120)).await;
    let f = report.finding("userkey_lifetime").unwrap();
    assert_eq!(f.status, Status::Pass, "{f:?}");
    assert!(report.failing_steps().is_empty());
}

#[tokio::test]
async fn a_too_short_key_life_time_fails_step_7() {
    let report = run_key_lifetime(std::time::Duration::from_millis(200)).await;
    let f = report.finding("userkey_lifetime").unwrap();
    assert_eq!(f.status, Status::Fail, "{f:?}");
    assert!(f.fix.contains("keylifetime --set=120"));
    assert_eq!(report.failing_steps(), vec![7]);
    // The first, fresh key still signed in: single sign-on itself works.
    assert_eq!(
        report.finding("sso_round_trip").unwrap().status,
        Status::Pass
    );
}
