// Owns: what a save through openSIS's API did — the settings before and after, the Connect
// preview, the renewals and each step. Must not: hold a secret.

use serde::Serialize;

use crate::connection::LmsSettingsView;
use crate::preview::ConnectPreview;

/// What a successful save through the API did. No secret in it.
#[derive(Debug, Clone, Serialize)]
pub struct SaveReport {
    pub before: LmsSettingsView,
    pub after: LmsSettingsView,
    pub preview: Option<ConnectPreview>,
    /// How often the sign-in was renewed during the save.
    pub renewals: u32,
    pub warnings: Vec<String>,
    /// What was done, step by step.
    pub log: Vec<String>,
}
