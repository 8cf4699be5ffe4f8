//! The openSIS connector: the Moodle connection saved to the SIS and proven as openSIS's
//! Connect does.
//! Owns: saving the Moodle connection (URL, both tokens, the synchronization switch) to the SIS —
//! through openSIS's API, or as a guided card where the API is not available — and proving it
//! the way openSIS's Connect will. Must not: store the SIS password, or put a password, JWT or
//! token in a URL, an error, a log line or an exported file.

pub mod api;
pub mod config;
pub mod connection;
pub mod crypto;
pub mod error;
#[cfg(any(test, feature = "fake"))]
pub mod fake;
pub mod guided;
pub mod preview;
pub mod save_report;
pub mod target;

#[cfg(test)]
mod tests;

pub use api::{OpenSisApi, Session};
pub use config::{
    FailureMessages, GuidedLabels, OpenSisApiConfig, PasswordCryptoConfig, Pbkdf2Prf, SisConfig,
    SisTargetKind,
};
pub use connection::{
    field_names, validate, ConnectionInput, LmsSettings, LmsSettingsView, ValidatedConnection,
};
pub use error::{PreviousState, SisError};
pub use guided::{GuideField, GuidedCard, GuidedExport, GuidedStep, StepValue};
pub use preview::{connect_preview, ConnectPreview};
pub use save_report::SaveReport;
pub use target::{SaveOptions, SaveOutcome, SisTarget};
