//! The diagnosis judged on every captured state of every captured Moodle version: the
//! simulated Moodle replays the real answers, and the doctor must name exactly the steps the
//! state broke — with the admin's e-mail looked up (as the command line does) and given (as
//! the wizard does) — tell everything it checks, and never send a request no capture covers.

use diagnosis::{diagnose, DiagnoseInput, Outcome, Report, Status};
use moodle_sim::MoodleSim;
use moodle_ws::{build_http_client, HttpConfig, WsToken};

#[path = "support/expected_steps.rs"]
mod support;
use support::expected_steps as expected;

/// Requests a state may send that no capture covers, with why.
fn allowed_uncaptured(state: &str, body: &str) -> bool {
    // The doctor puts back what auth_userkey's "Update user" changed; no capture holds
    // Moodle's answer to that call, so the simulation answers "not captured".
    state == "userkey_updateuser" && body.contains("wsfunction=core_user_update_users")
}

struct Run {
    report: Report,
    uncaptured: Vec<String>,
    /// The simulated site answered requests shaped like openSIS's sync (from this state's
    /// captures, or at the site's own address where the typed one was not it).
    sync_sent: bool,
}

async fn run(version: &str, state: &str, give_email: bool) -> Run {
    let sim = MoodleSim::start(version, state).await.unwrap();
    let http = build_http_client(&HttpConfig::default()).unwrap();
    let input = DiagnoseInput {
        url: sim.url(),
        opensis_token: WsToken::new(&sim.opensis_token()),
        userkey_token: WsToken::new(&sim.userkey_token()),
        admin_email: give_email.then(|| sim.admin_email()),
    };
    let report = diagnose(&http, &input).await.unwrap();
    let uncaptured = sim
        .not_captured()
        .into_iter()
        .filter(|r| !allowed_uncaptured(state, &r.body))
        .map(|r| {
            format!(
                "{} {} {}",
                r.method,
                r.uri,
                r.body
                    .split('&')
                    .filter(|p| p.starts_with("wsfunction"))
                    .collect::<String>()
            )
        })
        .collect();
    let sync_sent = sim
        .requests()
        .iter()
        .any(|q| q.probe.as_deref().is_some_and(|p| p.starts_with("sync_")));
    Run {
        report,
        uncaptured,
        sync_sent,
    }
}

fn describe_failures(report: &Report) -> String {
    report
        .checks
        .iter()
        .filter(|f| !matches!(f.status, Status::Pass | Status::Blocked))
        .map(|f| {
            format!(
                "  {:?} {} ({}): {} | {}",
                f.status, f.check, f.step, f.summary, f.evidence
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

async fn judge_version(version: &str) {
    let captured = MoodleSim::catalog().version(version).unwrap();
    let mut problems = Vec::new();
    let mut judged = 0;
    // A first set-up's states are judged step by step in journey_states.rs.
    for state in captured.states.iter().filter(|s| s.journey.is_none()) {
        let expected = expected(&state.name)
            .unwrap_or_else(|| panic!("{version}/{}: no expectation in the table", state.name));
        for give_email in [false, true] {
            let r = run(version, &state.name, give_email).await;
            let how = if give_email {
                "e-mail given"
            } else {
                "e-mail looked up"
            };
            let failing = r.report.failing_steps();
            if failing != expected {
                problems.push(format!(
                    "{version}/{} ({how}): failing {failing:?}, expected {expected:?}\n{}",
                    state.name,
                    describe_failures(&r.report)
                ));
            }
            let unknown: Vec<String> = r
                .report
                .could_not_tell()
                .iter()
                .map(|f| format!("{} ({}): {}", f.check, f.step, f.summary))
                .collect();
            if !unknown.is_empty() {
                problems.push(format!(
                    "{version}/{} ({how}): could not tell {unknown:?}",
                    state.name
                ));
            }
            let outcome = if expected.is_empty() {
                Outcome::Passed
            } else {
                Outcome::Failed
            };
            if r.report.verdict.outcome != outcome {
                problems.push(format!(
                    "{version}/{} ({how}): outcome {:?}",
                    state.name, r.report.verdict.outcome
                ));
            }
            // openSIS's sync, shaped: sent wherever the token works (the captures have their
            // answers there), each reaching Moodle's parameter check on these plain sites;
            // elsewhere it waits on a step that failed.
            let sync = r
                .report
                .checks
                .iter()
                .find(|f| f.check == "site_sync_requests")
                .expect("the sync check is in every report");
            let sent = r.sync_sent;
            let captured = state.captures.iter().any(|c| c.probe.starts_with("sync_"));
            if captured && !sent {
                problems.push(format!(
                    "{version}/{} ({how}): the sync requests were captured, not sent",
                    state.name
                ));
            }
            let judged_right = if sent {
                sync.status == Status::Pass && sync.evidence.contains("nothing was created")
            } else {
                sync.status == Status::Blocked
                    && sync.blocked_by.is_some_and(|by| failing.contains(&by))
            };
            if !judged_right {
                problems.push(format!(
                    "{version}/{} ({how}): sync requests (sent: {sent}) {:?} {:?}: {}",
                    state.name, sync.status, sync.blocked_by, sync.summary
                ));
            }
            if !r.uncaptured.is_empty() {
                problems.push(format!(
                    "{version}/{} ({how}): not captured: {:?}",
                    state.name, r.uncaptured
                ));
            }
            judged += 1;
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {judged} runs wrong:\n{}",
        problems.len(),
        problems.join("\n\n")
    );
    println!(
        "Moodle {version}: {} captured states judged right, e-mail looked up and given",
        judged / 2
    );
}

#[tokio::test]
async fn moodle_4_1_every_captured_state() {
    judge_version("4.1").await;
}

#[tokio::test]
async fn moodle_4_5_every_captured_state() {
    judge_version("4.5").await;
}

#[tokio::test]
async fn moodle_4_5_with_debugging_every_captured_state() {
    judge_version("4.5-debug").await;
}

#[tokio::test]
async fn moodle_5_0_every_captured_state() {
    judge_version("5.0").await;
}
