// Owns: the result types of a diagnosis — one `Finding` per check, the `Report`, and the
// one-line `Verdict` with its exit code. Must not: probe or judge; the engine fills them and
// views render them.

use serde::{Deserialize, Serialize};

use crate::steps;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Warn,
    Fail,
    /// Not checked because an earlier step failed first (`blocked_by` names it).
    Blocked,
    /// Nobody can see this from outside Moodle (e.g. "User key life time"): check it there.
    NotVisible,
    /// Not checked because the admin asked to skip it (`doctor --no-sso`).
    Skipped,
    /// The check ran but its answer could not be judged: the doctor could not tell.
    Unknown,
    /// Not checked yet: it needs a token the wizard asks for on a later page.
    Waiting,
}

/// One check's verdict, tied to the set-up step that fixes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Finding {
    /// Stable identifier, e.g. `rest_protocol_enabled`.
    pub check: String,
    /// The seed step (0 = the site itself, 15 = the tokens and single sign-on).
    pub step: u8,
    pub status: Status,
    /// One sentence for the admin.
    pub summary: String,
    /// What was observed, with no secret in it.
    pub evidence: String,
    /// What to do, or empty when nothing is to be done.
    pub fix: String,
    /// The admin page on this site where the fix is made.
    pub link: Option<String>,
    /// For `blocked`: the step that must pass first.
    pub blocked_by: Option<u8>,
}

impl Finding {
    /// A finding with its summary only: no evidence, fix, link or blocking step yet.
    pub fn new(check: &str, step: u8, status: Status, summary: impl Into<String>) -> Self {
        Self {
            check: check.to_owned(),
            step,
            status,
            summary: summary.into(),
            evidence: String::new(),
            fix: String::new(),
            link: None,
            blocked_by: None,
        }
    }
}

/// What the site says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SiteFacts {
    pub sitename: String,
    pub release: Option<String>,
    pub version: Option<String>,
    /// The Moodle branch read from the release, e.g. "4.5"; the fix texts follow it.
    pub branch: Option<String>,
    pub wwwroot: String,
    /// The functions of the opensis service, as its token sees them (empty when it could not).
    pub functions: Vec<String>,
    /// The e-mail single sign-on was checked with, when it was looked up from the token's
    /// owner (not given): the app remembers it so later checks start single sign-on sooner.
    #[serde(default)]
    pub looked_up_email: Option<String>,
}

/// How long each part of a diagnosis took, in milliseconds (a part is the time from its first
/// request to its last answer; parts overlap where they run at once).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Timings {
    /// The site itself: public configuration, DNS, the certificate.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub site_ms: u64,
    /// The tokens: site info, the pages, the plugin probe.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub tokens_ms: u64,
    /// Single sign-on: the accounts, the login URL, its follow (and a restore). `None` when no
    /// login URL was asked for (no user-key token, no working opensis token, `--no-sso`…).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub sso_ms: Option<u64>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub total_ms: u64,
}

/// How a diagnosis ended, as an exit code says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every check passed (warnings allowed; what no one can see from outside is listed).
    Passed,
    /// At least one step failed.
    Failed,
    /// Nothing failed, but a check could not be judged: the doctor could not tell.
    CouldNotTell,
}

impl Outcome {
    /// 0 passed, 1 a step failed, 3 could not tell (2 is bad usage, decided by the views).
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Passed => 0,
            Outcome::Failed => 1,
            Outcome::CouldNotTell => 3,
        }
    }
}

/// The one line every view opens with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Verdict {
    pub outcome: Outcome,
    pub headline: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Report {
    pub verdict: Verdict,
    pub site: Option<SiteFacts>,
    /// The computer the checks ran from: openSIS's server may see the site differently.
    pub checked_from: Option<String>,
    /// How long each part took, so that a slow Moodle shows.
    #[serde(default)]
    pub timings: Option<Timings>,
    pub checks: Vec<Finding>,
}

fn step_title(step: u8) -> &'static str {
    steps::step(step).map_or("", |s| s.title)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl Report {
    /// A report of these findings, with its verdict.
    pub fn new(site: Option<SiteFacts>, checks: Vec<Finding>) -> Self {
        Self {
            verdict: Verdict::of(&checks),
            site,
            checked_from: None,
            timings: None,
            checks,
        }
    }

    /// The same report, saying which computer the checks ran from.
    pub fn checked_from(mut self, host: impl Into<String>) -> Self {
        let host = host.into();
        self.checked_from = (!host.trim().is_empty()).then_some(host);
        self
    }

    pub fn has_failures(&self) -> bool {
        self.checks.iter().any(|f| f.status == Status::Fail)
    }

    pub fn finding(&self, check: &str) -> Option<&Finding> {
        self.checks.iter().find(|f| f.check == check)
    }

    /// The steps with at least one failing check, lowest first.
    pub fn failing_steps(&self) -> Vec<u8> {
        let mut steps: Vec<u8> = self
            .checks
            .iter()
            .filter(|f| f.status == Status::Fail)
            .map(|f| f.step)
            .collect();
        steps.sort_unstable();
        steps.dedup();
        steps
    }

    /// The checks the doctor could not tell, including any "blocked" by a step that did not
    /// fail (a blocked check must never hide behind a pass).
    pub fn could_not_tell(&self) -> Vec<&Finding> {
        could_not_tell(&self.checks)
    }
}

fn could_not_tell(checks: &[Finding]) -> Vec<&Finding> {
    // Waiting for a step that failed, could not be told, or was skipped (a token not given
    // yet) is explained; waiting for a step that passed is not.
    let failed_or_unknown = |step: u8| {
        checks.iter().any(|f| {
            f.step == step
                && matches!(
                    f.status,
                    Status::Fail | Status::Unknown | Status::Skipped | Status::Waiting
                )
        })
    };
    checks
        .iter()
        .filter(|f| match f.status {
            Status::Unknown => true,
            Status::Blocked => !f.blocked_by.is_some_and(failed_or_unknown),
            _ => false,
        })
        .collect()
}

/// "Waiting for …: N checks wait for it." when tokens are still to be given in the wizard.
fn waiting_text(checks: &[Finding]) -> Option<String> {
    let waiting: Vec<&Finding> = checks
        .iter()
        .filter(|f| f.status == Status::Waiting)
        .collect();
    if waiting.is_empty() {
        return None;
    }
    let behind = checks
        .iter()
        .filter(|f| {
            f.status == Status::Blocked
                && f.blocked_by
                    .is_some_and(|s| waiting.iter().any(|w| w.step == s))
        })
        .count();
    let names: Vec<&str> = waiting
        .iter()
        .map(|f| {
            let s = f.summary.trim_end_matches('.');
            s.strip_prefix("Waiting for ").unwrap_or(s)
        })
        .collect();
    Some(format!(
        "Waiting for {}: {} {} for {}.",
        names.join(" and "),
        plural(behind, "check", "checks"),
        if behind == 1 { "waits" } else { "wait" },
        if waiting.len() == 1 { "it" } else { "them" }
    ))
}

impl Verdict {
    /// The outcome and its one-line headline, from the findings.
    pub fn of(checks: &[Finding]) -> Self {
        let mut failing: Vec<u8> = checks
            .iter()
            .filter(|f| f.status == Status::Fail)
            .map(|f| f.step)
            .collect();
        failing.sort_unstable();
        failing.dedup();
        let unknown = could_not_tell(checks);
        let unknown_text = || {
            let names: Vec<String> = unknown
                .iter()
                .map(|f| format!("step {} ({})", f.step, f.check))
                .collect();
            format!("Could not tell: {}", names.join(", "))
        };
        if !failing.is_empty() {
            let steps: Vec<String> = failing
                .iter()
                .map(|s| format!("{s} {}", step_title(*s)))
                .collect();
            let mut headline = format!(
                "{} {} you: {}.",
                plural(failing.len(), "step", "steps"),
                if failing.len() == 1 { "needs" } else { "need" },
                steps.join("; ")
            );
            if !unknown.is_empty() {
                headline.push_str(&format!(" {}.", unknown_text()));
            }
            if let Some(waiting) = waiting_text(checks) {
                headline.push_str(&format!(" {waiting}"));
            }
            return Self {
                outcome: Outcome::Failed,
                headline,
            };
        }
        if !unknown.is_empty() {
            return Self {
                outcome: Outcome::CouldNotTell,
                headline: format!("{}; nothing failed.", unknown_text()),
            };
        }
        // A set-up under way is never "all good": what waits for a token was not checked.
        if let Some(waiting) = waiting_text(checks) {
            return Self {
                outcome: Outcome::CouldNotTell,
                headline: format!("Nothing failed so far. {waiting}"),
            };
        }
        let warnings = checks.iter().filter(|f| f.status == Status::Warn).count();
        let mut headline = if warnings == 0 {
            "Every check passed.".to_owned()
        } else {
            format!(
                "Every check passed ({}).",
                plural(warnings, "warning", "warnings")
            )
        };
        let invisible: Vec<String> = checks
            .iter()
            .filter(|f| f.status == Status::NotVisible)
            .map(|f| format!("step {} ({})", f.step, f.check))
            .collect();
        if !invisible.is_empty() {
            headline.push_str(&format!(
                " Not visible from outside, check in Moodle: {}.",
                invisible.join(", ")
            ));
        }
        let skipped: Vec<String> = checks
            .iter()
            .filter(|f| f.status == Status::Skipped)
            .map(|f| format!("step {} ({})", f.step, f.check))
            .collect();
        if !skipped.is_empty() {
            headline.push_str(&format!(" Skipped on request: {}.", skipped.join(", ")));
        }
        Self {
            outcome: Outcome::Passed,
            headline,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(check: &str, step: u8, status: Status, blocked_by: Option<u8>) -> Finding {
        Finding {
            blocked_by,
            ..Finding::new(check, step, status, "")
        }
    }

    #[test]
    fn a_failure_wins_and_names_its_steps() {
        let v = Verdict::of(&[
            f("a", 13, Status::Fail, None),
            f("b", 6, Status::Fail, None),
            f("c", 14, Status::Blocked, Some(13)),
        ]);
        assert_eq!(v.outcome, Outcome::Failed);
        assert_eq!(v.outcome.exit_code(), 1);
        assert!(
            v.headline.starts_with("2 steps need you: 6 "),
            "{}",
            v.headline
        );
        assert!(v.headline.contains("13 Enable the REST protocol"));
    }

    #[test]
    fn nothing_failed_but_something_unjudged_is_could_not_tell() {
        let v = Verdict::of(&[
            f("a", 8, Status::Pass, None),
            f("b", 13, Status::Unknown, None),
        ]);
        assert_eq!(v.outcome, Outcome::CouldNotTell);
        assert_eq!(v.outcome.exit_code(), 3);
        assert!(
            v.headline.starts_with("Could not tell: step 13 (b)"),
            "{}",
            v.headline
        );
    }

    #[test]
    fn a_check_blocked_by_a_step_that_did_not_fail_is_could_not_tell() {
        let v = Verdict::of(&[
            f("a", 15, Status::Pass, None),
            f("b", 7, Status::Blocked, Some(15)),
        ]);
        assert_eq!(v.outcome, Outcome::CouldNotTell);
        let v = Verdict::of(&[
            f("a", 15, Status::Fail, None),
            f("b", 7, Status::Blocked, Some(15)),
        ]);
        assert_eq!(v.outcome, Outcome::Failed);
        assert!(!v.headline.contains("Could not tell"));
    }

    #[test]
    fn a_token_still_to_come_is_never_all_good_and_its_checks_are_counted() {
        let mut waiting = f("opensis_token", 15, Status::Waiting, None);
        waiting.summary = "Waiting for the opensis token (asked after step 14).".into();
        let checks = [
            f("a", 13, Status::Pass, None),
            waiting,
            f("b", 9, Status::Blocked, Some(15)),
            f("c", 14, Status::Blocked, Some(15)),
        ];
        let v = Verdict::of(&checks);
        assert_eq!(v.outcome, Outcome::CouldNotTell);
        assert_eq!(
            v.headline,
            "Nothing failed so far. Waiting for the opensis token (asked after step 14): 2 checks \
             wait for it."
        );
        let mut with_failure = checks.to_vec();
        with_failure.push(f("d", 3, Status::Fail, None));
        let v = Verdict::of(&with_failure);
        assert_eq!(v.outcome, Outcome::Failed);
        assert!(
            v.headline.ends_with(
                "Waiting for the opensis token (asked after step 14): 2 checks wait for it."
            ),
            "{}",
            v.headline
        );
    }

    #[test]
    fn passing_lists_warnings_what_is_invisible_and_what_was_skipped() {
        let v = Verdict::of(&[
            f("a", 0, Status::Warn, None),
            f("userkey_lifetime", 7, Status::NotVisible, None),
            f("sso_round_trip", 15, Status::Skipped, None),
        ]);
        assert_eq!(v.outcome, Outcome::Passed);
        assert_eq!(v.outcome.exit_code(), 0);
        assert_eq!(
            v.headline,
            "Every check passed (1 warning). Not visible from outside, check in Moodle: step 7 \
             (userkey_lifetime). Skipped on request: step 15 (sso_round_trip)."
        );
    }
}
