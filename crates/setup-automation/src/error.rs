// Owns: the errors of the admin session and of the changes made through it (a sign-in Moodle
// refused among them), each one a clear sentence for the admin. Must not: quote a password, a cookie or a session key.

use std::fmt;

use moodle_ws::WsError;

/// Why Moodle did not let this account in as a site administrator. Nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInRefusal {
    /// Moodle's login page said no ("Invalid login, please try again"): a wrong user name or
    /// password, a suspended or locked account — Moodle words them the same on purpose.
    Refused { message: String },
    /// Signed in, but the account is not a site administrator.
    NotAdministrator,
    /// Moodle asks this account to change its password first.
    MustChangePassword,
    /// The sign-in needs more than a password (multi-factor, a campus sign-in, a site policy to
    /// agree to): only the app's sign-in window can do it.
    NeedsBrowser { why: String },
    /// The session handed over from the sign-in window is not signed in.
    NotSignedIn,
}

impl fmt::Display for SignInRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Refused { message } => write!(
                f,
                "Moodle refused the sign-in (\"{message}\"): the user name or password is wrong, or the account is suspended or locked. Nothing was changed."
            ),
            Self::NotAdministrator => f.write_str(
                "this account signed in but is not a site administrator of this Moodle; sign in with an account listed under Site administration → Users → Permissions → Site administrators. Nothing was changed.",
            ),
            Self::MustChangePassword => f.write_str(
                "Moodle asks this account to change its password before anything else; sign in to Moodle in a browser, change it, then run this again. Nothing was changed.",
            ),
            Self::NeedsBrowser { why } => write!(
                f,
                "this sign-in needs more than a password ({why}); use \"Set it up for me\" in the app, which opens Moodle's own sign-in page. Nothing was changed."
            ),
            Self::NotSignedIn => f.write_str(
                "the sign-in window did not end signed in to Moodle; sign in again. Nothing was changed.",
            ),
        }
    }
}

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
