// Owns: the commands of "Set it up for me", in the command line's `configure` order
// (crates/cli/src/configure_cmd.rs): what is known before a sign-in (the site, the auth_userkey
// ZIP, the run that can be put back), the sign-in through Moodle's own page, the plan for
// review, the changes with progress events, the tokens into the school's secret store, the run
// recorded in the profile, Put it back, and the sign-out; and the hidden replay of a recorded
// admin run for the end-to-end tests. Must not: see a password, keep the admin session anywhere
// but memory, or decide a change (setup-automation and the diagnosis do).

use std::path::{Path, PathBuf};

use ::secrets::{Secret, SecretKind, SecretStore};
use moodle_ws::WsToken;
use plugin_zip::{validate_bytes, ValidateOptions};
use schools::profile::Profile;
use serde::Serialize;
use setup_automation::plan::TokenFor;
use setup_automation::record::{now_secs, ChangeRecord, ChangeRun, Undo};
use setup_automation::run::{self, Event};
use setup_automation::undo::Restored;
use tauri::{AppHandle, Emitter, Runtime, State};

use crate::admin::AdminHold;
use crate::commands::diagnose::fingerprint;
use crate::commands::secrets::kind_name;
use crate::error::{AppError, AppResult};
use crate::sign_in_window;
use crate::state::AppState;

/// The event carrying each change as it starts and is made (or put back).
pub const PROGRESS_EVENT: &str = "setup-progress";

/// Names a recorded admin run (`configure.jsonl.xz`) that `start_admin_replay` serves on
/// loopback, for the end-to-end tests. Unset, the command refuses.
pub const ADMIN_REPLAY_VAR: &str = "SIS_MOODLE_SETUP_ADMIN_REPLAY";

/// auth_userkey's plugin component, as its ZIP's version.php names it.
const USERKEY_COMPONENT: &str = "auth_userkey";
/// A plugin ZIP larger than this is not read for the install (the two plugins are far smaller).
const MAX_ZIP_BYTES: u64 = 64 * 1024 * 1024;

/// A change, planned or made: "step 13 REST protocol: off → on".
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ChangeLine {
    pub step: u8,
    pub what: String,
    pub before: String,
    pub after: String,
}

/// A change the app made, with what Moodle's own page showed after it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct MadeChange {
    pub step: u8,
    pub what: String,
    pub before: String,
    pub after: String,
    /// When Moodle confirmed it (seconds since 1970).
    #[ts(type = "number")]
    pub at: u64,
    /// What was read back from Moodle's page after the change.
    pub proof: String,
}

impl From<&ChangeRecord> for MadeChange {
    fn from(r: &ChangeRecord) -> Self {
        Self {
            step: r.step,
            what: r.what.clone(),
            before: r.before.clone(),
            after: r.after.clone(),
            at: r.at,
            proof: r.proof.clone(),
        }
    }
}

/// What the app cannot do, and why (with the manual way).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct CannotLine {
    pub step: u8,
    pub why: String,
}

/// Where a run stopped: the change Moodle refused or did not keep.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct StoppedAt {
    pub step: u8,
    pub what: String,
    pub why: String,
}

impl From<run::Stopped> for StoppedAt {
    fn from(s: run::Stopped) -> Self {
        Self {
            step: s.step,
            what: s.what,
            why: s.why,
        }
    }
}

/// The last run of the app on this school's Moodle that was not put back.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct LastRun {
    pub site: String,
    #[ts(type = "number")]
    pub started_at: u64,
    pub changes: Vec<MadeChange>,
}

/// Tokens kept for the school (in its secret store).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct TokensKept {
    pub opensis: bool,
    pub userkey: bool,
}

/// What "Set it up for me" knows before a sign-in.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SetupOverview {
    /// The site root the sign-in will open, when the school has a Moodle address.
    pub site: Option<String>,
    /// The validated auth_userkey ZIP at hand (its file name), if any.
    pub userkey_zip: Option<String>,
    /// `None` while the tokens have nowhere to be kept (the keyring banner asks).
    pub tokens: Option<TokensKept>,
    pub last_run: Option<LastRun>,
    /// A session of this school is held (signed in, plan under review).
    pub signed_in: bool,
}

/// The plan, as the admin reviews it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SetupPlan {
    pub site: String,
    pub changes: Vec<ChangeLine>,
    pub cannot: Vec<CannotLine>,
    /// The auth_userkey ZIP the install uses (its file name), if the plan installs it.
    pub userkey_zip: Option<String>,
}

/// One change of a run or of its undo, as it happens.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SetupProgress {
    /// A change starts (`index` from 0, of `total`).
    Start {
        index: u32,
        total: u32,
        step: u8,
        what: String,
    },
    Made {
        index: u32,
        proof: String,
    },
    Refused {
        index: u32,
        why: String,
    },
    /// Putting a change back starts (newest first).
    Undoing {
        index: u32,
        total: u32,
        step: u8,
        what: String,
    },
    /// Put back (`left`: left as it is on purpose, e.g. a plugin stays installed).
    PutBack {
        index: u32,
        note: String,
        left: bool,
    },
    NotPutBack {
        index: u32,
        why: String,
    },
}

/// What a run did.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct RunResult {
    pub site: String,
    pub made: Vec<MadeChange>,
    pub stopped: Option<StoppedAt>,
    /// Functions the site does not have (step 3's openSIS-Web-Services brings them).
    pub not_on_site: Vec<String>,
    /// The tokens created and kept in the school's secret store.
    pub tokens_kept: Vec<SecretKind>,
    /// Kept in the system keyring (true) or for this session only (false).
    pub persistent: bool,
    /// A token created that could not be kept, in a sentence.
    pub token_problem: Option<String>,
    /// Admin page requests the run took.
    pub requests: u32,
    /// The school as it is stored now (with the run recorded).
    pub profile: Profile,
}

/// One change of a run, put back or left.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct PutBackLine {
    pub step: u8,
    pub what: String,
    /// The value the change had made, and the one it has again.
    pub from: String,
    pub to: String,
    /// Put back (false: left as it is, with why in `note`).
    pub done: bool,
    pub note: String,
}

/// What Put it back did.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct UndoResult {
    pub site: String,
    pub put_back: Vec<PutBackLine>,
    pub stopped: Option<StoppedAt>,
    /// Tokens the run had created, deleted from the school's secret store.
    pub tokens_removed: Vec<SecretKind>,
    pub profile: Profile,
}

fn site_of(profile: &Profile) -> AppResult<moodle_ws::SiteRoot> {
    if profile.moodle_url.trim().is_empty() {
        return Err(AppError::InvalidInput(
            "this school has no Moodle address yet: give it first".into(),
        ));
    }
    moodle_ws::normalize_site_url(&profile.moodle_url)
        .map_err(|e| AppError::Input(diagnosis::EngineError::InvalidUrl(e)))
}

/// The validated auth_userkey ZIP of the school's plugin sources: a file on this computer, or
/// one downloaded in this run (step 3's page). File name, bytes.
pub(crate) fn userkey_zip(state: &AppState, profile: &Profile) -> Option<(String, Vec<u8>)> {
    profile.plugin_sources.iter().find_map(|source| {
        let source = source.trim();
        let path = if source.starts_with("http://") || source.starts_with("https://") {
            state.fetched_zip(source)?
        } else if source.is_empty() {
            return None;
        } else {
            PathBuf::from(source)
        };
        read_userkey_zip(&path)
    })
}

fn read_userkey_zip(path: &Path) -> Option<(String, Vec<u8>)> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_ZIP_BYTES {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    let name = path.file_name()?.to_string_lossy().into_owned();
    let verdict = validate_bytes(&name, &bytes, &ValidateOptions::default());
    (verdict.component.as_deref() == Some(USERKEY_COMPONENT) && verdict.errors().next().is_none())
        .then_some((name, bytes))
}

fn kept_tokens(store: &dyn SecretStore, profile_id: &str) -> TokensKept {
    usable_tokens(store, profile_id, &[])
}

/// The school's tokens the set-up can keep using: held, and not among those the last
/// diagnosis found refused, expired or of another account (`refused`, by fingerprint), which
/// the plan makes again.
fn usable_tokens(store: &dyn SecretStore, profile_id: &str, refused: &[u64]) -> TokensKept {
    let kept = |kind| {
        store
            .get(profile_id, kind)
            .ok()
            .flatten()
            .and_then(|s| WsToken::new(s.expose()))
            .is_some_and(|t| !refused.contains(&fingerprint(t.expose().trim())))
    };
    TokensKept {
        opensis: kept(SecretKind::OpensisToken),
        userkey: kept(SecretKind::UserkeyToken),
    }
}

/// The run "Put it back" undoes: the last one not put back that changed something.
fn last_run_index(profile: &Profile) -> Option<usize> {
    profile
        .setup_runs
        .iter()
        .rposition(|r| r.undone_at.is_none() && !r.changes.is_empty())
}

/// The site, the ZIP, the tokens kept and the run that can be put back, before a sign-in.
#[tauri::command]
pub async fn setup_overview(
    state: State<'_, AppState>,
    profile_id: String,
) -> AppResult<SetupOverview> {
    let profile = state.profile(&profile_id).await?;
    let site = site_of(&profile).ok().map(|r| r.to_string());
    let tokens = match state.secrets_for(&profile_id).await {
        Ok(store) => Some(kept_tokens(store.as_ref(), &profile_id)),
        Err(_) => None,
    };
    let last_run = last_run_index(&profile).map(|i| {
        let run = &profile.setup_runs[i];
        LastRun {
            site: run.site.clone(),
            started_at: run.started_at,
            changes: run.changes.iter().map(MadeChange::from).collect(),
        }
    });
    Ok(SetupOverview {
        site,
        userkey_zip: userkey_zip(&state, &profile).map(|(name, _)| name),
        tokens,
        last_run,
        signed_in: state.admin.is_signed_in(&profile_id).await,
    })
}

/// Opens Moodle's own sign-in page in a window of its own and waits until the admin signed in
/// there as a site administrator (or closed it, or Moodle refused). The session is held in
/// memory for the plan and the changes; the site's root is returned.
#[tauri::command]
pub async fn setup_sign_in<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    profile_id: String,
) -> AppResult<String> {
    let profile = state.profile(&profile_id).await?;
    let root = site_of(&profile)?;
    // Tokens the run creates must have somewhere to go: asked before anything else.
    state.secrets_for(&profile_id).await?;
    state.admin.sign_out().await;
    let title = format!("Sign in to Moodle for {} — SIS Moodle Setup", profile.name);
    let session = sign_in_window::sign_in(&app, &root, &title).await?;
    let site = session.root().to_string();
    state
        .admin
        .hold(AdminHold {
            profile_id,
            session,
            plan: None,
            userkey_zip: None,
        })
        .await;
    Ok(site)
}

/// Ends a sign-in window under way (the sign-in waits end as cancelled).
#[tauri::command]
pub fn setup_cancel_sign_in<R: Runtime>(app: AppHandle<R>) {
    sign_in_window::cancel(&app);
}

/// Ends the work: a sign-in window under way is closed, a held session signed out (Moodle's
/// own sign-out). Whether a session was signed out.
#[tauri::command]
pub async fn setup_sign_out<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> AppResult<bool> {
    sign_in_window::cancel(&app);
    Ok(state.admin.sign_out().await)
}

/// Reads the site through its admin pages (GET only) and plans: every change with its value
/// now and after, and what the app cannot do. A failure ends the session (signed out).
#[tauri::command]
pub async fn setup_plan(state: State<'_, AppState>, profile_id: String) -> AppResult<SetupPlan> {
    let mut hold = state
        .admin
        .take(&profile_id)
        .await
        .ok_or(AppError::NotSignedIn)?;
    let planned = async {
        let profile = state.profile(&profile_id).await?;
        let store = state.secrets_for(&profile_id).await?;
        let refused = state.refused_tokens(&profile_id);
        let tokens = usable_tokens(store.as_ref(), &profile_id, &refused);
        let zip = userkey_zip(&state, &profile);
        let wanted = run::wanted(
            &diagnosis::required_functions::required_functions(),
            zip.is_some(),
            tokens.opensis,
            tokens.userkey,
        );
        let (_site, plan) = run::read_and_plan(&mut hold.session, &wanted).await?;
        let installs = plan
            .changes
            .iter()
            .any(|c| matches!(c.action, setup_automation::plan::Action::InstallUserkey));
        let view = SetupPlan {
            site: hold.session.root().to_string(),
            changes: plan
                .changes
                .iter()
                .map(|c| ChangeLine {
                    step: c.step,
                    what: c.what.clone(),
                    before: c.before.clone(),
                    after: c.after.clone(),
                })
                .collect(),
            cannot: plan
                .cannot
                .iter()
                .map(|c| CannotLine {
                    step: c.step,
                    why: c.why.clone(),
                })
                .collect(),
            userkey_zip: zip
                .as_ref()
                .filter(|_| installs)
                .map(|(name, _)| name.clone()),
        };
        hold.userkey_zip = zip;
        hold.plan = Some(plan);
        Ok::<_, AppError>(view)
    }
    .await;
    match planned {
        Ok(view) => {
            state.admin.put_back(hold).await;
            Ok(view)
        }
        Err(e) => {
            let _ = hold.session.sign_out().await;
            Err(e)
        }
    }
}

fn secret_kind(service: TokenFor) -> SecretKind {
    match service {
        TokenFor::Opensis => SecretKind::OpensisToken,
        TokenFor::Userkey => SecretKind::UserkeyToken,
    }
}

/// Makes the planned changes in their order, each announced as a `setup-progress` event as it
/// starts and is made (with its proof); stops at the first Moodle refuses or does not keep.
/// Then signs out, records the run in the school's profile (first: whatever happens next, it
/// can be put back) and keeps the tokens made in the school's secret store.
#[tauri::command]
pub async fn setup_apply<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    profile_id: String,
) -> AppResult<RunResult> {
    let mut hold = state
        .admin
        .take(&profile_id)
        .await
        .ok_or(AppError::NotSignedIn)?;
    let Some(plan) = hold.plan.take() else {
        let _ = hold.session.sign_out().await;
        return Err(AppError::NoPlan);
    };
    let store = match state.secrets_for(&profile_id).await {
        Ok(s) => s,
        Err(e) => {
            let _ = hold.session.sign_out().await;
            return Err(e);
        }
    };
    let input = setup_automation::apply::ApplyInput {
        userkey_zip: hold.userkey_zip.take(),
    };
    let site = hold.session.root().to_string();
    let outcome = run::apply_plan(&mut hold.session, &plan, &input, |event| {
        let progress = match event {
            Event::Start {
                index,
                total,
                change,
            } => SetupProgress::Start {
                index: index as u32,
                total: total as u32,
                step: change.step,
                what: change.what.clone(),
            },
            Event::Made { index, record } => SetupProgress::Made {
                index: index as u32,
                proof: record.proof.clone(),
            },
            Event::Refused { index, error } => SetupProgress::Refused {
                index: index as u32,
                why: error.to_string(),
            },
        };
        let _ = app.emit(PROGRESS_EVENT, progress);
    })
    .await;
    let requests = hold.session.requests();
    let _ = hold.session.sign_out().await;

    // The record first: whatever happens next, the run can be put back.
    let recorded = async {
        let mut profile = state.profile(&profile_id).await?;
        if !outcome.run.changes.is_empty() {
            profile.setup_runs.push(outcome.run.clone());
            profile = state.save_profile(profile).await?;
        }
        Ok::<_, AppError>(profile)
    }
    .await;
    // The tokens Moodle showed once are kept even if the record could not be written.
    let mut tokens_kept = Vec::new();
    let mut token_problem = None;
    for (kind, token) in [
        (SecretKind::OpensisToken, &outcome.opensis_token),
        (SecretKind::UserkeyToken, &outcome.userkey_token),
    ] {
        let Some(token) = token else { continue };
        match store.set(&profile_id, kind, &Secret::new(token.expose())) {
            Ok(()) => tokens_kept.push(kind),
            Err(e) => {
                token_problem = Some(format!(
                    "A token was created in Moodle but could not be kept ({e}). Put the changes back, then set it up again where the system keyring works."
                ));
            }
        }
    }
    let mut profile = recorded?;
    if !tokens_kept.is_empty() {
        for kind in &tokens_kept {
            profile.tokens_saved_at.insert(kind_name(*kind), now_secs());
        }
        profile = state.save_profile(profile).await?;
    }
    Ok(RunResult {
        site,
        made: outcome.run.changes.iter().map(MadeChange::from).collect(),
        stopped: outcome.stopped.map(StoppedAt::from),
        not_on_site: outcome.not_on_site,
        tokens_kept,
        persistent: store.is_persistent(),
        token_problem,
        requests,
        profile,
    })
}

/// Puts the school's last run back, newest change first, each announced as a `setup-progress`
/// event; stops at the first that cannot be. Tokens the run created are deleted from the
/// school's secret store too; the run is marked put back when all of it was. Then signs out.
#[tauri::command]
pub async fn setup_undo<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    profile_id: String,
) -> AppResult<UndoResult> {
    let mut hold = state
        .admin
        .take(&profile_id)
        .await
        .ok_or(AppError::NotSignedIn)?;
    let found = async {
        let profile = state.profile(&profile_id).await?;
        let index = last_run_index(&profile).ok_or(AppError::NothingToPutBack)?;
        let run = profile.setup_runs[index].clone();
        let here = hold.session.root().to_string();
        if !moodle_ws::same_site(&run.site, &here) {
            return Err(AppError::InvalidInput(format!(
                "the last run was made on {}, not on {here}: nothing was changed",
                run.site
            )));
        }
        Ok((index, run))
    }
    .await;
    let (index, run) = match found {
        Ok(f) => f,
        Err(e) => {
            let _ = hold.session.sign_out().await;
            return Err(e);
        }
    };
    let total = run.changes.len() as u32;
    let mut put_back = Vec::new();
    let mut restored_records = Vec::new();
    let mut stopped = None;
    // Newest first, one change at a time so that each is shown as it is put back: the same
    // `undo_run` as the command line's, given the run's changes one by one.
    for (i, change) in run.changes.iter().rev().enumerate() {
        let i = i as u32;
        let _ = app.emit(
            PROGRESS_EVENT,
            SetupProgress::Undoing {
                index: i,
                total,
                step: change.step,
                what: change.what.clone(),
            },
        );
        let one = ChangeRun {
            changes: vec![change.clone()],
            ..run.clone()
        };
        let outcome = run::undo_run(&mut hold.session, &one).await;
        for (record, restored) in outcome.restored {
            let (done, note) = match restored {
                Restored::Done { proof } => (true, proof),
                Restored::Left { why } => (false, why),
            };
            let _ = app.emit(
                PROGRESS_EVENT,
                SetupProgress::PutBack {
                    index: i,
                    note: note.clone(),
                    left: !done,
                },
            );
            put_back.push(PutBackLine {
                step: record.step,
                what: record.what.clone(),
                from: record.after.clone(),
                to: record.before.clone(),
                done,
                note,
            });
            restored_records.push(record);
        }
        if let Some(s) = outcome.stopped {
            let _ = app.emit(
                PROGRESS_EVENT,
                SetupProgress::NotPutBack {
                    index: i,
                    why: s.why.clone(),
                },
            );
            stopped = Some(StoppedAt::from(s));
            break;
        }
    }
    let site = hold.session.root().to_string();
    let _ = hold.session.sign_out().await;

    let store = state.secrets_for(&profile_id).await?;
    let mut profile = state.profile(&profile_id).await?;
    let mut tokens_removed = Vec::new();
    for record in &restored_records {
        if let Undo::DeleteToken { service, .. } = &record.undo {
            let kind = secret_kind(*service);
            if store.delete(&profile_id, kind).is_ok() {
                tokens_removed.push(kind);
                profile.tokens_saved_at.remove(&kind_name(kind));
            }
        }
    }
    if stopped.is_none() {
        if let Some(r) = profile.setup_runs.get_mut(index) {
            r.undone_at = Some(now_secs());
        }
    }
    let profile = state.save_profile(profile).await?;
    Ok(UndoResult {
        site,
        put_back,
        stopped,
        tokens_removed,
        profile,
    })
}

/// Serves the recorded admin run named in `SIS_MOODLE_SETUP_ADMIN_REPLAY` on loopback and
/// returns its address (hidden: for the end-to-end tests, as the demo's simulated Moodle).
#[tauri::command]
pub async fn start_admin_replay(state: State<'_, AppState>) -> AppResult<String> {
    let Some(path) = std::env::var_os(ADMIN_REPLAY_VAR) else {
        return Err(AppError::InvalidInput(format!(
            "no recorded admin run: {ADMIN_REPLAY_VAR} is not set"
        )));
    };
    let run = moodle_sim::admin_replay::RecordedRun::load(Path::new(&path))
        .map_err(|e| AppError::DemoStart(e.to_string()))?;
    let replay = moodle_sim::admin_replay::RunReplay::start(run)
        .await
        .map_err(|e| AppError::DemoStart(e.to_string()))?;
    let url = replay.url();
    *state.admin_replay.lock().await = Some(replay);
    Ok(url)
}

/// The requests the replayed admin run did not have (method, address, form field names).
#[tauri::command]
pub async fn admin_replay_misses(state: State<'_, AppState>) -> AppResult<Vec<String>> {
    Ok(state
        .admin_replay
        .lock()
        .await
        .as_ref()
        .map(|r| r.misses())
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(step: u8, undone: bool) -> ChangeRun {
        ChangeRun {
            site: "https://school.org".into(),
            started_at: 1,
            changes: if step == 0 {
                Vec::new()
            } else {
                vec![ChangeRecord {
                    step,
                    what: "REST protocol".into(),
                    before: "off".into(),
                    after: "on".into(),
                    at: 2,
                    proof: "Manage protocols shows rest enabled".into(),
                    undo: Undo::DisableProtocol {
                        protocol: "rest".into(),
                    },
                }]
            },
            undone_at: undone.then_some(3),
        }
    }

    #[test]
    fn put_it_back_takes_the_last_run_not_put_back_that_changed_something() {
        let mut p = Profile::new("Lincoln High");
        assert_eq!(last_run_index(&p), None);
        p.setup_runs = vec![record(13, false), record(11, true), record(0, false)];
        assert_eq!(last_run_index(&p), Some(0));
        p.setup_runs.push(record(8, false));
        assert_eq!(last_run_index(&p), Some(3));
    }

    #[test]
    fn a_token_the_last_diagnosis_refused_is_not_kept_for_the_plan() {
        let store = ::secrets::SessionStore::default();
        let opensis = "0123456789abcdef0123456789abcdef";
        let userkey = "fedcba9876543210fedcba9876543210";
        store
            .set("s", SecretKind::OpensisToken, &Secret::new(opensis))
            .unwrap();
        store
            .set("s", SecretKind::UserkeyToken, &Secret::new(userkey))
            .unwrap();
        let both = usable_tokens(&store, "s", &[]);
        assert!(both.opensis && both.userkey);
        let refused = usable_tokens(&store, "s", &[fingerprint(opensis)]);
        assert!(!refused.opensis && refused.userkey);
        // Another school's refused token is not this one's.
        let other = usable_tokens(&store, "s", &[fingerprint("another")]);
        assert!(other.opensis && other.userkey);
        assert!(!usable_tokens(&store, "t", &[]).opensis);
    }
}
