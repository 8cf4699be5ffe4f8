// Owns: the district and watch commands — every school's last check for the start screen,
// "Check all" with progress, "Watch this connection" on or off, a school's history, and one
// watch check now. Must not: decide what changed (the schools crate's watch does).

use schools::profile::Profile;
use schools::watch::Snapshot;
use serde::Serialize;
use tauri::{Emitter, Runtime, State};

use crate::checked::SchoolChecked;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::watch_service;
use diagnosis::clock::now_secs;

/// One school on the start screen: its last check and whether it is watched.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SchoolSummary {
    pub id: String,
    pub name: String,
    pub url: String,
    pub last: Option<Snapshot>,
    pub watching: bool,
    pub interval_minutes: u32,
}

/// A school's history, newest first.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct HistoryView {
    pub entries: Vec<Snapshot>,
    /// A damaged history file was renamed to this path and the history started again.
    pub set_aside: Option<String>,
}

/// "Check all" as it goes.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct CheckAllProgress {
    pub done: u32,
    pub total: u32,
    pub name: String,
}

async fn all_profiles(state: &AppState) -> AppResult<Vec<Profile>> {
    let mut list = Vec::new();
    if let Some(demo) = state.demo_profile().await {
        list.push(demo);
    }
    list.extend(state.profiles.list()?);
    Ok(list)
}

async fn summary(state: &AppState, p: &Profile) -> SchoolSummary {
    SchoolSummary {
        id: p.id.clone(),
        name: p.name.clone(),
        url: p.moodle_url.clone(),
        last: state.history_read(&p.id).await.entries.pop(),
        watching: p.watch.enabled,
        interval_minutes: p.watch.interval_minutes,
    }
}

/// Every school with its last check, failing schools first.
#[tauri::command]
pub async fn school_summaries(state: State<'_, AppState>) -> AppResult<Vec<SchoolSummary>> {
    let mut out = Vec::new();
    for p in all_profiles(&state).await? {
        out.push(summary(&state, &p).await);
    }
    out.sort_by_key(|s| {
        let rank = match &s.last {
            Some(l) if !l.failing.is_empty() => 0,
            Some(l) if l.outcome != diagnosis::Outcome::Passed => 1,
            None => 2,
            Some(_) => 3,
        };
        (rank, s.name.to_lowercase())
    });
    Ok(out)
}

/// Checks every school at once, telling the window as each finishes ("check-all-progress").
#[tauri::command]
pub async fn check_all_schools<R: Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
) -> AppResult<Vec<SchoolChecked>> {
    let profiles: Vec<Profile> = all_profiles(&state)
        .await?
        .into_iter()
        .filter(|p| !p.moodle_url.trim().is_empty())
        .collect();
    let results =
        watch_service::check_schools(&state, profiles, now_secs(), false, |done, total, name| {
            let _ = app.emit(
                "check-all-progress",
                CheckAllProgress {
                    done: done as u32,
                    total: total as u32,
                    name: name.to_owned(),
                },
            );
        })
        .await;
    Ok(results)
}

/// "Watch this connection": on or off, and every how many minutes.
#[tauri::command]
pub async fn set_watch(
    state: State<'_, AppState>,
    profile_id: String,
    enabled: bool,
    interval_minutes: u32,
) -> AppResult<Profile> {
    if !(5..=24 * 60).contains(&interval_minutes) {
        return Err(AppError::InvalidInput(
            "the interval must be between 5 minutes and 24 hours".into(),
        ));
    }
    let mut profile = state.profile(&profile_id).await?;
    profile.watch.enabled = enabled;
    profile.watch.interval_minutes = interval_minutes;
    let profile = state.save_profile(profile).await?;
    watch_service::sync_watched(&state).await?;
    Ok(profile)
}

/// A school's checks, newest first (at most `limit`).
#[tauri::command]
pub async fn school_history(
    state: State<'_, AppState>,
    profile_id: String,
    limit: Option<u32>,
) -> AppResult<HistoryView> {
    let read = state.history_read(&profile_id).await;
    let mut entries = read.entries;
    entries.reverse();
    entries.truncate(limit.unwrap_or(20) as usize);
    Ok(HistoryView {
        entries,
        set_aside: read.set_aside.map(|p| p.display().to_string()),
    })
}

/// One check of a watched school now, as its schedule would make it (what changed is
/// notified). It waits if the school's scheduled check is running.
#[tauri::command]
pub async fn watch_now(state: State<'_, AppState>, profile_id: String) -> AppResult<SchoolChecked> {
    let now = now_secs();
    if !state.watcher().begin(&profile_id, now) {
        return Err(AppError::WatchBusy);
    }
    let profile = state.profile(&profile_id).await?;
    let mut results =
        watch_service::check_schools(&state, vec![profile], now, true, |_, _, _| {}).await;
    results
        .pop()
        .ok_or_else(|| AppError::InvalidInput("the school could not be checked".into()))
}
