//! What real integrations get wrong beyond the seed's 14 steps (real-world-failures.md), one
//! test per cause: against the captured answers of a real Moodle where a capture exists
//! (`…_captured`), otherwise against the answer the document gives, read in Moodle's or
//! auth_userkey's source, put in front of the simulated Moodle by a test double
//! (`…_documented`). The certificate causes (RW21) are in network_faults.rs.

#[path = "support/front_of_sim.rs"]
mod support;

use diagnosis::{diagnose, DiagnoseInput, Finding, Outcome, Report, Status};
use moodle_sim::MoodleSim;
use moodle_ws::{build_http_client, HttpConfig, WsToken};
use support::{in_front_of, Answer, Changes};

struct Run {
    sim: MoodleSim,
    report: Report,
}

impl Run {
    fn finding(&self, check: &str) -> &Finding {
        self.report.finding(check).unwrap_or_else(|| {
            panic!(
                "no finding {check}: {:#?}",
                self.report
                    .checks
                    .iter()
                    .map(|f| &f.check)
                    .collect::<Vec<_>>()
            )
        })
    }

    /// Asserts a finding's status and that its summary says `words`.
    fn says(&self, check: &str, status: Status, words: &str) -> &Finding {
        let f = self.finding(check);
        assert_eq!(f.status, status, "{f:#?}");
        assert!(
            f.summary.contains(words),
            "{check}: {:?} lacks {words:?}",
            f.summary
        );
        f
    }
}

fn input(sim: &MoodleSim, url: String, email: Option<&str>) -> DiagnoseInput {
    DiagnoseInput {
        url,
        opensis_token: WsToken::new(&sim.opensis_token()),
        userkey_token: WsToken::new(&sim.userkey_token()),
        admin_email: email.map(str::to_owned),
    }
}

async fn captured(version: &str, state: &str, email: Option<&str>) -> Run {
    let sim = MoodleSim::start(version, state).await.unwrap();
    let http = build_http_client(&HttpConfig::default()).unwrap();
    let report = diagnose(&http, &input(&sim, sim.url(), email))
        .await
        .unwrap();
    Run { sim, report }
}

async fn documented(state: &str, changes: Changes, email: Option<&str>) -> Run {
    let sim = MoodleSim::start("4.5", state).await.unwrap();
    let front = in_front_of(&sim.url(), changes).await;
    let http = build_http_client(&HttpConfig::default()).unwrap();
    let report = diagnose(&http, &input(&sim, front, email)).await.unwrap();
    Run { sim, report }
}

/// Every call with the opensis token answered by `answer`.
fn opensis_calls(
    sim_token: String,
    answer: impl Fn() -> Answer + Send + Sync + 'static,
) -> Changes {
    Changes::replacing(move |seen| {
        (seen.param("wstoken") == Some(sim_token.as_str())).then(&answer)
    })
}

#[tokio::test]
async fn rw01_tokens_of_a_user_who_is_not_an_administrator_captured() {
    // With the REST capability: site info says so, and auth_userkey's capability check refuses.
    let r = captured("4.5", "token_owner_wsrole", None).await;
    r.says(
        "opensis_token_admin",
        Status::Fail,
        "not a site administrator",
    );
    r.says("userkey_token", Status::Fail, "not a site administrator");
    // Without it: refused before the function is looked up; the causes are listed in order.
    let r = captured("5.0", "token_owner_not_admin", None).await;
    let f = r.says(
        "opensis_token",
        Status::Fail,
        "before it even looks at the function",
    );
    assert!(f.fix.starts_with("Check, in this order: (1)"), "{f:#?}");
    assert_eq!(r.report.failing_steps(), [15]);
    // The user-key token, refused the same way, is not called good: it waits on the opensis
    // token (both are wsuser's; doctor --fix makes both again).
    let u = r.finding("userkey_token");
    assert_eq!(
        (u.status, u.blocked_by),
        (Status::Blocked, Some(15)),
        "{u:#?}"
    );
}

#[tokio::test]
async fn rw30_the_token_user_s_account_refused_documented() {
    // webservice/lib.php refuses both tokens alike (one owner): "Refused web service access
    // for password expired username: admin".
    let r = documented(
        "good",
        Changes::replacing(|seen| {
            seen.param("wstoken").map(|_| {
                Answer::moodle_error(
                    "wsaccessuserexpired",
                    "Refused web service access for password expired username: admin",
                    None,
                )
            })
        }),
        None,
    )
    .await;
    let f = r.says("token_user_refused", Status::Fail, "password has expired");
    assert!(f.fix.contains("password expiry"), "{f:#?}");
    assert!(f.summary.contains("both tokens"));
}

#[tokio::test]
async fn rw29_forced_password_change_and_incomplete_profile_captured() {
    for version in ["4.1", "4.5", "5.0"] {
        let r = captured(version, "admin_forcepasswordchange", None).await;
        r.says(
            "token_user_password_change",
            Status::Fail,
            "must change their password",
        );
        let r = captured(version, "admin_not_fully_setup", None).await;
        r.says(
            "token_user_profile_incomplete",
            Status::Fail,
            "not completed their profile",
        );
        // Site info alone says nothing: it skips Moodle's login checks.
        assert_eq!(r.finding("opensis_token").status, Status::Pass);
    }
}

#[tokio::test]
async fn rw14_site_policy_not_agreed_captured() {
    let r = captured("4.5", "site_policy_wsrole", None).await;
    r.says(
        "token_user_site_policy",
        Status::Fail,
        "not agreed to the site policy",
    );
}

#[tokio::test]
async fn rw08_an_expired_token_captured() {
    let r = captured("4.1", "token_expired", None).await;
    r.says("opensis_token_expired", Status::Fail, "had expired");
}

#[tokio::test]
async fn rw18_a_token_limited_to_other_addresses_documented() {
    // webservice/lib.php with debugging on: "Invalid service - IP:… is not supported".
    let sim = MoodleSim::start_good().await.unwrap();
    let token = sim.opensis_token();
    let front = in_front_of(
        &sim.url(),
        opensis_calls(token, || {
            Answer::moodle_error(
                "accessexception",
                "Access control exception",
                Some(
                    "Invalid service - IP:198.51.100.7 is not supported - check this allowed user",
                ),
            )
        }),
    )
    .await;
    let http = build_http_client(&HttpConfig::default()).unwrap();
    let report = diagnose(&http, &input(&sim, front, None)).await.unwrap();
    let f = report.finding("opensis_token_ip_restricted").unwrap();
    assert_eq!(f.status, Status::Fail, "{f:#?}");
    assert!(f.fix.contains("IP restriction"));
}

#[tokio::test]
async fn rw02_ip_restriction_told_apart_from_the_mapping_field_captured() {
    for version in ["4.1", "4.5", "5.0"] {
        let r = captured(version, "userkey_iprestriction", None).await;
        r.says(
            "userkey_ip_restriction_off",
            Status::Fail,
            "\"IP restriction\" of User key authentication is on",
        );
        r.says(
            "userkey_mapping_email",
            Status::Pass,
            "is \"Email address\"",
        );
        // The key made with the made-up address is never opened.
        assert!(r
            .sim
            .requests()
            .iter()
            .all(|q| q.probe.as_deref() != Some("follow_login_url")));
        let with_ip = r
            .sim
            .requests()
            .into_iter()
            .find(|q| q.probe.as_deref() == Some("login_url_with_ip"))
            .expect("the second login URL, with an address");
        assert!(
            with_ip.body.contains("user%5Bip%5D=192.0.2.1"),
            "{}",
            with_ip.body
        );
        // A wrong mapping field stays a wrong mapping field.
        let r = captured(version, "mapping_username", None).await;
        r.says(
            "userkey_mapping_email",
            Status::Fail,
            "not \"Email address\"",
        );
        assert_eq!(
            r.finding("userkey_ip_restriction_off").status,
            Status::Blocked
        );
    }
}

#[tokio::test]
async fn rw04_an_e_mail_moodle_would_refuse_documented() {
    // PARAM_EMAIL is PHP's FILTER_VALIDATE_EMAIL: "a@localhost" is refused (tested with PHP 8.2).
    let r = captured("4.5", "good", Some("admin@localhost")).await;
    r.says("admin_email_valid", Status::Warn, "its domain has no dot");
    assert_eq!(r.finding("sso_round_trip").status, Status::Unknown);
    assert!(r
        .sim
        .requests()
        .iter()
        .all(|q| !q.body.contains("localhost") && !q.uri.contains("localhost")));
    assert!(r.sim.not_captured().is_empty());
}

#[tokio::test]
async fn rw10_several_accounts_with_the_admin_s_e_mail_captured() {
    for email in [None, Some("admin@school.example.org")] {
        let r = captured("4.5", "duplicate_admin_email", email).await;
        let f = r.says("admin_email_unique", Status::Fail, "2 Moodle accounts have");
        assert!(f.evidence.contains("\"twin\""), "{f:#?}");
        assert!(f.fix.contains("allowaccountssameemail --set=0"));
    }
}

#[tokio::test]
async fn rw05_an_e_mail_in_other_letters_than_moodle_s_documented() {
    // auth_userkey looks the e-mail up exactly: on PostgreSQL capitals count, and
    // core_user_get_users_by_field finds no account.
    let r = documented(
        "good",
        Changes::replacing(|seen| {
            (seen.function() == Some("core_user_get_users_by_field")
                && seen.param("values[0]") == Some("Admin@School.example.org"))
            .then(|| Answer::json("[]"))
        }),
        Some("Admin@School.example.org"),
    )
    .await;
    let f = r.says("admin_email_account", Status::Fail, "No Moodle account has");
    assert!(f.fix.contains("capitals count"), "{f:#?}");
    assert!(r
        .sim
        .requests()
        .iter()
        .all(|q| q.probe.as_deref() != Some("login_url")));
}

#[tokio::test]
async fn rw16_the_login_lands_on_a_page_that_stops_the_user_documented() {
    // After complete_user_login, a forced password change sends the browser to
    // login/change_password.php (lib/moodlelib.php require_login).
    let r = documented(
        "good",
        Changes::replacing(|seen| {
            (seen.path == "/auth/userkey/login.php"
                && seen.param("key").is_some_and(|k| k.len() == 32))
            .then(|| Answer {
                status: 303,
                headers: vec![
                    (
                        "location",
                        "http://127.0.0.1/login/change_password.php".to_owned(),
                    ),
                    (
                        "set-cookie",
                        "MoodleSession=abc123; path=/; HttpOnly".to_owned(),
                    ),
                ],
                body: Vec::new(),
            })
        }),
        None,
    )
    .await;
    r.says(
        "sso_lands_on_dashboard",
        Status::Fail,
        "the password change page",
    );
}

#[tokio::test]
async fn rw20_login_links_for_an_internal_address_documented() {
    // A wwwroot built from the request's host: the login link names the container.
    let r = documented(
        "good",
        Changes::rewriting(|seen, body| {
            if seen.function() != Some("auth_userkey_request_login_url") {
                return body;
            }
            let text = String::from_utf8_lossy(&body);
            let Some(at) = text.find("\\/auth\\/userkey") else {
                return body;
            };
            format!("{{\"loginurl\":\"http:\\/\\/moodle:8080{}", &text[at..]).into_bytes()
        }),
        None,
    )
    .await;
    r.says(
        "sso_login_url_address",
        Status::Fail,
        "builds its login links for http://moodle:8080",
    );
}

#[tokio::test]
async fn rw13_user_key_authentication_forced_off_in_config_php_captured() {
    let r = captured("5.0", "auth_config_override", None).await;
    let f = r.says("userkey_enabled", Status::Fail, "installed but not enabled");
    assert!(f.fix.contains("$CFG->auth"), "{f:#?}");
}

#[tokio::test]
async fn rw19_a_reverse_proxy_setting_without_a_proxy_captured() {
    let r = captured("4.5", "reverseproxy", None).await;
    r.says("site_reverse_proxy", Status::Fail, "$CFG->reverseproxy");
    assert_eq!(r.report.failing_steps(), [0]);
}

#[tokio::test]
async fn rw19_a_redirect_that_drops_the_page_names_sslproxy_documented() {
    // setuplib.php initialise_fullme: behind a TLS proxy without $CFG->sslproxy, Moodle sends
    // every request to its bare wwwroot with a 303.
    let sim = MoodleSim::start_good().await.unwrap();
    let wwwroot = sim.url();
    let front = in_front_of(
        &sim.url(),
        Changes::replacing(move |_| {
            Some(Answer {
                status: 303,
                headers: vec![
                    ("location", format!("{wwwroot}/")),
                    ("x-redirect-by", "Moodle".to_owned()),
                ],
                body: Vec::new(),
            })
        }),
    )
    .await;
    let http = build_http_client(&HttpConfig::default()).unwrap();
    let report = diagnose(&http, &input(&sim, front, None)).await.unwrap();
    let f = report.finding("site_address").unwrap();
    assert_eq!(f.status, Status::Fail, "{f:#?}");
    assert!(f.evidence.contains("$CFG->sslproxy"), "{f:#?}");
}

#[tokio::test]
async fn rw27_moodle_s_ip_blocker_documented() {
    // lib/setup.php: die(get_string('ipblocked', 'admin')) before any web-service code.
    let r = documented(
        "good",
        Changes::replacing(|_| {
            Some(Answer {
                status: 200,
                headers: vec![("content-type", "text/html; charset=utf-8".to_owned())],
                body: b"This site is not available currently.".to_vec(),
            })
        }),
        None,
    )
    .await;
    r.says("site_ip_blocked", Status::Fail, "IP blocker");
    assert_eq!(r.report.failing_steps(), [0]);
}

#[tokio::test]
async fn rw33_a_byte_order_mark_before_the_json_documented() {
    // A config.php saved with a BOM: every answer starts with EF BB BF.
    let r = documented(
        "good",
        Changes::rewriting(|_, body| {
            if body.first().is_some_and(|b| matches!(b, b'{' | b'[')) {
                let mut with = vec![0xEF, 0xBB, 0xBF];
                with.extend(body);
                with
            } else {
                body
            }
        }),
        None,
    )
    .await;
    let f = r.says("site_answers_clean_json", Status::Fail, "byte-order mark");
    assert!(f.fix.contains("config.php"));
    // The doctor reads past it: everything else is judged as on the site itself.
    assert_eq!(r.report.failing_steps(), [0, 3]);
    assert_eq!(r.finding("opensis_token").status, Status::Pass);
}

#[tokio::test]
async fn rw22_a_cloudflare_challenge_in_front_documented() {
    // A managed challenge: 403, "Just a moment...", cf-mitigated: challenge, server: cloudflare.
    let r = documented(
        "good",
        Changes::replacing(|_| {
            Some(Answer {
                status: 403,
                headers: vec![
                    ("content-type", "text/html; charset=UTF-8".to_owned()),
                    ("server", "cloudflare".to_owned()),
                    ("cf-ray", "8f1e2d3c4b5a6978-AMS".to_owned()),
                    ("cf-mitigated", "challenge".to_owned()),
                ],
                body: b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body></body></html>"
                    .to_vec(),
            })
        }),
        None,
    )
    .await;
    let f = r.says(
        "site_web_firewall",
        Status::Fail,
        "Cloudflare (a challenge page)",
    );
    assert!(f.summary.contains("Just a moment..."));
    assert!(f.fix.contains("Bot Fight Mode"));
}

#[tokio::test]
async fn rw26_the_plugin_s_files_missing_behind_its_functions_documented() {
    // external_api.php: a registered function whose file is gone is a coding error.
    let r = documented(
        "good",
        Changes::replacing(|seen| {
            (seen.function() == Some("local_get_users_information")).then(|| {
                Answer::moodle_error(
                    "codingerror",
                    "Coding error detected, it must be fixed by a programmer: Cannot find file /var/www/moodle/local/getinfo/externallib.php with external function implementation for local_get_users_information",
                    None,
                )
            })
        }),
        None,
    )
    .await;
    r.says(
        "web_services_plugin_intact",
        Status::Fail,
        "its files are missing",
    );
}

#[tokio::test]
async fn rw25_auth_userkey_s_version_against_the_site_s_captured() {
    let r = captured("4.1", "good", None).await;
    r.says(
        "userkey_plugin_version",
        Status::Pass,
        "made for this Moodle",
    );
    for version in ["4.5", "5.0"] {
        let r = captured(version, "good", None).await;
        let f = r.says(
            "userkey_plugin_version",
            Status::Warn,
            "declares Moodle 3.3 to 4.1",
        );
        assert!(f.summary.contains(&format!("runs Moodle {version}")));
    }
}

#[tokio::test]
async fn rw23_the_report_says_where_it_was_checked_from_captured() {
    let r = captured("4.5", "good", None).await;
    assert!(r
        .report
        .checked_from
        .as_deref()
        .is_some_and(|h| !h.is_empty()));
    let json = serde_json::to_value(&r.report).unwrap();
    assert!(json["checked_from"].is_string());
}

#[tokio::test]
async fn no_captured_state_that_breaks_the_integration_exits_0() {
    for version in &MoodleSim::catalog().versions {
        for state in version.states.iter().filter(|s| s.journey.is_none()) {
            let r = captured(&version.id, &state.name, None).await;
            assert_ne!(
                r.report.verdict.outcome,
                Outcome::Passed,
                "{}/{}",
                version.id,
                state.name
            );
        }
    }
}
