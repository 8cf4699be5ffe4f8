//! The doctor of a Moodle site's set-up for openSIS: the site read without changing it, and each
//! of the 14 steps judged from Moodle's answers. Owns: the steps, the probes (read-only, each
//! side effect known and documented), the findings, what the set-up can and cannot fix of them,
//! and the reports in words and Markdown. Must not: change a site (`setup-automation` does), keep
//! a token or a school (`secrets` and `schools` do), or know about Tauri or a terminal: views
//! render what this crate decides.

pub mod cfg_cli;
pub mod clock;
pub mod email_check;
pub mod engine;
pub mod finding;
pub mod fixable;
pub mod moodle_texts;
pub mod reachability;
pub mod report_markdown;
pub mod required_functions;
pub mod steps;

pub use engine::{
    diagnose, diagnose_with, DiagnoseInput, DiagnoseOptions, EngineError, KEY_LIFETIME_CHECK_AGE,
    PLUGIN_PROBE_FUNCTION,
};
pub use finding::{Finding, Outcome, Report, SiteFacts, Status, Timings, Verdict};
pub use steps::{catalog, Step, Verification};
