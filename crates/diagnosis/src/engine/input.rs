// Owns: what a diagnosis is given — what the admin typed, and how it runs beyond that (an
// observer of the exchanges, the key life-time check, no single sign-on, pending tokens).
// Must not: check any of it (diagnose_with does, before a probe goes out).

use moodle_ws::{ExchangeObserver, WsToken};

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
