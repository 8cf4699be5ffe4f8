//! The SIS ⇄ Moodle set-up domain: step catalog, probes → findings engine, plugin ZIPs.
//! Nothing here knows about Tauri or a terminal; views render what this crate decides.

pub mod plugin_zip;
