// Owns: the one error type commands return, serialised for the UI as `{code, message}` with
// stable codes. Must not: carry a secret in its message.

use ::secrets::SecretError;
use diagnosis::EngineError;
use schools::profile::ProfileError;
use serde::{Serialize, Serializer};
use setup_automation::AdminError;
use sis_connector::SisError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Input(#[from] EngineError),
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Sis(#[from] SisError),
    #[error("tokens cannot be stored until you choose: the system keyring is not available")]
    NoSecretStore,
    #[error("no token has been saved for this profile yet")]
    TokenMissing,
    #[error("the simulated Moodle is not running; start it from the start page")]
    DemoNotRunning,
    #[error("the simulated Moodle could not start: {0}")]
    DemoStart(String),
    #[error("only web addresses (https:// or http://) can be opened: {0}")]
    InvalidLink(String),
    #[error("the clipboard is not available: {0}")]
    Clipboard(String),
    #[error("could not save the file: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    InvalidInput(String),
    #[error("this school is not watched, or its check is still running")]
    WatchBusy,
    /// Moodle's admin pages: a sign-in refused, a session ended, a change not kept.
    #[error(transparent)]
    Admin(#[from] AdminError),
    #[error("the sign-in window was closed before the sign-in ended; nothing was changed")]
    SignInCancelled,
    #[error("the app is not signed in to this school's Moodle (any more); sign in again")]
    NotSignedIn,
    #[error("there is no plan to make: read the site again")]
    NoPlan,
    #[error(
        "there is nothing to put back: no change made by the app on this school's Moodle is left"
    )]
    NothingToPutBack,
    #[error("the sign-in window could not be opened: {0}")]
    Window(String),
}

impl AppError {
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Input(_) => "invalid_input",
            AppError::Profile(ProfileError::NotFound(_)) => "profile_not_found",
            AppError::Profile(ProfileError::EmptyName) => "profile_name_empty",
            AppError::Profile(ProfileError::Damaged { .. }) => "profiles_damaged",
            AppError::Profile(_) => "profiles_io",
            AppError::Secret(SecretError::Unavailable(_)) | AppError::NoSecretStore => {
                "keyring_unavailable"
            }
            AppError::Secret(_) => "keyring_error",
            AppError::Sis(e) => e.code(),
            AppError::TokenMissing => "token_missing",
            AppError::DemoNotRunning => "demo_not_running",
            AppError::DemoStart(_) => "demo_start_failed",
            AppError::InvalidLink(_) => "invalid_link",
            AppError::Clipboard(_) => "clipboard_unavailable",
            AppError::Io(_) => "io",
            AppError::InvalidInput(_) => "invalid_input",
            AppError::WatchBusy => "watch_busy",
            AppError::Admin(AdminError::SignIn(_)) => "sign_in_refused",
            AppError::Admin(AdminError::SessionEnded { .. }) => "session_ended",
            AppError::Admin(_) => "setup_automation",
            AppError::SignInCancelled => "sign_in_cancelled",
            AppError::NotSignedIn => "not_signed_in",
            AppError::NoPlan => "no_plan",
            AppError::NothingToPutBack => "nothing_to_put_back",
            AppError::Window(_) => "window",
        }
    }
}

/// What the UI receives for every failed command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ErrorPayload {
    pub code: String,
    pub message: String,
}

impl Serialize for AppError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ErrorPayload {
            code: self.code().to_owned(),
            message: self.to_string(),
        }
        .serialize(serializer)
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_reach_the_ui_as_code_and_message() {
        let json = serde_json::to_value(AppError::NoSecretStore).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "code": "keyring_unavailable",
                "message": "tokens cannot be stored until you choose: the system keyring is not available"
            })
        );
        let json = serde_json::to_value(AppError::Input(EngineError::InvalidUrl(
            moodle_ws::SiteUrlError::Empty,
        )))
        .unwrap();
        assert_eq!(json["code"], "invalid_input");
        assert!(json["message"].as_str().unwrap().contains("empty"));
        let json =
            serde_json::to_value(AppError::Profile(ProfileError::NotFound("x".into()))).unwrap();
        assert_eq!(json["code"], "profile_not_found");
    }

    #[test]
    fn a_refused_sign_in_reaches_the_ui_in_moodle_s_terms() {
        let json = serde_json::to_value(AppError::Admin(AdminError::SignIn(
            setup_automation::SignInRefusal::NotAdministrator,
        )))
        .unwrap();
        assert_eq!(json["code"], "sign_in_refused");
        assert!(json["message"]
            .as_str()
            .unwrap()
            .contains("not a site administrator"));
        let json = serde_json::to_value(AppError::SignInCancelled).unwrap();
        assert_eq!(json["code"], "sign_in_cancelled");
        assert!(json["message"]
            .as_str()
            .unwrap()
            .ends_with("nothing was changed"));
        let json = serde_json::to_value(AppError::Admin(AdminError::SessionEnded {
            asked: "admin/search.php".into(),
        }))
        .unwrap();
        assert_eq!(json["code"], "session_ended");
    }
}
