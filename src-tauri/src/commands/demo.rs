// Owns: demo mode — the simulated Moodle started in-process, its demo profile and tokens,
// and the fault switches. Must not: let demo tokens reach the keyring.

use moodle_sim::{Fault, MoodleSim};
use serde::Serialize;
use setup_core::profile::Profile;
use setup_core::secrets::{Secret, SecretKind, SecretStore};
use setup_core::sis::fake::{self, FakeOpenSis, FakeOptions};
use setup_core::sis::{SisConfig, SisTargetKind};
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

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct FaultState {
    pub fault: Fault,
    /// The set-up step this fault breaks.
    pub step: u8,
    pub on: bool,
}

/// Starts (or restarts) the simulated Moodle with these faults and returns the demo profile.
#[tauri::command]
pub async fn start_demo(state: State<'_, AppState>, faults: Vec<Fault>) -> AppResult<Profile> {
    let sim = MoodleSim::start(faults)
        .await
        .map_err(|e| AppError::DemoStart(e.to_string()))?;
    let mut profile = Profile::new("Demo school (simulated Moodle)");
    profile.id = DEMO_PROFILE_ID.to_owned();
    profile.moodle_url = sim.url();
    profile.admin_email = Some(sim.admin_email().to_owned());
    let store = &state.demo_secrets;
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

fn fault_states(sim: &MoodleSim) -> Vec<FaultState> {
    let on = sim.faults();
    Fault::ALL
        .into_iter()
        .map(|fault| FaultState {
            fault,
            step: fault.step(),
            on: on.contains(&fault),
        })
        .collect()
}

#[tauri::command]
pub async fn demo_faults(state: State<'_, AppState>) -> AppResult<Vec<FaultState>> {
    let guard = state.demo.lock().await;
    let sim = guard.as_ref().ok_or(AppError::DemoNotRunning)?;
    Ok(fault_states(sim))
}

#[tauri::command]
pub async fn set_demo_fault(
    state: State<'_, AppState>,
    fault: Fault,
    on: bool,
) -> AppResult<Vec<FaultState>> {
    let guard = state.demo.lock().await;
    let sim = guard.as_ref().ok_or(AppError::DemoNotRunning)?;
    sim.set_fault(fault, on);
    Ok(fault_states(sim))
}
