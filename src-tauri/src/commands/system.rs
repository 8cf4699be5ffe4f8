// Owns: what the app asks of the desktop — the step catalog, opening links in the browser,
// the clipboard, saving a report file. Must not: open anything but http(s) addresses.

use std::path::PathBuf;

use diagnosis::Step;

use crate::error::{AppError, AppResult};

/// Set to measure start-up: the app prints the time to its first painted screen and exits.
pub const MEASURE_STARTUP_VAR: &str = "SIS_MEASURE_STARTUP";

/// Called by the UI once its first screen is painted.
#[tauri::command]
pub fn ui_ready<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: tauri::State<'_, crate::AppState>,
) {
    if std::env::var_os(MEASURE_STARTUP_VAR).is_some() {
        eprintln!(
            "first paint after {} ms",
            state.started.elapsed().as_millis()
        );
        app.exit(0);
    }
}

/// The app's version: the packages' and the command line's (one workspace version).
#[tauri::command]
pub fn app_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

#[tauri::command]
pub fn step_catalog() -> Vec<Step> {
    diagnosis::catalog().to_vec()
}

/// The 31 functions the `opensis` service must hold, in the guide's order.
#[tauri::command]
pub fn required_functions() -> Vec<String> {
    diagnosis::required_functions::required_functions()
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// Opens a web address in the default browser (deep links into Moodle's admin pages).
#[tauri::command]
pub fn open_external(url: String) -> AppResult<()> {
    let parsed = url::Url::parse(url.trim()).map_err(|_| AppError::InvalidLink(url.clone()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(AppError::InvalidLink(url));
    }
    open::that_detached(parsed.as_str())?;
    Ok(())
}

#[tauri::command]
pub fn copy_text(text: String) -> AppResult<()> {
    let mut clipboard =
        arboard::Clipboard::new().map_err(|e| AppError::Clipboard(e.to_string()))?;
    clipboard
        .set_text(text)
        .map_err(|e| AppError::Clipboard(e.to_string()))
}

/// Keeps letters, digits, spaces, dots, dashes and underscores: a safe file name.
fn safe_file_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || " .-_".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').to_owned();
    if trimmed.is_empty() {
        "moodle-setup-report.md".to_owned()
    } else if trimmed.ends_with(".md") {
        trimmed
    } else {
        format!("{trimmed}.md")
    }
}

/// Writes the report into the Downloads folder (or Documents, or home) and returns the path.
#[tauri::command]
pub fn save_report(markdown: String, file_name: String) -> AppResult<String> {
    let dir: PathBuf = dirs::download_dir()
        .or_else(dirs::document_dir)
        .or_else(dirs::home_dir)
        .ok_or_else(|| AppError::Io(std::io::Error::other("no Downloads or home folder")))?;
    std::fs::create_dir_all(&dir)?;
    let path = free_path(&dir, &safe_file_name(&file_name));
    std::fs::write(&path, markdown)?;
    Ok(path.display().to_string())
}

/// `name`, or `name (2)`, `name (3)`… : a saved report never overwrites an earlier one.
fn free_path(dir: &std::path::Path, name: &str) -> PathBuf {
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, "md"));
    let mut path = dir.join(name);
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("{stem} ({n}).{ext}"));
        n += 1;
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_must_be_web_addresses() {
        assert!(matches!(
            open_external("file:///etc/passwd".into()),
            Err(AppError::InvalidLink(_))
        ));
        assert!(matches!(
            open_external("javascript:alert(1)".into()),
            Err(AppError::InvalidLink(_))
        ));
        assert!(matches!(
            open_external("not a url".into()),
            Err(AppError::InvalidLink(_))
        ));
    }

    #[test]
    fn a_saved_report_never_overwrites_another() {
        let dir = tempfile::tempdir().unwrap();
        let first = free_path(dir.path(), "r.md");
        std::fs::write(&first, "1").unwrap();
        let second = free_path(dir.path(), "r.md");
        assert_eq!(second.file_name().unwrap(), "r (2).md");
        std::fs::write(&second, "2").unwrap();
        assert_eq!(
            free_path(dir.path(), "r.md").file_name().unwrap(),
            "r (3).md"
        );
    }

    #[test]
    fn report_file_names_are_safe() {
        assert_eq!(
            safe_file_name("Lincoln/High: report"),
            "Lincoln-High- report.md"
        );
        assert_eq!(safe_file_name("../../x.md"), "-..-x.md");
        assert_eq!(safe_file_name("   "), "moodle-setup-report.md");
    }
}
