//! The schools this computer looks after: their profiles, the history of their checks, the
//! watch schedule, and a district checked at once. Owns: each school's profile (one JSON file,
//! never a secret), its history, what changed between two checks, and checking several schools
//! with bounded concurrency. Must not: probe Moodle itself (it asks `diagnosis`), keep a token
//! outside the keyring (`secrets` does), or print anything.

pub mod district;
pub mod history;
pub mod profile;
pub mod watch;
