//! A simulated Moodle on loopback that replays real answers: for each captured Moodle version
//! (4.1, 4.5, 5.0) and each captured state of the site, every request a diagnosis sends is
//! answered with the recorded exchange — status, headers, body — placeholders filled in. Owns:
//! the captures, their catalog and their replay, for tests and the demo mode. Must not: invent
//! an answer — a request no capture covers is answered "501 not captured".

pub mod admin_replay;
mod archive;
pub mod capture;
pub mod catalog;
mod front;
pub mod matcher;
mod replay;
mod server;

pub use capture::{Capture, RecordedAnswer, RecordedRequest};
pub use catalog::{Catalog, JourneyNotes, SideEffect, StateCaptures, VersionCaptures, GOOD_STATE};
pub use front::Front;
pub use replay::FRESH_KEY_LIMIT;
pub use server::{LoggedRequest, MoodleSim, SimAddress, SimError, DEFAULT_VERSION};
