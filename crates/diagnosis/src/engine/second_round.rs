// Owns: the tokens' second round, sent at once — the retry of a refused opensis token, the
// plugin probe, the requests shaped like openSIS's sync, and single sign-on (the accounts read,
// the login URL, its follow beside a second read, a restore). Must not: send the sync's
// requests where the service lacks their function, or ask for a login URL with a token that is
// not a site administrator's.

use std::time::{Duration, Instant};

use moodle_ws::error::codes;
use moodle_ws::{MoodleClient, SiteInfo, UserRecord, WsError, WsToken};
use serde_json::Value;

use super::first_round::site_info;
use super::given::Given;
use super::input::DiagnoseOptions;
use super::observations::{is_errorcode, SyncProbe, PLUGIN_PROBE_FUNCTION};
use super::sso::{self, AccountRead, NotRun, Sso};
use super::sync_shapes::sync_shapes;
use super::timing::timed;
use crate::required_functions::{is_web_services_plugin_function, required_functions};

/// What the second round saw.
pub(super) struct SecondRound {
    /// Site info asked again after an `accessexception` (an expired token is gone by then).
    pub retry: Option<Result<SiteInfo, WsError>>,
    pub plugin_probe: Option<Result<Value, WsError>>,
    pub sync_probes: Vec<SyncProbe>,
    pub sso: Sso,
    /// The admin's e-mail, looked up from the token's own account when none was given.
    pub looked_up: Option<String>,
    /// How long the retry, the plugin probe and the sync's requests took together.
    pub probes_time: Duration,
    pub sso_time: Duration,
}

pub(super) async fn second_round(
    client: &MoodleClient,
    given: &Given,
    opensis_info: &Option<Result<SiteInfo, WsError>>,
    early_read: Option<(AccountRead, Result<Vec<UserRecord>, WsError>)>,
    options: &DiagnoseOptions,
) -> SecondRound {
    let opensis = given.opensis.as_ref();
    let working = match (opensis, opensis_info.as_ref()) {
        (Some(token), Some(Ok(info))) => Some((token, info)),
        _ => None,
    };
    let refused = is_errorcode(opensis_info, codes::ACCESS_EXCEPTION);
    let retry = async {
        // Moodle refuses an expired token once, then deletes it: ask again to tell.
        if refused {
            site_info(client, opensis).await
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
        match opensis {
            Some(token) if needed => {
                Some(client.call_value(token, PLUGIN_PROBE_FUNCTION, &[]).await)
            }
            _ => None,
        }
    };
    let sso_chain = Box::pin(async {
        match working {
            Some((token, info)) => {
                single_sign_on(client, token, info, given, early_read, options).await
            }
            None => {
                let reason = if given.email.is_none() {
                    NotRun::NoEmail
                } else {
                    NotRun::NoGuard
                };
                (Sso::not_run(reason), None)
            }
        }
    });
    // openSIS's sync, shaped: sent only where the service has the function they call.
    let sync = async {
        let Some((token, info)) = working else {
            return Vec::new();
        };
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
    let started = Instant::now();
    let (((retry, plugin_probe, sync_probes), probes_time), ((sso, looked_up), sso_time)) = tokio::join!(
        async {
            let answers = tokio::join!(retry, plugin_probe, sync);
            (answers, started.elapsed())
        },
        timed(sso_chain)
    );
    SecondRound {
        retry,
        plugin_probe,
        sync_probes,
        sso,
        looked_up,
        probes_time,
        sso_time,
    }
}

/// Single sign-on with a working opensis token: the accounts are read in any case (the read
/// itself tells whether Moodle runs calls for the token's user: forced password change,
/// incomplete profile, site policy). With the e-mail looked up, the owner's own account comes
/// first, then every account that has its e-mail (single sign-on picks one of them). Returns
/// the chain and the e-mail looked up, if any.
async fn single_sign_on(
    client: &MoodleClient,
    token: &WsToken,
    info: &SiteInfo,
    given: &Given,
    early_read: Option<(AccountRead, Result<Vec<UserRecord>, WsError>)>,
    options: &DiagnoseOptions,
) -> (Sso, Option<String>) {
    let mut owner = None;
    let email = match &given.email {
        Some(email) => Some(email.clone()),
        None => {
            let read = sso::read_owner(client, token, info.userid).await;
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
    let looked_up = email.clone().filter(|_| given.email.is_none());
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
        None => sso::read_by_email(client, token, &email).await,
    };
    let mut chain = match (options.no_sso, given.userkey.as_ref()) {
        (true, _) => Sso::read_only(NotRun::Requested, how, before),
        (false, None) => Sso::read_only(NotRun::NoUserkeyToken, how, before),
        (false, Some(userkey)) => {
            sso::guarded_login(client, token, userkey, info.userid, how, before).await
        }
    };
    chain.owner = owner;
    (chain, looked_up)
}
