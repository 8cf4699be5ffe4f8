// Owns: demo mode — the simulated Moodle started in-process, its demo profile and tokens,
// and the fault switches. Must not: let demo tokens reach the keyring.

use moodle_sim::{Fault, MoodleSim};
use serde::Serialize;
use setup_core::profile::Profile;
use setup_core::secrets::{Secret, SecretKind, SecretStore};
use tauri::State;

use crate::error::{AppError, AppResult};
use crate::state::{AppState, DEMO_PROFILE_ID};

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
    state.set_demo_profile(profile.clone()).await;
    Ok(profile)
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
