// Owns: the openSIS step in the app — the SIS target form kept in the profile, and the save
// through the openSIS API (after the Connect preview) or the guided card's preview.
// Must not: store the password or passphrase anywhere but the keyring, and only when asked.

use ::secrets::{Secret, SecretKind, SecretStore};
use serde::{Deserialize, Serialize};
use sis_connector::{
    validate, ConnectionInput, SaveOptions, SaveOutcome, SisConfig, SisTarget, SisTargetKind,
};
use tauri::State;

use crate::error::AppResult;
use crate::state::AppState;

/// The openSIS page's place in the profile's progress (after the catalog's steps 0–15).
pub const SIS_STEP: u8 = 16;

/// The non-secret part of the SIS target, as the form shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
pub struct SisForm {
    /// Save through the openSIS API (true) or type it in from the guided card (false).
    pub use_api: bool,
    pub api_url: String,
    pub tenant: String,
    pub admin_email: String,
    pub enable_sync: bool,
    /// A password is remembered in the keyring for this profile.
    pub password_remembered: bool,
}

/// What the save did, with no secret in it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SisSaveResult {
    /// Saved in openSIS through its API (false: the guided card is to be typed in).
    pub saved: bool,
    /// What openSIS will show after "Connect".
    pub site_name: Option<String>,
    pub release: Option<String>,
    pub version: Option<String>,
    pub warnings: Vec<String>,
    pub log: Vec<String>,
}

fn form_of(config: &SisConfig, password_remembered: bool, enable_sync: bool) -> SisForm {
    SisForm {
        use_api: config.target == SisTargetKind::OpensisApi,
        api_url: config.api.api_url.clone(),
        tenant: config.api.tenant.clone(),
        admin_email: config.api.admin_email.clone(),
        enable_sync,
        password_remembered,
    }
}

#[tauri::command]
pub async fn sis_form(state: State<'_, AppState>, profile_id: String) -> AppResult<SisForm> {
    let profile = state.profile(&profile_id).await?;
    let config = SisConfig::from_profile_value(profile.sis.as_ref())?;
    let remembered = state
        .secrets_for(&profile_id)
        .await
        .ok()
        .and_then(|s| s.get(&profile_id, SecretKind::SisPassword).ok().flatten())
        .is_some();
    Ok(form_of(&config, remembered, true))
}

fn secret(store: &dyn SecretStore, id: &str, kind: SecretKind) -> AppResult<Option<Secret>> {
    Ok(store.get(id, kind)?)
}

/// Runs the Connect preview, then saves through the API or prepares the guided card.
#[tauri::command]
pub async fn sis_save(
    state: State<'_, AppState>,
    profile_id: String,
    form: SisForm,
    password: Option<String>,
    passphrase: Option<String>,
    remember: bool,
) -> AppResult<SisSaveResult> {
    let mut profile = state.profile(&profile_id).await?;
    let store = state.secrets_for(&profile_id).await?;
    let mut config = SisConfig::from_profile_value(profile.sis.as_ref())?;
    config.target = if form.use_api {
        SisTargetKind::OpensisApi
    } else {
        SisTargetKind::Guided
    };
    config.api.api_url = form.api_url.trim().to_owned();
    config.api.tenant = form.tenant.trim().to_owned();
    config.api.admin_email = form.admin_email.trim().to_owned();

    let token = |kind| -> AppResult<Option<moodle_ws::WsToken>> {
        Ok(secret(store.as_ref(), &profile_id, kind)?
            .and_then(|s| moodle_ws::WsToken::new(s.expose())))
    };
    let connection = validate(&ConnectionInput {
        moodle_url: profile.moodle_url.clone(),
        opensis_token: token(SecretKind::OpensisToken)?,
        userkey_token: token(SecretKind::UserkeyToken)?,
        enable_sync: form.enable_sync,
    })?;

    let given = |v: Option<String>| v.filter(|s| !s.is_empty()).map(Secret::new);
    let password = match given(password) {
        Some(p) => Some(p),
        None => secret(store.as_ref(), &profile_id, SecretKind::SisPassword)?,
    };
    let passphrase = match given(passphrase) {
        Some(p) => Some(p),
        None => secret(store.as_ref(), &profile_id, SecretKind::SisPassphrase)?,
    };
    config.api.password_crypto.passphrase = passphrase.as_ref().map(|p| p.expose().to_owned());

    let target = SisTarget::from_config(&config);
    let options = SaveOptions {
        profile_name: profile.name.clone(),
        skip_preview: false,
    };
    let outcome = target
        .save(&state.http, &connection, password.as_ref(), &options)
        .await?;

    if remember && form.use_api {
        if let Some(p) = &password {
            store.set(&profile_id, SecretKind::SisPassword, p)?;
        }
        if let Some(p) = &passphrase {
            store.set(&profile_id, SecretKind::SisPassphrase, p)?;
        }
    }
    config.api.password_crypto.passphrase = None;
    profile.sis = Some(config.to_profile_value());
    // Saved and read back is proven; a card to type in is the admin's to confirm.
    let done = matches!(outcome, SaveOutcome::Saved(_));
    profile.progress.entry(SIS_STEP).or_default().last_status =
        Some(if done { "pass" } else { "not_visible" }.to_owned());
    state.save_profile(profile).await?;

    let mut warnings = connection.warnings.clone();
    Ok(match outcome {
        SaveOutcome::Saved(report) => {
            // The API's report repeats the connection's own warnings: each is said once.
            for w in &report.warnings {
                if !warnings.contains(w) {
                    warnings.push(w.clone());
                }
            }
            let preview = report.preview.clone();
            SisSaveResult {
                saved: true,
                site_name: preview.as_ref().map(|p| p.site_name.clone()),
                release: preview.as_ref().map(|p| p.release.clone()),
                version: preview.as_ref().map(|p| p.version.clone()),
                warnings,
                log: report.log,
            }
        }
        SaveOutcome::Guided(card) => SisSaveResult {
            saved: false,
            site_name: card.site.as_ref().map(|p| p.site_name.clone()),
            release: card.site.as_ref().map(|p| p.release.clone()),
            version: card.site.as_ref().map(|p| p.version.clone()),
            warnings,
            log: Vec::new(),
        },
    })
}

/// Forgets the remembered SIS password and passphrase of a profile.
#[tauri::command]
pub async fn sis_forget_password(state: State<'_, AppState>, profile_id: String) -> AppResult<()> {
    let store = state.secrets_for(&profile_id).await?;
    store.delete(&profile_id, SecretKind::SisPassword)?;
    store.delete(&profile_id, SecretKind::SisPassphrase)?;
    Ok(())
}
