// Owns: what the commands share — the one HTTP client, the profile store, the secret store
// (keyring, or session-only once the admin chose it), the simulated Moodle of demo mode, and
// the admin session of "Set it up for me" (in memory only). Must not: decide anything about
// Moodle; commands call the library crates.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use ::secrets::{KeyringStore, SecretStore, SessionStore};
use diagnosis::Report;
use moodle_sim::MoodleSim;
use moodle_ws::{build_http_client, HttpConfig};
use schools::history::{HistoryRead, HistoryStore, HISTORY_LIMIT};
use schools::profile::{Profile, ProfileStore};
use schools::watch::{Snapshot, Watcher};

use crate::admin::{AdminSlot, SignInWait};
use crate::checked::{Listener, SchoolChecked};
use crate::error::{AppError, AppResult};

/// The id of the profile that points at the simulated Moodle.
pub const DEMO_PROFILE_ID: &str = "demo";

/// Where secrets go: decided on first use, so a keyring that asks to be unlocked never
/// holds up the window.
enum SecretsChoice {
    /// Not asked yet: the OS keyring will be probed on first use.
    Unprobed(KeyringStore),
    Ready(Arc<dyn SecretStore>),
    /// The keyring does not work here and the admin has not chosen session-only yet.
    Unavailable(String),
}

pub struct AppState {
    /// When this process started, for the start-up measurement.
    pub started: std::time::Instant,
    pub http: reqwest::Client,
    pub profiles: ProfileStore,
    secrets: tokio::sync::Mutex<SecretsChoice>,
    /// Why the keyring is unavailable, once known.
    keyring_problem: RwLock<Option<String>>,
    /// Demo tokens: never in the keyring, gone with the app.
    pub demo_secrets: Arc<SessionStore>,
    pub demo: tokio::sync::Mutex<Option<MoodleSim>>,
    /// The demo profile lives in memory only: its address changes with every start.
    demo_profile: tokio::sync::Mutex<Option<Profile>>,
    /// The simulated openSIS of demo mode.
    pub demo_sis: tokio::sync::Mutex<Option<sis_connector::fake::FakeOpenSis>>,
    /// Cancels the plugin download under way, if any.
    pub plugin_cancel: tokio::sync::Mutex<Option<plugin_zip::CancellationToken>>,
    /// The watched schools' schedules and what is known of their steps.
    watcher: Mutex<Watcher>,
    /// Each school's checks on disk (beside the profiles).
    history: HistoryStore,
    /// The demo school's checks, in memory only.
    demo_history: tokio::sync::Mutex<Vec<Snapshot>>,
    /// Told about every check the watch or "Check all" makes (notifications, tray, window).
    listener: RwLock<Option<Listener>>,
    /// Each school's passed 65-s proof of "User key life time", kept (in memory, for this
    /// run) until what it depends on changes: see `commands::diagnose::keep_key_proof`.
    key_proofs: Mutex<HashMap<String, KeyProof>>,
    /// Each school's tokens that its last diagnosis found refused, expired or of another
    /// account (by fingerprint, in memory only): "Fix it" makes them again.
    refused_tokens: Mutex<HashMap<String, Vec<u64>>>,
    /// "Set it up for me": the site administrator's session, signed in through the sign-in
    /// window, held in memory until the work is done or cancelled (then signed out).
    pub admin: AdminSlot,
    /// The sign-in window under way, if any.
    sign_in: Mutex<Option<Arc<SignInWait>>>,
    /// Plugin ZIPs downloaded in this run, by their download link: where each was saved.
    fetched_zips: Mutex<HashMap<String, PathBuf>>,
    /// A recorded admin run replayed on loopback (hidden: the E2E names one in
    /// `SIS_MOODLE_SETUP_ADMIN_REPLAY`).
    pub admin_replay: tokio::sync::Mutex<Option<moodle_sim::admin_replay::RunReplay>>,
}

/// A passed 65-s proof of "User key life time" and what it depended on. No secret: the token
/// is kept as a fingerprint, only to notice that it changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyProof {
    pub finding: diagnosis::Finding,
    /// The Moodle address it was proven on, as the profile held it.
    pub url: String,
    /// A fingerprint of the user-key token it was proven with.
    pub token: u64,
}

impl AppState {
    /// With a decided secret store (`Err` = the keyring is unavailable, with the reason).
    pub fn new(
        profiles: ProfileStore,
        secrets: Result<Arc<dyn SecretStore>, String>,
    ) -> AppResult<Self> {
        let choice = match secrets {
            Ok(store) => SecretsChoice::Ready(store),
            Err(problem) => SecretsChoice::Unavailable(problem),
        };
        Self::with_choice(profiles, choice)
    }

    fn with_choice(profiles: ProfileStore, choice: SecretsChoice) -> AppResult<Self> {
        let http = build_http_client(&HttpConfig::default())
            .map_err(|e| AppError::DemoStart(e.to_string()))?;
        let problem = match &choice {
            SecretsChoice::Unavailable(p) => Some(p.clone()),
            _ => None,
        };
        let history = HistoryStore::beside_profiles(profiles.dir());
        Ok(Self {
            started: std::time::Instant::now(),
            http,
            history,
            watcher: Mutex::new(Watcher::default()),
            demo_history: tokio::sync::Mutex::new(Vec::new()),
            listener: RwLock::new(None),
            key_proofs: Mutex::new(HashMap::new()),
            refused_tokens: Mutex::new(HashMap::new()),
            admin: AdminSlot::default(),
            sign_in: Mutex::new(None),
            fetched_zips: Mutex::new(HashMap::new()),
            admin_replay: tokio::sync::Mutex::new(None),
            profiles,
            secrets: tokio::sync::Mutex::new(choice),
            keyring_problem: RwLock::new(problem),
            demo_secrets: Arc::new(SessionStore::default()),
            demo: tokio::sync::Mutex::new(None),
            demo_profile: tokio::sync::Mutex::new(None),
            plugin_cancel: tokio::sync::Mutex::new(None),
            demo_sis: tokio::sync::Mutex::new(None),
        })
    }

    /// The real app: profiles in the OS config folder; the OS keyring, probed on first use.
    pub fn from_environment() -> AppResult<Self> {
        Self::with_choice(
            ProfileStore::default_location()?,
            SecretsChoice::Unprobed(KeyringStore::default()),
        )
    }

    /// The chosen store, probing the keyring (off the async threads) the first time.
    async fn store(&self) -> Option<Arc<dyn SecretStore>> {
        let mut choice = self.secrets.lock().await;
        if let SecretsChoice::Unprobed(keyring) = &*choice {
            let keyring = keyring.clone();
            let probed =
                tokio::task::spawn_blocking(move || keyring.check_available().map(|()| keyring))
                    .await
                    .unwrap_or_else(|e| Err(::secrets::SecretError::Unavailable(e.to_string())));
            *choice = match probed {
                Ok(keyring) => SecretsChoice::Ready(Arc::new(keyring)),
                Err(e) => {
                    *self
                        .keyring_problem
                        .write()
                        .unwrap_or_else(|p| p.into_inner()) = Some(e.to_string());
                    SecretsChoice::Unavailable(e.to_string())
                }
            };
        }
        match &*choice {
            SecretsChoice::Ready(store) => Some(store.clone()),
            _ => None,
        }
    }

    /// The secret store for a profile: the demo's own for the demo profile, else the chosen one.
    pub async fn secrets_for(&self, profile_id: &str) -> AppResult<Arc<dyn SecretStore>> {
        if profile_id == DEMO_PROFILE_ID {
            return Ok(self.demo_secrets.clone());
        }
        self.store().await.ok_or(AppError::NoSecretStore)
    }

    /// `Some(true)` keyring, `Some(false)` session-only, `None` nothing usable yet.
    pub async fn secrets_persistent(&self) -> Option<bool> {
        self.store().await.map(|s| s.is_persistent())
    }

    pub fn keyring_problem(&self) -> Option<String> {
        self.keyring_problem
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The admin agreed to keep tokens in memory for this session only.
    pub async fn use_session_secrets(&self) {
        let mut choice = self.secrets.lock().await;
        if !matches!(&*choice, SecretsChoice::Ready(_)) {
            *choice = SecretsChoice::Ready(Arc::new(SessionStore::default()));
        }
    }

    pub async fn demo_profile(&self) -> Option<Profile> {
        self.demo_profile.lock().await.clone()
    }

    pub async fn set_demo_profile(&self, profile: Profile) {
        *self.demo_profile.lock().await = Some(profile);
    }

    /// Saves a profile: the demo one in memory, the others in the profile file.
    pub async fn save_profile(&self, profile: Profile) -> AppResult<Profile> {
        if profile.id == DEMO_PROFILE_ID {
            self.set_demo_profile(profile.clone()).await;
        } else {
            self.profiles.upsert(&profile)?;
        }
        Ok(profile)
    }

    /// The schools' kept key life-time proofs.
    pub fn key_proofs(&self) -> MutexGuard<'_, HashMap<String, KeyProof>> {
        self.key_proofs.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The fingerprints of a school's tokens its last diagnosis said must be made again.
    pub fn refused_tokens(&self, id: &str) -> Vec<u64> {
        self.refused_tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
            .cloned()
            .unwrap_or_default()
    }

    /// Keeps what a school's diagnosis said of its tokens (replacing what an earlier one said).
    pub fn set_refused_tokens(&self, id: &str, prints: Vec<u64>) {
        self.refused_tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.to_string(), prints);
    }

    /// The sign-in window under way.
    pub fn sign_in_wait(&self) -> Option<Arc<SignInWait>> {
        self.sign_in
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn set_sign_in_wait(&self, wait: Arc<SignInWait>) {
        *self.sign_in.lock().unwrap_or_else(|p| p.into_inner()) = Some(wait);
    }

    /// Forgets this sign-in window's wait (not a newer one's).
    pub fn clear_sign_in_wait(&self, wait: &Arc<SignInWait>) {
        let mut guard = self.sign_in.lock().unwrap_or_else(|p| p.into_inner());
        if guard.as_ref().is_some_and(|w| Arc::ptr_eq(w, wait)) {
            *guard = None;
        }
    }

    /// Remembers where a downloaded plugin ZIP was saved, by its link.
    pub fn remember_fetched_zip(&self, source: &str, path: PathBuf) {
        self.fetched_zips
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(source.to_owned(), path);
    }

    /// Where the ZIP of this download link was saved in this run, if it was.
    pub fn fetched_zip(&self, source: &str) -> Option<PathBuf> {
        self.fetched_zips
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(source)
            .cloned()
    }

    pub fn watcher(&self) -> MutexGuard<'_, Watcher> {
        self.watcher.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn set_listener(&self, listener: Listener) {
        *self.listener.write().unwrap_or_else(|p| p.into_inner()) = Some(listener);
    }

    /// Hands a check to the listener, if one is set.
    pub fn tell(&self, checked: &SchoolChecked) {
        let listener = self
            .listener
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Some(listener) = listener {
            listener(checked);
        }
    }

    /// Records a check of a school: its snapshot in the history and, for a watched school, what
    /// changed (`scheduled`: the watch's own check, begun on its schedule). The listener hears it.
    pub async fn record_check(
        &self,
        id: &str,
        name: &str,
        report: &Report,
        at: u64,
        scheduled: bool,
    ) -> SchoolChecked {
        let snapshot = Snapshot::of(report, at);
        let history_set_aside = self.history_append(id, snapshot.clone()).await;
        let events = if scheduled {
            self.watcher().complete(id, snapshot.clone())
        } else {
            self.watcher().observe(id, snapshot.clone())
        };
        let checked = SchoolChecked {
            id: id.to_owned(),
            name: name.to_owned(),
            snapshot: Some(snapshot),
            events,
            error: None,
            history_set_aside,
        };
        self.tell(&checked);
        checked
    }

    /// A school's history (the demo's from memory). An unreadable file is set aside.
    pub async fn history_read(&self, id: &str) -> HistoryRead {
        if id == DEMO_PROFILE_ID {
            return HistoryRead {
                entries: self.demo_history.lock().await.clone(),
                set_aside: None,
            };
        }
        self.history.read(id).unwrap_or_default()
    }

    /// Adds a check to a school's history; the path of a damaged file set aside, if any.
    pub async fn history_append(&self, id: &str, snapshot: Snapshot) -> Option<String> {
        if id == DEMO_PROFILE_ID {
            let mut h = self.demo_history.lock().await;
            h.push(snapshot);
            let excess = h.len().saturating_sub(HISTORY_LIMIT);
            h.drain(..excess);
            return None;
        }
        match self.history.append(id, snapshot) {
            Ok(read) => read.set_aside.map(|p| p.display().to_string()),
            Err(e) => {
                eprintln!("history of {id}: {e}");
                None
            }
        }
    }

    pub fn history_store(&self) -> &HistoryStore {
        &self.history
    }

    /// A profile by id, the demo one included.
    pub async fn profile(&self, id: &str) -> AppResult<Profile> {
        if id == DEMO_PROFILE_ID {
            return self.demo_profile().await.ok_or(AppError::DemoNotRunning);
        }
        Ok(self.profiles.get(id)?)
    }
}
