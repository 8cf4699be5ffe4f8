// Owns: the single sign-on probes, guarded so that the check changes nothing on the site —
// the account is read before the login URL is asked for and after, and whatever changed is
// put back. Must not: ask for a login URL for an account it could not read first.

use moodle_ws::error::codes;
use moodle_ws::{
    LoginFollow, LoginUrl, MoodleClient, PageAnswer, UserField, UserRecord, WsError, WsToken,
    WsWarning,
};

use crate::email_check::{check_email, EmailProblem};

/// The address sent as `user[ip]` to tell auth_userkey's "IP restriction" apart from a wrong
/// mapping field: from TEST-NET-1 (RFC 5737), which no computer has, so the login key it
/// makes can never be used.
pub const UNUSABLE_IP: &str = "192.0.2.1";

/// Why the single sign-on probes did not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotRun {
    /// The admin asked to skip them (`--no-sso`).
    Requested,
    /// No user-key token to ask with.
    NoUserkeyToken,
    /// No admin e-mail, and no working opensis token to look it up with.
    NoEmail,
    /// The account could not be read first, so a change could not be seen or undone.
    NoGuard,
    /// No Moodle account has the e-mail given.
    NoAccount,
    /// Moodle would refuse the e-mail as a single sign-on key: nothing was sent with it.
    EmailRefused(EmailProblem),
    /// The opensis token is not a site administrator's: its owner cannot make login URLs.
    NotAdmin,
}

/// How the account was read, before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountRead {
    /// By the token owner's id (its e-mail is then the one single sign-on uses).
    ById(i64),
    /// By the e-mail the admin gave (every account with that e-mail).
    ByEmail(String),
}

/// A field of an account that changed between the two reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountChange {
    pub userid: i64,
    pub username: String,
    pub field: &'static str,
    pub before: String,
    pub after: String,
}

/// What the single sign-on probes saw.
#[derive(Debug, Default)]
pub struct Sso {
    pub not_run: Option<NotRun>,
    /// The token owner's own account, read by id (when the e-mail had to be looked up).
    pub owner: Option<Result<Vec<UserRecord>, WsError>>,
    pub read: Option<AccountRead>,
    /// Every account with the e-mail single sign-on uses, read before the login URL.
    pub before: Option<Result<Vec<UserRecord>, WsError>>,
    /// The e-mail the login URL was asked for.
    pub email: Option<String>,
    pub login_url: Option<Result<LoginUrl, WsError>>,
    /// Asked only when the login URL was refused as `invalidparameter`: the same with
    /// `user[ip]`. A login URL now means "IP restriction" is on (the key is never opened).
    pub login_url_with_ip: Option<Result<LoginUrl, WsError>>,
    pub follow: Option<Result<LoginFollow, WsError>>,
    /// The dashboard with the session the follow opened, asked when the account signed in is
    /// not the token's owner (whose Moodle login checks the account read already passed).
    pub dashboard: Option<Result<PageAnswer, WsError>>,
    pub after: Option<Result<Vec<UserRecord>, WsError>>,
    pub changes: Vec<AccountChange>,
    /// `core_user_update_users` with the old values, sent only when something changed.
    pub restore: Option<Result<Vec<WsWarning>, WsError>>,
    /// The account read once more after the restore.
    pub after_restore: Option<Result<Vec<UserRecord>, WsError>>,
}

impl Sso {
    pub fn not_run(reason: NotRun) -> Self {
        Self {
            not_run: Some(reason),
            ..Self::default()
        }
    }

    /// Only the account was read; the login URL was not asked for.
    pub fn read_only(
        reason: NotRun,
        read: AccountRead,
        before: Result<Vec<UserRecord>, WsError>,
    ) -> Self {
        Self {
            not_run: Some(reason),
            read: Some(read),
            before: Some(before),
            ..Self::default()
        }
    }

    /// Whether the restore was sent, accepted and confirmed by a new read.
    pub fn restored(&self) -> bool {
        matches!(&self.restore, Some(Ok(w)) if w.is_empty())
            && matches!(&self.after_restore, Some(Ok(users)) if changes_between(self.before_users(), users).is_empty())
    }

    pub fn before_users(&self) -> &[UserRecord] {
        match &self.before {
            Some(Ok(users)) => users,
            _ => &[],
        }
    }
}

/// The fields that differ between two reads of the same accounts.
pub fn changes_between(before: &[UserRecord], after: &[UserRecord]) -> Vec<AccountChange> {
    let mut out = Vec::new();
    for old in before {
        let Some(new) = after.iter().find(|u| u.id == old.id) else {
            continue;
        };
        for ((field, was), (_, now)) in old.settable_fields().into_iter().zip(new.settable_fields())
        {
            if was != now {
                out.push(AccountChange {
                    userid: old.id,
                    username: old.username.clone(),
                    field,
                    before: was,
                    after: now,
                });
            }
        }
    }
    out
}

async fn read(
    client: &MoodleClient,
    token: &WsToken,
    how: &AccountRead,
) -> Result<Vec<UserRecord>, WsError> {
    match how {
        AccountRead::ById(id) => {
            client
                .users_by_field(token, UserField::Id, &id.to_string())
                .await
        }
        AccountRead::ByEmail(email) => client.users_by_field(token, UserField::Email, email).await,
    }
}

/// The accounts with an e-mail, read before single sign-on.
pub(super) async fn read_by_email(
    client: &MoodleClient,
    opensis: &WsToken,
    email: &str,
) -> (AccountRead, Result<Vec<UserRecord>, WsError>) {
    let how = AccountRead::ByEmail(email.to_owned());
    let answer = read(client, opensis, &how).await;
    (how, answer)
}

/// The token owner's own account, by id: its e-mail is the one single sign-on then uses.
pub(super) async fn read_owner(
    client: &MoodleClient,
    opensis: &WsToken,
    userid: i64,
) -> Result<Vec<UserRecord>, WsError> {
    read(client, opensis, &AccountRead::ById(userid)).await
}

/// Whether Moodle would take the e-mail: a refusal stops single sign-on before anything is
/// sent with it.
pub(super) fn email_refused(email: &str) -> Option<EmailProblem> {
    check_email(email).err()
}

/// Asks for a login URL for the accounts read before, opens it without following its
/// redirect while reading the accounts again, and puts back whatever the login URL changed.
pub(super) async fn guarded_login(
    client: &MoodleClient,
    opensis: &WsToken,
    userkey: &WsToken,
    owner_id: i64,
    read_how: AccountRead,
    before: Result<Vec<UserRecord>, WsError>,
) -> Sso {
    let AccountRead::ByEmail(email) = read_how.clone() else {
        return Sso::read_only(NotRun::NoEmail, read_how, before);
    };
    let mut sso = Sso {
        read: Some(read_how.clone()),
        email: Some(email.clone()),
        ..Sso::default()
    };
    let users = match &before {
        Ok(users) => users.clone(),
        Err(_) => {
            sso.before = Some(before);
            sso.not_run = Some(NotRun::NoGuard);
            return sso;
        }
    };
    sso.before = Some(before);
    if users.is_empty() {
        sso.not_run = Some(NotRun::NoAccount);
        return sso;
    }
    let login = client.request_login_url(userkey, &email).await;
    if matches!(&login, Err(e) if e.is_errorcode(codes::INVALID_PARAMETER)) {
        sso.login_url_with_ip = Some(
            client
                .request_login_url_with_ip(userkey, &email, UNUSABLE_IP)
                .await,
        );
    }
    let made_a_key = login.is_ok() || matches!(&sso.login_url_with_ip, Some(Ok(_)));
    if let Ok(url) = &login {
        let (follow, after) = tokio::join!(
            client.follow_login_url(&url.loginurl),
            read(client, opensis, &read_how)
        );
        let session = follow.as_ref().ok().and_then(|f| f.session.clone());
        let signed_in = users.first().map(|u| u.id);
        if let (Some(session), true) = (session, signed_in != Some(owner_id)) {
            sso.dashboard = Some(client.dashboard(&session).await);
        }
        sso.follow = Some(follow);
        sso.after = Some(after);
    } else if made_a_key {
        sso.after = Some(read(client, opensis, &read_how).await);
    }
    if let Some(Ok(now)) = &sso.after {
        sso.changes = changes_between(&users, now);
    }
    sso.login_url = Some(login);
    if !sso.changes.is_empty() {
        restore(client, opensis, &read_how, &mut sso).await;
    }
    sso
}

/// Sends the old values back, one `core_user_update_users` per changed account, then reads
/// the accounts once more to confirm.
async fn restore(client: &MoodleClient, opensis: &WsToken, how: &AccountRead, sso: &mut Sso) {
    let mut ids: Vec<i64> = sso.changes.iter().map(|c| c.userid).collect();
    ids.dedup();
    let mut warnings = Vec::new();
    for id in ids {
        let fields: Vec<(&str, String)> = sso
            .changes
            .iter()
            .filter(|c| c.userid == id)
            .map(|c| (c.field, c.before.clone()))
            .collect();
        match client.update_user(opensis, id, &fields).await {
            Ok(w) => warnings.extend(w),
            Err(e) => {
                sso.restore = Some(Err(e));
                return;
            }
        }
    }
    sso.restore = Some(Ok(warnings));
    sso.after_restore = Some(read(client, opensis, how).await);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: i64, auth: &str) -> UserRecord {
        UserRecord {
            id,
            username: format!("u{id}"),
            firstname: "A".into(),
            lastname: "B".into(),
            email: "a@b.org".into(),
            auth: auth.into(),
            suspended: false,
        }
    }

    #[test]
    fn changes_name_the_account_the_field_and_both_values() {
        let before = [user(2, "manual"), user(3, "manual")];
        let after = [user(2, "userkey"), user(3, "manual")];
        assert_eq!(
            changes_between(&before, &after),
            vec![AccountChange {
                userid: 2,
                username: "u2".into(),
                field: "auth",
                before: "manual".into(),
                after: "userkey".into(),
            }]
        );
        assert!(changes_between(&before, &before).is_empty());
    }
}
