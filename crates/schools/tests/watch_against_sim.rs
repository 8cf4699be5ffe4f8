//! Watching a connection, driven with a controllable clock against the simulated Moodle (real
//! captured answers): a fault switched on between two checks is one "now failing" event
//! naming its step, switched off one "recovered" event; checks never overlap and a sleep
//! catches up once; the history keeps every check and no token; several schools are checked
//! at once, failing first.

use diagnosis::{diagnose, DiagnoseInput, DiagnoseOptions, Outcome};
use moodle_sim::MoodleSim;
use moodle_ws::{build_http_client, HttpConfig, WsToken};
use schools::district::{check_all, worst, School};
use schools::history::HistoryStore;
use schools::watch::{Snapshot, WatchEvent, Watcher};

fn input(sim: &MoodleSim) -> DiagnoseInput {
    DiagnoseInput {
        url: sim.url(),
        opensis_token: WsToken::new(&sim.opensis_token()),
        userkey_token: WsToken::new(&sim.userkey_token()),
        admin_email: Some(sim.admin_email()),
    }
}

/// One watch round at `now`: every due school is checked, its snapshot kept in the history.
async fn round(
    watcher: &mut Watcher,
    history: &HistoryStore,
    sim: &MoodleSim,
    now: u64,
) -> Vec<WatchEvent> {
    let http = build_http_client(&HttpConfig::default()).unwrap();
    let mut events = Vec::new();
    for id in watcher.due(now) {
        assert!(watcher.begin(&id, now));
        let report = diagnose(&http, &input(sim)).await.unwrap();
        let snapshot = Snapshot::of(&report, now);
        history.append(&id, snapshot.clone()).unwrap();
        events.extend(watcher.complete(&id, snapshot));
    }
    events
}

#[tokio::test]
async fn a_fault_between_two_checks_is_one_event_and_its_repair_another() {
    let sim = MoodleSim::start_good().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let history = HistoryStore::beside_profiles(dir.path());
    let mut watcher = Watcher::default();
    let interval = 1800;
    watcher.watch("lincoln", interval, &[]);
    let mut now = 1_800_000_000;

    // The first check is the baseline: nothing to compare with.
    assert!(round(&mut watcher, &history, &sim, now).await.is_empty());
    // Not due again before the interval.
    now += interval - 1;
    assert!(round(&mut watcher, &history, &sim, now).await.is_empty());
    assert_eq!(history.read("lincoln").unwrap().entries.len(), 1);

    sim.set_site("4.5", "rest_disabled").unwrap();
    now += 1;
    let events = round(&mut watcher, &history, &sim, now).await;
    assert_eq!(
        events,
        vec![WatchEvent::NowFailing {
            step: 13,
            title: "Enable the REST protocol".into()
        }]
    );
    // Still broken at the next check: no new event.
    now += interval;
    assert!(round(&mut watcher, &history, &sim, now).await.is_empty());

    sim.set_site("4.5", "good").unwrap();
    now += interval;
    let events = round(&mut watcher, &history, &sim, now).await;
    assert_eq!(
        events,
        vec![WatchEvent::Recovered {
            step: 13,
            title: "Enable the REST protocol".into()
        }]
    );

    // A laptop asleep for ten intervals checks once on waking, not ten times.
    now += 10 * interval + 5;
    assert_eq!(watcher.due(now), ["lincoln"]);
    round(&mut watcher, &history, &sim, now).await;
    assert!(watcher.due(now + 1).is_empty());

    // The history holds every check, oldest first, and no token.
    let kept = history.read("lincoln").unwrap().entries;
    assert_eq!(kept.len(), 5);
    assert_eq!(kept[2].failing, [13]);
    assert_eq!(kept[2].outcome, Outcome::Failed);
    let text = std::fs::read_to_string(history.dir().join("lincoln.json")).unwrap();
    for token in [sim.opensis_token(), sim.userkey_token()] {
        assert!(!text.contains(&token), "a token reached the history");
    }
}

#[tokio::test]
async fn a_check_still_running_is_not_started_again() {
    let sim = MoodleSim::start_good().await.unwrap();
    let mut watcher = Watcher::default();
    watcher.watch("lincoln", 60, &[]);
    assert!(watcher.begin("lincoln", 1000));
    // An hour later the first check still runs (a site that hangs): nothing new starts.
    assert!(watcher.due(4600).is_empty());
    assert!(!watcher.begin("lincoln", 4600));
    let http = build_http_client(&HttpConfig::default()).unwrap();
    let report = diagnose(&http, &input(&sim)).await.unwrap();
    watcher.complete("lincoln", Snapshot::of(&report, 1000));
    assert_eq!(watcher.due(4600), ["lincoln"]);
}

#[tokio::test]
async fn several_schools_at_once_failing_first() {
    let good = MoodleSim::start_good().await.unwrap();
    let broken = MoodleSim::start("5.0", "rest_disabled").await.unwrap();
    let schools = vec![
        School {
            id: "a".into(),
            name: "Adams Middle".into(),
            input: input(&good),
            simulated_site: false,
        },
        School {
            id: "b".into(),
            name: "Burr High".into(),
            input: input(&broken),
            simulated_site: false,
        },
        School {
            id: "c".into(),
            name: "Clay Elementary".into(),
            input: DiagnoseInput {
                url: String::new(),
                ..DiagnoseInput::default()
            },
            simulated_site: false,
        },
    ];
    let http = build_http_client(&HttpConfig::default()).unwrap();
    let seen = std::sync::Mutex::new(Vec::new());
    let checked = check_all(
        &http,
        schools,
        &DiagnoseOptions::default(),
        2,
        |done, total, c| {
            seen.lock().unwrap().push((done, total, c.id.clone()));
        },
    )
    .await;
    let order: Vec<&str> = checked.iter().map(|c| c.id.as_str()).collect();
    // The recorded site lacks openSIS-Web-Services, so "good" fails step 3: both fail, and
    // the school with no address could not be checked at all.
    assert_eq!(order, ["a", "b", "c"]);
    assert_eq!(checked[1].report.as_ref().unwrap().failing_steps(), [13]);
    assert!(checked[2].report.is_err());
    assert_eq!(worst(&checked), Outcome::Failed);
    let seen = seen.into_inner().unwrap();
    assert_eq!(seen.iter().map(|s| s.0).collect::<Vec<_>>(), [1, 2, 3]);
    assert!(seen.iter().all(|s| s.1 == 3));
}
