// Owns: `doctor --watch INTERVAL` — the schools checked again and again, with only the
// changes printed (a first line per school, then "now failing" and "recovered"), one line
// each, as text or JSON lines, until interrupted. Must not: judge or decide what changed
// (the schools crate's watch module does).

use std::time::Duration;

use diagnosis::clock::{now_secs, utc_date_time};
use diagnosis::Outcome;
use schools::district::{check_all, School};
use schools::watch::{Snapshot, WatchEvent, Watcher};

use crate::doctor_args::{options, DoctorArgs};
use crate::output::Format;

fn print_first(format: Format, at: u64, school: &School, snap: &Snapshot, every: u64) {
    match format {
        Format::Text => println!(
            "{}  {}  watching every {}: {}",
            utc_date_time(at),
            school.name,
            human(every),
            snap.headline
        ),
        Format::Json => println!(
            "{}",
            serde_json::json!({"at": at, "school": school.id, "name": school.name,
                "first": {"outcome": snap.outcome, "headline": snap.headline, "failing": snap.failing}})
        ),
    }
}

fn print_event(format: Format, at: u64, school: &School, event: &WatchEvent) {
    match format {
        Format::Text => println!("{}  {}  {}", utc_date_time(at), school.name, event.line()),
        Format::Json => println!(
            "{}",
            serde_json::json!({"at": at, "school": school.id, "name": school.name, "event": event})
        ),
    }
}

fn human(secs: u64) -> String {
    match secs {
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// Checks every school when it is due, prints what changed, sleeps until the next is due.
pub async fn run(
    args: &DoctorArgs,
    http: &reqwest::Client,
    schools: Vec<School>,
    interval: u64,
) -> u8 {
    let opts = options(args);
    let mut watcher = Watcher::default();
    for s in &schools {
        watcher.watch(&s.id, interval, &[]);
    }
    let mut last_outcome = Outcome::CouldNotTell;
    loop {
        let now = now_secs();
        let due = watcher.due(now);
        let batch: Vec<School> = schools
            .iter()
            .filter(|s| due.contains(&s.id) && watcher.begin(&s.id, now))
            .cloned()
            .collect();
        let checked = check_all(
            http,
            batch,
            &opts,
            usize::from(args.concurrency),
            |_, _, _| {},
        )
        .await;
        for c in &checked {
            let Some(school) = schools.iter().find(|s| s.id == c.id) else {
                continue;
            };
            match &c.report {
                Ok(report) => {
                    let snap = Snapshot::of(report, now);
                    let first = watcher.last(&c.id).is_none();
                    if first {
                        print_first(args.format, now, school, &snap, interval);
                    }
                    for event in watcher.complete(&c.id, snap) {
                        print_event(args.format, now, school, &event);
                    }
                }
                Err(e) => {
                    watcher.abandon(&c.id);
                    eprintln!("{}  {}  not checked: {e}", utc_date_time(now), school.name);
                }
            }
        }
        if !checked.is_empty() {
            last_outcome = schools::district::worst(&checked);
        }
        let wait = watcher
            .next_due()
            .map_or(interval, |due| due.saturating_sub(now_secs()))
            .max(1);
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(wait)) => {}
            _ = tokio::signal::ctrl_c() => return last_outcome.exit_code(),
        }
    }
}
