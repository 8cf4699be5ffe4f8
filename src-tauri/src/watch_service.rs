// Owns: the app's watch — which schools are watched (from their profiles), a round that checks
// every due school (never two checks of one school at once), and what follows each check:
// the history, the step verdicts in the profile, the changes handed to whoever listens
// (notifications, the tray, the window). Must not: know Tauri's window or tray; lib.rs wires
// the listener, tests record it.

use diagnosis::{DiagnoseOptions, Report};
use schools::district::{check_all, School, DEFAULT_CONCURRENCY};
use schools::profile::Profile;

use crate::checked::SchoolChecked;
use crate::error::AppResult;
use crate::state::{AppState, DEMO_PROFILE_ID};

/// Watches the schools whose profiles say so (and stops watching the others).
pub async fn sync_watched(state: &AppState) -> AppResult<()> {
    let mut profiles = state.profiles.list()?;
    if let Some(demo) = state.demo_profile().await {
        profiles.push(demo);
    }
    for p in &profiles {
        if p.watch.enabled {
            let history = state.history_read(&p.id).await.entries;
            state.watcher().watch(
                &p.id,
                u64::from(p.watch.interval_minutes.max(1)) * 60,
                &history,
            );
        } else {
            state.watcher().unwatch(&p.id);
        }
    }
    let known: Vec<&str> = profiles.iter().map(|p| p.id.as_str()).collect();
    for id in state.watcher().watched() {
        if !known.contains(&id.as_str()) {
            state.watcher().unwatch(&id);
        }
    }
    Ok(())
}

async fn school_of(state: &AppState, p: &Profile) -> Result<School, String> {
    let secrets = state.secrets_for(&p.id).await.map_err(|e| e.to_string())?;
    let mut school =
        School::from_profile(p, Some(secrets.as_ref()), None, None).map_err(|e| e.to_string())?;
    school.simulated_site = is_demo(&p.id);
    Ok(school)
}

/// Keeps a check of several: the verdicts in the profile too (as a check from the wizard
/// does), or why it could not run.
async fn keep(
    state: &AppState,
    id: &str,
    name: &str,
    report: Result<Report, String>,
    at: u64,
    scheduled: bool,
) -> SchoolChecked {
    match report {
        Ok(report) => {
            if let Ok(mut profile) = state.profile(id).await {
                profile.remember_check(&report, at);
                let _ = state.save_profile(profile).await;
            }
            state.record_check(id, name, &report, at, scheduled).await
        }
        Err(error) => {
            state.watcher().abandon(id);
            let checked = SchoolChecked {
                id: id.to_owned(),
                name: name.to_owned(),
                snapshot: None,
                events: Vec::new(),
                error: Some(error),
                history_set_aside: None,
            };
            state.tell(&checked);
            checked
        }
    }
}

/// Checks schools at once (bounded, one shared client) and keeps each result; the listener
/// hears each as it is kept. Failing schools first.
pub async fn check_schools(
    state: &AppState,
    profiles: Vec<Profile>,
    at: u64,
    scheduled: bool,
    progress: impl Fn(usize, usize, &str) + Send + Sync,
) -> Vec<SchoolChecked> {
    let mut schools = Vec::new();
    let mut results = Vec::new();
    for p in &profiles {
        match school_of(state, p).await {
            Ok(s) => schools.push(s),
            Err(e) => results.push(keep(state, &p.id, &p.name, Err(e), at, scheduled).await),
        }
    }
    let checked = check_all(
        &state.http,
        schools,
        &DiagnoseOptions::default(),
        DEFAULT_CONCURRENCY,
        |done, total, c| progress(done, total, &c.name),
    )
    .await;
    for c in checked {
        results.push(keep(state, &c.id, &c.name, c.report, at, scheduled).await);
    }
    results
}

/// One round of the watch at `now`: every watched school that is due and not still being
/// checked is checked. Returns what each check found.
pub async fn round(state: &AppState, now: u64) -> Vec<SchoolChecked> {
    let due: Vec<String> = {
        let mut watcher = state.watcher();
        watcher
            .due(now)
            .into_iter()
            .filter(|id| watcher.begin(id, now))
            .collect()
    };
    let mut profiles = Vec::new();
    for id in &due {
        match state.profile(id).await {
            Ok(p) => profiles.push(p),
            Err(_) => {
                state.watcher().unwatch(id);
            }
        }
    }
    if profiles.is_empty() {
        return Vec::new();
    }
    check_schools(state, profiles, now, true, |_, _, _| {}).await
}

/// Seconds until the next school is due (at least 5, at most 60: a wake-up is noticed soon).
pub fn pause(state: &AppState, now: u64) -> u64 {
    state
        .watcher()
        .next_due()
        .map_or(60, |due| due.saturating_sub(now))
        .clamp(5, 60)
}

/// The demo's school is never written to disk.
pub fn is_demo(id: &str) -> bool {
    id == DEMO_PROFILE_ID
}
