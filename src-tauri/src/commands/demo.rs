// Owns: demo mode — the simulated Moodle started in-process (it replays the answers captured
// from real Moodle sites), its demo profile and tokens, and the choice of captured version,
// state and condition in front. Must not: let demo tokens reach the keyring.

use ::secrets::{Secret, SecretKind, SecretStore};
use moodle_sim::{Front, MoodleSim, DEFAULT_VERSION, GOOD_STATE};
use schools::profile::Profile;
use serde::Serialize;
use sis_connector::fake::{self, FakeOpenSis, FakeOptions};
use sis_connector::{SisConfig, SisTargetKind};
use tauri::State;

use crate::error::{AppError, AppResult};
use crate::state::{AppState, DEMO_PROFILE_ID};

/// The simulated openSIS of demo mode and the (made-up) credentials to sign in to it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct DemoSis {
    pub api_url: String,
    pub tenant: String,
    pub admin_email: String,
    /// A demo password for a simulated SIS: shown so the admin can rehearse typing it.
    pub password: String,
}

/// One captured state of a captured Moodle.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct DemoState {
    /// e.g. `rest_disabled`.
    pub name: String,
    /// What was changed in Moodle when it was captured.
    pub description: String,
}

/// One captured Moodle version and its states.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct DemoVersion {
    /// `4.1`, `4.5`, `4.5-debug`, `5.0`.
    pub id: String,
    /// Moodle's own release string, e.g. "4.5.11+ (Build: 20260501)".
    pub release: String,
    /// Captured with Moodle's debugging on (its errors then say why).
    pub debugging: bool,
    pub states: Vec<DemoState>,
}

/// What the simulated Moodle replays now, and what it can replay.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct DemoSite {
    pub version: String,
    pub state: String,
    /// A condition in front of Moodle (made up for the demo, not a capture).
    pub front: Option<Front>,
    /// The address the demo profile uses.
    pub url: String,
    pub versions: Vec<DemoVersion>,
}

fn site_of(sim: &MoodleSim) -> DemoSite {
    DemoSite {
        version: sim.version(),
        state: sim.state(),
        front: sim.front(),
        url: sim.url(),
        versions: MoodleSim::catalog()
            .versions
            .iter()
            .map(|v| DemoVersion {
                id: v.id.clone(),
                release: v.release.clone(),
                debugging: v.debugging(),
                states: v
                    .states
                    .iter()
                    .map(|s| DemoState {
                        name: s.name.clone(),
                        description: s.description.clone(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The two tokens the simulated Moodle's recorded admin made, for the admin to paste at the
/// token pages of a demo set-up (a real Moodle shows them once, on Manage tokens).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct DemoTokens {
    pub opensis: String,
    pub userkey: String,
}

/// Starts (or restarts) the simulated Moodle — by default Moodle 4.5 set up as the guide
/// says — and returns the demo profile. `preload_tokens` (default true): the tokens are
/// entered already; false rehearses a first set-up, where the admin pastes them.
#[tauri::command]
pub async fn start_demo(
    state: State<'_, AppState>,
    version: Option<String>,
    site_state: Option<String>,
    preload_tokens: Option<bool>,
) -> AppResult<Profile> {
    let sim = MoodleSim::start(
        version.as_deref().unwrap_or(DEFAULT_VERSION),
        site_state.as_deref().unwrap_or(GOOD_STATE),
    )
    .await
    .map_err(|e| AppError::DemoStart(e.to_string()))?;
    let mut profile = Profile::new("Demo school (simulated Moodle)");
    profile.id = DEMO_PROFILE_ID.to_owned();
    profile.moodle_url = sim.url();
    profile.admin_email = Some(sim.admin_email().to_owned());
    let store = &state.demo_secrets;
    for kind in [SecretKind::OpensisToken, SecretKind::UserkeyToken] {
        store.delete(DEMO_PROFILE_ID, kind)?;
    }
    if preload_tokens.unwrap_or(true) {
        store.set(
            DEMO_PROFILE_ID,
            SecretKind::OpensisToken,
            &Secret::new(sim.opensis_token()),
        )?;
        store.set(
            DEMO_PROFILE_ID,
            SecretKind::UserkeyToken,
            &Secret::new(sim.userkey_token()),
        )?;
    }
    *state.demo.lock().await = Some(sim);

    // A simulated openSIS too, so the last step can be rehearsed through its API.
    let sis = FakeOpenSis::start(FakeOptions::default())
        .await
        .map_err(|e| AppError::DemoStart(e.to_string()))?;
    let mut config = SisConfig {
        target: SisTargetKind::OpensisApi,
        api: sis.client_config(),
        ..SisConfig::default()
    };
    store.set(
        DEMO_PROFILE_ID,
        SecretKind::SisPassphrase,
        &Secret::new(
            config
                .api
                .password_crypto
                .passphrase
                .clone()
                .unwrap_or_default(),
        ),
    )?;
    config.api.password_crypto.passphrase = None;
    profile.sis = Some(config.to_profile_value());
    *state.demo_sis.lock().await = Some(sis);

    state.set_demo_profile(profile.clone()).await;
    Ok(profile)
}

/// The simulated openSIS's address and demo credentials, when demo mode runs.
#[tauri::command]
pub async fn demo_sis(state: State<'_, AppState>) -> AppResult<Option<DemoSis>> {
    let guard = state.demo_sis.lock().await;
    Ok(guard.as_ref().map(|sis| {
        let config = sis.client_config();
        DemoSis {
            api_url: config.api_url,
            tenant: config.tenant,
            admin_email: config.admin_email,
            password: fake::ADMIN_PASSWORD.to_owned(),
        }
    }))
}

/// One secret of demo mode: what it is and its (demo) value.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct DemoSecret {
    /// e.g. "opensis token", "login key", "openSIS sign-in token".
    pub kind: String,
    pub value: String,
}

/// Where demo mode's secrets could have gone, for an audit: every address the simulated
/// Moodle and openSIS were asked for (path and query, exactly as sent, never a body), and
/// every secret of the demo, the one-time ones the simulated sites issued included. Demo
/// values only: nothing here belongs to a real site.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct DemoAudit {
    pub moodle_urls: Vec<String>,
    pub opensis_urls: Vec<String>,
    pub secrets: Vec<DemoSecret>,
}

/// What the simulated sites of demo mode received and issued (see [`DemoAudit`]).
#[tauri::command]
pub async fn demo_audit(state: State<'_, AppState>) -> AppResult<DemoAudit> {
    let secret = |kind: &str, value: String| DemoSecret {
        kind: kind.to_owned(),
        value,
    };
    let mut audit = DemoAudit {
        moodle_urls: Vec::new(),
        opensis_urls: Vec::new(),
        secrets: Vec::new(),
    };
    {
        let guard = state.demo.lock().await;
        let sim = guard.as_ref().ok_or(AppError::DemoNotRunning)?;
        audit.moodle_urls = sim.requests().into_iter().map(|r| r.uri).collect();
        audit
            .secrets
            .push(secret("opensis token", sim.opensis_token()));
        audit
            .secrets
            .push(secret("user-key token", sim.userkey_token()));
        let (ws_opensis, ws_userkey) = sim.wsuser_tokens();
        audit.secrets.push(secret("opensis token", ws_opensis));
        audit.secrets.push(secret("user-key token", ws_userkey));
        for key in sim.issued_keys() {
            audit.secrets.push(secret("login key", key));
        }
    }
    if let Some(sis) = state.demo_sis.lock().await.as_ref() {
        audit.opensis_urls = sis.requests().into_iter().map(|r| r.uri).collect();
        audit
            .secrets
            .push(secret("openSIS password", fake::ADMIN_PASSWORD.to_owned()));
        if let Some(passphrase) = sis.client_config().password_crypto.passphrase {
            audit.secrets.push(secret("openSIS passphrase", passphrase));
        }
        for jwt in sis.issued_tokens() {
            audit.secrets.push(secret("openSIS sign-in token", jwt));
        }
    }
    Ok(audit)
}

/// The tokens of the simulated Moodle, when demo mode runs.
#[tauri::command]
pub async fn demo_tokens(state: State<'_, AppState>) -> AppResult<DemoTokens> {
    let guard = state.demo.lock().await;
    let sim = guard.as_ref().ok_or(AppError::DemoNotRunning)?;
    Ok(DemoTokens {
        opensis: sim.opensis_token(),
        userkey: sim.userkey_token(),
    })
}

/// The simulated Moodle's version and state, and every captured one.
#[tauri::command]
pub async fn demo_site(state: State<'_, AppState>) -> AppResult<DemoSite> {
    let guard = state.demo.lock().await;
    let sim = guard.as_ref().ok_or(AppError::DemoNotRunning)?;
    Ok(site_of(sim))
}

/// Switches the simulated Moodle to another captured version and state, and the condition in
/// front of it. The demo profile follows the address the state was captured at.
#[tauri::command]
pub async fn set_demo_site(
    state: State<'_, AppState>,
    version: String,
    site_state: String,
    front: Option<Front>,
) -> AppResult<DemoSite> {
    let site = {
        let guard = state.demo.lock().await;
        let sim = guard.as_ref().ok_or(AppError::DemoNotRunning)?;
        sim.set_site(&version, &site_state)
            .map_err(|e| AppError::DemoStart(e.to_string()))?;
        sim.set_front(front);
        site_of(sim)
    };
    if let Some(mut profile) = state.demo_profile().await {
        profile.moodle_url = site.url.clone();
        state.set_demo_profile(profile).await;
    }
    Ok(site)
}
