// Owns: the record of every change made on a site — step, what, before, after, when — and how
// to put each back. Must not: hold a token's value (a token is named by its id), or a password.

use serde::{Deserialize, Serialize};

use crate::plan::TokenFor;

/// How to put one change back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Undo {
    /// A plugin installed by the run is left installed (uninstalling deletes its data) and named.
    LeaveInstalled {
        component: String,
    },
    DisableAuth {
        plugin: String,
    },
    SetSetting {
        section: String,
        setting: String,
        value: String,
    },
    DisableProtocol {
        protocol: String,
    },
    DeleteService {
        service_id: u64,
    },
    SetServiceOptions {
        service_id: u64,
        enabled: bool,
        restricted_users: bool,
        download_files: bool,
        upload_files: bool,
    },
    RemoveFunctions {
        service_id: u64,
        function_ids: Vec<u64>,
    },
    UnauthoriseUser {
        service_id: u64,
        user_id: u64,
    },
    DeleteToken {
        token_id: u64,
        service: TokenFor,
    },
}

/// One change made on the site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRecord {
    pub step: u8,
    pub what: String,
    pub before: String,
    pub after: String,
    /// Seconds since 1970 (UTC) when Moodle confirmed it.
    pub at: u64,
    /// What was read back from Moodle's own page after the change.
    pub proof: String,
    pub undo: Undo,
}

/// The changes of one run, in the order they were made (undo goes backwards).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRun {
    /// The site's address.
    pub site: String,
    pub started_at: u64,
    pub changes: Vec<ChangeRecord>,
    /// Set once the run was put back.
    #[serde(default)]
    pub undone_at: Option<u64>,
}

pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}
