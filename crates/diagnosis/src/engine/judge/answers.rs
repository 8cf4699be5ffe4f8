// Owns: what the probes' answers say that several checks share — the state of each token, the
// step a check waits on, whether Moodle or the web server refused, and the site's branch. Must
// not: make a finding (the checks' modules do).

use moodle_ws::error::codes;
use moodle_ws::{ServiceGate, SiteInfo, UserkeyLoginPage, WsError};

use crate::engine::observations::Observations;
use crate::moodle_texts::Branch;

/// The site's branch, read from site info when a token could read it.
pub(crate) fn branch(obs: &Observations) -> Branch {
    match &obs.opensis_info {
        Some(Ok(info)) => Branch::from_site_info(&info.version, &info.release),
        _ => Branch::default(),
    }
}

/// What a server.php answer says about the web-service switches: 403 = off.
pub(crate) fn is_forbidden(e: &WsError) -> bool {
    matches!(
        e,
        WsError::Http {
            status: 403,
            web_server: None,
            ..
        }
    )
}

/// The web server answered with its own page (a deny rule, a firewall, PHP down): Moodle
/// never received the request.
pub(crate) fn by_web_server(e: &WsError) -> bool {
    matches!(
        e,
        WsError::Http {
            web_server: Some(_),
            ..
        }
    )
}

/// The step a call refused before Moodle waits on: the site (0) when the web server refused
/// any call itself (its finding is at step 0), else web services (11) or REST (13).
pub(crate) fn forbidden_blocker(obs: &Observations) -> u8 {
    if super::site_extra::web_server_refusals(obs).is_empty() {
        ws_blocker(obs).unwrap_or(13)
    } else {
        0
    }
}

/// The read of the admin's account (before single sign-on) was refused by the web server.
pub(crate) fn account_read_by_web_server(obs: &Observations) -> bool {
    [
        obs.sso.owner.as_ref(),
        obs.sso.before.as_ref(),
        obs.opensis_early_read.as_ref(),
    ]
    .into_iter()
    .flatten()
    .any(|r| matches!(r, Err(e) if by_web_server(e)))
}

/// simpleserver.php's answer while web services or REST are off: HTTP 200, empty body.
fn is_empty_answer(e: &WsError) -> bool {
    matches!(e, WsError::Protocol { reason, .. } if reason.contains("empty"))
}

fn errorcode_of<T>(r: Option<&Result<T, WsError>>) -> Option<&str> {
    match r {
        Some(Err(e)) => e.errorcode(),
        _ => None,
    }
}

/// Why Moodle refused a known opensis token, from where in its checks the refusal came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// After the function was looked up: the service is disabled, or "Authorised users only"
    /// is ticked without the admin.
    Service,
    /// The service lets the token in, but core_webservice_get_site_info is not in it.
    SiteInfoNotInService,
    /// The service's gate (webservice/pluginfile.php) lets the token in, but every call is
    /// refused: the service does not have its functions yet (step 14).
    NoFunctions,
    /// Before the function was looked up: the token's user (not a site administrator: no
    /// webservice/rest:use) or the token's IP restriction.
    Owner,
    /// Moodle said so (with debugging on): the token is limited to other IP addresses.
    IpRestricted,
}

/// The opensis token, as far as the probes could tell.
#[derive(Debug)]
pub(crate) enum OpensisState<'a> {
    NotGiven,
    Works(&'a SiteInfo),
    UnknownToken,
    Expired,
    /// Known to Moodle but refused; `certain` is false when the probes left a doubt.
    Refused {
        why: Refusal,
        certain: bool,
    },
    /// The user behind the token cannot use web services (suspended, no login, …).
    UserRefused(&'a WsError),
    /// The site is in maintenance and the token's user is not a site administrator.
    Maintenance,
    /// Web services or REST are off: every call answers 403.
    Forbidden,
    Error(&'a WsError),
}

pub(crate) fn opensis_state(obs: &Observations) -> OpensisState<'_> {
    let Some(info) = &obs.opensis_info else {
        return OpensisState::NotGiven;
    };
    let answers = [
        errorcode_of(Some(info)),
        errorcode_of(obs.opensis_info_retry.as_ref()),
        errorcode_of(obs.plugin_probe.as_ref()),
        errorcode_of(obs.opensis_early_read.as_ref()),
    ];
    let any = |code: &str| answers.contains(&Some(code));
    // Moodle refuses an expired token once and deletes it: every later call says unknown.
    if any(codes::ACCESS_EXCEPTION) && any(codes::INVALID_TOKEN) {
        return OpensisState::Expired;
    }
    let e = match info {
        Ok(info) => return OpensisState::Works(info),
        Err(e) => e,
    };
    if e.is_errorcode(codes::INVALID_TOKEN) {
        return OpensisState::UnknownToken;
    }
    if e.is_errorcode(codes::ACCESS_EXCEPTION) && token_ip_restricted(obs) {
        return OpensisState::Refused {
            why: Refusal::IpRestricted,
            certain: true,
        };
    }
    if e.is_errorcode(codes::ACCESS_EXCEPTION) {
        let userkey_reached = matches!(
            userkey_state(obs),
            UserkeyState::Reached | UserkeyState::NotAdmin
        );
        let gate = obs.service_gate.as_ref().and_then(ServiceGate::read);
        return match &obs.plugin_probe {
            Some(Err(p)) if p.is_missing_function() => match gate {
                Some(ServiceGate::Open { .. }) => OpensisState::Refused {
                    why: Refusal::NoFunctions,
                    certain: true,
                },
                _ => OpensisState::Refused {
                    why: Refusal::Service,
                    certain: true,
                },
            },
            Some(Err(p)) if p.is_errorcode(codes::INVALID_PARAMETER) => OpensisState::Refused {
                why: Refusal::SiteInfoNotInService,
                certain: true,
            },
            Some(Err(p)) if p.is_errorcode(codes::ACCESS_EXCEPTION) && !userkey_reached => {
                OpensisState::Refused {
                    why: Refusal::Owner,
                    certain: false,
                }
            }
            // The plugin's function exists and was refused too: the service lets the token
            // in, so the functions are missing (or the token's user may not use REST).
            Some(Err(p))
                if p.is_errorcode(codes::ACCESS_EXCEPTION)
                    && matches!(gate, Some(ServiceGate::Open { .. })) =>
            {
                OpensisState::Refused {
                    why: Refusal::NoFunctions,
                    certain: false,
                }
            }
            _ => OpensisState::Refused {
                why: Refusal::Service,
                certain: false,
            },
        };
    }
    if e.errorcode().is_some_and(|c| c.starts_with("wsaccessuser")) {
        return OpensisState::UserRefused(e);
    }
    if e.is_errorcode(codes::SITE_MAINTENANCE) {
        return OpensisState::Maintenance;
    }
    if is_forbidden(e) || by_web_server(e) {
        return OpensisState::Forbidden;
    }
    OpensisState::Error(e)
}

/// Moodle said (with debugging on) that the token is limited to other addresses: "Invalid
/// service - IP:… is not supported".
fn token_ip_restricted(obs: &Observations) -> bool {
    let says_ip = |e: Option<&WsError>| {
        matches!(e, Some(WsError::Moodle { debuginfo: Some(d), .. })
            if d.contains("IP:") && d.contains("not supported"))
    };
    [
        obs.opensis_info.as_ref().and_then(|r| r.as_ref().err()),
        obs.opensis_info_retry
            .as_ref()
            .and_then(|r| r.as_ref().err()),
        obs.plugin_probe.as_ref().and_then(|r| r.as_ref().err()),
    ]
    .into_iter()
    .any(says_ip)
}

/// The user-key token, as far as the probes could tell.
#[derive(Debug)]
pub(crate) enum UserkeyState<'a> {
    NotGiven,
    SameAsOpensis,
    UnknownToken,
    Expired,
    /// Moodle let the token reach auth_userkey_request_login_url.
    Reached,
    /// It reached the function, whose capability check refused the token's user: not a site
    /// administrator (auth/userkey:generatekey).
    NotAdmin,
    /// Refused with accessexception: the plugin is disabled, the admin is not authorised, or
    /// the token's user may not use REST.
    Refused(&'a WsError),
    /// The function does not exist: auth_userkey is not installed.
    FunctionMissing,
    /// The site is in maintenance and the token's user is not a site administrator.
    Maintenance,
    Forbidden,
    Error(&'a WsError),
}

pub(crate) fn userkey_state(obs: &Observations) -> UserkeyState<'_> {
    if obs.same_token_twice {
        return UserkeyState::SameAsOpensis;
    }
    let Some(probe) = &obs.userkey_probe else {
        return if obs.userkey_given {
            match &obs.userkey_info {
                Some(Err(e)) if e.is_errorcode(codes::INVALID_TOKEN) => UserkeyState::UnknownToken,
                Some(Err(e)) if is_forbidden(e) || by_web_server(e) => UserkeyState::Forbidden,
                Some(Err(e)) => UserkeyState::Error(e),
                _ => UserkeyState::NotGiven,
            }
        } else {
            UserkeyState::NotGiven
        };
    };
    let answers = [
        errorcode_of(obs.userkey_info.as_ref()),
        errorcode_of(Some(probe)),
        errorcode_of(obs.login_url()),
    ];
    let any = |code: &str| answers.contains(&Some(code));
    if any(codes::INVALID_TOKEN) {
        return if any(codes::ACCESS_EXCEPTION) {
            UserkeyState::Expired
        } else {
            UserkeyState::UnknownToken
        };
    }
    // A login URL for the admin, when asked, is the fuller answer.
    let answer = match obs.login_url() {
        Some(Ok(_)) => return UserkeyState::Reached,
        Some(login) => login,
        None => probe,
    };
    match answer {
        Ok(_) => UserkeyState::Reached,
        Err(e) if e.is_errorcode(codes::INVALID_PARAMETER) => UserkeyState::Reached,
        Err(e) if e.is_errorcode(codes::NO_PERMISSIONS) => UserkeyState::NotAdmin,
        Err(e) if e.is_errorcode(codes::ACCESS_EXCEPTION) => UserkeyState::Refused(e),
        Err(e) if e.is_missing_function() => UserkeyState::FunctionMissing,
        Err(e) if e.is_errorcode(codes::SITE_MAINTENANCE) => UserkeyState::Maintenance,
        Err(e) if is_forbidden(e) || by_web_server(e) => UserkeyState::Forbidden,
        Err(e) => UserkeyState::Error(e),
    }
}

/// Whether REST answers (step 13), from every web-service answer seen: `Some(false)` when
/// server.php said 403 or simpleserver.php answered empty while web services are on.
pub(crate) fn rest_answers(obs: &Observations) -> Option<bool> {
    let cfg = obs.config()?;
    if cfg.enablewebservices != 1 {
        return Some(false);
    }
    let seen: Vec<Result<(), &WsError>> = [
        unit(obs.opensis_info.as_ref()),
        unit(obs.userkey_info.as_ref()),
        unit(obs.userkey_probe.as_ref()),
        unit(obs.plugin_probe.as_ref()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let json = |r: &Result<(), &WsError>| matches!(r, Ok(()) | Err(WsError::Moodle { .. }));
    if seen.iter().any(json)
        || matches!(&obs.simpleserver, Some(Ok(_) | Err(WsError::Moodle { .. })))
    {
        return Some(true);
    }
    if seen.iter().any(|r| matches!(r, Err(e) if is_forbidden(e)))
        || matches!(&obs.simpleserver, Some(Err(e)) if is_empty_answer(e) || is_forbidden(e))
    {
        return Some(false);
    }
    None
}

fn unit<T>(r: Option<&Result<T, WsError>>) -> Option<Result<(), &WsError>> {
    r.map(|r| r.as_ref().map(|_| ()))
}

/// The step that blocks web-service checks, if any: 11 or 13 (None when Moodle did not answer).
pub(crate) fn ws_blocker(obs: &Observations) -> Option<u8> {
    let cfg = obs.config()?;
    if cfg.enablewebservices != 1 {
        return Some(11);
    }
    match rest_answers(obs) {
        Some(false) => Some(13),
        // The web server refused the calls itself, and none reached Moodle: step 0 first.
        None if !super::site_extra::web_server_refusals(obs).is_empty() => Some(0),
        _ => None,
    }
}

/// The step that must pass before a check needing a working opensis token can run.
pub(crate) fn opensis_blocker(obs: &Observations) -> u8 {
    if !obs.moodle_answers() {
        return 0;
    }
    if let Some(step) = ws_blocker(obs) {
        return step;
    }
    match opensis_state(obs) {
        OpensisState::Refused {
            why: Refusal::Service,
            ..
        } => 10,
        OpensisState::Refused {
            why: Refusal::SiteInfoNotInService | Refusal::NoFunctions,
            ..
        } => 14,
        _ => 15,
    }
}

/// The step that must pass before a check needing the user-key token to work can run.
pub(crate) fn userkey_blocker(obs: &Observations) -> u8 {
    if !obs.moodle_answers() {
        return 0;
    }
    if let Some(step) = ws_blocker(obs) {
        return step;
    }
    let page = obs.userkey_page.as_ref().and_then(|p| p.as_ref().ok());
    match userkey_state(obs) {
        UserkeyState::FunctionMissing => 3,
        _ if matches!(page, Some(UserkeyLoginPage::NotInstalled { .. })) => 3,
        UserkeyState::Refused(_) if matches!(page, Some(UserkeyLoginPage::Disabled { .. })) => 6,
        UserkeyState::Refused(_)
            if matches!(
                opensis_state(obs),
                OpensisState::Refused {
                    why: Refusal::Owner,
                    ..
                }
            ) =>
        {
            15
        }
        UserkeyState::Refused(_) => 12,
        UserkeyState::Forbidden => forbidden_blocker(obs),
        _ => 15,
    }
}
