// Owns: the Moodle connection as the admin typed it, checked before anything is sent (the
// address, both tokens, the switch), and the LMS settings as the SIS holds them, with a view
// that shows no token. Must not: do any I/O.

use moodle_ws::{normalize_site_url, same_site, SiteRoot, WsToken};
use serde::Serialize;

use crate::error::SisError;

/// Names of the four settings, as reports and errors call them.
pub mod field_names {
    pub const MOODLE_URL: &str = "Moodle URL";
    pub const OPENSIS_TOKEN: &str = "Moodle token";
    pub const USERKEY_TOKEN: &str = "user key token";
    pub const SYNC: &str = "Enable Synchronization";
}

/// The LMS settings as the SIS holds them. `Debug` prints tokens as `***`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LmsSettings {
    pub moodle_url: Option<String>,
    pub opensis_token: Option<WsToken>,
    pub userkey_token: Option<WsToken>,
    pub sync_enabled: bool,
}

impl LmsSettings {
    /// What may be shown: the URL and switch as they are, tokens only as set / not set.
    pub fn view(&self) -> LmsSettingsView {
        LmsSettingsView {
            moodle_url: self.moodle_url.clone(),
            opensis_token_set: self.opensis_token.is_some(),
            userkey_token_set: self.userkey_token.is_some(),
            sync_enabled: self.sync_enabled,
        }
    }

    /// The fields that differ from `other`; tokens compared exactly or only for presence.
    pub fn differences(&self, other: &LmsSettings, exact_tokens: bool) -> Vec<&'static str> {
        let mut out = Vec::new();
        let url_same = match (&self.moodle_url, &other.moodle_url) {
            (Some(a), Some(b)) => same_site(a, b),
            (None, None) => true,
            _ => false,
        };
        if !url_same {
            out.push(field_names::MOODLE_URL);
        }
        let token_same = |a: &Option<WsToken>, b: &Option<WsToken>| {
            if exact_tokens {
                a == b
            } else {
                a.is_some() == b.is_some()
            }
        };
        if !token_same(&self.opensis_token, &other.opensis_token) {
            out.push(field_names::OPENSIS_TOKEN);
        }
        if !token_same(&self.userkey_token, &other.userkey_token) {
            out.push(field_names::USERKEY_TOKEN);
        }
        if self.sync_enabled != other.sync_enabled {
            out.push(field_names::SYNC);
        }
        out
    }
}

/// The printable view of [`LmsSettings`]: no token in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LmsSettingsView {
    pub moodle_url: Option<String>,
    pub opensis_token_set: bool,
    pub userkey_token_set: bool,
    pub sync_enabled: bool,
}

impl LmsSettingsView {
    /// `*** (set)` or `(not set)`: never a part of the token.
    pub fn mask(set: bool) -> &'static str {
        if set {
            "*** (set)"
        } else {
            "(not set)"
        }
    }
}

/// What the admin typed, before validation.
#[derive(Debug, Clone, Default)]
pub struct ConnectionInput {
    pub moodle_url: String,
    pub opensis_token: Option<WsToken>,
    pub userkey_token: Option<WsToken>,
    pub enable_sync: bool,
}

/// Input that passed validation: only this can be sent to the SIS.
#[derive(Debug, Clone)]
pub struct ValidatedConnection {
    pub root: SiteRoot,
    pub opensis_token: WsToken,
    pub userkey_token: WsToken,
    pub enable_sync: bool,
    /// Not errors, but probably mistakes (e.g. a token that is not 32 hex characters).
    pub warnings: Vec<String>,
}

impl ValidatedConnection {
    /// The settings this connection asks the SIS to hold.
    pub fn as_settings(&self) -> LmsSettings {
        LmsSettings {
            moodle_url: Some(self.root.to_string()),
            opensis_token: Some(self.opensis_token.clone()),
            userkey_token: Some(self.userkey_token.clone()),
            sync_enabled: self.enable_sync,
        }
    }
}

/// Checks everything that can be checked without the network. Nothing is written anywhere
/// unless this passes.
pub fn validate(input: &ConnectionInput) -> Result<ValidatedConnection, SisError> {
    let root = normalize_site_url(&input.moodle_url).map_err(SisError::InvalidUrl)?;
    let opensis_token = input.opensis_token.clone().ok_or(SisError::MissingToken {
        which: "Moodle token (service \"opensis\")",
    })?;
    let userkey_token = input.userkey_token.clone().ok_or(SisError::MissingToken {
        which: "user key token (service \"User key authentication web service\")",
    })?;
    if opensis_token == userkey_token {
        return Err(SisError::SameTokenTwice);
    }
    let mut warnings = Vec::new();
    for (name, token) in [
        (field_names::OPENSIS_TOKEN, &opensis_token),
        (field_names::USERKEY_TOKEN, &userkey_token),
    ] {
        if !token.looks_like_moodle_token() {
            warnings.push(format!(
                "the {name} is not 32 hexadecimal characters; was it copied completely from Manage tokens?"
            ));
        }
    }
    if !root.is_https() {
        warnings.push(format!(
            "{root} is not https: openSIS will send the tokens to Moodle unencrypted"
        ));
    }
    Ok(ValidatedConnection {
        root,
        opensis_token,
        userkey_token,
        enable_sync: input.enable_sync,
        warnings,
    })
}
