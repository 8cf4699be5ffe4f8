// Owns: the profile commands — list, create, save (progress included), rename, duplicate,
// delete (with the profile's tokens). Must not: touch a token except to delete it.

use schools::profile::Profile;
use tauri::State;

use crate::error::AppResult;
use crate::state::AppState;

/// Every profile, the demo one first when the simulated Moodle is running.
#[tauri::command]
pub async fn list_profiles(state: State<'_, AppState>) -> AppResult<Vec<Profile>> {
    let mut list = Vec::new();
    if let Some(demo) = state.demo_profile().await {
        list.push(demo);
    }
    list.extend(state.profiles.list()?);
    Ok(list)
}

/// The profile the admin had open last time, to continue where they left off.
#[tauri::command]
pub fn last_profile(state: State<'_, AppState>) -> AppResult<Option<Profile>> {
    let Some(id) = state.profiles.last_opened()? else {
        return Ok(None);
    };
    Ok(state.profiles.get(&id).ok())
}

#[tauri::command]
pub fn create_profile(state: State<'_, AppState>, name: String) -> AppResult<Profile> {
    let profile = Profile::new(name.trim());
    state.profiles.upsert(&profile)?;
    Ok(profile)
}

/// Saves a profile as the UI holds it (URL, e-mail, current step, ticks). The runs of "Set it
/// up for me" are the stored ones: the UI never changes them, and a copy it held from before a
/// run must not drop that run's record.
#[tauri::command]
pub async fn save_profile(state: State<'_, AppState>, mut profile: Profile) -> AppResult<Profile> {
    if let Ok(stored) = state.profile(&profile.id).await {
        profile.setup_runs = stored.setup_runs;
    }
    state.save_profile(profile).await
}

/// One profile as it is stored now (the demo one included).
#[tauri::command]
pub async fn get_profile(state: State<'_, AppState>, id: String) -> AppResult<Profile> {
    state.profile(&id).await
}

#[tauri::command]
pub fn rename_profile(state: State<'_, AppState>, id: String, name: String) -> AppResult<Profile> {
    Ok(state.profiles.rename(&id, &name)?)
}

#[tauri::command]
pub fn duplicate_profile(state: State<'_, AppState>, id: String) -> AppResult<Profile> {
    Ok(state.profiles.duplicate(&id)?)
}

/// Deletes a profile and removes its tokens from the keyring.
#[tauri::command]
pub async fn delete_profile(state: State<'_, AppState>, id: String) -> AppResult<()> {
    let secrets = state.secrets_for(&id).await?;
    Ok(state.profiles.delete(&id, secrets.as_ref())?)
}
