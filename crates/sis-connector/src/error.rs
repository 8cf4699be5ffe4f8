// Owns: the errors of the SIS connector, each with a stable snake_case code and a message a
// school admin can act on. Must not: carry a password, a JWT or a token in any text.

use moodle_ws::SiteUrlError;
use serde::ser::SerializeStruct;
use serde::Serialize;

/// What a failed save left behind in the SIS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PreviousState {
    /// A read-back after the failure found exactly the settings read before it.
    Unchanged,
    /// A read-back found these fields changed.
    Changed(Vec<&'static str>),
    /// The read-back itself failed.
    Unknown(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SisError {
    #[error("{0}")]
    InvalidUrl(SiteUrlError),
    #[error("the {which} is empty: copy it from Moodle's Site administration > Server > Web services > Manage tokens")]
    MissingToken { which: &'static str },
    #[error("the same token was given twice: the Moodle token (service \"opensis\") and the user key token (service \"User key authentication web service\") are two different tokens")]
    SameTokenTwice,
    #[error("the openSIS Super Administrator's password is needed to read or save LMS Settings through the API")]
    MissingPassword,
    #[error("the SIS connection setting `{field}` is not set")]
    ConfigIncomplete { field: &'static str },
    #[error("the SIS connection settings are not valid: {reason}")]
    ConfigInvalid { reason: String },
    #[error("the password could not be prepared for openSIS: {reason}")]
    Crypto { reason: String },
    #[error("could not reach openSIS at {url}: {detail}")]
    Unreachable { url: String, detail: String },
    #[error("openSIS has no {what} at {url} ({evidence}); check the API address, the tenant name and the `{setting}` setting")]
    EndpointMissing {
        what: &'static str,
        url: String,
        evidence: String,
        setting: &'static str,
    },
    #[error("openSIS answered HTTP {status} to {what}")]
    Http { status: u16, what: &'static str },
    #[error("openSIS's answer to {what} was not what its API sends: {reason}")]
    Protocol { what: &'static str, reason: String },
    #[error("openSIS did not accept the e-mail {email} with this password (\"{message}\"); check both and try again")]
    WrongPassword { email: String, message: String },
    #[error("openSIS has deactivated the account {email} (\"{message}\"); ask another Super Administrator to reactivate it")]
    AccountLocked { email: String, message: String },
    #[error("openSIS refused the sign-in of {email}: {message}")]
    LoginRefused { email: String, message: String },
    #[error("{email} is a \"{role}\" in openSIS, not the Super Administrator: only the Super Administrator may change LMS Settings; sign in with that account")]
    NotSuperAdmin { email: String, role: String },
    #[error("openSIS's sign-in expired and could not be renewed ({message}); nothing more was sent, try again")]
    TokenExpired { message: String },
    #[error("openSIS refused to {action}: {message}")]
    Refused {
        action: &'static str,
        message: String,
    },
    #[error("{}", save_failed_text(&cause.to_string(), previous))]
    SaveFailed {
        cause: Box<SisError>,
        previous: PreviousState,
    },
    #[error("openSIS accepted the save, but the settings could not be read back to confirm it ({cause}); open LMS Settings in openSIS and check them")]
    ReadBackFailed { cause: Box<SisError> },
    #[error("openSIS accepted the save, but reading the settings back shows a different {}: open LMS Settings in openSIS and check it", fields.join(", "))]
    ReadBackMismatch { fields: Vec<&'static str> },
    #[error("Moodle did not accept the opensis token ({errorcode}: {message}); openSIS's Connect would fail the same way, so nothing was saved")]
    MoodleTokenRejected { errorcode: String, message: String },
    #[error("the Connect check against Moodle failed ({detail}); openSIS's Connect would fail too, so nothing was saved")]
    ConnectPreviewFailed { detail: String },
}

fn save_failed_text(reason: &str, previous: &PreviousState) -> String {
    match previous {
        PreviousState::Unchanged => format!(
            "openSIS did not save the LMS settings ({reason}); your previous settings are unchanged (checked by reading them back)"
        ),
        PreviousState::Changed(fields) => format!(
            "openSIS did not confirm the save ({reason}), yet the {} now differ from before: open LMS Settings in openSIS and check every field",
            fields.join(", ")
        ),
        PreviousState::Unknown(why) => format!(
            "openSIS did not save the LMS settings ({reason}); it reports nothing was written, but reading the settings back failed too ({why}): open LMS Settings in openSIS to check"
        ),
    }
}

impl SisError {
    /// A stable identifier for programs (the desktop app, `--format json`).
    pub fn code(&self) -> &'static str {
        match self {
            SisError::InvalidUrl(_) => "invalid_url",
            SisError::MissingToken { .. } => "missing_token",
            SisError::SameTokenTwice => "same_token_twice",
            SisError::MissingPassword => "missing_password",
            SisError::ConfigIncomplete { .. } => "config_incomplete",
            SisError::ConfigInvalid { .. } => "config_invalid",
            SisError::Crypto { .. } => "crypto_failed",
            SisError::Unreachable { .. } => "unreachable",
            SisError::EndpointMissing { .. } => "endpoint_missing",
            SisError::Http { .. } => "http_error",
            SisError::Protocol { .. } => "protocol_error",
            SisError::WrongPassword { .. } => "wrong_password",
            SisError::AccountLocked { .. } => "account_locked",
            SisError::LoginRefused { .. } => "login_refused",
            SisError::NotSuperAdmin { .. } => "not_super_admin",
            SisError::TokenExpired { .. } => "token_expired",
            SisError::Refused { .. } => "refused",
            SisError::SaveFailed { .. } => "save_failed",
            SisError::ReadBackFailed { .. } => "read_back_failed",
            SisError::ReadBackMismatch { .. } => "read_back_mismatch",
            SisError::MoodleTokenRejected { .. } => "moodle_token_rejected",
            SisError::ConnectPreviewFailed { .. } => "connect_preview_failed",
        }
    }

    /// True when what the admin typed or configured is wrong (nothing was sent anywhere).
    pub fn is_input_error(&self) -> bool {
        matches!(
            self,
            SisError::InvalidUrl(_)
                | SisError::MissingToken { .. }
                | SisError::SameTokenTwice
                | SisError::MissingPassword
                | SisError::ConfigIncomplete { .. }
                | SisError::ConfigInvalid { .. }
        )
    }

    /// `{"code": ..., "message": ...}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({"code": self.code(), "message": self.to_string()})
    }
}

impl Serialize for SisError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("SisError", 2)?;
        st.serialize_field("code", self.code())?;
        st.serialize_field("message", &self.to_string())?;
        st.end()
    }
}

const MAX_MESSAGE_CHARS: usize = 300;

/// Makes a text from the SIS safe to show: every secret replaced by `***`, one line, bounded.
pub(crate) fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for secret in secrets {
        let secret = secret.trim();
        if secret.len() >= 4 {
            out = out.replace(secret, "***");
        }
    }
    if out.chars().count() > MAX_MESSAGE_CHARS {
        out = out.chars().take(MAX_MESSAGE_CHARS).collect::<String>() + "…";
    }
    if out.is_empty() {
        out = "no reason given".into();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_serialize_as_code_and_message() {
        let json = serde_json::to_value(SisError::WrongPassword {
            email: "admin@school.org".into(),
            message: "Email + password combination is incorrect, try again".into(),
        })
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "code": "wrong_password",
                "message": "openSIS did not accept the e-mail admin@school.org with this password (\"Email + password combination is incorrect, try again\"); check both and try again"
            })
        );
        let json = serde_json::to_value(SisError::SaveFailed {
            cause: Box::new(SisError::Refused {
                action: "save the LMS settings",
                message: "Database is read-only".into(),
            }),
            previous: PreviousState::Unchanged,
        })
        .unwrap();
        assert_eq!(json["code"], "save_failed");
        assert_eq!(
            json["message"],
            "openSIS did not save the LMS settings (openSIS refused to save the LMS settings: Database is read-only); your previous settings are unchanged (checked by reading them back)"
        );
        let json = SisError::NotSuperAdmin {
            email: "t@school.org".into(),
            role: "Teacher".into(),
        }
        .to_json();
        assert_eq!(json["code"], "not_super_admin");
        assert!(json["message"]
            .as_str()
            .unwrap()
            .contains("only the Super Administrator may change LMS Settings"));
        assert_eq!(
            SisError::ConfigIncomplete { field: "tenant" }.to_json(),
            serde_json::json!({"code": "config_incomplete", "message": "the SIS connection setting `tenant` is not set"})
        );
        let changed = SisError::SaveFailed {
            cause: Box::new(SisError::SameTokenTwice),
            previous: PreviousState::Changed(vec!["Moodle URL"]),
        };
        assert!(!changed.to_string().contains("unchanged"));
    }

    #[test]
    fn codes_are_distinct_and_input_errors_are_marked() {
        let all = [
            SisError::InvalidUrl(SiteUrlError::Empty),
            SisError::MissingToken { which: "x" },
            SisError::SameTokenTwice,
            SisError::MissingPassword,
            SisError::ConfigIncomplete { field: "x" },
            SisError::ConfigInvalid { reason: "x".into() },
            SisError::Crypto { reason: "x".into() },
            SisError::Unreachable {
                url: "x".into(),
                detail: "x".into(),
            },
            SisError::EndpointMissing {
                what: "x",
                url: "x".into(),
                evidence: "x".into(),
                setting: "x",
            },
            SisError::Http {
                status: 500,
                what: "x",
            },
            SisError::Protocol {
                what: "x",
                reason: "x".into(),
            },
            SisError::WrongPassword {
                email: "x".into(),
                message: "x".into(),
            },
            SisError::AccountLocked {
                email: "x".into(),
                message: "x".into(),
            },
            SisError::LoginRefused {
                email: "x".into(),
                message: "x".into(),
            },
            SisError::NotSuperAdmin {
                email: "x".into(),
                role: "x".into(),
            },
            SisError::TokenExpired {
                message: "x".into(),
            },
            SisError::Refused {
                action: "x",
                message: "x".into(),
            },
            SisError::SaveFailed {
                cause: Box::new(SisError::SameTokenTwice),
                previous: PreviousState::Unknown("x".into()),
            },
            SisError::ReadBackFailed {
                cause: Box::new(SisError::SameTokenTwice),
            },
            SisError::ReadBackMismatch { fields: vec!["x"] },
            SisError::MoodleTokenRejected {
                errorcode: "x".into(),
                message: "x".into(),
            },
            SisError::ConnectPreviewFailed { detail: "x".into() },
        ];
        let mut codes: Vec<_> = all.iter().map(SisError::code).collect();
        assert!(codes
            .iter()
            .all(|c| c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_')));
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
        assert_eq!(all.iter().filter(|e| e.is_input_error()).count(), 6);
    }

    #[test]
    fn redaction_removes_secrets_and_bounds_the_text() {
        let t = redact(
            "bad token 0123456789abcdef0123456789abcdef\n for x",
            &["0123456789abcdef0123456789abcdef", ""],
        );
        assert_eq!(t, "bad token *** for x");
        assert_eq!(redact("  ", &[]), "no reason given");
        assert!(redact(&"a".repeat(1000), &[]).chars().count() <= 301);
    }
}
