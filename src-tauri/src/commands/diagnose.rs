// Owns: the diagnosis commands — a profile's checks (as the wizard runs them, with tokens not
// asked for yet waited for, or as the doctor runs them), the 65-second key life-time proof,
// the address preview and the Markdown report. Must not: judge.

use std::collections::BTreeMap;

use moodle_ws::{normalize_site_url, WsToken};
use serde::Serialize;
use setup_core::profile::Profile;
use setup_core::secrets::SecretKind;
use setup_core::{
    diagnose_with, DiagnoseInput, DiagnoseOptions, Report, Status, KEY_LIFETIME_CHECK_AGE,
};
use tauri::State;

use crate::error::AppResult;
use crate::state::{AppState, DEMO_PROFILE_ID};

/// The address the checks will use, as the engine reads what was typed.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct AddressPreview {
    /// The site root the checks will use, e.g. `https://moodle.school.org`.
    pub url: Option<String>,
    /// Why the typed text is not an address, in a sentence.
    pub error: Option<String>,
}

/// What the address field shows while the admin types.
#[tauri::command]
pub fn normalize_url(input: String) -> AddressPreview {
    match normalize_site_url(&input) {
        Ok(root) => AddressPreview {
            url: Some(root.to_string()),
            error: None,
        },
        Err(e) => {
            let text = e.to_string();
            let mut chars = text.chars();
            let sentence = chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default();
            AddressPreview {
                url: None,
                error: Some(format!("{sentence}.")),
            }
        }
    }
}

/// Every check for a profile, with its tokens from the keyring. `wizard`: the set-up is under
/// way, so a token not given yet is waited for (its checks say which page asks for it), not
/// failed.
#[tauri::command]
pub async fn diagnose_profile(
    state: State<'_, AppState>,
    profile_id: String,
    wizard: Option<bool>,
) -> AppResult<Report> {
    run(&state, &profile_id, wizard.unwrap_or(false), None).await
}

/// The checks with the key life-time proof: a login key opened 65 s after it was issued.
#[tauri::command]
pub async fn prove_key_lifetime(
    state: State<'_, AppState>,
    profile_id: String,
) -> AppResult<Report> {
    run(&state, &profile_id, true, Some(KEY_LIFETIME_CHECK_AGE)).await
}

async fn run(
    state: &AppState,
    profile_id: &str,
    wizard: bool,
    key_lifetime_check: Option<std::time::Duration>,
) -> AppResult<Report> {
    let mut profile = state.profile(profile_id).await?;
    let secrets = state.secrets_for(profile_id).await?;
    let token = |kind| -> AppResult<Option<WsToken>> {
        Ok(secrets
            .get(profile_id, kind)?
            .and_then(|s| WsToken::new(s.expose())))
    };
    let input = DiagnoseInput {
        url: profile.moodle_url.clone(),
        opensis_token: token(SecretKind::OpensisToken)?,
        userkey_token: token(SecretKind::UserkeyToken)?,
        admin_email: profile.admin_email.clone().filter(|e| !e.trim().is_empty()),
    };
    let options = DiagnoseOptions {
        tokens_pending: wizard,
        simulated_site: profile_id == DEMO_PROFILE_ID,
        key_lifetime_check,
        ..DiagnoseOptions::default()
    };
    let at = setup_core::clock::now_secs();
    let report = diagnose_with(&state.http, &input, &options).await?;
    // Reread: the admin may have ticked something while the checks ran.
    if let Ok(fresh) = state.profile(profile_id).await {
        profile = fresh;
    }
    remember_verdicts(&mut profile, &report);
    profile.remember_looked_up_email(&report);
    profile.checked_at = Some(at);
    let name = profile.name.clone();
    state.save_profile(profile).await?;
    // A full check (not one with tokens still to come) is a check of the school's history.
    if !wizard {
        crate::watch_service::record(state, profile_id, &name, &report, at, false).await;
    }
    Ok(report)
}

/// Keeps each step's worst verdict in the profile, so the side rail survives a restart.
pub(crate) fn remember_verdicts(profile: &mut Profile, report: &Report) {
    let mut worst: BTreeMap<u8, Status> = BTreeMap::new();
    for f in &report.checks {
        let rank = |s: Status| match s {
            Status::Pass => 0,
            Status::Skipped | Status::Waiting => 1,
            Status::NotVisible => 2,
            Status::Blocked => 3,
            Status::Warn => 4,
            Status::Unknown => 5,
            Status::Fail => 6,
        };
        let entry = worst.entry(f.step).or_insert(f.status);
        if rank(f.status) > rank(*entry) {
            *entry = f.status;
        }
    }
    for (step, status) in worst {
        let name = serde_json::to_value(status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned));
        profile.progress.entry(step).or_default().last_status = name;
    }
}

#[tauri::command]
pub fn report_markdown(report: Report, title: String, generated_at: String) -> String {
    setup_core::report_markdown::report_markdown(&report, &title, &generated_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_previewed_as_the_engine_reads_them() {
        let bare = normalize_url("moodle.school.org".into());
        assert_eq!(bare.url.as_deref(), Some("https://moodle.school.org"));
        let login = normalize_url("https://school.org/moodle/login/index.php".into());
        assert_eq!(login.url.as_deref(), Some("https://school.org/moodle"));
        let empty = normalize_url("   ".into());
        assert!(empty.url.is_none());
        let error = empty.error.unwrap();
        assert!(error.starts_with("The Moodle address is empty"), "{error}");
        assert!(normalize_url("ftp://x.org".into()).error.is_some());
    }
}
