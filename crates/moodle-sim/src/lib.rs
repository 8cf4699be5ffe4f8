//! A simulated Moodle 4.5 on loopback that answers like the recorded captures (same statuses,
//! content types and bodies), with one switch per set-up fault. For tests and the demo mode.

mod capture;
mod fault;
mod pages;
mod rest;
mod server;
mod state;

pub use capture::{all as all_captures, capture, Capture, CAPTURES};
pub use fault::Fault;
pub use server::{LoggedRequest, MoodleSim, SimError};
