// Owns: turning observations into findings — pure functions, no I/O — and the states of the
// two tokens that several checks share. Must not: probe, print, or hold a token.

mod config;
mod service;
mod site;
mod tokens;

use moodle_ws::error::codes;
use moodle_ws::{SiteInfo, WsError};

use super::observe::Observations;
use crate::finding::{Finding, Report, SiteFacts, Status};
use crate::steps;

pub(super) fn judge(obs: &Observations) -> Report {
    let mut checks = Vec::new();
    checks.extend(site::findings(obs));
    checks.extend(config::findings(obs));
    checks.extend(service::findings(obs));
    checks.extend(tokens::findings(obs));
    for f in &mut checks {
        if f.link.is_none() {
            f.link = Some(steps::step(f.step).and_then(|s| s.admin_path).map_or_else(
                || obs.root.to_string(),
                |p| obs.root.endpoint(p).to_string(),
            ));
        }
    }
    checks.sort_by_key(|f| f.step);
    Report {
        site: site_facts(obs),
        checks,
    }
}

fn site_facts(obs: &Observations) -> Option<SiteFacts> {
    let cfg = obs.public_config.as_ref().ok()?;
    let info = match &obs.opensis_info {
        Some(Ok(info)) => Some(info),
        _ => None,
    };
    Some(SiteFacts {
        sitename: info.map_or_else(|| cfg.sitename.clone(), |i| i.sitename.clone()),
        release: info.map(|i| i.release.clone()),
        version: info.map(|i| i.version.clone()),
        wwwroot: obs.root.to_string(),
    })
}

impl Finding {
    pub(crate) fn new(check: &str, step: u8, status: Status, summary: impl Into<String>) -> Self {
        Self {
            check: check.to_owned(),
            step,
            status,
            summary: summary.into(),
            evidence: String::new(),
            fix: String::new(),
            link: None,
        }
    }

    pub(crate) fn pass(check: &str, step: u8, summary: impl Into<String>) -> Self {
        Self::new(check, step, Status::Pass, summary)
    }

    pub(crate) fn warn(check: &str, step: u8, summary: impl Into<String>) -> Self {
        Self::new(check, step, Status::Warn, summary)
    }

    pub(crate) fn fail(check: &str, step: u8, summary: impl Into<String>) -> Self {
        Self::new(check, step, Status::Fail, summary)
    }

    /// Not judged because an earlier step failed first.
    pub(crate) fn blocked(check: &str, step: u8, by_step: u8) -> Self {
        let title = steps::step(by_step).map_or("", |s| s.title);
        Self::new(
            check,
            step,
            Status::Unknown,
            format!("Not checked: step {by_step} (\"{title}\") must pass first."),
        )
    }

    pub(crate) fn evidence(mut self, evidence: impl Into<String>) -> Self {
        self.evidence = evidence.into();
        self
    }

    pub(crate) fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = fix.into();
        self
    }

    pub(crate) fn link(mut self, link: impl Into<String>) -> Self {
        self.link = Some(link.into());
        self
    }
}

/// One line of evidence for an error, with no secret in it.
pub(crate) fn describe(e: &WsError) -> String {
    match e {
        WsError::Transport { kind, detail } => format!("connection failed ({kind:?}): {detail}"),
        WsError::Incomplete {
            status,
            kind,
            detail,
        } => format!("HTTP {status}, then the answer stopped ({kind:?}): {detail}"),
        WsError::Http {
            status,
            body_excerpt,
        } if body_excerpt.is_empty() => format!("HTTP {status} with an empty body"),
        WsError::Http {
            status,
            body_excerpt,
        } => format!("HTTP {status}: {body_excerpt}"),
        WsError::Redirect { status, location } => format!("HTTP {status} redirect to {location}"),
        WsError::Moodle {
            errorcode,
            message,
            debuginfo,
            ..
        } => match debuginfo {
            Some(d) => format!("Moodle error \"{errorcode}\": {message} ({d})"),
            None => format!("Moodle error \"{errorcode}\": {message}"),
        },
        WsError::Protocol {
            reason,
            body_excerpt,
        } => format!("{reason}: {body_excerpt}"),
        WsError::BodyTooLarge { limit } => format!("an answer larger than {limit} bytes"),
    }
}

/// What a server.php answer says about the web-service switches: 403 = off.
pub(crate) fn is_forbidden(e: &WsError) -> bool {
    matches!(e, WsError::Http { status: 403, .. })
}

/// The opensis token, as far as the probes could tell.
#[derive(Debug)]
pub(crate) enum OpensisState<'a> {
    NotGiven,
    Works(&'a SiteInfo),
    UnknownToken,
    Expired,
    /// Known to Moodle but refused: service disabled, "Authorised users only", or a service
    /// without core_webservice_get_site_info.
    Refused(&'a WsError),
    /// The user behind the token cannot use web services (suspended, no login, …).
    UserRefused(&'a WsError),
    /// Web services or REST are off: every call answers 403.
    Forbidden,
    Error(&'a WsError),
}

pub(crate) fn opensis_state(obs: &Observations) -> OpensisState<'_> {
    match &obs.opensis_info {
        None => OpensisState::NotGiven,
        Some(Ok(info)) => OpensisState::Works(info),
        Some(Err(e)) if e.is_errorcode(codes::INVALID_TOKEN) => OpensisState::UnknownToken,
        Some(Err(e)) if e.is_errorcode(codes::ACCESS_EXCEPTION) => match &obs.opensis_info_retry {
            Some(Err(retry)) if retry.is_errorcode(codes::INVALID_TOKEN) => OpensisState::Expired,
            _ => OpensisState::Refused(e),
        },
        Some(Err(e)) if e.errorcode().is_some_and(|c| c.starts_with("wsaccessuser")) => {
            OpensisState::UserRefused(e)
        }
        Some(Err(e)) if is_forbidden(e) => OpensisState::Forbidden,
        Some(Err(e)) => OpensisState::Error(e),
    }
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
    /// Refused with accessexception: the plugin is disabled or the admin is not authorised.
    Refused(&'a WsError),
    /// The function does not exist: auth_userkey is not installed.
    FunctionMissing,
    /// No admin e-mail was known, so the SSO call was not made.
    NoEmail,
    Forbidden,
    Error(&'a WsError),
}

pub(crate) fn userkey_state(obs: &Observations) -> UserkeyState<'_> {
    if obs.same_token_twice {
        return UserkeyState::SameAsOpensis;
    }
    if !obs.userkey_given {
        return UserkeyState::NotGiven;
    }
    let info_refused =
        matches!(&obs.userkey_info, Some(Err(e)) if e.is_errorcode(codes::ACCESS_EXCEPTION));
    match &obs.login_url {
        None => match &obs.userkey_info {
            Some(Err(e)) if e.is_errorcode(codes::INVALID_TOKEN) => UserkeyState::UnknownToken,
            Some(Err(e)) if is_forbidden(e) => UserkeyState::Forbidden,
            _ => UserkeyState::NoEmail,
        },
        Some(Ok(_)) => UserkeyState::Reached,
        Some(Err(e)) if e.is_errorcode(codes::INVALID_PARAMETER) => UserkeyState::Reached,
        Some(Err(e)) if e.is_errorcode(codes::INVALID_TOKEN) => {
            if info_refused {
                UserkeyState::Expired
            } else {
                UserkeyState::UnknownToken
            }
        }
        Some(Err(e)) if e.is_errorcode(codes::ACCESS_EXCEPTION) => UserkeyState::Refused(e),
        Some(Err(e)) if e.is_errorcode(codes::INVALID_RECORD) => UserkeyState::FunctionMissing,
        Some(Err(e)) if is_forbidden(e) => UserkeyState::Forbidden,
        Some(Err(e)) => UserkeyState::Error(e),
    }
}

/// Whether the web services answer at all (steps 11 and 13), from the simpleserver probe.
pub(crate) fn rest_answers(obs: &Observations) -> Option<bool> {
    let ws_on = obs.public_config.as_ref().ok()?.enablewebservices == 1;
    if !ws_on {
        return Some(false);
    }
    match obs.simpleserver.as_ref()? {
        Err(e) if is_forbidden(e) => Some(false),
        Ok(_) | Err(WsError::Moodle { .. }) => Some(true),
        Err(_) => None,
    }
}

/// The step that blocks web-service checks, if any: 0 (site), 11 or 13.
pub(crate) fn ws_blocker(obs: &Observations) -> Option<u8> {
    if !obs.site_ok() {
        return Some(0);
    }
    match obs.public_config.as_ref().map(|c| c.enablewebservices) {
        Ok(0) => return Some(11),
        Err(_) => return Some(0),
        _ => {}
    }
    match rest_answers(obs) {
        Some(true) => None,
        Some(false) => Some(13),
        // An odd simpleserver answer (a firewall rule, say) must not hide the token checks.
        None => None,
    }
}
