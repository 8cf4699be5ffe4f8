// Owns: a diagnosis — run the probes (observe.rs), then judge them into one finding per
// check (judge/). Must not: print, or treat a failing step as an `Err`.

mod address;
mod judge;
mod observe;
mod sso;
pub mod sync_shapes;

use moodle_ws::{normalize_site_url, ExchangeObserver, SiteUrlError, WsError, WsToken};
use serde::Serialize;

use crate::finding::Report;

pub use observe::{Observations, PLUGIN_PROBE_FUNCTION};

/// What the admin typed.
#[derive(Debug, Clone, Default)]
pub struct DiagnoseInput {
    pub url: String,
    /// The token of the `opensis` service ("Moodle token" in openSIS).
    pub opensis_token: Option<WsToken>,
    /// The token of the "User key authentication web service".
    pub userkey_token: Option<WsToken>,
    /// The admin's e-mail for the single sign-on check; looked up with the opensis token when absent.
    pub admin_email: Option<String>,
}

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

/// How a diagnosis runs, beyond what the admin typed.
#[derive(Debug, Clone, Default)]
pub struct DiagnoseOptions {
    /// Told about every HTTP exchange (method, address without query, status, duration).
    pub on_exchange: Option<ExchangeObserver>,
    /// Also prove "User key life time" by opening a login key this old (it must be above 60 s,
    /// Moodle's default, to tell 120 apart from it). The diagnosis takes that much longer.
    pub key_lifetime_check: Option<std::time::Duration>,
    /// Skip the probes that leave a trace on the site: the login URL for the admin (it
    /// replaces the admin's pending login key), its follow (it opens an admin session), and
    /// the made-up user's failed login (simpleserver.php).
    pub no_sso: bool,
    /// Certificates trusted beside Mozilla's by the certificate inspection: for tests with a
    /// certificate authority of their own. Never set by the doctor's commands.
    pub extra_roots: Vec<rustls::pki_types::CertificateDer<'static>>,
    /// The wizard asks for the tokens at their own steps: a token not given yet is "waiting"
    /// (skipped), not a failure.
    pub tokens_pending: bool,
    /// The site is the demo's simulated Moodle on this computer: not being on the internet is
    /// expected, not a warning.
    pub simulated_site: bool,
}

/// The age of the key that proves a life time above auth_userkey's default of 60 s.
pub const KEY_LIFETIME_CHECK_AGE: std::time::Duration = std::time::Duration::from_secs(65);

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
