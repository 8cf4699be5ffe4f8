// Owns: running the probes — concurrently where independent, each awaiting only what it
// needs — and keeping every answer as observed. Must not: judge; judge/ does.

use std::future::Future;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use std::sync::{Arc, Mutex};

use moodle_ws::envelope::Preamble;
use moodle_ws::error::codes;
use moodle_ws::tls_inspect::{inspect_tls, TlsFacts};
use moodle_ws::{
    normalize_site_url, ExchangeObserver, LoginFollow, MoodleClient, PublicConfig, SiteInfo,
    SiteRoot, UserkeyLoginPage, WsError, WsToken,
};
use serde_json::Value;

use super::address::{self, Moved};
use super::sso::{self, NotRun, Sso};
use super::sync_shapes::{sync_shapes, SyncShape};
use super::{DiagnoseInput, DiagnoseOptions};
use crate::required_functions::{is_web_services_plugin_function, required_functions};

const MAX_BODY: usize = 4 * 1024 * 1024;
/// Longest wait for the host name to resolve, and for it after the site has answered.
const DNS_TIMEOUT: Duration = Duration::from_secs(10);
const DNS_GRACE: Duration = Duration::from_secs(2);
/// Longest wait for the TLS handshake of the certificate inspection.
const TLS_INSPECTION_TIMEOUT: Duration = Duration::from_secs(10);
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
    pub redirect_target: Option<address::RedirectTarget>,
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
    pub timings: crate::finding::Timings,
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

async fn site_info(
    client: &MoodleClient,
    token: Option<&WsToken>,
) -> Option<Result<SiteInfo, WsError>> {
    match token {
        Some(t) => Some(client.site_info(t).await),
        None => None,
    }
}

fn is_errorcode<T>(r: &Option<Result<T, WsError>>, code: &str) -> bool {
    matches!(r, Some(Err(e)) if e.is_errorcode(code))
}

pub(super) async fn observe(
    http: &reqwest::Client,
    typed: SiteRoot,
    input: &DiagnoseInput,
    options: &DiagnoseOptions,
) -> Observations {
    // Every exchange is looked at for bytes before its JSON; a verbose observer sees it too.
    let preambles: Arc<Mutex<Vec<(String, Preamble)>>> = Arc::default();
    let collector = {
        let (preambles, verbose) = (preambles.clone(), options.on_exchange.clone());
        ExchangeObserver::new(move |exchange| {
            if let (Some(p), Ok(mut seen)) = (exchange.preamble, preambles.lock()) {
                seen.push((exchange.url.clone(), p));
            }
            if let Some(verbose) = &verbose {
                verbose.notify(exchange);
            }
        })
    };
    let typed_client =
        MoodleClient::new(http.clone(), typed.clone(), MAX_BODY).with_observer(Some(collector));
    let host = typed.host().unwrap_or_default().to_owned();
    let port = typed.as_url().port_or_known_default().unwrap_or(443);
    let tls = async {
        if typed.is_https() {
            Some(inspect_tls(&host, port, TLS_INSPECTION_TIMEOUT, &options.extra_roots).await)
        } else {
            None
        }
    };
    // Token-bearing requests go out before the public configuration has answered only where
    // the connection itself is trusted: https (the certificate verified) or this computer.
    let early_ok = tokens_may_go_early(&typed);
    // One token in both fields is used once, as the opensis token.
    let same_token_twice =
        input.opensis_token.is_some() && input.opensis_token == input.userkey_token;
    let mut opensis = input.opensis_token.clone();
    let mut userkey = input.userkey_token.clone().filter(|_| !same_token_twice);
    let given_email = input
        .admin_email
        .as_deref()
        .map(str::trim)
        .map(str::to_owned);
    let early_round = async {
        if early_ok {
            // Boxed, as every large part below: the diagnosis runs on small worker stacks.
            Some(
                Box::pin(first_round(
                    &typed_client,
                    opensis.as_ref(),
                    userkey.as_ref(),
                    given_email.as_deref(),
                    options,
                ))
                .await,
            )
        } else {
            None
        }
    };
    let started = Instant::now();
    let ((((public_config, tls), site_time), (early, early_time)), addresses) =
        Box::pin(with_addresses(
            async {
                tokio::join!(
                    timed(async { tokio::join!(typed_client.public_config(), tls) }),
                    timed(early_round)
                )
            },
            &host,
            port,
        ))
        .await;
    let moved = if address::is_moved(&public_config) {
        Some(address::find_wwwroot(&typed_client, &typed, &public_config).await)
    } else {
        None
    };
    // Only a web server's own redirect (Moodle's is `moved`, above).
    let redirect_target = address::redirect_target(&typed_client, &typed, &public_config).await;
    let root = match (&moved, &public_config) {
        (Some(m), _) => match (&m.wwwroot, &m.config) {
            (Some(root), Some(Ok(_))) => root.clone(),
            _ => typed.clone(),
        },
        (None, Ok(cfg)) => normalize_site_url(&cfg.wwwroot).unwrap_or_else(|_| typed.clone()),
        (None, Err(_)) => typed.clone(),
    };
    let mut obs = Observations {
        typed_root: typed,
        scheme_typed: scheme_typed(&input.url),
        checked_from: gethostname::gethostname().to_string_lossy().into_owned(),
        tls,
        preambles: Vec::new(),
        root: root.clone(),
        addresses,
        public_config,
        moved,
        redirect_target,
        no_sso: options.no_sso,
        tokens_pending: options.tokens_pending,
        simulated_site: options.simulated_site,
        userkey_page: None,
        simpleserver: None,
        opensis_given: input.opensis_token.is_some(),
        userkey_given: input.userkey_token.is_some(),
        same_token_twice,
        swapped: false,
        opensis_info: None,
        opensis_info_retry: None,
        userkey_info: None,
        userkey_probe: None,
        opensis_early_read: None,
        plugin_probe: None,
        service_gate: None,
        sync_probes: Vec::new(),
        admin_email: given_email.clone().map(EmailSource::Given),
        sso: Sso::default(),
        aged_follow: None,
        timings: crate::finding::Timings {
            site_ms: millis(site_time),
            ..crate::finding::Timings::default()
        },
    };
    if !obs.moodle_answers() {
        obs.preambles = take(&preambles);
        obs.timings.total_ms = millis(started.elapsed());
        return obs;
    }
    let client = typed_client.with_root(root);

    // The first round, sent beside the public configuration when that was safe, counts only
    // where the site was found at the address typed; else it is sent again at its own address.
    let tokens_started = Instant::now();
    let used_early = early.is_some() && obs.moved.is_none() && client.root() == typed_client.root();
    let first = if used_early {
        early.unwrap_or_default()
    } else {
        Box::pin(first_round(
            &client,
            opensis.as_ref(),
            userkey.as_ref(),
            given_email.as_deref(),
            options,
        ))
        .await
    };
    let first_time = if used_early {
        early_time
    } else {
        tokens_started.elapsed()
    };
    let FirstRound {
        page,
        simpleserver: simple,
        mut opensis_info,
        mut userkey_info,
        early_read,
        userkey_probe: mut probe,
    } = first;
    obs.userkey_page = page;
    obs.simpleserver = simple;

    // A user-key token that can read site info while the opensis one cannot: swapped fields.
    if is_errorcode(&opensis_info, codes::ACCESS_EXCEPTION) && matches!(userkey_info, Some(Ok(_))) {
        obs.swapped = true;
        std::mem::swap(&mut opensis, &mut userkey);
        std::mem::swap(&mut opensis_info, &mut userkey_info);
    }
    // Sent with the wrong token: sent again with the right one below.
    let early_read = early_read.filter(|_| !obs.swapped);
    obs.opensis_early_read = early_read.as_ref().map(|(_, r)| r.clone());
    if obs.swapped {
        probe = match userkey.as_ref() {
            Some(token) => Some(client.request_login_url(token, &made_up_email()).await),
            None => None,
        };
    }
    obs.userkey_probe = probe;

    // Then, at once: the retry of a refused opensis token; the plugin probe; and single
    // sign-on (the account read, login URL, its follow beside a second read, a restore).
    let working = match (opensis.as_ref(), opensis_info.as_ref()) {
        (Some(token), Some(Ok(info))) => Some((token, info)),
        _ => None,
    };
    let refused = is_errorcode(&opensis_info, codes::ACCESS_EXCEPTION);
    let retry = async {
        // Moodle refuses an expired token once, then deletes it: ask again to tell.
        if refused {
            site_info(&client, opensis.as_ref()).await
        } else {
            None
        }
    };
    let plugin_probe = async {
        let needed = match working {
            Some((_, info)) => required_functions()
                .into_iter()
                .any(|f| is_web_services_plugin_function(f) && !info.has_function(f)),
            None => refused,
        };
        match opensis.as_ref() {
            Some(token) if needed => {
                Some(client.call_value(token, PLUGIN_PROBE_FUNCTION, &[]).await)
            }
            _ => None,
        }
    };
    let sso_chain = Box::pin(async {
        let Some((token, info)) = working else {
            let reason = if given_email.is_none() {
                NotRun::NoEmail
            } else {
                NotRun::NoGuard
            };
            return (Sso::not_run(reason), None);
        };
        // The accounts are read in any case: the read itself tells whether Moodle runs calls
        // for the token's user (forced password change, incomplete profile, site policy). With
        // the e-mail looked up, the owner's own account comes first, then every account that
        // has its e-mail (single sign-on picks one of them).
        let mut owner = None;
        let email = match &given_email {
            Some(email) => Some(email.clone()),
            None => {
                let read = sso::read_owner(&client, token, info.userid).await;
                let email = read
                    .as_ref()
                    .ok()
                    .and_then(|users| users.first())
                    .map(|u| u.email.clone())
                    .filter(|e| !e.is_empty());
                owner = Some(read);
                email
            }
        };
        let looked_up = email.clone().filter(|_| given_email.is_none());
        let with_owner = |mut chain: Sso| {
            chain.owner = owner.clone();
            chain
        };
        // A token of someone who is not a site administrator cannot make login URLs; single
        // sign-on is checked once the tokens are an administrator's.
        if !info.userissiteadmin {
            let mut chain = Sso::not_run(NotRun::NotAdmin);
            chain.owner = owner;
            return (chain, looked_up);
        }
        let Some(email) = email else {
            let mut chain = Sso::not_run(if matches!(owner, Some(Err(_))) {
                NotRun::NoGuard
            } else {
                NotRun::NoEmail
            });
            chain.owner = owner;
            return (chain, looked_up);
        };
        if let Some(problem) = sso::email_refused(&email) {
            let mut chain = Sso::not_run(NotRun::EmailRefused(problem));
            chain.owner = owner;
            chain.email = Some(email);
            return (chain, looked_up);
        }
        let (how, before) = match early_read {
            Some(read) => read,
            None => sso::read_by_email(&client, token, &email).await,
        };
        let chain = match (options.no_sso, userkey.as_ref()) {
            (true, _) => Sso::read_only(NotRun::Requested, how, before),
            (false, None) => Sso::read_only(NotRun::NoUserkeyToken, how, before),
            (false, Some(userkey)) => {
                sso::guarded_login(&client, token, userkey, info.userid, how, before).await
            }
        };
        (with_owner(chain), looked_up)
    });
    // openSIS's sync, shaped: sent only where the service has the function they call.
    let sync = async {
        let Some((token, info)) = working else {
            return Vec::new();
        };
        let client = &client;
        let sent = sync_shapes()
            .iter()
            .filter(|shape| info.has_function(&shape.function))
            .map(|shape| async move {
                let answer = client
                    .call_value(token, &shape.function, &shape.form())
                    .await;
                SyncProbe { shape, answer }
            });
        futures::future::join_all(sent).await
    };
    let ((retry, plugin_probe, sync_probes), second_time, ((sso, looked_up), sso_time)) = {
        let tokens_more = Instant::now();
        let (a, b) = tokio::join!(
            async {
                let r = tokio::join!(retry, plugin_probe, sync);
                (r, tokens_more.elapsed())
            },
            timed(sso_chain)
        );
        (a.0, a.1, b)
    };
    obs.sync_probes = sync_probes;
    obs.timings.tokens_ms = millis(first_time + second_time);
    obs.opensis_info_retry = retry;
    obs.opensis_info = opensis_info;
    obs.userkey_info = userkey_info;
    // Refused twice the same way, and not by the plugin probe's function lookup alone: ask the
    // service's gate, which needs no function of the service.
    let gate_needed = is_errorcode(&obs.opensis_info_retry, codes::ACCESS_EXCEPTION)
        && matches!(&plugin_probe, Some(Err(e)) if e.is_missing_function() || e.is_errorcode(codes::ACCESS_EXCEPTION));
    if let (true, Some(token)) = (gate_needed, opensis.as_ref()) {
        let gate_started = Instant::now();
        obs.service_gate = Some(client.service_gate(token).await);
        obs.timings.tokens_ms += millis(gate_started.elapsed());
    }
    obs.plugin_probe = plugin_probe;
    if let Some(email) = looked_up {
        obs.admin_email = Some(EmailSource::LookedUp(email));
    }
    obs.sso = sso;
    if let (Some(age), Some(token), Some(email)) = (
        options.key_lifetime_check,
        userkey.as_ref(),
        obs.sso.email.clone(),
    ) {
        let signed_in = matches!(obs.follow(), Some(Ok(f)) if (300..400).contains(&f.status));
        // Only where the first login URL changed nothing: a second one would change it again.
        if signed_in && obs.sso.changes.is_empty() {
            obs.aged_follow = aged_login(&client, token, &email, age).await;
        }
    }
    // Single sign-on ran when a login URL was asked for (an account read alone is a token check).
    obs.timings.sso_ms = obs.sso.login_url.is_some().then(|| millis(sso_time));
    obs.preambles = take(&preambles);
    obs.timings.total_ms = millis(started.elapsed());
    obs
}

/// What needs no answer but the public configuration's: the pages, the site info of both
/// tokens, the accounts with a given e-mail and the user-key token's made-up login URL.
#[derive(Default)]
struct FirstRound {
    page: Option<Result<UserkeyLoginPage, WsError>>,
    simpleserver: Option<Result<Value, WsError>>,
    opensis_info: Option<Result<SiteInfo, WsError>>,
    userkey_info: Option<Result<SiteInfo, WsError>>,
    early_read: Option<(
        sso::AccountRead,
        Result<Vec<moodle_ws::UserRecord>, WsError>,
    )>,
    userkey_probe: Option<Result<moodle_ws::LoginUrl, WsError>>,
}

async fn first_round(
    client: &MoodleClient,
    opensis: Option<&WsToken>,
    userkey: Option<&WsToken>,
    given_email: Option<&str>,
    options: &DiagnoseOptions,
) -> FirstRound {
    // With the e-mail given (and one Moodle would take), the accounts single sign-on will use
    // are read at once, so that the login URL can be asked for right after.
    let early_read = async {
        match (given_email, opensis) {
            (Some(email), Some(token)) if sso::email_refused(email).is_none() => {
                Some(sso::read_by_email(client, token, email).await)
            }
            _ => None,
        }
    };
    let userkey_probe = async {
        match userkey {
            Some(token) => Some(client.request_login_url(token, &made_up_email()).await),
            None => None,
        }
    };
    let simpleserver = async {
        if options.no_sso {
            None
        } else {
            Some(client.simpleserver_probe().await)
        }
    };
    let (page, simpleserver, opensis_info, userkey_info, early_read, userkey_probe) = tokio::join!(
        client.userkey_login_page(),
        simpleserver,
        site_info(client, opensis),
        site_info(client, userkey),
        early_read,
        userkey_probe,
    );
    FirstRound {
        page: Some(page),
        simpleserver,
        opensis_info,
        userkey_info,
        early_read,
        userkey_probe,
    }
}

/// Whether token-bearing requests may go out before the public configuration has answered:
/// over https (the certificate is verified) or to this computer — never over plain http to
/// another host.
fn tokens_may_go_early(root: &SiteRoot) -> bool {
    root.is_https() || root.host().is_some_and(is_loopback)
}

/// `localhost` or a loopback address: requests never leave this computer.
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A future and how long it took.
async fn timed<T>(f: impl Future<Output = T>) -> (T, Duration) {
    let started = Instant::now();
    let out = f.await;
    (out, started.elapsed())
}

/// Whether the typed address starts with a scheme of its own.
fn scheme_typed(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn take<T>(shared: &Mutex<Vec<T>>) -> Vec<T> {
    shared
        .lock()
        .map(|mut v| std::mem::take(&mut *v))
        .unwrap_or_default()
}

/// An e-mail no account has (the `.invalid` domain cannot exist): a login URL asked for it
/// tells how Moodle treats the user-key token without touching any account.
fn made_up_email() -> String {
    use rand::Rng;
    let suffix: u32 = rand::thread_rng().gen();
    format!("sis-moodle-setup-probe-{suffix:08x}@example.invalid")
}

/// Requests a fresh login key, lets it age, then opens it: a key older than auth_userkey's
/// default life time (60 s) that still signs in proves a longer life time.
async fn aged_login(
    client: &MoodleClient,
    token: &WsToken,
    email: &str,
    age: Duration,
) -> Option<(Duration, Result<LoginFollow, WsError>)> {
    let url = client.request_login_url(token, email).await.ok()?;
    tokio::time::sleep(age).await;
    Some((age, client.follow_login_url(&url.loginurl).await))
}

/// Runs `probe` while the host name resolves. The name gets at most `DNS_TIMEOUT`, and no
/// more than `DNS_GRACE` once the probe has answered: a stuck resolver must not hang the
/// diagnosis after the site itself has been judged.
async fn with_addresses<T>(
    probe: impl Future<Output = T>,
    host: &str,
    port: u16,
) -> (T, Result<Vec<IpAddr>, String>) {
    let dns = tokio::time::timeout(DNS_TIMEOUT, crate::reachability::resolve(host, port));
    tokio::pin!(dns);
    tokio::pin!(probe);
    let mut resolved = None;
    let answer = loop {
        tokio::select! {
            answer = &mut probe => break answer,
            found = &mut dns, if resolved.is_none() => resolved = Some(found),
        }
    };
    let found = match resolved {
        Some(found) => found,
        None => tokio::time::timeout(DNS_GRACE, &mut dns)
            .await
            .unwrap_or_else(Err),
    };
    let addresses = match found {
        Ok(Ok(addresses)) => Ok(addresses),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("the name {host} did not resolve in time")),
    };
    (answer, addresses)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn early(url: &str) -> bool {
        tokens_may_go_early(&normalize_site_url(url).unwrap())
    }

    #[test]
    fn tokens_go_before_the_public_configuration_only_over_https_or_to_this_computer() {
        for trusted in [
            "https://moodle.school.org",
            "https://10.0.0.5/moodle",
            "http://127.0.0.1:8080",
            "http://localhost/moodle",
            "http://[::1]:4000",
        ] {
            assert!(early(trusted), "{trusted}");
        }
        for plain in [
            "http://moodle.school.org",
            "http://10.0.0.5/moodle",
            "http://127.0.0.1.nip.io",
            "http://localhost.school.org",
        ] {
            assert!(!early(plain), "{plain}");
        }
    }
}
