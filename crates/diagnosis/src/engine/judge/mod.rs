// Owns: turning observations into findings — pure functions, no I/O: each module judges its
// checks, and this one puts them in step order with their links. Must not: probe, print, hold a
// token, or keep a helper its modules use (answers.rs, words.rs and new_finding.rs hold those).

mod answers;
mod config;
mod new_finding;
mod plugins_extra;
mod service;
mod site;
mod site_extra;
mod sso_extra;
mod sync_requests;
mod tokens;
mod words;

use crate::engine::observations::{EmailSource, Observations};
use crate::finding::{Finding, Report, SiteFacts, Status};
use crate::steps;

use answers::branch;
use new_finding::PendingToken;

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
            Some(EmailSource::LookedUp(e)) => Some(e.clone()),
            _ => None,
        },
    })
}
