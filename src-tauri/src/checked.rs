// Owns: what one check of a school found, as whoever listens hears it (notifications, the
// tray, the window, the UI). Must not: check, record or decide anything.

use std::sync::Arc;

use schools::watch::{Snapshot, WatchEvent};
use serde::Serialize;

/// What one check of a school found, for the listener and the UI.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SchoolChecked {
    pub id: String,
    pub name: String,
    pub snapshot: Option<Snapshot>,
    /// What changed since the school's previous check (only for watched schools).
    pub events: Vec<WatchEvent>,
    /// Why it could not be checked at all.
    pub error: Option<String>,
    /// The school's history file was damaged and set aside (its path).
    pub history_set_aside: Option<String>,
}

/// Told about every check the watch or "Check all" makes.
pub type Listener = Arc<dyn Fn(&SchoolChecked) + Send + Sync>;
