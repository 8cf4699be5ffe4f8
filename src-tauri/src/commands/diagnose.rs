// Owns: the diagnosis commands — a token-less site check, a profile's full diagnosis (its
// step verdicts remembered in the profile) and the Markdown report. Must not: judge.

use std::collections::BTreeMap;

use moodle_ws::WsToken;
use setup_core::profile::Profile;
use setup_core::secrets::SecretKind;
use setup_core::{diagnose, DiagnoseInput, Report, Status};
use tauri::State;

use crate::error::AppResult;
use crate::state::{AppState, DEMO_PROFILE_ID};

/// The public checks of a site address, before any token is known.
#[tauri::command]
pub async fn check_site(state: State<'_, AppState>, url: String) -> AppResult<Report> {
    let input = DiagnoseInput {
        url,
        ..Default::default()
    };
    Ok(diagnose(&state.http, &input).await?)
}

/// Every check for a profile, with its tokens from the keyring.
#[tauri::command]
pub async fn diagnose_profile(state: State<'_, AppState>, profile_id: String) -> AppResult<Report> {
    let mut profile = state.profile(&profile_id).await?;
    let secrets = state.secrets_for(&profile_id).await?;
    let token = |kind| -> AppResult<Option<WsToken>> {
        Ok(secrets
            .get(&profile_id, kind)?
            .and_then(|s| WsToken::new(s.expose())))
    };
    let input = DiagnoseInput {
        url: profile.moodle_url.clone(),
        opensis_token: token(SecretKind::OpensisToken)?,
        userkey_token: token(SecretKind::UserkeyToken)?,
        admin_email: profile.admin_email.clone().filter(|e| !e.trim().is_empty()),
    };
    let report = diagnose(&state.http, &input).await?;
    remember_verdicts(&mut profile, &report);
    if profile.id == DEMO_PROFILE_ID {
        state.set_demo_profile(profile).await;
    } else {
        state.profiles.upsert(&profile)?;
    }
    Ok(report)
}

/// Keeps each step's worst verdict in the profile, so the side rail survives a restart.
fn remember_verdicts(profile: &mut Profile, report: &Report) {
    let mut worst: BTreeMap<u8, Status> = BTreeMap::new();
    for f in &report.checks {
        let rank = |s: Status| match s {
            Status::Pass => 0,
            Status::Skipped => 1,
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
