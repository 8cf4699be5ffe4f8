//! "Set it up for me": the plan made from the site as its admin pages show it, applied change by
//! change with each change read back from Moodle's page, recorded for "Put it back", and ended
//! with the full diagnosis. Owns: the order of a run, when it stops, and what it hands back
//! (records, tokens). Must not: sign in (the caller gives the session), keep a token anywhere
//! but the value it hands back, or go on after a change Moodle did not keep.

use moodle_admin::apply::{apply_change, ApplyInput};
use moodle_admin::plan::{self, Plan, PlannedChange, TokenFor, Wanted};
use moodle_admin::record::{now_secs, ChangeRecord, ChangeRun};
use moodle_admin::snapshot::{read_snapshot, SiteSnapshot};
use moodle_admin::undo::{undo_change, Restored};
use moodle_admin::{AdminError, AdminSession};
use moodle_ws::WsToken;

use crate::engine::sync_shapes::SYNC_REQUESTS_CHECK;
use crate::required_functions::required_functions;

/// What the set-up wants of this site, given what is at hand.
pub fn wanted(userkey_zip: bool, have_opensis_token: bool, have_userkey_token: bool) -> Wanted {
    Wanted {
        functions: required_functions()
            .into_iter()
            .map(str::to_string)
            .collect(),
        userkey_zip,
        have_opensis_token,
        have_userkey_token,
    }
}

/// Reads the site and plans: only GET requests.
pub async fn read_and_plan(
    session: &mut AdminSession,
    wanted: &Wanted,
) -> Result<(SiteSnapshot, Plan), AdminError> {
    let site = read_snapshot(session).await?;
    let plan = plan::plan(&site, wanted);
    Ok((site, plan))
}

/// Where a run stopped, and why.
#[derive(Debug, Clone)]
pub struct Stopped {
    pub step: u8,
    pub what: String,
    pub why: String,
}

/// What a run did.
#[derive(Debug, Default)]
pub struct RunOutcome {
    pub run: ChangeRun,
    pub stopped: Option<Stopped>,
    /// Functions the site does not have (step 3's openSIS-Web-Services plugin brings them).
    pub not_on_site: Vec<String>,
    pub opensis_token: Option<WsToken>,
    pub userkey_token: Option<WsToken>,
}

/// A change starting, made, or refused.
pub enum Event<'a> {
    Start {
        index: usize,
        total: usize,
        change: &'a PlannedChange,
    },
    Made {
        index: usize,
        record: &'a ChangeRecord,
    },
    Refused {
        index: usize,
        error: &'a AdminError,
    },
}

/// Applies the plan in its order; stops at the first change Moodle refuses or does not keep.
pub async fn apply_plan(
    session: &mut AdminSession,
    plan: &Plan,
    input: &ApplyInput,
    mut on_event: impl FnMut(Event<'_>),
) -> RunOutcome {
    let mut out = RunOutcome {
        run: ChangeRun {
            site: session.root().to_string(),
            started_at: now_secs(),
            changes: Vec::new(),
            undone_at: None,
        },
        ..RunOutcome::default()
    };
    let total = plan.changes.len();
    for (index, change) in plan.changes.iter().enumerate() {
        on_event(Event::Start {
            index,
            total,
            change,
        });
        match apply_change(session, change, input).await {
            Ok(applied) => {
                if let Some(record) = applied.record {
                    on_event(Event::Made {
                        index,
                        record: &record,
                    });
                    out.run.changes.push(record);
                }
                out.not_on_site.extend(applied.not_on_site);
                match applied.token {
                    Some((TokenFor::Opensis, t)) => out.opensis_token = Some(t),
                    Some((TokenFor::Userkey, t)) => out.userkey_token = Some(t),
                    None => {}
                }
            }
            Err(error) => {
                on_event(Event::Refused {
                    index,
                    error: &error,
                });
                out.stopped = Some(Stopped {
                    step: change.step,
                    what: change.what.clone(),
                    why: error.to_string(),
                });
                break;
            }
        }
    }
    out
}

/// What putting a run back did, change by change (newest first).
#[derive(Debug, Default)]
pub struct UndoOutcome {
    pub restored: Vec<(ChangeRecord, Restored)>,
    pub stopped: Option<Stopped>,
}

/// Puts a run's changes back, newest first; stops at the first that cannot be.
pub async fn undo_run(session: &mut AdminSession, run: &ChangeRun) -> UndoOutcome {
    let mut out = UndoOutcome::default();
    for change in run.changes.iter().rev() {
        match undo_change(session, change).await {
            Ok(r) => out.restored.push((change.clone(), r)),
            Err(e) => {
                out.stopped = Some(Stopped {
                    step: change.step,
                    what: change.what.clone(),
                    why: e.to_string(),
                });
                break;
            }
        }
    }
    out
}

/// Failing checks no change of Moodle's admin pages can fix, as their sentences: the site itself
/// (its address, a maintenance mode started on the server's command line, a setting forced in
/// config.php). Maintenance mode switched on in the admin pages is switched off there, so it is
/// not one of them; nor is a web server that refuses some of openSIS's sync (the admin pages
/// get through, the rest is fixed, and that finding stays for the admin). "Fix it" and
/// `doctor --fix` stop, changing nothing, when this is not empty.
pub fn unfixable(report: &crate::Report) -> Vec<String> {
    report
        .checks
        .iter()
        .filter(|f| f.status == crate::finding::Status::Fail && f.step == 0)
        .filter(|f| {
            !(f.check == "site_not_in_maintenance"
                && f.evidence.starts_with("maintenanceenabled = 1"))
                && f.check != SYNC_REQUESTS_CHECK
        })
        .map(|f| f.summary.clone())
        .collect()
}

/// Which of the tokens the doctor was given the set-up can keep, after its report: a token
/// Moodle refused (unknown, expired, IP-restricted) is not kept, and tokens of an account that is
/// not a site administrator are not the set-up's (both are made again, for the admin).
pub fn tokens_kept_after(report: &crate::Report, opensis: bool, userkey: bool) -> (bool, bool) {
    let failed = |checks: &[&str]| {
        report
            .checks
            .iter()
            .any(|f| f.status == crate::finding::Status::Fail && checks.contains(&f.check.as_str()))
    };
    // The user-key token waits on an opensis token Moodle refused before it looked up the
    // function (a user without webservice/rest:use): made again with it, for the admin.
    let userkey_waits_on_opensis = failed(&["opensis_token"])
        && report.checks.iter().any(|f| {
            f.check == "userkey_token"
                && f.status == crate::finding::Status::Blocked
                && f.blocked_by == Some(15)
        });
    let not_admins = failed(&["opensis_token_admin"]);
    (
        opensis
            && !not_admins
            && !failed(&[
                "opensis_token",
                "opensis_token_expired",
                "opensis_token_ip_restricted",
            ]),
        userkey
            && !not_admins
            && !userkey_waits_on_opensis
            && !failed(&["userkey_token", "userkey_token_expired"]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Finding;

    #[test]
    fn a_refused_token_or_one_of_another_account_is_made_again() {
        let report = |checks: Vec<Finding>| crate::Report::new(None, checks);
        let pass = Finding::pass("opensis_token", 15, "works");
        assert_eq!(
            tokens_kept_after(&report(vec![pass]), true, true),
            (true, true)
        );
        let unknown = Finding::fail(
            "opensis_token",
            15,
            "Moodle does not know the opensis token.",
        );
        assert_eq!(
            tokens_kept_after(&report(vec![unknown]), true, true),
            (false, true)
        );
        let expired = Finding::fail("userkey_token_expired", 15, "expired");
        assert_eq!(
            tokens_kept_after(&report(vec![expired]), true, true),
            (true, false)
        );
        let not_admin = Finding::fail("opensis_token_admin", 15, "not a site administrator");
        assert_eq!(
            tokens_kept_after(&report(vec![not_admin]), true, true),
            (false, false)
        );
        let refused = Finding::fail("opensis_token", 15, "refused before the function");
        let waits = Finding::blocked("userkey_token", 15, 15);
        assert_eq!(
            tokens_kept_after(&report(vec![refused.clone(), waits]), true, true),
            (false, false)
        );
        let known = Finding::pass("userkey_token", 15, "Moodle knows the user-key token.");
        assert_eq!(
            tokens_kept_after(&report(vec![refused, known]), true, true),
            (false, true)
        );
        assert_eq!(
            tokens_kept_after(&report(vec![]), false, true),
            (false, true)
        );
    }

    #[test]
    fn maintenance_set_in_the_admin_pages_is_fixable_the_site_itself_is_not() {
        let ui = Finding::fail("site_not_in_maintenance", 0, "in maintenance")
            .evidence("maintenanceenabled = 1".to_owned());
        let cli = Finding::fail("site_not_in_maintenance", 0, "started on the server")
            .evidence("HTTP 503".to_owned());
        let rest = Finding::fail("rest_protocol_enabled", 13, "REST is off");
        assert!(unfixable(&crate::Report::new(None, vec![ui, rest.clone()])).is_empty());
        assert_eq!(
            unfixable(&crate::Report::new(None, vec![cli, rest.clone()])),
            vec!["started on the server".to_string()]
        );
        // A firewall that refuses some of openSIS's sync leaves the admin pages alone.
        let waf = Finding::fail(SYNC_REQUESTS_CHECK, 0, "refuses course descriptions");
        assert!(unfixable(&crate::Report::new(None, vec![waf, rest])).is_empty());
    }
}
