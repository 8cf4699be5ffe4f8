// Owns: step 3 in the app — fetching or opening both plugin ZIPs with progress events,
// the installer-style verdicts, cancelling, and showing a file in its folder.
// Must not: extract a ZIP or keep a refused file.

use std::path::{Path, PathBuf};

use plugin_zip::{
    download_plugin, missing_plugins, validate_path, CancellationToken, DownloadOptions,
    DownloadProgress, ExpectedPlugin, PluginVerdict, SiteVersion, ValidateOptions,
};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime, State};

use crate::error::{AppError, AppResult, ErrorPayload};
use crate::state::AppState;

/// The event carrying download progress to the UI.
pub const PROGRESS_EVENT: &str = "plugin-progress";

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct PluginProgress {
    /// Which source (the link as given) this progress is for.
    pub source: String,
    pub downloaded: u64,
    pub total: Option<u64>,
    pub bytes_per_second: u64,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct PluginResult {
    pub source: String,
    /// Where the checked file is; `None` when it was refused or could not be read.
    pub saved_to: Option<String>,
    pub verdict: Option<PluginVerdict>,
    /// Why the file could not be fetched or read at all.
    pub error: Option<ErrorPayload>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct PluginsSummary {
    pub results: Vec<PluginResult>,
    /// Which of the two openSIS plugins no valid file was found for.
    pub missing: Vec<ExpectedPlugin>,
}

fn download_dir() -> AppResult<PathBuf> {
    dirs::download_dir()
        .or_else(dirs::home_dir)
        .ok_or_else(|| AppError::Io(std::io::Error::other("no Downloads or home folder")))
}

fn failure(source: &str, code: &str, message: String) -> PluginResult {
    PluginResult {
        source: source.to_owned(),
        saved_to: None,
        verdict: None,
        error: Some(ErrorPayload {
            code: code.to_owned(),
            message,
        }),
    }
}

/// Checks each source — a download link (saved into Downloads) or a file on this computer —
/// and remembers the sources in the profile. Progress arrives as `plugin-progress` events.
#[tauri::command]
pub async fn fetch_plugins<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    profile_id: String,
    sources: Vec<String>,
    site_version: Option<String>,
) -> AppResult<PluginsSummary> {
    let validate = ValidateOptions {
        site: site_version
            .as_deref()
            .and_then(|v| SiteVersion::parse(v).ok()),
        ..ValidateOptions::default()
    };
    let cancel = CancellationToken::new();
    *state.plugin_cancel.lock().await = Some(cancel.clone());
    let mut results = Vec::new();
    let sources: Vec<String> = sources
        .into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    for source in &sources {
        let result = if source.starts_with("http://") || source.starts_with("https://") {
            let fetched = fetch_one(&app, &state.http, source, &validate, &cancel).await?;
            // "Set it up for me" installs auth_userkey from the file saved here.
            if let Some(saved) = &fetched.saved_to {
                state.remember_fetched_zip(source, PathBuf::from(saved));
            }
            fetched
        } else {
            check_file(source, &validate)
        };
        results.push(result);
    }
    *state.plugin_cancel.lock().await = None;
    if let Ok(mut profile) = state.profile(&profile_id).await {
        profile.plugin_sources = sources;
        if profile.id != crate::state::DEMO_PROFILE_ID {
            state.profiles.upsert(&profile)?;
        }
    }
    let verdicts: Vec<PluginVerdict> = results.iter().filter_map(|r| r.verdict.clone()).collect();
    Ok(PluginsSummary {
        missing: missing_plugins(&verdicts),
        results,
    })
}

async fn fetch_one<R: Runtime>(
    app: &AppHandle<R>,
    http: &reqwest::Client,
    source: &str,
    validate: &ValidateOptions,
    cancel: &CancellationToken,
) -> AppResult<PluginResult> {
    let Ok(url) = url::Url::parse(source) else {
        return Ok(failure(
            source,
            "invalid_link",
            format!("\"{source}\" is not a web address"),
        ));
    };
    let options = DownloadOptions {
        validate: validate.clone(),
        ..DownloadOptions::default()
    };
    let dest = download_dir()?;
    let on_progress = |p: &DownloadProgress| {
        let _ = app.emit(
            PROGRESS_EVENT,
            PluginProgress {
                source: source.to_owned(),
                downloaded: p.downloaded,
                total: p.total,
                bytes_per_second: p.bytes_per_second,
            },
        );
    };
    Ok(
        match download_plugin(http, &url, &dest, &options, cancel, on_progress).await {
            Ok(outcome) => PluginResult {
                source: source.to_owned(),
                saved_to: outcome.saved_to.map(|p| p.display().to_string()),
                verdict: Some(outcome.verdict),
                error: None,
            },
            Err(e) => failure(source, "download_failed", e.to_string()),
        },
    )
}

fn check_file(source: &str, validate: &ValidateOptions) -> PluginResult {
    match validate_path(Path::new(source), validate) {
        Ok(verdict) => PluginResult {
            source: source.to_owned(),
            saved_to: Some(source.to_owned()),
            verdict: Some(verdict),
            error: None,
        },
        Err(e) => failure(source, "file_unreadable", e.to_string()),
    }
}

/// Stops a running download; its partial file is removed.
#[tauri::command]
pub async fn cancel_plugin_fetch(state: State<'_, AppState>) -> AppResult<()> {
    if let Some(cancel) = state.plugin_cancel.lock().await.as_ref() {
        cancel.cancel();
    }
    Ok(())
}

/// Opens the folder holding a file in the system's file manager.
#[tauri::command]
pub fn reveal_in_folder(path: String) -> AppResult<()> {
    let path = PathBuf::from(path);
    let folder = if path.is_dir() {
        path
    } else {
        path.parent()
            .map(Path::to_path_buf)
            .ok_or_else(|| AppError::Io(std::io::Error::other("the file has no folder")))?
    };
    if !folder.is_dir() {
        return Err(AppError::Io(std::io::Error::other(format!(
            "{} does not exist",
            folder.display()
        ))));
    }
    open::that_detached(&folder)?;
    Ok(())
}
