// Owns: the errors of the admin session and of the changes made through it, each one a clear
// sentence for the admin. Must not: quote a password, a cookie or a session key.

use moodle_ws::WsError;

use crate::session::SignInRefusal;

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum AdminError {
    #[error(transparent)]
    Http(#[from] WsError),
    #[error("{0}")]
    SignIn(SignInRefusal),
    #[error("the Moodle session ended (Moodle asked to sign in again at {asked}); sign in again and run it once more")]
    SessionEnded { asked: String },
    #[error("Moodle sent {asked} somewhere outside the site ({location}); nothing more was done")]
    OffSiteRedirect { asked: String, location: String },
    #[error("Moodle refused {asked}: {message}")]
    Refused { asked: String, message: String },
    #[error("a Moodle upgrade is waiting (Site administration → Notifications): finish it first, in the browser or on the server with php admin/cli/upgrade.php; nothing was changed")]
    UpgradePending,
    #[error("Moodle did not keep the change ({what}): its page shows {shown}")]
    NotKept { what: String, shown: String },
    #[error("{asked} did not answer as Moodle {what} (HTTP {status}{}); nothing more was done", title.as_deref().map(|t| format!(", page \"{t}\"")).unwrap_or_default())]
    UnexpectedPage {
        asked: String,
        what: String,
        status: u16,
        title: Option<String>,
    },
}

impl AdminError {
    pub fn unexpected(page: &crate::Page, what: impl Into<String>) -> Self {
        Self::UnexpectedPage {
            asked: page.asked.clone(),
            what: what.into(),
            status: page.status,
            title: page.title(),
        }
    }
}
