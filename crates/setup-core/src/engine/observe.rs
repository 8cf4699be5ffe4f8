// Owns: running the probes — concurrently where independent, each awaiting only what it
// needs — and keeping every answer as observed. Must not: judge; judge/ does.

use std::future::Future;
use std::net::IpAddr;
use std::time::Duration;

use futures::{stream, StreamExt};
use moodle_ws::{
    normalize_site_url, LoginFollow, LoginUrl, MoodleClient, PublicConfig, SiteInfo, SiteRoot,
    UserkeyLoginPage, WsError, WsToken,
};
use serde_json::Value;

use super::{DiagnoseInput, DiagnoseOptions};
use crate::required_functions::required_functions;

const MAX_BODY: usize = 4 * 1024 * 1024;
/// Missing functions probed at once: all of a typical gap (the 7 functions of the two
/// plugins) in one round trip, without opening dozens of connections to a small PHP server.
const EXISTENCE_PROBES_AT_ONCE: usize = 8;
/// Longest wait for the host name to resolve, and for it after the site has answered.
const DNS_TIMEOUT: Duration = Duration::from_secs(10);
const DNS_GRACE: Duration = Duration::from_secs(2);

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
    pub root: SiteRoot,
    pub addresses: Result<Vec<IpAddr>, String>,
    pub public_config: Result<PublicConfig, WsError>,
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
    /// Required functions missing from the service, each called without parameters.
    pub existence: Vec<(String, Result<Value, WsError>)>,
    pub admin_email: Option<EmailSource>,
    pub email_lookup_error: Option<WsError>,
    pub login_url: Option<Result<LoginUrl, WsError>>,
    pub follow: Option<Result<LoginFollow, WsError>>,
    /// A second login key, opened only after it had aged this long (the life-time check).
    pub aged_follow: Option<(Duration, Result<LoginFollow, WsError>)>,
}

impl Observations {
    pub fn site_ok(&self) -> bool {
        matches!(&self.public_config, Ok(cfg) if cfg.maintenanceenabled == 0)
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

fn is_access_exception<T>(r: &Option<Result<T, WsError>>) -> bool {
    matches!(r, Some(Err(e)) if e.is_errorcode(moodle_ws::error::codes::ACCESS_EXCEPTION))
}

pub(super) async fn observe(
    http: &reqwest::Client,
    typed: SiteRoot,
    input: &DiagnoseInput,
    options: &DiagnoseOptions,
) -> Observations {
    let typed_client = MoodleClient::new(http.clone(), typed.clone(), MAX_BODY)
        .with_observer(options.on_exchange.clone());
    let host = typed.host().unwrap_or_default().to_owned();
    let port = typed.as_url().port_or_known_default().unwrap_or(443);
    let (public_config, addresses) =
        with_addresses(typed_client.public_config(), &host, port).await;
    let root = public_config
        .as_ref()
        .ok()
        .and_then(|cfg| normalize_site_url(&cfg.wwwroot).ok())
        .unwrap_or_else(|| typed.clone());
    let mut obs = Observations {
        typed_root: typed,
        root: root.clone(),
        addresses,
        public_config,
        userkey_page: None,
        simpleserver: None,
        opensis_given: input.opensis_token.is_some(),
        userkey_given: input.userkey_token.is_some(),
        same_token_twice: false,
        swapped: false,
        opensis_info: None,
        opensis_info_retry: None,
        userkey_info: None,
        existence: Vec::new(),
        admin_email: input
            .admin_email
            .clone()
            .map(|e| EmailSource::Given(e.trim().to_owned())),
        email_lookup_error: None,
        login_url: None,
        follow: None,
        aged_follow: None,
    };
    if !obs.site_ok() {
        return obs;
    }
    let client = typed_client.with_root(root);
    let mut opensis = input.opensis_token.clone();
    let mut userkey = input.userkey_token.clone();
    obs.same_token_twice = opensis.is_some() && opensis == userkey;
    if obs.same_token_twice {
        userkey = None;
    }

    // With the e-mail given, single sign-on needs nothing the probes find out, so it starts
    // with them; only swapped tokens (known after the probes) make it run again below.
    let given_email = obs.admin_email.clone();
    let early_sso = async {
        match (&given_email, userkey.as_ref()) {
            (Some(_), Some(token)) => {
                Some(single_sign_on(&client, None, Some(token), given_email.clone()).await)
            }
            _ => None,
        }
    };
    let (page, simple, mut opensis_info, mut userkey_info, early_sso) = tokio::join!(
        client.userkey_login_page(),
        client.simpleserver_probe(),
        site_info(&client, opensis.as_ref()),
        site_info(&client, userkey.as_ref()),
        early_sso,
    );
    obs.userkey_page = Some(page);
    obs.simpleserver = Some(simple);

    // A user-key token that can read site info while the opensis one cannot: swapped fields.
    if is_access_exception(&opensis_info) && matches!(userkey_info, Some(Ok(_))) {
        obs.swapped = true;
        std::mem::swap(&mut opensis, &mut userkey);
        std::mem::swap(&mut opensis_info, &mut userkey_info);
    }
    let early_sso = early_sso.filter(|_| !obs.swapped);

    // From here three independent chains run at once, each request starting as soon as what
    // it needs is known: the retry of a refused opensis token; the existence probes of missing
    // functions; and e-mail → login URL → follow for single sign-on (unless already done).
    let working = match (opensis.as_ref(), opensis_info.as_ref()) {
        (Some(token), Some(Ok(info))) => Some((token, info)),
        _ => None,
    };
    let retry = async {
        // Moodle refuses an expired token once, then deletes it: ask again to tell.
        if is_access_exception(&opensis_info) {
            site_info(&client, opensis.as_ref()).await
        } else {
            None
        }
    };
    let existence = async {
        let Some((token, info)) = working else {
            return Vec::new();
        };
        let missing: Vec<String> = required_functions()
            .into_iter()
            .filter(|f| !info.has_function(f))
            .map(str::to_owned)
            .collect();
        stream::iter(missing)
            .map(|f| {
                let client = client.clone();
                async move {
                    let answer = client.call_value(token, &f, &[]).await;
                    (f, answer)
                }
            })
            .buffered(EXISTENCE_PROBES_AT_ONCE)
            .collect::<Vec<_>>()
            .await
    };
    let sso = async {
        match early_sso {
            Some(chain) => chain,
            None => single_sign_on(&client, working, userkey.as_ref(), given_email).await,
        }
    };
    let (retry, existence, sso) = tokio::join!(retry, existence, sso);
    obs.opensis_info_retry = retry;
    obs.opensis_info = opensis_info;
    obs.userkey_info = userkey_info;
    obs.existence = existence;
    obs.admin_email = sso.email;
    obs.email_lookup_error = sso.lookup_error;
    obs.login_url = sso.login_url;
    obs.follow = sso.follow;
    if let (Some(age), Some(token), Some(email)) = (
        options.key_lifetime_check,
        userkey.as_ref(),
        obs.admin_email.as_ref(),
    ) {
        if matches!(&obs.follow, Some(Ok(f)) if (300..400).contains(&f.status)) {
            obs.aged_follow = aged_login(&client, token, email.email(), age).await;
        }
    }
    obs
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

/// What the single sign-on chain saw.
struct SsoChain {
    email: Option<EmailSource>,
    lookup_error: Option<WsError>,
    login_url: Option<Result<LoginUrl, WsError>>,
    follow: Option<Result<LoginFollow, WsError>>,
}

/// The admin's e-mail (given, or looked up with the working opensis token), then a login URL
/// with the user-key token, then its follow — each as soon as the one before has answered.
async fn single_sign_on(
    client: &MoodleClient,
    working: Option<(&WsToken, &SiteInfo)>,
    userkey: Option<&WsToken>,
    given: Option<EmailSource>,
) -> SsoChain {
    let mut chain = SsoChain {
        email: given,
        lookup_error: None,
        login_url: None,
        follow: None,
    };
    if let (None, Some((token, info))) = (&chain.email, working) {
        match client.user_by_id(token, info.userid).await {
            Ok(Some(user)) if !user.email.is_empty() => {
                chain.email = Some(EmailSource::LookedUp(user.email));
            }
            Ok(_) => {}
            Err(e) => chain.lookup_error = Some(e),
        }
    }
    if let (Some(token), Some(email)) = (userkey, chain.email.as_ref()) {
        let login = client.request_login_url(token, email.email()).await;
        if let Ok(url) = &login {
            chain.follow = Some(client.follow_login_url(&url.loginurl).await);
        }
        chain.login_url = Some(login);
    }
    chain
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
