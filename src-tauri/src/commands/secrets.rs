// Owns: the token commands — keyring status, the session-only choice, saving, clearing,
// revealing tokens. Must not: return a token except to an explicit reveal.

use moodle_ws::WsToken;
use serde::Serialize;
use setup_core::secrets::{Secret, SecretKind};
use tauri::State;

use crate::error::{AppError, AppResult};
use crate::state::AppState;

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct KeyringStatus {
    /// The OS keyring works here.
    pub available: bool,
    /// Tokens are being kept for this session only, as the admin chose.
    pub session_only: bool,
    /// Why the keyring is not available.
    pub problem: Option<String>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct TokenSlot {
    pub set: bool,
    /// 32 hexadecimal characters, as Moodle makes them.
    pub looks_valid: bool,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct TokenState {
    pub opensis: TokenSlot,
    pub userkey: TokenSlot,
    /// Kept in the OS keyring (true) or for this session only (false).
    pub persistent: bool,
}

async fn status_of(state: &AppState) -> KeyringStatus {
    let persistent = state.secrets_persistent().await;
    KeyringStatus {
        available: state.keyring_problem().is_none(),
        session_only: persistent == Some(false),
        problem: state.keyring_problem(),
    }
}

#[tauri::command]
pub async fn keyring_status(state: State<'_, AppState>) -> AppResult<KeyringStatus> {
    Ok(status_of(&state).await)
}

/// The admin agreed to keep tokens in memory until the app closes.
#[tauri::command]
pub async fn use_session_secrets(state: State<'_, AppState>) -> AppResult<KeyringStatus> {
    state.use_session_secrets().await;
    Ok(status_of(&state).await)
}

pub async fn token_state_of(state: &AppState, profile_id: &str) -> AppResult<TokenState> {
    let store = state.secrets_for(profile_id).await?;
    let slot = |kind| -> AppResult<TokenSlot> {
        let value = store.get(profile_id, kind)?;
        Ok(TokenSlot {
            set: value.is_some(),
            looks_valid: value
                .and_then(|v| WsToken::new(v.expose()))
                .is_some_and(|t| t.looks_like_moodle_token()),
        })
    };
    Ok(TokenState {
        opensis: slot(SecretKind::OpensisToken)?,
        userkey: slot(SecretKind::UserkeyToken)?,
        persistent: store.is_persistent(),
    })
}

#[tauri::command]
pub async fn token_state(state: State<'_, AppState>, profile_id: String) -> AppResult<TokenState> {
    token_state_of(&state, &profile_id).await
}

/// Stores a pasted token at once (trimmed); an empty paste clears it.
#[tauri::command]
pub async fn set_token(
    state: State<'_, AppState>,
    profile_id: String,
    kind: SecretKind,
    value: String,
) -> AppResult<TokenState> {
    let store = state.secrets_for(&profile_id).await?;
    match WsToken::new(&value) {
        Some(token) => store.set(&profile_id, kind, &Secret::new(token.expose()))?,
        None => store.delete(&profile_id, kind)?,
    }
    token_state_of(&state, &profile_id).await
}

#[tauri::command]
pub async fn clear_token(
    state: State<'_, AppState>,
    profile_id: String,
    kind: SecretKind,
) -> AppResult<TokenState> {
    state
        .secrets_for(&profile_id)
        .await?
        .delete(&profile_id, kind)?;
    token_state_of(&state, &profile_id).await
}

/// The token itself, for the admin's explicit "Reveal" or "Copy".
#[tauri::command]
pub async fn reveal_token(
    state: State<'_, AppState>,
    profile_id: String,
    kind: SecretKind,
) -> AppResult<String> {
    state
        .secrets_for(&profile_id)
        .await?
        .get(&profile_id, kind)?
        .map(|s| s.expose().to_owned())
        .ok_or(AppError::TokenMissing)
}
