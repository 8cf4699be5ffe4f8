// Owns: running the probes — concurrently where independent, each awaiting only what it
// needs — and keeping every answer as observed. Must not: judge; judge/ does.

use std::net::IpAddr;

use futures::{stream, StreamExt};
use moodle_ws::{
    normalize_site_url, LoginFollow, LoginUrl, MoodleClient, PublicConfig, SiteInfo, SiteRoot,
    UserkeyLoginPage, WsError, WsToken,
};
use serde_json::Value;

use super::DiagnoseInput;
use crate::required_functions::required_functions;

const MAX_BODY: usize = 4 * 1024 * 1024;
const EXISTENCE_PROBES_AT_ONCE: usize = 6;

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
) -> Observations {
    let typed_client = MoodleClient::new(http.clone(), typed.clone(), MAX_BODY);
    let host = typed.host().unwrap_or_default().to_owned();
    let port = typed.as_url().port_or_known_default().unwrap_or(443);
    let (public_config, addresses) = tokio::join!(
        typed_client.public_config(),
        crate::reachability::resolve(&host, port)
    );
    let root = public_config
        .as_ref()
        .ok()
        .and_then(|cfg| normalize_site_url(&cfg.wwwroot).ok())
        .unwrap_or_else(|| typed.clone());
    let mut obs = Observations {
        typed_root: typed,
        root: root.clone(),
        addresses: addresses.map_err(|e| e.to_string()),
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

    let (page, simple, mut opensis_info, mut userkey_info) = tokio::join!(
        client.userkey_login_page(),
        client.simpleserver_probe(),
        site_info(&client, opensis.as_ref()),
        site_info(&client, userkey.as_ref()),
    );
    obs.userkey_page = Some(page);
    obs.simpleserver = Some(simple);

    // A user-key token that can read site info while the opensis one cannot: swapped fields.
    if is_access_exception(&opensis_info) && matches!(userkey_info, Some(Ok(_))) {
        obs.swapped = true;
        std::mem::swap(&mut opensis, &mut userkey);
        std::mem::swap(&mut opensis_info, &mut userkey_info);
    }
    // Moodle refuses an expired token once, then deletes it: ask again to tell.
    if is_access_exception(&opensis_info) {
        obs.opensis_info_retry = site_info(&client, opensis.as_ref()).await;
    }
    obs.opensis_info = opensis_info;
    obs.userkey_info = userkey_info;

    if let (Some(token), Some(Ok(info))) = (opensis.as_ref(), obs.opensis_info.as_ref()) {
        let missing: Vec<String> = required_functions()
            .into_iter()
            .filter(|f| !info.has_function(f))
            .map(str::to_owned)
            .collect();
        let existence = stream::iter(missing)
            .map(|f| {
                let client = client.clone();
                async move {
                    let answer = client.call_value(token, &f, &[]).await;
                    (f, answer)
                }
            })
            .buffered(EXISTENCE_PROBES_AT_ONCE)
            .collect::<Vec<_>>();
        let lookup = async {
            if obs.admin_email.is_some() {
                return None;
            }
            Some(client.user_by_id(token, info.userid).await)
        };
        let (existence, lookup) = tokio::join!(existence, lookup);
        obs.existence = existence;
        match lookup {
            Some(Ok(Some(user))) if !user.email.is_empty() => {
                obs.admin_email = Some(EmailSource::LookedUp(user.email))
            }
            Some(Err(e)) => obs.email_lookup_error = Some(e),
            _ => {}
        }
    }

    if let (Some(token), Some(email)) = (userkey.as_ref(), obs.admin_email.clone()) {
        let login = client.request_login_url(token, email.email()).await;
        if let Ok(url) = &login {
            obs.follow = Some(client.follow_login_url(&url.loginurl).await);
        }
        obs.login_url = Some(login);
    }
    obs
}
