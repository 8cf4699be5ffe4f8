// Owns: every setting that points the SIS connector at one openSIS — addresses, endpoint paths,
// payload field names, password-encryption parameters — each with a documented default.
// Must not: hold a password, a JWT or a token (those are passed per call, never stored here).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::SisError;

/// Which way the connection reaches the SIS.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SisTargetKind {
    /// Save through openSIS's .NET API (needs the Super Administrator's password).
    OpensisApi,
    /// Print a step-by-step card for openSIS's LMS Settings page; nothing is sent to the SIS.
    #[default]
    Guided,
}

/// The SIS target of one profile. Stored in `Profile::sis`; holds no secret.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SisConfig {
    /// `guided` unless the openSIS API is configured and reachable.
    pub target: SisTargetKind,
    /// Used when `target` is `opensis_api`.
    pub api: OpenSisApiConfig,
    /// The labels of openSIS's LMS Settings page, for the guided card.
    pub guided: GuidedLabels,
}

impl SisConfig {
    /// Reads the configuration kept in a profile (`Profile::sis`); absent means all defaults.
    pub fn from_profile_value(value: Option<&serde_json::Value>) -> Result<Self, SisError> {
        match value {
            None | Some(serde_json::Value::Null) => Ok(Self::default()),
            Some(v) => serde_json::from_value(v.clone()).map_err(|e| SisError::ConfigInvalid {
                reason: e.to_string(),
            }),
        }
    }

    pub fn to_profile_value(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// How the openSIS .NET API is reached and spoken to.
///
/// Routes follow openSIS.Net's convention `{api_url}/{tenant}/{Controller}/{action}`, every call
/// a JSON `POST`. The LMS-settings endpoint is **not public**: `settings_read_path`,
/// `settings_save_path`, `settings_object` and the four `*_field` names below are assumptions
/// with defaults; change them to what a given openSIS answers to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OpenSisApiConfig {
    /// The API's base address, e.g. `https://api.school.org/api/` (no default: required).
    pub api_url: String,
    /// The tenant name: the route segment after `api_url` and the `_tenantName` body field
    /// (no default: required).
    pub tenant: String,
    /// The tenant's id (a GUID), sent as `tenantId` at login when set. Default: not sent.
    pub tenant_id: Option<String>,
    /// The Super Administrator's login e-mail (no default: required).
    pub admin_email: String,
    /// Extra fields sent in every LMS-settings request body, e.g. `{"schoolId": 1}`.
    /// Default: none.
    pub extra_settings_fields: BTreeMap<String, serde_json::Value>,

    /// Login route. Default `User/ValidateLogin` (public openSIS.Net convention).
    pub login_path: String,
    /// Token renewal route. Default `User/RefreshToken` (public openSIS.Net convention).
    pub refresh_path: String,
    /// Route that returns the LMS settings. Default `LmsSettings/viewLmsSettings` (assumption).
    pub settings_read_path: String,
    /// Route that stores the LMS settings. Default `LmsSettings/updateLmsSettings` (assumption).
    pub settings_save_path: String,

    /// Login body: the e-mail field. Default `email`.
    pub login_email_field: String,
    /// Login body: the encrypted password field. Default `password`.
    pub login_password_field: String,
    /// Login body: the tenant id field. Default `tenantId`.
    pub login_tenant_id_field: String,
    /// Login answer: the user's display name, sent back as `_userName` (openSIS checks the JWT
    /// against `_tenantName + _userName`). Default `name`.
    pub login_name_field: String,
    /// Login answer: the user's role. Default `membershipName`.
    pub login_role_field: String,
    /// The role allowed to change LMS settings. Default `Super Administrator`.
    pub super_admin_role: String,

    /// Body field carrying the tenant name on every call. Default `_tenantName`.
    pub tenant_name_field: String,
    /// Body field carrying the user name on every call after login. Default `_userName`.
    pub user_name_field: String,
    /// Body and answer field carrying the JWT. Default `_token`.
    pub token_field: String,
    /// Answer field that is `true` on error (with HTTP 200). Default `_failure`.
    pub failure_field: String,
    /// Answer field with the error text. Default `_message`.
    pub message_field: String,

    /// The object the LMS settings are wrapped in, in requests and answers, e.g.
    /// `{"lmsSettings": {...}}`. Empty: the fields sit at the top level. Default `lmsSettings`
    /// (assumption).
    pub settings_object: String,
    /// The Moodle address field. Default `moodleUrl` (assumption).
    pub moodle_url_field: String,
    /// The token of the Moodle `opensis` service. Default `moodleToken` (assumption).
    pub opensis_token_field: String,
    /// The token of the "User key authentication web service". Default `moodleUserKeyToken`
    /// (assumption).
    pub userkey_token_field: String,
    /// The "Enable Synchronization" switch. Default `enableSynchronization` (assumption).
    pub sync_field: String,
    /// Whether the read-back must return the tokens themselves to compare them. Set `false` for
    /// an openSIS that masks tokens on read; then only their presence is compared. Default `true`.
    pub compare_tokens_on_read_back: bool,

    /// How long a JWT lasts, in seconds. Default 1800 (openSIS.Net: 30 minutes).
    pub token_lifetime_secs: u64,
    /// Renew the JWT this many seconds before it would expire. Default 300.
    pub refresh_margin_secs: u64,
    /// Seconds to wait for each answer. Default 30.
    pub request_timeout_secs: u64,

    /// How `_message` texts are recognised (case-insensitive substrings).
    pub messages: FailureMessages,
    /// How the password is encrypted before it is sent.
    pub password_crypto: PasswordCryptoConfig,
}

impl Default for OpenSisApiConfig {
    fn default() -> Self {
        Self {
            api_url: String::new(),
            tenant: String::new(),
            tenant_id: None,
            admin_email: String::new(),
            extra_settings_fields: BTreeMap::new(),
            login_path: "User/ValidateLogin".into(),
            refresh_path: "User/RefreshToken".into(),
            settings_read_path: "LmsSettings/viewLmsSettings".into(),
            settings_save_path: "LmsSettings/updateLmsSettings".into(),
            login_email_field: "email".into(),
            login_password_field: "password".into(),
            login_tenant_id_field: "tenantId".into(),
            login_name_field: "name".into(),
            login_role_field: "membershipName".into(),
            super_admin_role: "Super Administrator".into(),
            tenant_name_field: "_tenantName".into(),
            user_name_field: "_userName".into(),
            token_field: "_token".into(),
            failure_field: "_failure".into(),
            message_field: "_message".into(),
            settings_object: "lmsSettings".into(),
            moodle_url_field: "moodleUrl".into(),
            opensis_token_field: "moodleToken".into(),
            userkey_token_field: "moodleUserKeyToken".into(),
            sync_field: "enableSynchronization".into(),
            compare_tokens_on_read_back: true,
            token_lifetime_secs: 1800,
            refresh_margin_secs: 300,
            request_timeout_secs: 30,
            messages: FailureMessages::default(),
            password_crypto: PasswordCryptoConfig::default(),
        }
    }
}

impl OpenSisApiConfig {
    /// Checks that what has no default was given; returns the API base as a URL ending in `/`.
    pub fn check(&self) -> Result<Url, SisError> {
        let missing = |field: &'static str| SisError::ConfigIncomplete { field };
        if self.api_url.trim().is_empty() {
            return Err(missing("api_url"));
        }
        if self.tenant.trim().is_empty() {
            return Err(missing("tenant"));
        }
        if self.admin_email.trim().is_empty() {
            return Err(missing("admin_email"));
        }
        if !self.admin_email.contains('@') || self.admin_email.trim().contains(' ') {
            return Err(SisError::ConfigInvalid {
                reason: format!(
                    "the administrator e-mail \"{}\" is not an e-mail address",
                    self.admin_email.trim()
                ),
            });
        }
        if self
            .password_crypto
            .passphrase
            .as_deref()
            .is_none_or(|p| p.is_empty())
        {
            return Err(missing("password_crypto.passphrase"));
        }
        if self.password_crypto.iterations == 0 {
            return Err(SisError::ConfigInvalid {
                reason: "password_crypto.iterations must be at least 1".into(),
            });
        }
        let mut text = self.api_url.trim().to_owned();
        if !text.contains("://") {
            text = format!("https://{text}");
        }
        if !text.ends_with('/') {
            text.push('/');
        }
        let url = Url::parse(&text).map_err(|e| SisError::ConfigInvalid {
            reason: format!("api_url \"{}\" is not a web address ({e})", self.api_url),
        })?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(SisError::ConfigInvalid {
                reason: format!(
                    "api_url \"{}\" must be an http(s) address with a host",
                    self.api_url
                ),
            });
        }
        if !url.username().is_empty() || url.password().is_some() || url.query().is_some() {
            return Err(SisError::ConfigInvalid {
                reason: "api_url must not contain a user name, password or query".into(),
            });
        }
        Ok(url)
    }
}

/// Texts of openSIS's `_message` that identify a kind of failure (case-insensitive substrings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FailureMessages {
    /// The JWT expired or is not valid. Default `["token not valid", "token expired",
    /// "token is expired"]` (openSIS.Net answers "Token not Valid").
    pub token_expired: Vec<String>,
    /// Login refused for the e-mail/password. Default `["password combination is incorrect",
    /// "not registered", "incorrect"]`.
    pub wrong_password: Vec<String>,
    /// Login refused because the account is deactivated. Default `["deactivated", "inactive"]`.
    pub account_locked: Vec<String>,
    /// The settings call refused for lack of rights. Default `["permission", "not authorized",
    /// "access denied", "not allowed"]`.
    pub permission_denied: Vec<String>,
}

impl Default for FailureMessages {
    fn default() -> Self {
        let v = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect();
        Self {
            token_expired: v(&["token not valid", "token expired", "token is expired"]),
            wrong_password: v(&[
                "password combination is incorrect",
                "not registered",
                "incorrect",
            ]),
            account_locked: v(&["deactivated", "inactive"]),
            permission_denied: v(&[
                "permission",
                "not authorized",
                "access denied",
                "not allowed",
            ]),
        }
    }
}

impl FailureMessages {
    pub(crate) fn matches(patterns: &[String], message: &str) -> bool {
        let lower = message.to_lowercase();
        patterns
            .iter()
            .any(|p| !p.is_empty() && lower.contains(&p.to_lowercase()))
    }
}

/// The pseudo-random function of PBKDF2.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pbkdf2Prf {
    /// HMAC-SHA1: what .NET's `Rfc2898DeriveBytes(passphrase, salt, iterations)` uses, and so
    /// what openSIS.Net's public source decrypts with.
    #[default]
    HmacSha1,
    HmacSha256,
}

/// The password is sent as base64(salt | iv | AES-256-CBC(PKCS#7) ciphertext), the key derived
/// with PBKDF2 from the passphrase configured in openSIS's UI. These parameters are assumptions
/// taken from openSIS.Net's public source; change them to match a given installation.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PasswordCryptoConfig {
    /// The passphrase of openSIS's UI (no default: required for the API target). It ships in
    /// openSIS's web UI, so it is not a secret of the school, but it is never printed.
    pub passphrase: Option<String>,
    /// Default `hmac_sha1`.
    pub prf: Pbkdf2Prf,
    /// PBKDF2 iterations. Default 100 (openSIS.Net).
    pub iterations: u32,
    /// Salt length in bytes. Default 16.
    pub salt_len: usize,
}

impl Default for PasswordCryptoConfig {
    fn default() -> Self {
        Self {
            passphrase: None,
            prf: Pbkdf2Prf::HmacSha1,
            iterations: 100,
            salt_len: 16,
        }
    }
}

impl std::fmt::Debug for PasswordCryptoConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordCryptoConfig")
            .field("passphrase", &self.passphrase.as_ref().map(|_| "***"))
            .field("prf", &self.prf)
            .field("iterations", &self.iterations)
            .field("salt_len", &self.salt_len)
            .finish()
    }
}

/// The labels of openSIS's LMS Settings page, as the guided card names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GuidedLabels {
    /// Where the page is. Default `LMS Settings`.
    pub page: String,
    /// Default `Moodle URL`.
    pub moodle_url: String,
    /// Default `Moodle Token`.
    pub opensis_token: String,
    /// Default `User Key Token`.
    pub userkey_token: String,
    /// Default `Connect`.
    pub connect_button: String,
    /// Default `Enable Synchronization`.
    pub sync_switch: String,
}

impl Default for GuidedLabels {
    fn default() -> Self {
        Self {
            page: "LMS Settings".into(),
            moodle_url: "Moodle URL".into(),
            opensis_token: "Moodle Token".into(),
            userkey_token: "User Key Token".into(),
            connect_button: "Connect".into(),
            sync_switch: "Enable Synchronization".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete() -> OpenSisApiConfig {
        OpenSisApiConfig {
            api_url: "api.school.org/api".into(),
            tenant: "school".into(),
            admin_email: "admin@school.org".into(),
            password_crypto: PasswordCryptoConfig {
                passphrase: Some("pass".into()),
                ..PasswordCryptoConfig::default()
            },
            ..OpenSisApiConfig::default()
        }
    }

    #[test]
    fn missing_required_settings_are_named() {
        let mut c = complete();
        assert_eq!(
            c.check().unwrap().as_str(),
            "https://api.school.org/api/",
            "scheme assumed, trailing slash added"
        );
        c.tenant = " ".into();
        assert_eq!(
            c.check().unwrap_err(),
            SisError::ConfigIncomplete { field: "tenant" }
        );
        let mut c = complete();
        c.password_crypto.passphrase = None;
        assert_eq!(
            c.check().unwrap_err(),
            SisError::ConfigIncomplete {
                field: "password_crypto.passphrase"
            }
        );
        let mut c = complete();
        c.admin_email = "admin".into();
        assert_eq!(c.check().unwrap_err().code(), "config_invalid");
        let mut c = complete();
        c.api_url = "ftp://x".into();
        assert_eq!(c.check().unwrap_err().code(), "config_invalid");
    }

    #[test]
    fn a_partial_json_configuration_keeps_the_defaults_and_hides_the_passphrase() {
        let json = serde_json::json!({
            "target": "opensis_api",
            "api": {"api_url": "https://x/api/", "settings_save_path": "Lms/save",
                    "password_crypto": {"passphrase": "p@ss"}}
        });
        let c = SisConfig::from_profile_value(Some(&json)).unwrap();
        assert_eq!(c.target, SisTargetKind::OpensisApi);
        assert_eq!(c.api.settings_save_path, "Lms/save");
        assert_eq!(c.api.login_path, "User/ValidateLogin");
        assert_eq!(c.api.password_crypto.iterations, 100);
        assert_eq!(c.guided.sync_switch, "Enable Synchronization");
        assert!(!format!("{c:?}").contains("p@ss"));
        assert_eq!(
            SisConfig::from_profile_value(None).unwrap(),
            SisConfig::default()
        );
        assert!(SisConfig::from_profile_value(Some(&serde_json::json!({"target": 3}))).is_err());
    }
}
