// Owns: the Tauri commands, one small module per concern; each is a thin adapter over
// the library crates. Must not: re-interpret Moodle answers or hold state outside `AppState`.

pub mod demo;
pub mod diagnose;
pub mod plugins;
pub mod profiles;
pub mod secrets;
pub mod setup;
pub mod sis;
pub mod system;
pub mod watch;
