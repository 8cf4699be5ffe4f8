// Owns: watching connections — a report reduced to a snapshot (time, verdict, each step's
// state; never a token), the changes between two snapshots ("now failing", "recovered"), and
// the schedule of each watched school (never two checks at once, one catch-up after a sleep).
// Must not: probe, sleep or read the clock: callers pass the time, so tests control it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use diagnosis::finding::{Outcome, Report, Status};
use diagnosis::steps;

/// How a step stood in one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    Pass,
    Warn,
    Fail,
    /// Could not be told.
    Unknown,
    /// Not checked: it waited for an earlier step or a token.
    Waiting,
}

/// One check of a school, as the history keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Snapshot {
    /// When the check started (seconds since 1970).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub at: u64,
    pub outcome: Outcome,
    pub headline: String,
    /// The steps with a failed check, in order.
    pub failing: Vec<u8>,
    /// Each step's state; steps without a finding are left out.
    pub steps: BTreeMap<u8, StepState>,
}

impl Snapshot {
    pub fn of(report: &Report, at: u64) -> Self {
        let mut steps: BTreeMap<u8, StepState> = BTreeMap::new();
        for f in &report.checks {
            let state = match f.status {
                Status::Fail => StepState::Fail,
                Status::Unknown => StepState::Unknown,
                Status::Blocked | Status::Waiting | Status::Skipped => StepState::Waiting,
                Status::Warn => StepState::Warn,
                Status::Pass | Status::NotVisible => StepState::Pass,
            };
            let entry = steps.entry(f.step).or_insert(state);
            if rank(state) > rank(*entry) {
                *entry = state;
            }
        }
        Self {
            at,
            outcome: report.verdict.outcome,
            headline: report.verdict.headline.clone(),
            failing: report.failing_steps(),
            steps,
        }
    }
}

fn rank(s: StepState) -> u8 {
    match s {
        StepState::Pass => 0,
        StepState::Warn => 1,
        StepState::Waiting => 2,
        StepState::Unknown => 3,
        StepState::Fail => 4,
    }
}

/// A change worth telling the admin about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WatchEvent {
    /// A step that did not fail in the previous check fails now.
    NowFailing { step: u8, title: String },
    /// A step that failed in the previous check passes now.
    Recovered { step: u8, title: String },
}

impl WatchEvent {
    pub fn step(&self) -> u8 {
        match self {
            Self::NowFailing { step, .. } | Self::Recovered { step, .. } => *step,
        }
    }

    /// One line, e.g. "now failing: step 13 Enable the REST protocol".
    pub fn line(&self) -> String {
        match self {
            Self::NowFailing { step, title } => format!("now failing: step {step} {title}"),
            Self::Recovered { step, title } => format!("recovered: step {step} {title}"),
        }
    }
}

/// What each step was when it was last actually checked: a step that waited (behind another
/// failure or a token) keeps what it was before.
pub type KnownStates = BTreeMap<u8, StepState>;

/// Folds a check into what is known of each step.
pub fn learn(known: &mut KnownStates, snapshot: &Snapshot) {
    for (&step, &state) in &snapshot.steps {
        if state != StepState::Waiting {
            known.insert(step, state);
        }
    }
}

/// What changed from what was known to `after`. A step that waits now has not recovered; a
/// step that failed, then waited, then fails again did not "newly" fail.
pub fn changes(known: &KnownStates, after: &Snapshot) -> Vec<WatchEvent> {
    let title = |step: u8| steps::step(step).map_or("", |s| s.title).to_owned();
    let mut events = Vec::new();
    for (&step, &now) in &after.steps {
        let then = known.get(&step).copied();
        if now == StepState::Fail && then != Some(StepState::Fail) {
            events.push(WatchEvent::NowFailing {
                step,
                title: title(step),
            });
        }
        if then == Some(StepState::Fail) && matches!(now, StepState::Pass | StepState::Warn) {
            events.push(WatchEvent::Recovered {
                step,
                title: title(step),
            });
        }
    }
    events
}

/// When a school is checked next: every `interval` seconds, never while its previous check
/// runs, and once (not once per missed interval) after the computer slept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub interval: u64,
    last_start: Option<u64>,
    running: bool,
}

impl Schedule {
    pub fn new(interval: u64) -> Self {
        Self {
            interval: interval.max(1),
            last_start: None,
            running: false,
        }
    }

    /// Starts the count from an earlier check (e.g. the last one in the history).
    pub fn resume_from(mut self, last_start: Option<u64>) -> Self {
        self.last_start = last_start;
        self
    }

    pub fn is_due(&self, now: u64) -> bool {
        if self.running {
            return false;
        }
        match self.last_start {
            None => true,
            // A clock set back far must not stop the watch.
            Some(last) if now < last => last - now > self.interval,
            Some(last) => now - last >= self.interval,
        }
    }

    /// The next time it is due (for sleeping until then), or None while a check runs.
    pub fn next_due(&self) -> Option<u64> {
        if self.running {
            return None;
        }
        Some(self.last_start.map_or(0, |last| last + self.interval))
    }

    /// Marks a check as started; false (and nothing changes) when one is running already.
    pub fn begin(&mut self, now: u64) -> bool {
        if self.running {
            return false;
        }
        self.running = true;
        self.last_start = Some(now);
        true
    }

    pub fn end(&mut self) {
        self.running = false;
    }

    pub fn running(&self) -> bool {
        self.running
    }
}

struct Watched {
    schedule: Schedule,
    /// Nothing to compare with until a first check (or a history) exists.
    known: Option<KnownStates>,
    last: Option<Snapshot>,
}

impl Watched {
    /// What changed from what was known; then the check is known.
    fn take(&mut self, snapshot: Snapshot) -> Vec<WatchEvent> {
        let events = self
            .known
            .as_ref()
            .map(|known| changes(known, &snapshot))
            .unwrap_or_default();
        learn(self.known.get_or_insert_with(KnownStates::new), &snapshot);
        self.last = Some(snapshot);
        events
    }
}

/// The watched schools: each one's schedule, last check and what is known of its steps.
#[derive(Default)]
pub struct Watcher {
    schools: BTreeMap<String, Watched>,
}

impl Watcher {
    /// Watches a school every `interval` seconds, counting from the last check in its history
    /// (oldest first), which is also what later checks are compared with.
    pub fn watch(&mut self, id: &str, interval: u64, history: &[Snapshot]) {
        match self.schools.get_mut(id) {
            Some(w) => w.schedule.interval = interval.max(1),
            None => {
                let last = history.last().cloned();
                let known = last.as_ref().map(|_| {
                    let mut known = KnownStates::new();
                    for s in history {
                        learn(&mut known, s);
                    }
                    known
                });
                let schedule = Schedule::new(interval).resume_from(last.as_ref().map(|s| s.at));
                self.schools.insert(
                    id.to_owned(),
                    Watched {
                        schedule,
                        known,
                        last,
                    },
                );
            }
        }
    }

    pub fn unwatch(&mut self, id: &str) {
        self.schools.remove(id);
    }

    pub fn watched(&self) -> Vec<String> {
        self.schools.keys().cloned().collect()
    }

    pub fn is_watched(&self, id: &str) -> bool {
        self.schools.contains_key(id)
    }

    pub fn due(&self, now: u64) -> Vec<String> {
        self.schools
            .iter()
            .filter(|(_, w)| w.schedule.is_due(now))
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// The earliest time a school is due, if any is waiting.
    pub fn next_due(&self) -> Option<u64> {
        self.schools
            .values()
            .filter_map(|w| w.schedule.next_due())
            .min()
    }

    /// Starts a check of a school; false when it is not watched or its check still runs.
    pub fn begin(&mut self, id: &str, now: u64) -> bool {
        self.schools
            .get_mut(id)
            .is_some_and(|w| w.schedule.begin(now))
    }

    pub fn running(&self, id: &str) -> bool {
        self.schools.get(id).is_some_and(|w| w.schedule.running())
    }

    /// Ends a check with its snapshot and returns what changed since what was known.
    pub fn complete(&mut self, id: &str, snapshot: Snapshot) -> Vec<WatchEvent> {
        let Some(w) = self.schools.get_mut(id) else {
            return Vec::new();
        };
        w.schedule.end();
        w.take(snapshot)
    }

    /// A check made outside the schedule (the admin's own, or "Check all"): compared like a
    /// scheduled one, and it restarts the count unless a scheduled check is running.
    pub fn observe(&mut self, id: &str, snapshot: Snapshot) -> Vec<WatchEvent> {
        let Some(w) = self.schools.get_mut(id) else {
            return Vec::new();
        };
        if !w.schedule.running() {
            w.schedule.last_start = Some(snapshot.at);
        }
        w.take(snapshot)
    }

    /// Ends a check that produced no report (e.g. the address could not be read).
    pub fn abandon(&mut self, id: &str) {
        if let Some(w) = self.schools.get_mut(id) {
            w.schedule.end();
        }
    }

    pub fn last(&self, id: &str) -> Option<&Snapshot> {
        self.schools.get(id).and_then(|w| w.last.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(at: u64, steps: &[(u8, StepState)]) -> Snapshot {
        Snapshot {
            at,
            outcome: Outcome::Passed,
            headline: String::new(),
            failing: Vec::new(),
            steps: steps.iter().copied().collect(),
        }
    }

    #[test]
    fn a_step_that_fails_now_and_one_that_recovers_are_the_only_changes() {
        use StepState::*;
        let mut known = KnownStates::new();
        learn(
            &mut known,
            &snap(0, &[(3, Fail), (11, Pass), (13, Pass), (14, Pass)]),
        );
        let broken = snap(1, &[(3, Waiting), (11, Pass), (13, Fail), (14, Waiting)]);
        let events = changes(&known, &broken);
        assert_eq!(events.len(), 1);
        assert_eq!(
            events[0].line(),
            "now failing: step 13 Enable the REST protocol"
        );
        learn(&mut known, &broken);
        // Step 3 failed before REST broke, waited while it was off, and fails again: that is
        // not news.
        let fixed = snap(2, &[(3, Fail), (11, Pass), (13, Pass), (14, Pass)]);
        assert_eq!(
            changes(&known, &fixed),
            vec![WatchEvent::Recovered {
                step: 13,
                title: "Enable the REST protocol".into()
            }]
        );
        // Waiting behind another failure is not a recovery.
        let mut failed = KnownStates::new();
        learn(&mut failed, &snap(0, &[(14, Fail)]));
        assert!(changes(&failed, &snap(1, &[(14, Waiting)])).is_empty());
        assert!(changes(&known, &broken).is_empty());
    }

    #[test]
    fn a_check_never_overlaps_the_previous_one_and_a_sleep_catches_up_once() {
        let mut s = Schedule::new(1800);
        assert!(s.is_due(1000));
        assert!(s.begin(1000));
        assert!(!s.is_due(5000), "still running");
        assert!(!s.begin(5000));
        s.end();
        assert!(!s.is_due(2799));
        assert!(s.is_due(2800));
        // Asleep for ten intervals: one check on waking, then the normal interval again.
        assert!(s.begin(2800));
        s.end();
        let woke = 2800 + 10 * 1800 + 7;
        assert!(s.is_due(woke));
        assert!(s.begin(woke));
        s.end();
        assert!(!s.is_due(woke + 1));
        assert_eq!(s.next_due(), Some(woke + 1800));
        // A clock set far back does not stop the watch.
        assert!(s.is_due(10));
    }

    #[test]
    fn the_watcher_compares_with_the_last_check_and_resumes_from_the_history() {
        let mut w = Watcher::default();
        w.watch("a", 60, &[snap(100, &[(13, StepState::Pass)])]);
        assert!(
            w.due(150).is_empty(),
            "counted from the last check in the history"
        );
        assert_eq!(w.due(160), ["a"]);
        assert!(w.begin("a", 160));
        assert!(!w.begin("a", 161));
        let events = w.complete("a", snap(160, &[(13, StepState::Fail)]));
        assert_eq!(events.len(), 1);
        assert!(!w.begin("b", 160), "not watched");
        w.unwatch("a");
        assert!(w.due(10_000).is_empty());
    }
}
