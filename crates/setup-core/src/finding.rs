// Owns: the result types of a diagnosis — one `Finding` per check and the `Report`.
// Must not: compute anything; the engine fills them and views render them.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Warn,
    Fail,
    /// Could not be judged: an earlier step failed first, or it is not visible remotely.
    Unknown,
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
}

/// What the site says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SiteFacts {
    pub sitename: String,
    pub release: Option<String>,
    pub version: Option<String>,
    pub wwwroot: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Report {
    pub site: Option<SiteFacts>,
    pub checks: Vec<Finding>,
}

impl Report {
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
}
