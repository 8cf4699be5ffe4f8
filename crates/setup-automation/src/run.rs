//! "Set it up for me": the plan made from the site as its admin pages show it, applied change by
//! change with each change read back from Moodle's page, and recorded for "Put it back" (the
//! caller ends a run with the full diagnosis). Owns: the order of a run, when it stops, and what
//! it hands back (records, tokens). Must not: sign in (the caller gives the session), keep a
//! token anywhere but the value it hands back, or go on after a change Moodle did not keep.

use moodle_ws::WsToken;

use crate::apply::{apply_change, ApplyInput};
use crate::plan::{self, Plan, PlannedChange, TokenFor, Wanted};
use crate::record::{now_secs, ChangeRecord, ChangeRun};
use crate::snapshot::{read_snapshot, SiteSnapshot};
use crate::undo::{undo_change, Restored};
use crate::{AdminError, AdminSession};

/// What the set-up wants of this site, given what is at hand: the `opensis` service's functions
/// (the caller's list of openSIS's required functions), and which ZIP and tokens it already has.
pub fn wanted(
    functions: &[&str],
    userkey_zip: bool,
    have_opensis_token: bool,
    have_userkey_token: bool,
) -> Wanted {
    Wanted {
        functions: functions.iter().map(|f| f.to_string()).collect(),
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
