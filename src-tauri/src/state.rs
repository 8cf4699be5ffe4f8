// Owns: what the commands share — the one HTTP client, the profile store, the secret store
// (keyring, or session-only once the admin chose it) and the simulated Moodle of demo mode.
// Must not: decide anything about Moodle; commands call setup-core.

use std::sync::{Arc, RwLock};

use moodle_sim::MoodleSim;
use moodle_ws::{build_http_client, HttpConfig};
use setup_core::profile::{Profile, ProfileStore};
use setup_core::secrets::{KeyringStore, SecretStore, SessionStore};

use crate::error::{AppError, AppResult};

/// The id of the profile that points at the simulated Moodle.
pub const DEMO_PROFILE_ID: &str = "demo";

pub struct AppState {
    pub http: reqwest::Client,
    pub profiles: ProfileStore,
    secrets: RwLock<Option<Arc<dyn SecretStore>>>,
    /// Why the keyring is unavailable, when it is.
    pub keyring_problem: Option<String>,
    /// Demo tokens: never in the keyring, gone with the app.
    pub demo_secrets: Arc<SessionStore>,
    pub demo: tokio::sync::Mutex<Option<MoodleSim>>,
    /// The demo profile lives in memory only: its address changes with every start.
    demo_profile: tokio::sync::Mutex<Option<Profile>>,
}

impl AppState {
    pub fn new(
        profiles: ProfileStore,
        secrets: Result<Arc<dyn SecretStore>, String>,
    ) -> AppResult<Self> {
        let http = build_http_client(&HttpConfig::default())
            .map_err(|e| AppError::DemoStart(e.to_string()))?;
        let (secrets, keyring_problem) = match secrets {
            Ok(store) => (Some(store), None),
            Err(problem) => (None, Some(problem)),
        };
        Ok(Self {
            http,
            profiles,
            secrets: RwLock::new(secrets),
            keyring_problem,
            demo_secrets: Arc::new(SessionStore::default()),
            demo: tokio::sync::Mutex::new(None),
            demo_profile: tokio::sync::Mutex::new(None),
        })
    }

    /// The real app: profiles in the OS config folder, secrets in the OS keyring if it works.
    pub fn from_environment() -> AppResult<Self> {
        let keyring = KeyringStore::default();
        let secrets = keyring
            .check_available()
            .map(|()| Arc::new(keyring) as Arc<dyn SecretStore>)
            .map_err(|e| e.to_string());
        Self::new(ProfileStore::default_location()?, secrets)
    }

    /// The secret store for a profile: the demo's own for the demo profile, else the chosen one.
    pub fn secrets_for(&self, profile_id: &str) -> AppResult<Arc<dyn SecretStore>> {
        if profile_id == DEMO_PROFILE_ID {
            return Ok(self.demo_secrets.clone());
        }
        self.secrets
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or(AppError::NoSecretStore)
    }

    pub fn secrets_persistent(&self) -> Option<bool> {
        self.secrets
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .map(|s| s.is_persistent())
    }

    /// The admin agreed to keep tokens in memory for this session only.
    pub fn use_session_secrets(&self) {
        let mut guard = self.secrets.write().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            *guard = Some(Arc::new(SessionStore::default()));
        }
    }

    pub async fn demo_profile(&self) -> Option<Profile> {
        self.demo_profile.lock().await.clone()
    }

    pub async fn set_demo_profile(&self, profile: Profile) {
        *self.demo_profile.lock().await = Some(profile);
    }

    /// A profile by id, the demo one included.
    pub async fn profile(&self, id: &str) -> AppResult<Profile> {
        if id == DEMO_PROFILE_ID {
            return self.demo_profile().await.ok_or(AppError::DemoNotRunning);
        }
        Ok(self.profiles.get(id)?)
    }
}
