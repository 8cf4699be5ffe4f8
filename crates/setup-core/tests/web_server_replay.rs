//! The doctor behind real web servers: Apache 2.4 and nginx 1.22 with PHP-FPM (and ModSecurity
//! with the OWASP Core Rule Set) in front of a lab Moodle 4.5, in each hosting state recorded by
//! scripts/lab/record-webserver.sh (crates/moodle-sim/webserver-runs). Each recorded run is
//! replayed (its exchanges, in any order the concurrent probes ask them) and judged by the
//! doctor of today: the web server's own pages are never read as Moodle's answers.

use std::path::{Path, PathBuf};

use moodle_sim::admin_replay::{
    RecordedRun, RunReplay, STAND_IN_OPENSIS_TOKEN, STAND_IN_USERKEY_TOKEN,
};
use moodle_ws::{build_http_client, HttpConfig, WsToken};
use setup_core::{diagnose, DiagnoseInput, Finding, Report, Status};

fn runs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../moodle-sim/webserver-runs")
}

async fn doctor(stack: &str, state: &str) -> (Report, RunReplay) {
    let path = runs().join(stack).join(format!("{state}.jsonl.xz"));
    let replay = RunReplay::start(RecordedRun::load(&path).unwrap())
        .await
        .unwrap();
    let http = build_http_client(&HttpConfig::default()).unwrap();
    let input = DiagnoseInput {
        url: replay.url(),
        opensis_token: WsToken::new(STAND_IN_OPENSIS_TOKEN),
        userkey_token: WsToken::new(STAND_IN_USERKEY_TOKEN),
        admin_email: Some("admin@school.example.org".into()),
    };
    let report = diagnose(&http, &input).await.unwrap();
    (report, replay)
}

fn failing(report: &Report) -> Vec<(&str, u8)> {
    report
        .checks
        .iter()
        .filter(|f| f.status == Status::Fail)
        .map(|f| (f.check.as_str(), f.step))
        .collect()
}

fn finding<'a>(report: &'a Report, check: &str) -> &'a Finding {
    report
        .checks
        .iter()
        .find(|f| f.check == check)
        .unwrap_or_else(|| panic!("no {check}: {:#?}", failing(report)))
}

const STACKS: [&str; 2] = ["apache", "nginx"];

#[tokio::test]
async fn a_good_site_behind_a_web_server_is_judged_as_behind_php_s_own_server() {
    for stack in STACKS {
        for state in ["good", "modsec_pl1", "modsec_pl2", "modsec_pl3"] {
            let (report, replay) = doctor(stack, state).await;
            // A lab site: only the private plugin's step fails.
            assert_eq!(
                failing(&report),
                [("web_services_plugin_installed", 3)],
                "{stack} {state}"
            );
            assert!(
                replay.misses().is_empty(),
                "{stack} {state}: {:?}",
                replay.misses()
            );
        }
    }
}

#[tokio::test]
async fn the_web_server_s_own_403_for_webservice_is_not_read_as_rest_off() {
    for stack in STACKS {
        let (report, _replay) = doctor(stack, "deny_webservice").await;
        let f = finding(&report, "site_web_server");
        assert_eq!(f.status, Status::Fail, "{stack}: {f:#?}");
        assert!(
            f.summary.contains("refuses openSIS's requests itself"),
            "{stack}: {f:#?}"
        );
        assert!(
            f.summary.contains(if stack == "apache" {
                "Apache/2.4.71"
            } else {
                "nginx/1.22.1"
            }),
            "{stack}: {f:#?}"
        );
        assert!(
            f.evidence.contains("webservice/rest/server.php"),
            "{stack}: {f:#?}"
        );
        assert!(f.fix.contains("Require all denied") && f.fix.contains("deny all;"));
        // Moodle's REST switch is not blamed: it waits for the site (step 0).
        let rest = finding(&report, "rest_protocol_enabled");
        assert_eq!(
            (rest.status, rest.blocked_by),
            (Status::Blocked, Some(0)),
            "{stack}"
        );
        assert_eq!(report.failing_steps(), [0], "{stack}");
    }
}

#[tokio::test]
async fn php_fpm_down_is_named_not_called_overloaded() {
    for (stack, status) in [("apache", "503"), ("nginx", "502")] {
        let (report, _replay) = doctor(stack, "fpm_down").await;
        let f = finding(&report, "site_web_server");
        assert!(
            f.summary.contains("PHP behind it does not"),
            "{stack}: {f:#?}"
        );
        assert!(f.summary.contains(status), "{stack}: {f:#?}");
        assert!(f.fix.contains("php8.2-fpm"), "{stack}");
        let site = finding(&report, "site_is_moodle");
        assert!(!site.summary.contains("overloaded"), "{stack}: {site:#?}");
        assert!(site.summary.contains("its own page"), "{stack}: {site:#?}");
    }
}

#[tokio::test]
async fn a_password_on_the_whole_site_is_the_web_server_s() {
    for stack in STACKS {
        let (report, _replay) = doctor(stack, "basic_auth").await;
        let f = finding(&report, "site_web_server");
        assert!(f.summary.contains("asks for a password"), "{stack}: {f:#?}");
        assert!(
            f.summary.contains("Basic realm=\"Moodle lab\""),
            "{stack}: {f:#?}"
        );
        assert!(f.fix.contains("auth_basic off;"), "{stack}");
        assert_eq!(report.failing_steps(), [0], "{stack}");
    }
}

#[tokio::test]
async fn a_firewall_that_refuses_some_requests_is_named_as_one() {
    // ModSecurity/CRS at paranoia level 4: Apache's ModSecurity 2 lets the public configuration
    // through and refuses the probe with a made-up user; nginx's libmodsecurity 3 refuses the
    // public configuration's JSON already.
    let (report, _replay) = doctor("apache", "modsec_pl4").await;
    let f = finding(&report, "site_web_server");
    assert!(
        f.summary.contains("refuses some of openSIS's requests"),
        "{f:#?}"
    );
    assert!(f.fix.contains("SecRuleRemoveById"), "{f:#?}");
    let (report, _replay) = doctor("nginx", "modsec_pl4").await;
    let f = finding(&report, "site_web_server");
    assert!(f.summary.contains("nginx/1.22.1"), "{f:#?}");
    assert_eq!(report.failing_steps(), [0], "{:#?}", failing(&report));
}

#[tokio::test]
async fn one_consistent_verdict_in_every_recorded_state() {
    for stack in STACKS {
        let states = std::fs::read_to_string(runs().join(stack).join("states.txt")).unwrap();
        for state in states.lines().filter_map(|l| l.split(':').next()) {
            let (report, _replay) = doctor(stack, state).await;
            // Every web-server state is judged: nothing is left "could not tell".
            assert!(
                !report.verdict.headline.contains("Could not tell"),
                "{stack} {state}: {}",
                report.verdict.headline
            );
            // No check waits for a step that passed: the step it waits on has a failure.
            for f in report.checks.iter().filter(|f| f.status == Status::Blocked) {
                let by = f.blocked_by.unwrap();
                assert!(
                    report
                        .checks
                        .iter()
                        .any(|g| g.step == by && g.status == Status::Fail),
                    "{stack} {state}: {} waits for step {by}, which did not fail",
                    f.check
                );
            }
        }
    }
}
