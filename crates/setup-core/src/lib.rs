//! The SIS ⇄ Moodle set-up domain: the step catalog, the probes → findings engine, the schools.
//! Nothing here knows about Tauri or a terminal; views render what this crate decides.

pub mod cfg_cli;
pub mod clock;
pub mod configure;
pub mod district;
pub mod email_check;
pub mod engine;
pub mod finding;
pub mod history;
pub mod moodle_texts;
pub mod profile;
pub mod reachability;
pub mod report_markdown;
pub mod required_functions;
pub mod steps;
pub mod watch;

pub use engine::{
    diagnose, diagnose_with, DiagnoseInput, DiagnoseOptions, EngineError, KEY_LIFETIME_CHECK_AGE,
    PLUGIN_PROBE_FUNCTION,
};
pub use finding::{Finding, Outcome, Report, SiteFacts, Status, Timings, Verdict};
pub use steps::{catalog, Step, Verification};
