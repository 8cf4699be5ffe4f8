// Owns: the token commands — keyring status, the session-only choice, saving, clearing,
// revealing tokens. Must not: return a token except to an explicit reveal.

use ::secrets::{Secret, SecretKind};
use moodle_ws::WsToken;
use serde::Serialize;
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
    /// The token's last four characters, shown as "•••• 2543" to tell tokens apart.
    pub last4: Option<String>,
    /// When it was saved (seconds since 1970).
    #[ts(type = "number | null")]
    pub saved_at: Option<u64>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct TokenState {
    pub opensis: TokenSlot,
    pub userkey: TokenSlot,
    /// Kept in the OS keyring (true) or for this session only (false).
    pub persistent: bool,
    /// The token just saved had spaces or line breaks inside, which were removed.
    pub spaces_removed: bool,
}

pub(crate) fn kind_name(kind: SecretKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
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
    let saved_at = state
        .profile(profile_id)
        .await
        .map(|p| p.tokens_saved_at)
        .unwrap_or_default();
    let slot = |kind| -> AppResult<TokenSlot> {
        let value = store.get(profile_id, kind)?;
        let token = value.as_ref().and_then(|v| WsToken::new(v.expose()));
        Ok(TokenSlot {
            set: value.is_some(),
            looks_valid: token.as_ref().is_some_and(WsToken::looks_like_moodle_token),
            last4: token.as_ref().map(|t| {
                let chars: Vec<char> = t.expose().chars().collect();
                chars[chars.len().saturating_sub(4)..].iter().collect()
            }),
            saved_at: value
                .is_some()
                .then(|| saved_at.get(&kind_name(kind)).copied())
                .flatten(),
        })
    };
    Ok(TokenState {
        opensis: slot(SecretKind::OpensisToken)?,
        userkey: slot(SecretKind::UserkeyToken)?,
        persistent: store.is_persistent(),
        spaces_removed: false,
    })
}

#[tauri::command]
pub async fn token_state(state: State<'_, AppState>, profile_id: String) -> AppResult<TokenState> {
    token_state_of(&state, &profile_id).await
}

/// Stores a pasted token at once. Spaces and line breaks inside it (a token wrapped when it
/// was copied) are removed, and the answer says so. An empty paste changes nothing: clearing is
/// `clear_token`, asked for on purpose.
#[tauri::command]
pub async fn set_token(
    state: State<'_, AppState>,
    profile_id: String,
    kind: SecretKind,
    value: String,
) -> AppResult<TokenState> {
    let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    let spaces_removed = compact.len() != value.trim().len();
    let Some(token) = WsToken::new(&compact) else {
        return token_state_of(&state, &profile_id).await;
    };
    let store = state.secrets_for(&profile_id).await?;
    store.set(&profile_id, kind, &Secret::new(token.expose()))?;
    if let Ok(mut profile) = state.profile(&profile_id).await {
        profile
            .tokens_saved_at
            .insert(kind_name(kind), diagnosis::clock::now_secs());
        state.save_profile(profile).await?;
    }
    let mut tokens = token_state_of(&state, &profile_id).await?;
    tokens.spaces_removed = spaces_removed;
    Ok(tokens)
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
    if let Ok(mut profile) = state.profile(&profile_id).await {
        if profile.tokens_saved_at.remove(&kind_name(kind)).is_some() {
            state.save_profile(profile).await?;
        }
    }
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
