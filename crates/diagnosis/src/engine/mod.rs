// Owns: a diagnosis — run the probes (observe.rs), then judge them into one finding per
// check (judge/) — and the error for a check that could not run. Must not: print, treat a
// failing step as an `Err`, or hold anything its modules use (they never import this file).

mod address;
mod first_round;
mod given;
mod input;
mod judge;
mod observations;
mod observe;
mod second_round;
mod site_round;
mod sso;
pub mod sync_shapes;
mod timing;

use moodle_ws::{normalize_site_url, SiteUrlError, WsError};
use serde::Serialize;

use crate::finding::Report;

pub use input::{DiagnoseInput, DiagnoseOptions, KEY_LIFETIME_CHECK_AGE};
pub use observations::{Observations, PLUGIN_PROBE_FUNCTION};

/// The check itself could not run (as opposed to a failing step, which is a finding).
#[derive(Debug, thiserror::Error, Serialize)]
#[serde(tag = "code", content = "message", rename_all = "snake_case")]
pub enum EngineError {
    #[error("{0}")]
    #[serde(serialize_with = "as_text")]
    InvalidUrl(#[from] SiteUrlError),
    #[error("the admin e-mail \"{0}\" is not an e-mail address")]
    InvalidEmail(String),
    #[error("could not prepare the network client: {0}")]
    #[serde(serialize_with = "as_text")]
    Client(WsError),
}

fn as_text<T: std::fmt::Display, S: serde::Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&v.to_string())
}

/// Runs every probe against the site and judges the set-up, one finding per check.
pub async fn diagnose(
    http: &reqwest::Client,
    input: &DiagnoseInput,
) -> Result<Report, EngineError> {
    diagnose_with(http, input, &DiagnoseOptions::default()).await
}

/// [`diagnose`] with options, e.g. an observer of the HTTP exchanges for a verbose mode.
pub async fn diagnose_with(
    http: &reqwest::Client,
    input: &DiagnoseInput,
    options: &DiagnoseOptions,
) -> Result<Report, EngineError> {
    let typed = normalize_site_url(&input.url)?;
    if let Some(email) = &input.admin_email {
        if !email.contains('@') || email.trim().contains(' ') {
            return Err(EngineError::InvalidEmail(email.clone()));
        }
    }
    let observations = observe::observe(http, typed, input, options).await;
    Ok(judge::judge(&observations))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_errors_serialize_as_code_and_message() {
        let err = EngineError::InvalidUrl(SiteUrlError::Empty);
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(json["code"], "invalid_url");
        assert!(json["message"].as_str().unwrap().contains("empty"));
        let json = serde_json::to_value(EngineError::InvalidEmail("x".into())).unwrap();
        assert_eq!(json["code"], "invalid_email");
    }

    /// The app runs a diagnosis on an async worker's 2 MiB stack, and a debug build keeps
    /// each not-boxed part of the future on it: a diagnosis that grew to 98 KB overflowed.
    #[test]
    fn a_diagnosis_stays_small_enough_for_a_worker_stack() {
        let http = reqwest::Client::new();
        let input = DiagnoseInput {
            url: String::new(),
            opensis_token: None,
            userkey_token: None,
            admin_email: None,
        };
        let options = DiagnoseOptions::default();
        let future = diagnose_with(&http, &input, &options);
        let size = std::mem::size_of_val(&future);
        assert!(size <= 24 * 1024, "{size} bytes");
    }
}
