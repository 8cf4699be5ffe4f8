// Owns: the checks of the two tokens (15) — known, not expired, in the right fields, of a
// site admin — the admin's authorisation on the user-key service (12) and the SSO round trip.
// Must not: put a token, a token hint or a login key into any finding.

use moodle_ws::{same_site, LoginFollow, UserkeyLoginPage};

use super::{describe, opensis_state, userkey_state, ws_blocker, OpensisState, UserkeyState};
use crate::engine::observe::Observations;
use crate::finding::{Finding, Status};
use crate::steps;

pub(super) fn findings(obs: &Observations) -> Vec<Finding> {
    let tokens_link = obs.root.endpoint(steps::TOKENS).to_string();
    let mut out = vec![
        opensis_token(obs),
        opensis_token_admin(obs),
        userkey_token(obs),
        tokens_in_right_fields(obs),
        admin_authorised(obs).link(obs.root.endpoint(steps::EXTERNAL_SERVICES).to_string()),
        sso(obs),
    ];
    for f in &mut out {
        if f.step == 15 && f.link.is_none() {
            f.link = Some(tokens_link.clone());
        }
    }
    out
}

const NEW_TOKEN_FIX: &str = "In Site administration → Server → Web services → Manage tokens, create a token for the site administrator";

fn opensis_token(obs: &Observations) -> Finding {
    const CHECK: &str = "opensis_token";
    if !obs.site_ok() {
        return Finding::blocked(CHECK, 15, 0);
    }
    match opensis_state(obs) {
        OpensisState::NotGiven => Finding::fail(CHECK, 15, "No token for the opensis service was given.")
            .fix(format!("{NEW_TOKEN_FIX} with service \"opensis\", and give it here (MOODLE_OPENSIS_TOKEN) and in openSIS as the Moodle token.")),
        OpensisState::Works(info) => Finding::pass(CHECK, 15, format!("The opensis token works (user \"{}\").", info.username))
            .evidence("core_webservice_get_site_info answered"),
        OpensisState::UnknownToken => Finding::fail(CHECK, 15, "Moodle does not know the opensis token.")
            .evidence("Moodle error \"invalidtoken\"")
            .fix(format!("Copy the token again from Manage tokens, all 32 characters, and check it is from this site; or {}", NEW_TOKEN_FIX.to_lowercase())),
        OpensisState::Expired => Finding::fail(CHECK, 15, "The opensis token had expired; Moodle has now deleted it.")
            .evidence("first call: \"accessexception\", the next: \"invalidtoken\"")
            .fix(format!("{NEW_TOKEN_FIX} with service \"opensis\" and no \"Valid until\" date, and enter it in openSIS.")),
        OpensisState::Refused(_) => Finding::new(CHECK, 15, Status::Unknown, "Moodle knows the opensis token but refuses it; see step 10."),
        OpensisState::UserRefused(e) => Finding::fail(CHECK, 15, "The user behind the opensis token may not use web services (suspended, no login or unconfirmed).")
            .evidence(describe(e))
            .fix("Make the token's user an active site administrator, or create the token for one."),
        OpensisState::Forbidden => Finding::blocked(CHECK, 15, ws_blocker(obs).unwrap_or(13)),
        OpensisState::Error(e) if !obs.site_ok() => Finding::blocked(CHECK, 15, 0).evidence(describe(e)),
        OpensisState::Error(e) => Finding::fail(CHECK, 15, "The opensis token could not be checked.").evidence(describe(e)),
    }
}

fn opensis_token_admin(obs: &Observations) -> Finding {
    const CHECK: &str = "opensis_token_admin";
    if !obs.site_ok() {
        return Finding::blocked(CHECK, 15, 0);
    }
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
            "{NEW_TOKEN_FIX} (not another user) with service \"opensis\"."
        )),
        _ => Finding::blocked(CHECK, 15, 15),
    }
}

fn userkey_token(obs: &Observations) -> Finding {
    const CHECK: &str = "userkey_token";
    if !obs.site_ok() {
        return Finding::blocked(CHECK, 15, 0);
    }
    let wrong_service = !obs.swapped && matches!(obs.userkey_info, Some(Ok(_)));
    if wrong_service {
        return Finding::warn(
            CHECK,
            15,
            "The user-key token belongs to a service that can read site info (probably opensis), not to the \"User key authentication web service\".",
        )
        .evidence("core_webservice_get_site_info answered with this token; the user-key service does not offer it")
        .fix(format!("{NEW_TOKEN_FIX} with service \"User key authentication web service\" and enter it in openSIS as the user key token."));
    }
    match userkey_state(obs) {
        UserkeyState::NotGiven => Finding::fail(CHECK, 15, "No token for the \"User key authentication web service\" was given.")
            .fix(format!("{NEW_TOKEN_FIX} with service \"User key authentication web service\", and give it here (MOODLE_USERKEY_TOKEN) and in openSIS.")),
        UserkeyState::SameAsOpensis => Finding::fail(CHECK, 15, "The same token was given twice; the user-key token must be a second token.")
            .fix(format!("{NEW_TOKEN_FIX} with service \"User key authentication web service\".")),
        UserkeyState::UnknownToken
            if matches!(&obs.userkey_page, Some(Ok(UserkeyLoginPage::NotInstalled { .. }))) =>
        {
            Finding::blocked(CHECK, 15, 3).evidence(
                "Moodle does not know the token; the User key authentication web service comes with the auth_userkey plugin, so create its token after installing it",
            )
        }
        UserkeyState::UnknownToken => Finding::fail(CHECK, 15, "Moodle does not know the user-key token.")
            .evidence("Moodle error \"invalidtoken\"")
            .fix("Copy the token again from Manage tokens, all 32 characters, and check it is from this site."),
        UserkeyState::Expired => Finding::fail(CHECK, 15, "The user-key token had expired; Moodle has now deleted it.")
            .evidence("first call: \"accessexception\", the next: \"invalidtoken\"")
            .fix(format!("{NEW_TOKEN_FIX} with service \"User key authentication web service\" and no \"Valid until\" date.")),
        UserkeyState::Reached => Finding::pass(CHECK, 15, "The user-key token works.")
            .evidence("auth_userkey_request_login_url accepted the token"),
        UserkeyState::Refused(_) => Finding::new(CHECK, 15, Status::Unknown, "Moodle knows the user-key token but refuses it; see steps 6 and 12."),
        UserkeyState::FunctionMissing => Finding::blocked(CHECK, 15, 3),
        UserkeyState::NoEmail => Finding::new(CHECK, 15, Status::Unknown, "The user-key token was not tried: the admin's e-mail is not known.")
            .fix("Give the admin's e-mail (--admin-email), or a working opensis token to look it up."),
        UserkeyState::Forbidden => Finding::blocked(CHECK, 15, ws_blocker(obs).unwrap_or(13)),
        UserkeyState::Error(e) => Finding::fail(CHECK, 15, "The user-key token could not be checked.").evidence(describe(e)),
    }
}

fn tokens_in_right_fields(obs: &Observations) -> Finding {
    const CHECK: &str = "tokens_in_right_fields";
    if !obs.site_ok() {
        return Finding::blocked(CHECK, 15, 0);
    }
    if obs.swapped {
        return Finding::fail(CHECK, 15, "The two tokens are swapped: openSIS would get an \"authentication error\".")
            .evidence("the token given for opensis cannot read site info, and the one given for user keys can")
            .fix("In openSIS LMS Settings, exchange the two tokens: the opensis service's token goes in the Moodle token field, the User key authentication web service's token in the user key field.");
    }
    if !(obs.opensis_given && obs.userkey_given) {
        return Finding::new(CHECK, 15, Status::Unknown, "Needs both tokens to check.");
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
        _ => Finding::new(
            CHECK,
            15,
            Status::Unknown,
            "Could not tell which service each token belongs to.",
        ),
    }
}

fn admin_authorised(obs: &Observations) -> Finding {
    const CHECK: &str = "admin_authorised_userkey_service";
    match userkey_state(obs) {
        UserkeyState::Reached => Finding::pass(CHECK, 12, "The admin is an authorised user of the \"User key authentication web service\".")
            .evidence("auth_userkey_request_login_url let the admin's token through"),
        UserkeyState::Refused(e) => match &obs.userkey_page {
            Some(Ok(UserkeyLoginPage::Disabled { .. })) => Finding::blocked(CHECK, 12, 6),
            Some(Ok(UserkeyLoginPage::NotInstalled { .. })) => Finding::blocked(CHECK, 12, 3),
            _ => Finding::fail(CHECK, 12, "The admin is not an authorised user of the \"User key authentication web service\".")
                .evidence(format!("User key authentication is enabled, yet auth_userkey_request_login_url answers {}", describe(e)))
                .fix("In External services → \"User key authentication web service\" → Authorised users, add the site administrator."),
        },
        UserkeyState::FunctionMissing => Finding::blocked(CHECK, 12, 3),
        UserkeyState::Forbidden => Finding::blocked(CHECK, 12, ws_blocker(obs).unwrap_or(13)),
        _ if !obs.site_ok() => Finding::blocked(CHECK, 12, 0),
        _ => Finding::blocked(CHECK, 12, 15),
    }
}

fn sso(obs: &Observations) -> Finding {
    const CHECK: &str = "sso_round_trip";
    let follow = match (&obs.login_url, &obs.follow) {
        (Some(Ok(_)), Some(Ok(follow))) => follow,
        (Some(Ok(_)), Some(Err(e))) => {
            return Finding::fail(CHECK, 15, "Opening the one-time login URL failed.")
                .evidence(describe(e))
        }
        _ => {
            let by = match userkey_state(obs) {
                UserkeyState::FunctionMissing => 3,
                UserkeyState::Refused(_) => match &obs.userkey_page {
                    Some(Ok(UserkeyLoginPage::Disabled { .. })) => 6,
                    _ => 12,
                },
                UserkeyState::Reached => 7,
                UserkeyState::Forbidden => ws_blocker(obs).unwrap_or(13),
                _ if !obs.site_ok() => 0,
                _ => 15,
            };
            return Finding::blocked(CHECK, 15, by);
        }
    };
    judge_follow(obs, follow)
}

fn judge_follow(obs: &Observations, follow: &LoginFollow) -> Finding {
    const CHECK: &str = "sso_round_trip";
    let location = follow.location.clone().unwrap_or_default();
    let lands_on_site = !location.is_empty()
        && (same_site(&location, &obs.root.to_string())
            || location.starts_with(&obs.root.to_string()));
    let evidence = format!(
        "login.php?key=… answered HTTP {}{}{}",
        follow.status,
        if location.is_empty() {
            String::new()
        } else {
            format!(" to {location}")
        },
        if follow.sets_moodle_session {
            " with a MoodleSession cookie"
        } else {
            " without a session cookie"
        }
    );
    if (300..400).contains(&follow.status) && follow.sets_moodle_session && lands_on_site {
        return Finding::pass(
            CHECK,
            15,
            "Single sign-on works: a one-time login URL signs the admin in to Moodle.",
        )
        .evidence(evidence);
    }
    let fix = if follow
        .body_excerpt
        .to_ascii_lowercase()
        .contains("incorrect key")
        || follow
            .body_excerpt
            .to_ascii_lowercase()
            .contains("expired key")
    {
        "Moodle refused the fresh key. Check User key authentication's settings: \"User key life time\" (120), and \"IP restriction\" off or matching openSIS's server."
    } else {
        "Check User key authentication's \"Redirect after logout\"/\"URL of SSO host\" settings and any proxy in front of Moodle."
    };
    Finding::fail(
        CHECK,
        15,
        "Single sign-on does not complete: the one-time login URL does not sign in.",
    )
    .evidence(format!("{evidence}; {}", follow.body_excerpt))
    .fix(fix)
    .link(obs.root.endpoint(steps::USERKEY_SETTINGS).to_string())
}
