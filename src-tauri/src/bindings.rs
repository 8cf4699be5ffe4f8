// Owns: the TypeScript declarations of every type that crosses to the UI, generated from the
// Rust types into ui/src/bindings.ts. Must not: be edited by hand on the TypeScript side.

use ts_rs::{Config, TS};

use crate::commands::{demo, diagnose, plugins, secrets, setup, sis, watch};
use crate::error::ErrorPayload;

/// The generated file's path, relative to this crate.
pub const BINDINGS_PATH: &str = "ui/src/bindings.ts";

fn decl<T: TS>(cfg: &Config) -> String {
    format!("export {}", T::decl(cfg))
}

/// The whole bindings file.
pub fn typescript() -> String {
    let cfg = Config::new().with_large_int("number");
    let decls = [
        decl::<diagnosis::Status>(&cfg),
        decl::<diagnosis::Finding>(&cfg),
        decl::<diagnosis::SiteFacts>(&cfg),
        decl::<diagnosis::Outcome>(&cfg),
        decl::<diagnosis::Verdict>(&cfg),
        decl::<diagnosis::Timings>(&cfg),
        decl::<diagnosis::Report>(&cfg),
        decl::<diagnosis::Verification>(&cfg),
        decl::<diagnosis::Step>(&cfg),
        decl::<schools::profile::StepProgress>(&cfg),
        decl::<schools::profile::Profile>(&cfg),
        decl::<::secrets::SecretKind>(&cfg),
        decl::<moodle_sim::Front>(&cfg),
        decl::<demo::DemoState>(&cfg),
        decl::<demo::DemoVersion>(&cfg),
        decl::<demo::DemoSite>(&cfg),
        decl::<secrets::KeyringStatus>(&cfg),
        decl::<secrets::TokenSlot>(&cfg),
        decl::<secrets::TokenState>(&cfg),
        decl::<ErrorPayload>(&cfg),
        decl::<plugin_zip::ExpectedPlugin>(&cfg),
        decl::<plugin_zip::Severity>(&cfg),
        decl::<plugin_zip::ProblemCode>(&cfg),
        decl::<plugin_zip::Problem>(&cfg),
        decl::<plugin_zip::VerdictStatus>(&cfg),
        decl::<plugin_zip::Maturity>(&cfg),
        decl::<plugin_zip::PluginVerdict>(&cfg),
        decl::<plugins::PluginProgress>(&cfg),
        decl::<plugins::PluginResult>(&cfg),
        decl::<plugins::PluginsSummary>(&cfg),
        decl::<sis::SisForm>(&cfg),
        decl::<sis::SisSaveResult>(&cfg),
        decl::<demo::DemoSis>(&cfg),
        decl::<demo::DemoTokens>(&cfg),
        decl::<diagnose::AddressPreview>(&cfg),
        decl::<schools::profile::WatchSettings>(&cfg),
        decl::<schools::watch::StepState>(&cfg),
        decl::<schools::watch::Snapshot>(&cfg),
        decl::<schools::watch::WatchEvent>(&cfg),
        decl::<crate::checked::SchoolChecked>(&cfg),
        decl::<watch::SchoolSummary>(&cfg),
        decl::<watch::HistoryView>(&cfg),
        decl::<watch::CheckAllProgress>(&cfg),
        decl::<setup::ChangeLine>(&cfg),
        decl::<setup::MadeChange>(&cfg),
        decl::<setup::CannotLine>(&cfg),
        decl::<setup::StoppedAt>(&cfg),
        decl::<setup::LastRun>(&cfg),
        decl::<setup::TokensKept>(&cfg),
        decl::<setup::SetupOverview>(&cfg),
        decl::<setup::SetupPlan>(&cfg),
        decl::<setup::SetupProgress>(&cfg),
        decl::<setup::RunResult>(&cfg),
        decl::<setup::PutBackLine>(&cfg),
        decl::<setup::UndoResult>(&cfg),
    ];
    let mut out = String::from(
        "// Generated from the Rust types by `UPDATE_BINDINGS=1 cargo test -p sis-moodle-setup-app bindings`.\n// Do not edit: change the Rust type and regenerate.\n\n",
    );
    for d in decls {
        out.push_str(&d);
        out.push_str("\n\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fails when a Rust type changed and the UI's bindings were not regenerated.
    #[test]
    fn bindings_are_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(BINDINGS_PATH);
        let fresh = typescript();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &fresh).unwrap();
        }
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            current == fresh,
            "ui/src/bindings.ts is out of date: run `UPDATE_BINDINGS=1 cargo test -p sis-moodle-setup-app bindings`"
        );
    }
}
