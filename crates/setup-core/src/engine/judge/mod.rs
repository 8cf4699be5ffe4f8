// Owns: turning observations into findings — pure functions, no I/O — and the states of the
// two tokens that several checks share. Must not: probe, print, or hold a token.

mod config;
mod plugins_extra;
mod service;
mod site;
mod site_extra;
mod sso_extra;
mod sync_requests;
mod tokens;

use moodle_ws::error::{codes, ERRORCODE_CHARS, MESSAGE_CHARS};
use moodle_ws::text::shorten;
use moodle_ws::{ServiceGate, SiteInfo, UserkeyLoginPage, WsError};

use super::observe::Observations;
use crate::finding::{Finding, Report, SiteFacts, Status};
use crate::moodle_texts::Branch;
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
    if obs.tokens_pending {
        name_the_token_they_wait_for(obs, &mut checks);
    }
    checks.sort_by_key(|f| f.step);
    let mut report = Report::new(site_facts(obs), checks).checked_from(obs.checked_from.clone());
    report.timings = Some(obs.timings);
    report
}

/// A token the wizard has not asked for yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PendingToken {
    Opensis,
    Userkey,
}

impl PendingToken {
    fn words(self) -> &'static str {
        match self {
            Self::Opensis => "the opensis token (the wizard asks for it right after step 14).",
            Self::Userkey => "the user-key token (the wizard asks for it right after step 12).",
        }
    }
}

/// The checks that need the user-key token (the rest of those behind step 15 need the
/// opensis token).
const NEED_USERKEY_TOKEN: &[&str] = &[
    "userkey_mapping_email",
    "userkey_ip_restriction_off",
    "userkey_update_user_off",
    "admin_authorised_userkey_service",
    "tokens_in_right_fields",
    "sso_round_trip",
    "admin_email_valid",
    "admin_email_account",
    "admin_email_unique",
    "sso_lands_on_dashboard",
    "sso_login_url_address",
];

/// In the wizard, a check behind step 15 because a token was not given yet says which one.
fn name_the_token_they_wait_for(obs: &Observations, checks: &mut [Finding]) {
    for f in checks
        .iter_mut()
        .filter(|f| f.status == Status::Blocked && f.blocked_by == Some(15))
    {
        let wants_userkey = NEED_USERKEY_TOKEN.contains(&f.check.as_str());
        let token = match (wants_userkey, obs.opensis_given, obs.userkey_given) {
            (true, _, false) => PendingToken::Userkey,
            (_, false, _) => PendingToken::Opensis,
            (false, true, false) => PendingToken::Userkey,
            _ => continue,
        };
        f.summary = format!("Not checked yet: it waits for {}", token.words());
    }
}

/// The site's branch, read from site info when a token could read it.
pub(crate) fn branch(obs: &Observations) -> Branch {
    match &obs.opensis_info {
        Some(Ok(info)) => Branch::from_site_info(&info.version, &info.release),
        _ => Branch::default(),
    }
}

fn site_facts(obs: &Observations) -> Option<SiteFacts> {
    let cfg = obs.config()?;
    let info = match &obs.opensis_info {
        Some(Ok(info)) => Some(info),
        _ => None,
    };
    Some(SiteFacts {
        sitename: info.map_or_else(|| cfg.sitename.clone(), |i| i.sitename.clone()),
        release: info.map(|i| i.release.clone()),
        version: info.map(|i| i.version.clone()),
        branch: branch(obs).name(),
        wwwroot: obs.root.to_string(),
        functions: info
            .map(|i| i.functions.iter().map(|f| f.name.clone()).collect())
            .unwrap_or_default(),
        looked_up_email: match &obs.admin_email {
            Some(super::observe::EmailSource::LookedUp(e)) => Some(e.clone()),
            _ => None,
        },
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
            blocked_by: None,
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

    /// The check ran, but its answer could not be judged.
    pub(crate) fn unknown(check: &str, step: u8, summary: impl Into<String>) -> Self {
        Self::new(check, step, Status::Unknown, summary)
    }

    /// Nobody can see this from outside Moodle.
    pub(crate) fn not_visible(check: &str, step: u8, summary: impl Into<String>) -> Self {
        Self::new(check, step, Status::NotVisible, summary)
    }

    /// A token the wizard asks for at a later page, not given yet.
    pub(crate) fn waiting_for_token(check: &str, token: PendingToken) -> Self {
        Self::new(
            check,
            15,
            Status::Waiting,
            format!("Waiting for {}", token.words()),
        )
    }

    /// Not checked because the admin asked to skip the probes with side effects.
    pub(crate) fn skipped(check: &str, step: u8) -> Self {
        Self::new(
            check,
            step,
            Status::Skipped,
            "Not checked: the single sign-on probes were skipped on request (--no-sso).",
        )
    }

    /// Not judged because an earlier step failed first.
    pub(crate) fn blocked(check: &str, step: u8, by_step: u8) -> Self {
        let title = steps::step(by_step).map_or("", |s| s.title);
        let mut f = Self::new(
            check,
            step,
            Status::Blocked,
            format!("Not checked: step {by_step} (\"{title}\") must pass first."),
        );
        f.blocked_by = Some(by_step);
        f
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
            title: Some(title),
            ..
        } => format!("HTTP {status}, a page titled \"{title}\""),
        WsError::Http {
            status,
            body_excerpt,
            ..
        } if body_excerpt.is_empty() => format!("HTTP {status} with an empty body"),
        WsError::Http {
            status,
            body_excerpt,
            ..
        } => format!("HTTP {status}: {body_excerpt}"),
        WsError::Redirect {
            status,
            location,
            by_moodle,
        } => format!(
            "HTTP {status} redirect{} to {}",
            if *by_moodle { " by Moodle" } else { "" },
            moodle_ws::error::shown_location(location)
        ),
        WsError::Moodle {
            errorcode,
            message,
            debuginfo,
            ..
        } => {
            let (code, said) = (
                shorten(errorcode, ERRORCODE_CHARS),
                shorten(message, MESSAGE_CHARS),
            );
            match debuginfo {
                Some(d) => format!(
                    "Moodle error \"{code}\": {said} ({})",
                    shorten(d, DEBUGINFO_CHARS)
                ),
                None => format!("Moodle error \"{code}\": {said}"),
            }
        }
        WsError::Protocol {
            reason,
            body_excerpt,
        } => format!("{}: {body_excerpt}", shorten(reason, MESSAGE_CHARS)),
        WsError::BodyTooLarge { limit } => format!("an answer larger than {limit} bytes"),
    }
}

/// Longest debugging information said in evidence (with Moodle's debugging on it can hold a
/// whole backtrace).
const DEBUGINFO_CHARS: usize = 600;

/// An address without its query string (a redirect's may carry a key or a user name).
pub(crate) fn without_query(location: &str) -> String {
    location.split('?').next().unwrap_or_default().to_owned()
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
    if site_extra::web_server_refusals(obs).is_empty() {
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
        None if !site_extra::web_server_refusals(obs).is_empty() => Some(0),
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

/// Words shared by the token checks about a refusal that comes before Moodle looks at the
/// function: the possible causes, in the order Moodle checks them, and how to tell each.
pub(crate) mod config_words {
    use super::describe;
    use crate::engine::observe::{Observations, PLUGIN_PROBE_FUNCTION};

    pub(crate) const TOKEN_OWNER_CAUSES: &str = "Check, in this order: (1) in Site administration → Server → Web services → Manage tokens, the token's user is a site administrator (Site administration → Users → Permissions → Site administrators) — a user without the capability webservice/rest:use is refused this way; (2) its \"IP restriction\" is empty or lists openSIS's server; (3) the opensis service is enabled and not \"Authorised users only\". Then create the token for a site administrator:";

    pub(crate) fn refused_before_function(obs: &Observations) -> String {
        let probe = obs
            .plugin_probe
            .as_ref()
            .and_then(|r| r.as_ref().err())
            .map(describe)
            .unwrap_or_default();
        let userkey = obs
            .userkey_probe
            .as_ref()
            .and_then(|r| r.as_ref().err())
            .map(describe)
            .unwrap_or_default();
        format!(
            "core_webservice_get_site_info: accessexception, twice (so the token has not expired); {PLUGIN_PROBE_FUNCTION}, a function that does not exist on this site or is not in the service: {probe} — Moodle refused before it looked the function up; the user-key token: {userkey}"
        )
    }
}
