// Owns: how a judge makes a finding — its status, evidence, fix and link — and the token a
// check waits for in the wizard. Must not: decide a status itself.

use crate::finding::{Finding, Status};
use crate::steps;

/// A token the wizard has not asked for yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PendingToken {
    Opensis,
    Userkey,
}

impl PendingToken {
    pub(super) fn words(self) -> &'static str {
        match self {
            Self::Opensis => "the opensis token (the wizard asks for it right after step 14).",
            Self::Userkey => "the user-key token (the wizard asks for it right after step 12).",
        }
    }
}

impl Finding {
    pub(crate) fn pass(check: &str, step: u8, summary: impl Into<String>) -> Self {
        Self::new(check, step, Status::Pass, summary)
    }

    pub(crate) fn warn(check: &str, step: u8, summary: impl Into<String>) -> Self {
        Self::new(check, step, Status::Warn, summary)
    }

    pub(crate) fn fail(check: &str, step: u8, summary: impl Into<String>) -> Self {
        Self::new(check, step, Status::Fail, summary)
    }

    /// The check ran, but its answer could not be judged.
    pub(crate) fn unknown(check: &str, step: u8, summary: impl Into<String>) -> Self {
        Self::new(check, step, Status::Unknown, summary)
    }

    /// Nobody can see this from outside Moodle.
    pub(crate) fn not_visible(check: &str, step: u8, summary: impl Into<String>) -> Self {
        Self::new(check, step, Status::NotVisible, summary)
    }

    /// A token the wizard asks for at a later page, not given yet.
    pub(crate) fn waiting_for_token(check: &str, token: PendingToken) -> Self {
        Self::new(
            check,
            15,
            Status::Waiting,
            format!("Waiting for {}", token.words()),
        )
    }

    /// Not checked because the admin asked to skip the probes with side effects.
    pub(crate) fn skipped(check: &str, step: u8) -> Self {
        Self::new(
            check,
            step,
            Status::Skipped,
            "Not checked: the single sign-on probes were skipped on request (--no-sso).",
        )
    }

    /// Not judged because an earlier step failed first.
    pub(crate) fn blocked(check: &str, step: u8, by_step: u8) -> Self {
        let title = steps::step(by_step).map_or("", |s| s.title);
        let mut f = Self::new(
            check,
            step,
            Status::Blocked,
            format!("Not checked: step {by_step} (\"{title}\") must pass first."),
        );
        f.blocked_by = Some(by_step);
        f
    }

    pub(crate) fn evidence(mut self, evidence: impl Into<String>) -> Self {
        self.evidence = evidence.into();
        self
    }

    pub(crate) fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = fix.into();
        self
    }

    pub(crate) fn link(mut self, link: impl Into<String>) -> Self {
        self.link = Some(link.into());
        self
    }
}
