// Owns: the tokens' first round — what needs no answer but the public configuration's: the
// user-key login page, simpleserver.php, site info with each token, the accounts with a given
// e-mail and the user-key token's made-up login URL — and telling tokens given the wrong way
// round. Must not: decide when a token may go out (site_round.rs and observe.rs do).

use moodle_ws::error::codes;
use moodle_ws::{LoginUrl, MoodleClient, SiteInfo, UserRecord, UserkeyLoginPage, WsError, WsToken};
use serde_json::Value;

use super::given::Given;
use super::input::DiagnoseOptions;
use super::observations::is_errorcode;
use super::sso::{self, AccountRead};

/// What the first round saw.
#[derive(Default)]
pub(super) struct FirstRound {
    pub page: Option<Result<UserkeyLoginPage, WsError>>,
    pub simpleserver: Option<Result<Value, WsError>>,
    pub opensis_info: Option<Result<SiteInfo, WsError>>,
    pub userkey_info: Option<Result<SiteInfo, WsError>>,
    pub early_read: Option<(AccountRead, Result<Vec<UserRecord>, WsError>)>,
    pub userkey_probe: Option<Result<LoginUrl, WsError>>,
}

pub(super) async fn first_round(
    client: &MoodleClient,
    given: &Given,
    options: &DiagnoseOptions,
) -> FirstRound {
    let (opensis, userkey) = (given.opensis.as_ref(), given.userkey.as_ref());
    // With the e-mail given (and one Moodle would take), the accounts single sign-on will use
    // are read at once, so that the login URL can be asked for right after.
    let early_read = async {
        match (given.email.as_deref(), opensis) {
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

impl FirstRound {
    /// A user-key token that can read site info while the opensis one cannot: the fields were
    /// swapped. The tokens and their answers change places; the account read sent with the
    /// wrong token is dropped, and the made-up login URL asked again with the right one.
    pub(super) async fn unswap(&mut self, client: &MoodleClient, given: &mut Given) -> bool {
        let swapped = is_errorcode(&self.opensis_info, codes::ACCESS_EXCEPTION)
            && matches!(self.userkey_info, Some(Ok(_)));
        if swapped {
            std::mem::swap(&mut given.opensis, &mut given.userkey);
            std::mem::swap(&mut self.opensis_info, &mut self.userkey_info);
            self.early_read = None;
            self.userkey_probe = match given.userkey.as_ref() {
                Some(token) => Some(client.request_login_url(token, &made_up_email()).await),
                None => None,
            };
        }
        swapped
    }
}

/// `core_webservice_get_site_info` with a token, when there is one.
pub(super) async fn site_info(
    client: &MoodleClient,
    token: Option<&WsToken>,
) -> Option<Result<SiteInfo, WsError>> {
    match token {
        Some(t) => Some(client.site_info(t).await),
        None => None,
    }
}

/// An e-mail no account has (the `.invalid` domain cannot exist): a login URL asked for it
/// tells how Moodle treats the user-key token without touching any account.
fn made_up_email() -> String {
    use rand::Rng;
    let suffix: u32 = rand::thread_rng().gen();
    format!("sis-moodle-setup-probe-{suffix:08x}@example.invalid")
}
