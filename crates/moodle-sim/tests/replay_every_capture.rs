//! Every file of the capture set, replayed through the simulated Moodle: each captured
//! request, sent as recorded (placeholders filled with this simulation's tokens, keys and
//! sessions), gets the recorded answer — status, the headers that matter, body — and every
//! skip, side effect and short answer the files record holds in the simulation too.

use std::collections::BTreeMap;

use moodle_sim::{Capture, Catalog, MoodleSim, StateCaptures, VersionCaptures};

const PLACEHOLDERS: &[&str] = &["<key>", "<session>", "<sesskey>"];

/// Whether `actual` is `template` with each placeholder replaced by a run of letters and digits.
fn matches_template(template: &str, actual: &str) -> bool {
    let mut rest = actual;
    let mut tpl = template;
    loop {
        let next = PLACEHOLDERS
            .iter()
            .filter_map(|p| tpl.find(p).map(|i| (i, *p)))
            .min();
        let Some((i, placeholder)) = next else {
            return rest == tpl;
        };
        let Some(tail) = rest.strip_prefix(&tpl[..i]) else {
            return false;
        };
        let run = tail
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(tail.len());
        if run == 0 {
            return false;
        }
        rest = &tail[run..];
        tpl = &tpl[i + placeholder.len()..];
    }
}

fn port(url: &str) -> u16 {
    url.rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches('/')
        .parse()
        .unwrap()
}

fn relocate(text: &str, ports: &[(u16, u16)]) -> String {
    let mut out = text.to_owned();
    for (from, to) in ports {
        out = out
            .replace(&format!("127.0.0.1:{from}"), &format!("127.0.0.1:{to}"))
            .replace(&format!("127.0.0.1%3A{from}"), &format!("127.0.0.1%3A{to}"));
    }
    out
}

/// What the replay of one state has learnt so far: the last login key and session.
#[derive(Default)]
struct Walk {
    key: Option<String>,
    session: Option<String>,
}

fn fill(text: &str, sim: &MoodleSim, walk: &Walk) -> String {
    let (ws_a, ws_b) = sim.wsuser_tokens();
    let mut out = text
        .replace("<opensis-token>", &sim.opensis_token())
        .replace("<userkey-token>", &sim.userkey_token())
        .replace("<wsuser-opensis-token>", &ws_a)
        .replace("<wsuser-userkey-token>", &ws_b);
    if let Some(key) = &walk.key {
        out = out.replace("<key>", key);
    }
    if let Some(session) = &walk.session {
        out = out.replace("<session>", session);
    }
    out
}

fn cookie_names(values: Vec<String>) -> Vec<String> {
    let mut names: Vec<String> = values
        .iter()
        .filter_map(|v| v.split('=').next().map(|n| n.trim().to_owned()))
        .collect();
    names.sort();
    names
}

struct Counts {
    exchanges: usize,
    skips: usize,
    side_effects: usize,
    summaries: usize,
}

async fn replay_state(
    http: &reqwest::Client,
    version: &VersionCaptures,
    state: &StateCaptures,
    counts: &mut Counts,
) {
    let sim = MoodleSim::start(&version.id, &state.name).await.unwrap();
    let where_ = format!("{}/{}", version.id, state.name);
    let second = state.base != version.wwwroot;
    let target = if second {
        sim.second_url()
    } else {
        sim.wwwroot()
    };
    assert_eq!(
        sim.url(),
        target,
        "{where_}: the address the admin is given"
    );
    let ports = [
        (port(&version.wwwroot), port(&sim.wwwroot())),
        (port(&state.base), port(&target)),
    ];
    let mut walk = Walk::default();
    for capture in &state.captures {
        let Capture {
            probe,
            request,
            answer,
        } = capture;
        let url = format!(
            "{target}{}{}",
            request.path,
            if request.query.is_empty() {
                String::new()
            } else {
                format!("?{}", fill(&request.query, &sim, &walk))
            }
        );
        let method = reqwest::Method::from_bytes(request.method.as_bytes()).unwrap();
        let mut builder = http.request(method, &url);
        for name in ["content-type", "cookie"] {
            if let Some(v) = request.header(name) {
                builder = builder.header(name, fill(v, &sim, &walk));
            }
        }
        if !request.body.is_empty() {
            builder = builder.body(fill(&request.body, &sim, &walk));
        }
        let got = builder.send().await.unwrap();
        let status = got.status().as_u16();
        let header = |name: &str| {
            got.headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        let content_type = header("content-type");
        let location = header("location");
        let redirect_by = header("x-redirect-by");
        let cookies: Vec<String> = got
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        let body = got.text().await.unwrap();
        let at = format!("{where_}/{probe}");
        assert_eq!(status, answer.status, "{at}: status; body {body}");
        assert_eq!(
            content_type.map(|c| c.to_ascii_lowercase()),
            answer
                .header("content-type")
                .map(|c| c.to_ascii_lowercase()),
            "{at}: content type"
        );
        match (answer.header("location"), &location) {
            (None, None) => {}
            (Some(want), Some(got)) => assert!(
                matches_template(&relocate(want, &ports), got),
                "{at}: Location {got} for {want}"
            ),
            (want, got) => panic!("{at}: Location {got:?} for {want:?}"),
        }
        assert_eq!(
            redirect_by.as_deref(),
            answer.header("x-redirect-by"),
            "{at}: X-Redirect-By"
        );
        assert_eq!(
            cookie_names(cookies.clone()),
            cookie_names(
                answer
                    .headers_named("set-cookie")
                    .map(str::to_owned)
                    .collect()
            ),
            "{at}: cookies"
        );
        assert!(
            matches_template(&relocate(&answer.body, &ports), &body),
            "{at}: body differs\n--- captured\n{}\n--- served\n{body}",
            answer.body
        );
        // Learn what later probes send back: the login key, the session.
        if let Ok(json) = serde_json::from_str::<serde_json::Value>(&body) {
            if let Some(url) = json["loginurl"].as_str() {
                walk.key = url.split("key=").nth(1).map(str::to_owned);
            }
        }
        for c in &cookies {
            if let Some(v) = c.strip_prefix("MoodleSession=") {
                walk.session = v.split(';').next().map(str::to_owned);
            }
        }
        let short = &state.summary[probe];
        assert!(
            short.starts_with(&answer.status.to_string()),
            "{at}: summary.json says {short}"
        );
        counts.summaries += 1;
        counts.exchanges += 1;
    }
    for (probe, reason) in &state.skipped {
        // A login URL can be followed only once one was issued: none was in this state. In a
        // first set-up's state, a probe needing a token not made yet was not sent either.
        let token_not_made = state.journey.as_ref().is_some_and(|notes| {
            (reason.contains("no opensis token") && !notes.opensis_token)
                || (reason.contains("no userkey token") && !notes.userkey_token)
        });
        assert!(
            probe == "follow_login_url" || probe == "my_page" || token_not_made,
            "{where_}/{probe}: skipped ({reason})"
        );
        assert!(
            walk.key.is_none(),
            "{where_}: {probe} skipped yet a key was issued"
        );
        counts.skips += 1;
    }
    // The account after the login-URL probes, as the site's database showed it.
    if let Some(by_id) = state.capture("user_by_id_opensis") {
        let request = fill(&by_id.request.body, &sim, &walk);
        let again = http
            .post(format!(
                "{target}{}?{}",
                by_id.request.path, by_id.request.query
            ))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(request)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let users: Option<Vec<serde_json::Value>> = serde_json::from_str(&again).ok();
        if let (Some(users), Some(effect)) = (users, &state.side_effect) {
            let user = users
                .iter()
                .find(|u| u["username"] == effect.username.as_str())
                .unwrap_or_else(|| panic!("{where_}: {} not in {again}", effect.username));
            for (field, _, after) in &effect.fields {
                assert_eq!(
                    user[field].as_str(),
                    Some(after.as_str()),
                    "{where_}: {field}"
                );
            }
        } else if state.side_effect.is_none() {
            assert!(
                matches_template(&relocate(&by_id.answer.body, &ports), &again),
                "{where_}: the account changed without a recorded side effect"
            );
        } else {
            panic!("{where_}: a side effect is recorded but the account could not be read");
        }
        counts.side_effects += 1;
    }
    assert!(
        sim.not_captured().is_empty(),
        "{where_}: {:?}",
        sim.not_captured()
    );
}

#[tokio::test]
async fn every_capture_file_is_answered_as_recorded() {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let catalog = MoodleSim::catalog();
    let mut counts = Counts {
        exchanges: 0,
        skips: 0,
        side_effects: 0,
        summaries: 0,
    };
    let mut per_version = BTreeMap::new();
    for version in &catalog.versions {
        for state in &version.states {
            replay_state(&http, version, state, &mut counts).await;
        }
        per_version.insert(version.id.clone(), version.states.len());
    }
    let files = moodle_sim::catalog::file_count();
    println!(
        "replayed {} exchanges and {} recorded skips in {} states ({per_version:?}); \
         the account after the login-URL probes checked in {} states (side_effects.txt), \
         {} short answers of summary.json checked; {files} files in the capture set",
        counts.exchanges,
        counts.skips,
        per_version.values().sum::<usize>(),
        counts.side_effects,
        counts.summaries,
    );
    // Every probe file is an exchange or a recorded skip; the rest are the per-state
    // summary and side-effect files and the README/INDEX pages.
    let states: usize = per_version.values().sum();
    let indexes = catalog.versions.len() + 1;
    // A journey state also says what had been done on the site (state_notes.txt); where the
    // sync-shaped requests were sent, the database was counted around them
    // (sync_side_effects.txt).
    let per_state_notes: usize = catalog
        .versions
        .iter()
        .flat_map(|v| &v.states)
        .map(|s| usize::from(s.journey.is_some()) + usize::from(s.sync_created_nothing.is_some()))
        .sum();
    assert_eq!(
        files,
        counts.exchanges + counts.skips + 2 * states + per_state_notes + indexes,
        "every file is accounted for"
    );
    assert!(counts.exchanges > 1500);
}

/// Probes recorded after the shared captures were made, in some of their states.
const ADDED_PROBES: &[&str] = &[
    "pluginfile_opensis",
    "sync_names",
    "sync_course_html",
    "sync_batch",
];

/// The requests shaped like openSIS's sync (scripts/lab/capture_probes.py, the doctor's own
/// list) were sent wherever the opensis token worked and its service had their function; Moodle
/// refused each at its parameter check, and the site's users and courses were counted the same
/// before and after them.
#[test]
fn the_sync_shaped_requests_met_moodle_s_parameter_check_and_created_nothing() {
    let mut states = 0;
    for v in &MoodleSim::catalog().versions {
        for s in &v.states {
            let works = s
                .summary
                .get("site_info_opensis")
                .is_some_and(|a| a.starts_with("200 ok"));
            let sent: Vec<&str> = s
                .captures
                .iter()
                .map(|c| c.probe.as_str())
                .filter(|p| p.starts_with("sync_"))
                .collect();
            let at = format!("{}/{}", v.id, s.name);
            assert_eq!(works, !sent.is_empty(), "{at}: sent {sent:?}");
            if sent.is_empty() {
                assert_eq!(s.sync_created_nothing, None, "{at}");
                continue;
            }
            states += 1;
            // functions_missing takes core_user_create_users out: only the course is sent.
            let expected = if s.name == "functions_missing" { 1 } else { 3 };
            assert_eq!(sent.len(), expected, "{at}: {sent:?}");
            for probe in sent {
                assert_eq!(
                    s.summary.get(probe).map(String::as_str),
                    Some("200 `invalidparameter`"),
                    "{at}/{probe}"
                );
            }
            assert_eq!(s.sync_created_nothing, Some(true), "{at}");
        }
    }
    // good and the faults where the token works, the five journey states with a token, and
    // the debug states: in 4.1, 4.5, 4.5 with debugging, and 5.0.
    assert!(states >= 70, "{states}");
}

#[test]
fn the_compiled_in_captures_are_the_shared_ones_when_present() {
    let shared =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/moodle-captures");
    if !shared.is_dir() {
        return;
    }
    let theirs = Catalog::from_dir(&shared).unwrap();
    let ours = MoodleSim::catalog();
    // Ours hold every shared capture, and may add what was recorded since: the states of a
    // first set-up, and probes the shared states were not asked (each listed by name).
    let ids = |c: &Catalog| c.versions.iter().map(|v| v.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&theirs), ids(ours));
    for (a, b) in theirs.versions.iter().zip(&ours.versions) {
        for s in &a.states {
            let t = b
                .state(&s.name)
                .unwrap_or_else(|| panic!("{}/{} is missing", a.id, s.name));
            for capture in &s.captures {
                assert_eq!(
                    t.capture(&capture.probe),
                    Some(capture),
                    "{}/{}/{}",
                    a.id,
                    s.name,
                    capture.probe
                );
            }
            for extra in t.captures.iter().filter(|c| s.capture(&c.probe).is_none()) {
                assert!(
                    ADDED_PROBES.contains(&extra.probe.as_str()),
                    "{}/{}: {} is in neither set",
                    a.id,
                    s.name,
                    extra.probe
                );
            }
            assert_eq!(s.side_effect, t.side_effect, "{}/{}", a.id, s.name);
        }
        for t in b.states.iter().filter(|t| a.state(&t.name).is_none()) {
            assert!(t.journey.is_some(), "{}/{} is in neither set", b.id, t.name);
        }
    }
}

#[test]
fn templates_match_placeholder_runs_only() {
    assert!(matches_template("a=<key>&b", "a=0f3a&b"));
    assert!(!matches_template("a=<key>&b", "a=&b"));
    assert!(!matches_template("a=<key>&b", "a=0f3a&c"));
    assert!(matches_template("x", "x"));
}
