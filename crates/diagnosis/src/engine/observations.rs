// Owns: everything the probes saw, each answer as Moodle (or the web server) gave it, and what
// those answers are read as by more than one check (Moodle answered, maintenance mode, an
// errorcode). Must not: probe or judge.

use std::net::IpAddr;
use std::time::Duration;

use moodle_ws::envelope::Preamble;
use moodle_ws::tls_inspect::TlsFacts;
use moodle_ws::{LoginFollow, PublicConfig, SiteInfo, SiteRoot, UserkeyLoginPage, WsError};
use serde_json::Value;

use super::address::{Moved, RedirectTarget};
use super::sso::Sso;
use super::sync_shapes::SyncShape;
use crate::finding::Timings;

/// One function of openSIS-Web-Services.zip, called without parameters to learn whether the
/// plugin is installed: Moodle looks the function up before it checks the service.
pub const PLUGIN_PROBE_FUNCTION: &str = "local_get_users_information";

/// Where the admin e-mail for the single sign-on check came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailSource {
    Given(String),
    LookedUp(String),
}

impl EmailSource {
    pub fn email(&self) -> &str {
        match self {
            EmailSource::Given(e) | EmailSource::LookedUp(e) => e,
        }
    }
}

/// Everything the probes saw. `None` means the probe was not run.
#[derive(Debug)]
pub struct Observations {
    pub typed_root: SiteRoot,
    /// The admin typed the scheme (`https://` or `http://`); without it https was tried.
    pub scheme_typed: bool,
    /// The computer the checks ran from (not the openSIS server).
    pub checked_from: String,
    /// What the https site presented in its handshake, judged strictly (https only).
    pub tls: Option<Result<TlsFacts, WsError>>,
    /// Answers whose JSON came after a byte-order mark or blank lines: (address, what).
    pub preambles: Vec<(String, Preamble)>,
    /// Where the checks ran: the site's own address when it could be read.
    pub root: SiteRoot,
    pub addresses: Result<Vec<IpAddr>, String>,
    /// The public configuration, asked at the typed address.
    pub public_config: Result<PublicConfig, WsError>,
    /// The typed address is not the site's `wwwroot` (Moodle redirects away from it).
    pub moved: Option<Moved>,
    /// The web server (not Moodle) redirected the public configuration to the same page at
    /// another address: what that address answered, asked without a token.
    pub redirect_target: Option<RedirectTarget>,
    /// `--no-sso`: the probes with a side effect were not sent.
    pub no_sso: bool,
    /// Missing tokens are waited for, not failed (the wizard asks for them later).
    pub tokens_pending: bool,
    /// The demo's simulated Moodle, on this computer by design.
    pub simulated_site: bool,
    pub userkey_page: Option<Result<UserkeyLoginPage, WsError>>,
    pub simpleserver: Option<Result<Value, WsError>>,
    pub opensis_given: bool,
    pub userkey_given: bool,
    pub same_token_twice: bool,
    /// The two tokens were given the wrong way round (and are used the right way round below).
    pub swapped: bool,
    /// `core_webservice_get_site_info` with the opensis token (after any swap).
    pub opensis_info: Option<Result<SiteInfo, WsError>>,
    /// The same call again, made only after an `accessexception` (an expired token is gone by then).
    pub opensis_info_retry: Option<Result<SiteInfo, WsError>>,
    /// `core_webservice_get_site_info` with the user-key token: refused when all is right.
    pub userkey_info: Option<Result<SiteInfo, WsError>>,
    /// `auth_userkey_request_login_url` for a made-up e-mail of nobody: tells whether the
    /// user-key token gets through (plugin enabled, admin authorised) without touching any
    /// account — no account matches, so none is changed and no key is made.
    pub userkey_probe: Option<Result<moodle_ws::LoginUrl, WsError>>,
    /// The account read by the e-mail given, sent beside site info (kept for the token checks).
    pub opensis_early_read: Option<Result<Vec<moodle_ws::UserRecord>, WsError>>,
    /// [`PLUGIN_PROBE_FUNCTION`] called with the opensis token.
    pub plugin_probe: Option<Result<Value, WsError>>,
    /// webservice/pluginfile.php asked with the opensis token and no file, only after Moodle
    /// refused the token twice with `accessexception`: whether the service itself lets the
    /// token in (enabled, open to its user, may download files), which tells "the service has
    /// no functions yet" from "the service refuses the token".
    pub service_gate: Option<Result<Value, WsError>>,
    /// The requests shaped like openSIS's sync (sync_shapes.rs), each sent only with a working
    /// opensis token whose service has its function: Moodle refuses each at its parameter
    /// check, so an answer that is not Moodle's is the web server's or a firewall's.
    pub sync_probes: Vec<SyncProbe>,
    pub admin_email: Option<EmailSource>,
    pub sso: Sso,
    /// A second login key, opened only after it had aged this long (the life-time check).
    pub aged_follow: Option<(Duration, Result<LoginFollow, WsError>)>,
    /// How long each part took.
    pub timings: Timings,
}

/// A request shaped like openSIS's sync, and its answer.
#[derive(Debug)]
pub struct SyncProbe {
    pub shape: &'static SyncShape,
    pub answer: Result<Value, WsError>,
}

impl Observations {
    /// The site's public configuration at the address the checks ran at.
    pub fn config(&self) -> Option<&PublicConfig> {
        match &self.moved {
            Some(moved) => moved.config.as_ref()?.as_ref().ok(),
            None => self.public_config.as_ref().ok(),
        }
    }

    /// Moodle answered with its public configuration: the later checks could run.
    pub fn moodle_answers(&self) -> bool {
        self.config().is_some()
    }

    /// Moodle's maintenance mode is on (web-service calls of site administrators still work).
    pub fn in_maintenance(&self) -> bool {
        self.config().is_some_and(|c| c.maintenanceenabled != 0)
    }

    pub fn login_url(&self) -> Option<&Result<moodle_ws::LoginUrl, WsError>> {
        self.sso.login_url.as_ref()
    }

    pub fn follow(&self) -> Option<&Result<LoginFollow, WsError>> {
        self.sso.follow.as_ref()
    }
}

/// The probe was answered with Moodle's error `code`.
pub(super) fn is_errorcode<T>(r: &Option<Result<T, WsError>>, code: &str) -> bool {
    matches!(r, Some(Err(e)) if e.is_errorcode(code))
}
