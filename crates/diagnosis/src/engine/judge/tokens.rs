// Owns: the checks of the two tokens (15) — known, not expired, in the right fields, of a
// site admin whose account Moodle runs calls for — the admin's authorisation on the user-key
// service (12) and the SSO round trip. Must not: put a token or a login key into a finding.

use moodle_ws::error::codes;
use moodle_ws::{same_site, LoginFollow, UserkeyLoginPage};

use super::answers::{
    branch, opensis_blocker, opensis_state, userkey_blocker, userkey_state, OpensisState, Refusal,
    UserkeyState,
};
use super::new_finding::PendingToken;
use super::words::describe;
use super::words::{refused_before_function, TOKEN_OWNER_CAUSES};
use crate::engine::observations::Observations;
use crate::engine::sso::NotRun;
use crate::finding::Finding;
use crate::moodle_texts::create_token;
use crate::steps;

pub(super) fn findings(obs: &Observations) -> Vec<Finding> {
    let tokens_link = obs.root.endpoint(steps::TOKENS).to_string();
    let mut out = vec![
        opensis_token(obs),
        opensis_token_admin(obs),
        opensis_token_account(obs),
        userkey_token(obs),
        tokens_in_right_fields(obs),
        admin_authorised(obs).link(obs.root.endpoint(steps::EXTERNAL_SERVICES).to_string()),
        sso(obs),
    ];
    out.extend(super::sso_extra::findings(obs));
    for f in &mut out {
        if f.step == 15 && f.link.is_none() {
            f.link = Some(tokens_link.clone());
        }
    }
    out
}

const OPENSIS: &str = "opensis";
const USERKEY_SERVICE: &str = "User key authentication web service";

fn opensis_token(obs: &Observations) -> Finding {
    const CHECK: &str = "opensis_token";
    if !obs.moodle_answers() {
        return Finding::blocked(CHECK, 15, 0);
    }
    let new_token = create_token(branch(obs), OPENSIS);
    match opensis_state(obs) {
        OpensisState::NotGiven if obs.tokens_pending => Finding::waiting_for_token(CHECK, PendingToken::Opensis),
        OpensisState::NotGiven => Finding::fail(CHECK, 15, "No token for the opensis service was given.")
            .fix(format!("{new_token} Give it here and in openSIS (LMS Settings) as the Moodle token.")),
        OpensisState::Works(info) => Finding::pass(CHECK, 15, format!("The opensis token works (user \"{}\").", info.username))
            .evidence("core_webservice_get_site_info answered"),
        OpensisState::UnknownToken => Finding::fail(CHECK, 15, "Moodle does not know the opensis token.")
            .evidence("Moodle error \"invalidtoken\"")
            .fix(format!("Copy the token again from Manage tokens, all 32 characters, and check it is from this site. Tokens also disappear when their user changes the password with \"Log out of all web apps\" ticked. Otherwise: {new_token}")),
        OpensisState::Expired => Finding::fail("opensis_token_expired", 15, "The opensis token had expired; Moodle has now deleted it.")
            .evidence("first call: \"accessexception\", the next: \"invalidtoken\" (Moodle deletes an expired token when it refuses it)")
            .fix(format!("{new_token} Then enter it in openSIS.")),
        OpensisState::Refused { why: Refusal::IpRestricted, .. } => Finding::fail(
            "opensis_token_ip_restricted",
            15,
            "The opensis token is limited to other IP addresses (its \"IP restriction\" in Manage tokens): Moodle refuses it from here — and from openSIS's server unless that address is listed.",
        )
        .evidence(refused_before_function(obs))
        .fix(format!("In Site administration → Server → Web services → Manage tokens, look at the token's \"IP restriction\": it must be empty, or list the public address of openSIS's server (and of this computer, to check it). A token cannot be edited: delete it, then: {new_token}")),
        OpensisState::Refused { why: Refusal::Owner, .. } => Finding::fail(
            CHECK,
            15,
            "Moodle refuses the opensis token before it even looks at the function called: the token's user is not a site administrator, or the token is limited to other IP addresses.",
        )
        .evidence(refused_before_function(obs))
        .fix(format!("{TOKEN_OWNER_CAUSES} {new_token}")),
        OpensisState::Refused { .. } => Finding::pass(CHECK, 15, "Moodle knows the opensis token and it has not expired.")
            .evidence("refused twice the same way, so not an expired token; the refusal is judged at step 10 or 14"),
        OpensisState::UserRefused(e) => Finding::fail("token_user_refused", 15, account_refusal(e.errorcode().unwrap_or_default()))
            .evidence(describe(e))
            .fix(ACCOUNT_FIX),
        OpensisState::Maintenance => Finding::fail(
            CHECK,
            15,
            "Moodle refuses the opensis token while the site is in maintenance mode: its user is not a site administrator (only administrators' tokens keep working).",
        )
        .evidence("Moodle error \"sitemaintenance\"")
        .fix(format!("Turn maintenance mode off (step 0) — and use a token of a site administrator: {new_token}")),
        OpensisState::Forbidden => Finding::blocked(CHECK, 15, super::answers::forbidden_blocker(obs)),
        OpensisState::Error(e) => Finding::unknown(CHECK, 15, "Could not tell whether the opensis token works.").evidence(describe(e)),
    }
}

fn opensis_token_admin(obs: &Observations) -> Finding {
    const CHECK: &str = "opensis_token_admin";
    match opensis_state(obs) {
        OpensisState::Works(info) if info.userissiteadmin => Finding::pass(
            CHECK,
            15,
            format!(
                "The opensis token belongs to a site administrator (\"{}\").",
                info.username
            ),
        ),
        OpensisState::Works(info) => Finding::fail(
            CHECK,
            15,
            format!(
                "The opensis token belongs to \"{}\", who is not a site administrator.",
                info.username
            ),
        )
        .evidence(format!(
            "userissiteadmin = false for {} ({})",
            info.username, info.fullname
        ))
        .fix(format!(
            "openSIS creates users, courses and enrolments: its token must be a site administrator's. {}",
            create_token(branch(obs), OPENSIS)
        )),
        _ => Finding::blocked(CHECK, 15, opensis_blocker(obs)),
    }
}

/// Moodle runs most calls through its login checks (site info skips them): a forced password
/// change, an incomplete profile or a site policy not agreed stop every sync call.
/// Moodle runs most calls through its login checks (site info skips them): a forced password
/// change, an incomplete profile, a site policy not agreed or a refused account stop every
/// sync call. Each cause has its own check; `token_user_account` is the check when none is.
fn opensis_token_account(obs: &Observations) -> Finding {
    const CHECK: &str = "token_user_account";
    let works = matches!(opensis_state(obs), OpensisState::Works(_));
    let (read, how) = match (&obs.sso.owner, &obs.sso.before, &obs.opensis_early_read) {
        (Some(owner), _, _) => (owner, "the token's own account"),
        (None, Some(before), _) => (before, "the account with the admin's e-mail"),
        (None, None, Some(before)) if works => (before, "the account with the admin's e-mail"),
        _ => return Finding::blocked(CHECK, 15, opensis_blocker(obs)),
    };
    if matches!(read, Err(e) if super::answers::by_web_server(e)) {
        return Finding::blocked(CHECK, 15, 0);
    }
    let e = match read {
        Ok(_) => {
            return Finding::pass(
                CHECK,
                15,
                "Moodle runs calls for the token's user (no forced password change, profile complete, site policy agreed, account active).",
            )
            .evidence(format!("core_user_get_users_by_field for {how} answered"))
        }
        Err(e) => e,
    };
    let (check, summary, fix) = match e.errorcode() {
        Some(codes::FORCE_PASSWORD_CHANGE) => (
            "token_user_password_change",
            "The token's user must change their password before Moodle runs openSIS's calls (\"Force password change\" is set).",
            "Log in to Moodle as that user and change the password — untick \"Log out of all web apps\" on the form, or the tokens are deleted. Or have another administrator untick \"Force password change\" on the user's Edit profile page.",
        ),
        Some(codes::USER_NOT_FULLY_SET_UP) => (
            "token_user_profile_incomplete",
            "The token's user has not completed their profile (a required profile field is empty): Moodle refuses openSIS's calls until it is.",
            "Log in to Moodle as that user and fill in the fields the profile page asks for (Edit profile), or make the custom profile field not required (Site administration → Users → User profile fields).",
        ),
        Some(codes::SITE_POLICY_NOT_AGREED) => (
            "token_user_site_policy",
            "The token's user has not agreed to the site policy: Moodle refuses openSIS's calls until they do.",
            "Log in to Moodle as that user and accept the site policy, or use tokens of a site administrator (administrators are not asked).",
        ),
        Some(c) if c.starts_with("wsaccessuser") => (
            "token_user_refused",
            account_refusal(c),
            ACCOUNT_FIX,
        ),
        _ => {
            return Finding::unknown(CHECK, 15, "Could not read the token's account to check that Moodle runs calls for it.")
                .evidence(describe(e))
        }
    };
    Finding::fail(check, 15, summary)
        .evidence(format!("core_user_get_users_by_field for {how}: {} (core_webservice_get_site_info skips this check, every sync call makes it)", describe(e)))
        .fix(fix)
}

const ACCOUNT_FIX: &str = "In Site administration → Users → Browse list of users, open the token's user: make it active (not suspended, confirmed), with \"Manual accounts\" as its authentication method and a current password (Site administration → Plugins → Authentication → Manual accounts: password expiry). Or create the tokens for an active site administrator.";

/// Moodle's words for an account it refuses web services to (webservice/lib.php).
fn account_refusal(code: &str) -> &'static str {
    match code {
        codes::USER_EXPIRED => "The token's user's password has expired: Moodle refuses every web-service call with both tokens.",
        codes::USER_NOLOGIN => "The token's user has the authentication method \"No login\": Moodle refuses every web-service call with both tokens.",
        codes::USER_SUSPENDED => "The token's user is suspended: Moodle refuses every web-service call with both tokens.",
        codes::USER_UNCONFIRMED => "The token's user has not confirmed their account: Moodle refuses every web-service call with both tokens.",
        codes::USER_DELETED => "The token's user was deleted: Moodle refuses every web-service call with both tokens.",
        _ => "The token's user may not use web services: Moodle refuses every web-service call with both tokens.",
    }
}

fn userkey_token(obs: &Observations) -> Finding {
    const CHECK: &str = "userkey_token";
    if !obs.moodle_answers() {
        return Finding::blocked(CHECK, 15, 0);
    }
    let new_token = create_token(branch(obs), USERKEY_SERVICE);
    let wrong_service = !obs.swapped && matches!(obs.userkey_info, Some(Ok(_)));
    if wrong_service {
        return Finding::warn(
            CHECK,
            15,
            "The user-key token belongs to a service that can read site info (probably opensis), not to the \"User key authentication web service\".",
        )
        .evidence("core_webservice_get_site_info answered with this token; the user-key service does not offer it")
        .fix(format!("{new_token} Enter it in openSIS as the user key token."));
    }
    let page = obs.userkey_page.as_ref().and_then(|p| p.as_ref().ok());
    match userkey_state(obs) {
        UserkeyState::NotGiven if obs.tokens_pending => Finding::waiting_for_token(CHECK, PendingToken::Userkey),
        UserkeyState::NotGiven => Finding::fail(CHECK, 15, "No token for the \"User key authentication web service\" was given.")
            .fix(format!("{new_token} Give it here and in openSIS.")),
        UserkeyState::SameAsOpensis => Finding::fail(CHECK, 15, "The same token was given twice; the user-key token must be a second token.")
            .fix(new_token),
        UserkeyState::UnknownToken if matches!(page, Some(UserkeyLoginPage::NotInstalled { .. })) => {
            Finding::blocked(CHECK, 15, 3).evidence(
                "Moodle does not know the token; the User key authentication web service comes with the auth_userkey plugin, so create its token after installing it",
            )
        }
        UserkeyState::UnknownToken => Finding::fail(CHECK, 15, "Moodle does not know the user-key token.")
            .evidence("Moodle error \"invalidtoken\"")
            .fix(format!("Copy the token again from Manage tokens, all 32 characters, and check it is from this site. Otherwise: {new_token}")),
        UserkeyState::Expired => Finding::fail("userkey_token_expired", 15, "The user-key token had expired; Moodle has now deleted it.")
            .evidence("first call: \"accessexception\", the next: \"invalidtoken\"")
            .fix(new_token),
        UserkeyState::Reached => Finding::pass(CHECK, 15, "The user-key token works.")
            .evidence("auth_userkey_request_login_url accepted the token"),
        UserkeyState::NotAdmin => Finding::fail(
            CHECK,
            15,
            "The user-key token belongs to a user who is not a site administrator: only administrators may make login URLs (auth/userkey:generatekey).",
        )
        .evidence(format!(
            "auth_userkey_request_login_url: {}",
            obs.userkey_probe.as_ref().and_then(|r| r.as_ref().err()).map(describe).unwrap_or_default()
        ))
        .fix(new_token),
        // Refused the same way as an opensis token refused before its function was looked up:
        // most likely the same user without webservice/rest:use, which shows once the opensis
        // token works.
        UserkeyState::Refused(_)
            if matches!(opensis_state(obs), OpensisState::Refused { why: Refusal::Owner, .. }) =>
        {
            Finding::blocked(CHECK, 15, 15).evidence(
                "refused with accessexception, as the opensis token is before Moodle looks up the function: whose token it is shows once the opensis token works",
            )
        }
        UserkeyState::Refused(_) => Finding::pass(CHECK, 15, "Moodle knows the user-key token.")
            .evidence("refused with accessexception: judged at step 6 or 12"),
        UserkeyState::FunctionMissing => Finding::blocked(CHECK, 15, 3),
        UserkeyState::Maintenance => Finding::fail(
            CHECK,
            15,
            "Moodle refuses the user-key token while the site is in maintenance mode: its user is not a site administrator.",
        )
        .evidence("Moodle error \"sitemaintenance\"")
        .fix(format!("Turn maintenance mode off (step 0) — and use a token of a site administrator: {new_token}")),
        UserkeyState::Forbidden => Finding::blocked(CHECK, 15, super::answers::forbidden_blocker(obs)),
        UserkeyState::Error(e) => Finding::unknown(CHECK, 15, "Could not tell whether the user-key token works.").evidence(describe(e)),
    }
}

fn tokens_in_right_fields(obs: &Observations) -> Finding {
    const CHECK: &str = "tokens_in_right_fields";
    if !obs.moodle_answers() {
        return Finding::blocked(CHECK, 15, 0);
    }
    if obs.swapped {
        return Finding::fail(CHECK, 15, "The two tokens are swapped: openSIS would get an \"authentication error\".")
            .evidence("the token given for opensis cannot read site info, and the one given for user keys can")
            .fix("In openSIS LMS Settings, exchange the two tokens: the opensis service's token goes in the Moodle token field, the User key authentication web service's token in the user key field.");
    }
    if !(obs.opensis_given && obs.userkey_given) {
        return Finding::blocked(CHECK, 15, 15).evidence("needs both tokens");
    }
    if obs.same_token_twice {
        return Finding::fail(CHECK, 15, "Both fields hold the same token.").fix(
            "Give the opensis service's token and the User key authentication web service's token.",
        );
    }
    match (opensis_state(obs), &obs.userkey_info) {
        (OpensisState::Works(_), Some(Err(_))) => {
            Finding::pass(CHECK, 15, "Each token is in its own field.")
        }
        _ => Finding::blocked(CHECK, 15, opensis_blocker(obs))
            .evidence("which service each token belongs to shows once the opensis token works"),
    }
}

fn admin_authorised(obs: &Observations) -> Finding {
    const CHECK: &str = "admin_authorised_userkey_service";
    if !obs.moodle_answers() {
        return Finding::blocked(CHECK, 12, 0);
    }
    match userkey_state(obs) {
        UserkeyState::Reached | UserkeyState::NotAdmin => Finding::pass(CHECK, 12, "The admin is an authorised user of the \"User key authentication web service\".")
            .evidence("auth_userkey_request_login_url let the token through to the function"),
        UserkeyState::Refused(e) => match userkey_blocker(obs) {
            12 => Finding::fail(CHECK, 12, "The admin is not an authorised user of the \"User key authentication web service\".")
                .evidence(format!("User key authentication is enabled, yet auth_userkey_request_login_url answers {}", describe(e)))
                .fix("In Site administration → Server → Web services → External services → \"User key authentication web service\" → Authorised users, add the site administrator. (If the admin is listed, the user-key token may belong to another user: check it in Manage tokens.)"),
            by => Finding::blocked(CHECK, 12, by),
        },
        UserkeyState::NotGiven | UserkeyState::SameAsOpensis => Finding::blocked(CHECK, 12, 15),
        _ => Finding::blocked(CHECK, 12, userkey_blocker(obs)),
    }
}

fn sso(obs: &Observations) -> Finding {
    const CHECK: &str = "sso_round_trip";
    if !obs.moodle_answers() {
        return Finding::blocked(CHECK, 15, 0);
    }
    match (obs.login_url(), obs.follow(), &obs.sso.not_run) {
        (Some(Ok(_)), Some(Ok(follow)), _) => judge_follow(obs, follow),
        (Some(Ok(_)), Some(Err(e)), _) => {
            Finding::fail(CHECK, 15, "Opening the one-time login URL failed.").evidence(describe(e))
        }
        (Some(Err(_)), _, _) if matches!(&obs.sso.login_url_with_ip, Some(Ok(_))) => {
            Finding::blocked(CHECK, 15, 7).evidence(
                "the login URL made with an IP address is bound to an address no computer has: it is not opened",
            )
        }
        (Some(Err(e)), _, _) if e.is_errorcode(codes::INVALID_PARAMETER) => {
            Finding::blocked(CHECK, 15, 7)
        }
        (Some(Err(_)), _, _) => Finding::blocked(CHECK, 15, userkey_blocker(obs)),
        (_, _, Some(NotRun::Requested)) => Finding::skipped(CHECK, 15),
        (_, _, Some(NotRun::NoGuard)) if super::answers::account_read_by_web_server(obs) => {
            Finding::blocked(CHECK, 15, 0)
        }
        (_, _, Some(NotRun::NoAccount)) => Finding::blocked(CHECK, 15, 15)
            .evidence("no account has the e-mail to sign in with"),
        (_, _, Some(NotRun::EmailRefused(_))) => Finding::unknown(
            CHECK,
            15,
            "Single sign-on could not be tried: Moodle would refuse the admin's e-mail as its key (see above). Try it with a user whose e-mail Moodle accepts.",
        ),
        (_, _, Some(NotRun::NoGuard)) if matches!(opensis_state(obs), OpensisState::Works(_)) => {
            Finding::blocked(CHECK, 15, 15)
                .evidence("the admin's account could not be read first, so the single sign-on probe (which can change it) was not sent")
        }
        (_, _, Some(NotRun::NoUserkeyToken | NotRun::NotAdmin)) => Finding::blocked(CHECK, 15, 15),
        _ => match userkey_state(obs) {
            UserkeyState::Reached => Finding::blocked(CHECK, 15, opensis_blocker(obs)).evidence(
                "the single sign-on probe is sent only once the admin's account could be read (with the opensis token), so that a change it makes can be seen and undone",
            ),
            _ => Finding::blocked(CHECK, 15, userkey_blocker(obs)),
        },
    }
}

fn judge_follow(obs: &Observations, follow: &LoginFollow) -> Finding {
    const CHECK: &str = "sso_round_trip";
    let location = follow.location.clone().unwrap_or_default();
    let root = obs.root.to_string();
    let lands_on_site =
        !location.is_empty() && (same_site(&location, &root) || location.starts_with(&root));
    let evidence = format!(
        "login.php?key=… answered HTTP {}{}{}",
        follow.status,
        if location.is_empty() {
            String::new()
        } else {
            format!(" to {}", super::words::without_query(&location))
        },
        if follow.sets_moodle_session {
            " with a MoodleSession cookie"
        } else {
            " without a session cookie"
        }
    );
    let redirected = (300..400).contains(&follow.status) && follow.sets_moodle_session;
    if redirected && lands_on_site {
        return Finding::pass(
            CHECK,
            15,
            "Single sign-on works: a one-time login URL signs the admin in to Moodle.",
        )
        .evidence(evidence);
    }
    let fix = if matches!(
        follow.refusal.as_deref(),
        Some("Incorrect key" | "Expired key")
    ) {
        "Moodle refused the fresh key. Check User key authentication's settings: \"User key life time\" (120), and \"IP restriction\" off or matching openSIS's server."
    } else {
        "Check User key authentication's \"Redirect after logout\"/\"URL of SSO host\" settings and any proxy in front of Moodle."
    };
    Finding::fail(
        CHECK,
        15,
        "Single sign-on does not complete: the one-time login URL does not sign in.",
    )
    .evidence(format!(
        "{evidence}; {}",
        follow
            .refusal
            .clone()
            .unwrap_or_else(|| follow.body_excerpt.clone())
    ))
    .fix(fix)
    .link(obs.root.endpoint(steps::USERKEY_SETTINGS).to_string())
}
