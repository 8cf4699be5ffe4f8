//! "Set it up for me" through Tauri's IPC on the mock runtime, against the admin runs recorded
//! on real lab sites of Moodle 4.1, 4.5 and 5.0 (crates/moodle-sim/admin-runs, replayed in
//! their order): the plan, the changes with their progress events, the tokens kept, the run
//! recorded, a second plan that is empty, and Put it back — in the order the command line's
//! recording made them. The mock runtime has no web view, so the sign-in window's part (the
//! admin signing in on Moodle's own page) is played by a password sign-in handed to the app's
//! state as the window hands it over; the E2E suite drives the real window.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ::secrets::{SecretKind, SecretStore, SessionStore};
use moodle_sim::admin_replay::{self, RecordedRun, RunReplay};
use schools::profile::ProfileStore;
use serde_json::{json, Value};
use setup_automation::{AdminSession, Password};
use sis_moodle_setup_app::admin::AdminHold;
use sis_moodle_setup_app::{build_app, AppState};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Listener, Manager, WebviewWindowBuilder};

/// The recording's stand-in for the lab admin's password.
const PASSWORD: &str = admin_replay::STAND_IN_PASSWORD;
const ADMIN_EMAIL: &str = "admin@school.example.org";

struct Harness {
    dir: tempfile::TempDir,
    secrets: Arc<SessionStore>,
    webview: tauri::WebviewWindow<tauri::test::MockRuntime>,
    app: tauri::App<tauri::test::MockRuntime>,
}

fn harness() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(SessionStore::default());
    let store: Arc<dyn SecretStore> = secrets.clone();
    let state = AppState::new(ProfileStore::new(dir.path()), Ok(store)).unwrap();
    let app = build_app(mock_builder(), state)
        .build(mock_context(noop_assets()))
        .unwrap();
    let webview = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    Harness {
        dir,
        secrets,
        webview,
        app,
    }
}

impl Harness {
    fn call(&self, cmd: &str, body: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(body),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(&self.webview, request).map(|b| b.deserialize::<Value>().unwrap())
    }

    fn ok(&self, cmd: &str, body: Value) -> Value {
        self.call(cmd, body)
            .unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }

    /// The lab's school: the replayed site's address, the admin's e-mail, and the auth_userkey
    /// ZIP among its plugin sources. Its id, and the profile as the UI holds it.
    fn lab_school(&self, url: &str) -> (String, Value) {
        let p = self.ok("create_profile", json!({"name": "Lab school"}));
        let id = p["id"].as_str().unwrap().to_owned();
        let zip = self
            .dir
            .path()
            .join("openSIS-Moodle-User-Authenticator.zip");
        userkey_zip(&zip);
        let mut profile = self.ok("get_profile", json!({"id": id}));
        profile["moodle_url"] = json!(url);
        profile["admin_email"] = json!(ADMIN_EMAIL);
        profile["plugin_sources"] = json!([zip]);
        self.ok("save_profile", json!({"profile": profile}));
        (id, profile)
    }

    /// What the sign-in window hands over once the admin signed in on Moodle's page.
    fn signed_in(&self, profile_id: &str, url: &str) {
        self.try_sign_in(profile_id, url)
            .unwrap_or_else(|e| panic!("sign-in refused: {e}"));
    }

    /// The sign-in on Moodle's page; a refusal (nothing is handed over) is returned.
    fn try_sign_in(&self, profile_id: &str, url: &str) -> Result<(), setup_automation::AdminError> {
        let root = moodle_ws::normalize_site_url(url).unwrap();
        let session = tauri::async_runtime::block_on(AdminSession::sign_in(
            AdminSession::http_client().unwrap(),
            root,
            "admin",
            &Password::new(PASSWORD),
        ))?;
        let state = self.app.state::<AppState>();
        tauri::async_runtime::block_on(state.admin.hold(AdminHold {
            profile_id: profile_id.into(),
            session,
            plan: None,
            userkey_zip: None,
        }));
        Ok(())
    }
}

fn runs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/moodle-sim/admin-runs")
}

/// A recorded run of a version, served in its order.
fn replayed(version: &str, run: &str) -> RunReplay {
    let path = runs_dir().join(version).join(run);
    tauri::async_runtime::block_on(RunReplay::start(RecordedRun::load(&path).unwrap())).unwrap()
}

fn recorded_versions() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(runs_dir())
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter(|e| e.path().join("configure.jsonl.xz").is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    // SIS_REPLAY_ONLY=4.5 replays one version (while another is being recorded again).
    if let Ok(only) = std::env::var("SIS_REPLAY_ONLY") {
        v.retain(|x| *x == only);
    }
    v.sort();
    v
}

/// The replays' stand-in auth_userkey ZIP, as the admin gives it on step 3's page.
fn userkey_zip(path: &Path) {
    std::fs::write(path, admin_replay::stand_in_userkey_zip()).unwrap();
}

/// Every exchange the app asked was in the recording (but the diagnosis's probe of an account
/// that does not exist: its user name is made up anew each time, in the address).
fn asked_only_what_was_recorded(replay: &RunReplay, version: &str) {
    let misses: Vec<String> = replay
        .misses()
        .into_iter()
        .filter(|m| !m.contains("wsusername=sis-moodle-setup-probe-"))
        .collect();
    assert_eq!(
        misses,
        Vec::<String>::new(),
        "{version}: requests the recording does not have"
    );
}

fn failing_steps(report: &Value) -> Vec<u64> {
    let mut steps: Vec<u64> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "fail")
        .map(|c| c["step"].as_u64().unwrap())
        .collect();
    steps.dedup();
    steps
}

#[test]
fn without_a_sign_in_nothing_is_planned_made_or_put_back() {
    let h = harness();
    let p = h.ok("create_profile", json!({"name": "Lincoln"}));
    let id = p["id"].as_str().unwrap();
    // No address yet: the sign-in asks for it first, and opens nothing.
    let err = h
        .call("setup_sign_in", json!({"profileId": id}))
        .unwrap_err();
    assert_eq!(err["code"], "invalid_input");
    assert!(err["message"]
        .as_str()
        .unwrap()
        .contains("no Moodle address"));
    for cmd in ["setup_plan", "setup_apply", "setup_undo"] {
        let err = h.call(cmd, json!({"profileId": id})).unwrap_err();
        assert_eq!(err["code"], "not_signed_in", "{cmd}");
    }
    assert_eq!(h.ok("setup_sign_out", json!({})), json!(false));
    h.ok("setup_cancel_sign_in", json!({}));
    let overview = h.ok("setup_overview", json!({"profileId": id}));
    assert_eq!(overview["site"], Value::Null);
    assert_eq!(overview["userkey_zip"], Value::Null);
    assert_eq!(overview["last_run"], Value::Null);
    assert_eq!(overview["signed_in"], false);
    assert_eq!(
        overview["tokens"],
        json!({"opensis": false, "userkey": false})
    );
    // The hidden replay is only there when the E2E names a recorded run.
    if std::env::var_os("SIS_MOODLE_SETUP_ADMIN_REPLAY").is_none() {
        let err = h.call("start_admin_replay", json!({})).unwrap_err();
        assert_eq!(err["code"], "invalid_input");
    }
}

#[test]
fn the_auth_userkey_zip_is_found_among_the_school_s_plugin_sources() {
    let h = harness();
    let p = h.ok("create_profile", json!({"name": "Lincoln"}));
    let id = p["id"].as_str().unwrap();
    let zip = h.dir.path().join("openSIS-Moodle-User-Authenticator.zip");
    userkey_zip(&zip);
    let other = h.dir.path().join("not-a-zip.zip");
    std::fs::write(&other, b"not a zip").unwrap();
    let mut profile = h.ok("get_profile", json!({"id": id}));
    profile["moodle_url"] = json!("moodle.school.org");
    profile["plugin_sources"] = json!([other, "https://example.org/never-fetched.zip", zip]);
    h.ok("save_profile", json!({"profile": profile}));
    let overview = h.ok("setup_overview", json!({"profileId": id}));
    assert_eq!(overview["site"], "https://moodle.school.org");
    assert_eq!(
        overview["userkey_zip"],
        "openSIS-Moodle-User-Authenticator.zip"
    );
}

#[test]
fn set_it_up_for_me_then_put_it_back_on_each_recorded_site() {
    let versions = recorded_versions();
    if versions.is_empty() {
        eprintln!("skipped: no recorded admin run in {}", runs_dir().display());
        return;
    }
    for version in versions {
        let replay = replayed(&version, "configure.jsonl.xz");
        let url = replay.url();
        let h = harness();
        let events: Arc<Mutex<Vec<Value>>> = Arc::default();
        let seen = events.clone();
        h.app.listen_any("setup-progress", move |e| {
            seen.lock()
                .unwrap()
                .push(serde_json::from_str(e.payload()).unwrap());
        });
        let (id, profile) = h.lab_school(&url);
        let overview = h.ok("setup_overview", json!({"profileId": id}));
        assert_eq!(
            overview["userkey_zip"], "openSIS-Moodle-User-Authenticator.zip",
            "{version}"
        );

        // 1. The fresh site: the plan, then every change of it, each with its proof.
        h.signed_in(&id, &url);
        let overview = h.ok("setup_overview", json!({"profileId": id}));
        assert_eq!(overview["signed_in"], true, "{version}");
        let plan = h.ok("setup_plan", json!({"profileId": id}));
        let changes = plan["changes"].as_array().unwrap();
        assert_eq!(changes.len(), 15, "{version}: {plan:#}");
        assert_eq!(changes[0]["step"], 3, "{version}: the plugin first");
        assert_eq!(
            plan["userkey_zip"], "openSIS-Moodle-User-Authenticator.zip",
            "{version}"
        );
        let rest = changes
            .iter()
            .find(|c| c["what"] == "REST protocol")
            .unwrap();
        assert_eq!(
            (&rest["before"], &rest["after"]),
            (&json!("off"), &json!("on"))
        );
        let run = h.ok("setup_apply", json!({"profileId": id}));
        assert_eq!(run["stopped"], Value::Null, "{version}: {run:#}");
        let made = run["made"].as_array().unwrap();
        assert_eq!(made.len(), 15, "{version}");
        assert!(made
            .iter()
            .all(|m| !m["proof"].as_str().unwrap().is_empty()));
        assert_eq!(
            run["tokens_kept"],
            json!(["opensis_token", "userkey_token"])
        );
        assert_eq!(run["not_on_site"].as_array().unwrap().len(), 6, "{version}");
        assert_eq!(run["profile"]["setup_runs"].as_array().unwrap().len(), 1);
        // Each change was announced as it started and as it was made, in order.
        {
            let events = events.lock().unwrap();
            let starts = events.iter().filter(|e| e["kind"] == "start").count();
            let mades: Vec<u64> = events
                .iter()
                .filter(|e| e["kind"] == "made")
                .map(|e| e["index"].as_u64().unwrap())
                .collect();
            assert_eq!(starts, 15, "{version}");
            assert_eq!(mades, (0..15).collect::<Vec<u64>>(), "{version}");
        }
        // The tokens are the school's (its secret store), never in the profile file.
        let tokens = h.ok("token_state", json!({"profileId": id}));
        assert_eq!(tokens["opensis"]["looks_valid"], true, "{version}");
        assert_eq!(tokens["userkey"]["looks_valid"], true, "{version}");
        assert!(tokens["opensis"]["saved_at"].is_number(), "{version}");
        let kept = h
            .secrets
            .get(&id, SecretKind::OpensisToken)
            .unwrap()
            .unwrap();
        let file = std::fs::read_to_string(h.dir.path().join("profiles.json")).unwrap();
        assert!(
            !file.contains(kept.expose()),
            "{version}: a token in the file"
        );
        assert!(
            !file.contains(PASSWORD),
            "{version}: the password in the file"
        );
        // The session was signed out: nothing more can be made through it.
        assert_eq!(
            h.call("setup_plan", json!({"profileId": id})).unwrap_err()["code"],
            "not_signed_in"
        );
        // The proof: the full diagnosis, with the tokens now kept.
        let report = h.ok("diagnose_profile", json!({"profileId": id}));
        assert_eq!(failing_steps(&report), vec![3], "{version}: {report:#}");
        // A copy of the school the UI held from before the run does not drop the run.
        h.ok("save_profile", json!({"profile": profile}));
        let overview = h.ok("setup_overview", json!({"profileId": id}));
        assert_eq!(
            overview["last_run"]["changes"].as_array().unwrap().len(),
            15,
            "{version}"
        );

        // 2. Again: every step the app can do is done; the admin closes, signed out.
        h.signed_in(&id, &url);
        let plan = h.ok("setup_plan", json!({"profileId": id}));
        assert_eq!(plan["changes"], json!([]), "{version}: {plan:#}");
        assert_eq!(h.ok("setup_sign_out", json!({})), json!(true));

        // 3. Put it back: newest first, the plugin left installed and named, the tokens gone.
        events.lock().unwrap().clear();
        h.signed_in(&id, &url);
        let undone = h.ok("setup_undo", json!({"profileId": id}));
        assert_eq!(undone["stopped"], Value::Null, "{version}: {undone:#}");
        let back = undone["put_back"].as_array().unwrap();
        assert_eq!(back.len(), 15, "{version}");
        assert_eq!(back[0]["what"], made[14]["what"], "{version}: newest first");
        let left: Vec<&Value> = back.iter().filter(|b| b["done"] == false).collect();
        assert_eq!(left.len(), 1, "{version}: {back:#?}");
        assert!(left[0]["note"]
            .as_str()
            .unwrap()
            .contains("auth_userkey stays installed"));
        assert_eq!(
            undone["tokens_removed"],
            json!(["userkey_token", "opensis_token"])
        );
        assert!(undone["profile"]["setup_runs"][0]["undone_at"].is_number());
        let tokens = h.ok("token_state", json!({"profileId": id}));
        assert_eq!(tokens["opensis"]["set"], false, "{version}");
        assert_eq!(tokens["userkey"]["set"], false, "{version}");
        let overview = h.ok("setup_overview", json!({"profileId": id}));
        assert_eq!(overview["last_run"], Value::Null, "{version}");
        {
            let events = events.lock().unwrap();
            assert_eq!(events.iter().filter(|e| e["kind"] == "undoing").count(), 15);
            assert_eq!(
                events.iter().filter(|e| e["kind"] == "put_back").count(),
                15
            );
        }
        assert_eq!(
            h.call("setup_undo", json!({"profileId": id})).unwrap_err()["code"],
            "not_signed_in"
        );

        asked_only_what_was_recorded(&replay, &version);
    }
}

/// `fix.faults.txt`: each fault of the recorded `doctor --fix` runs, in order.
fn recorded_faults(version: &str) -> Vec<String> {
    std::fs::read_to_string(runs_dir().join(version).join("fix.faults.txt"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once(": exit ").map(|(f, _)| f.trim().to_string()))
        .collect()
}

/// The tokens the school holds for a recorded fault: fault.php's non-admin account's for the
/// faults about the tokens' owner, else the lab admin's.
fn tokens_of(fault: &str) -> [&'static str; 2] {
    match fault {
        "token_owner_not_admin" | "token_owner_wsrole" | "site_policy_wsrole" => [
            admin_replay::STAND_IN_OTHER_OPENSIS_TOKEN,
            admin_replay::STAND_IN_OTHER_USERKEY_TOKEN,
        ],
        _ => [
            admin_replay::STAND_IN_OPENSIS_TOKEN,
            admin_replay::STAND_IN_USERKEY_TOKEN,
        ],
    }
}

/// "Fix it" on Diagnose, through the app's commands, on each fault the command line's
/// `doctor --fix` was recorded fixing (the same exchanges, in their order): the diagnosis, the
/// sign-in, the plan — with a new token for each token the diagnosis found refused, expired or
/// another account's — the changes and the proof. A fault the admin pages cannot fix offers no
/// Fix it; a sign-in Moodle refuses changes nothing.
#[test]
fn fix_it_on_diagnose_fixes_each_recorded_fault_and_remakes_refused_tokens() {
    let versions: Vec<String> = recorded_versions()
        .into_iter()
        .filter(|v| runs_dir().join(v).join("fix.jsonl.xz").is_file())
        .collect();
    if versions.is_empty() {
        eprintln!(
            "skipped: no recorded doctor --fix run in {}",
            runs_dir().display()
        );
        return;
    }
    for version in versions {
        let replay = replayed(&version, "fix.jsonl.xz");
        let url = replay.url();
        let h = harness();
        let (id, _) = h.lab_school(&url);
        let mut remade_tokens = 0;
        for fault in recorded_faults(&version) {
            let [opensis, userkey] = tokens_of(&fault);
            for (kind, value) in [
                (SecretKind::OpensisToken, opensis),
                (SecretKind::UserkeyToken, userkey),
            ] {
                h.secrets
                    .set(&id, kind, &::secrets::Secret::new(value))
                    .unwrap();
            }
            let report = h.ok("diagnose_profile", json!({"profileId": id}));
            let parsed: diagnosis::Report = serde_json::from_value(report.clone()).unwrap();
            if !diagnosis::fixable::unfixable(&parsed).is_empty() {
                // Diagnose offers no Fix it: nothing is signed in to or changed.
                assert!(
                    ["climaintenance", "reverseproxy"].contains(&fault.as_str()),
                    "{version} {fault}: {report:#}"
                );
                continue;
            }
            if h.try_sign_in(&id, &url).is_err() {
                assert!(
                    [
                        "userkey_uninstalled",
                        "admin_forcepasswordchange",
                        "admin_not_fully_setup"
                    ]
                    .contains(&fault.as_str()),
                    "{version} {fault}: sign-in refused"
                );
                continue;
            }
            let plan = h.ok("setup_plan", json!({"profileId": id}));
            let changes = plan["changes"].as_array().unwrap();
            let token_changes = changes
                .iter()
                .filter(|c| c["what"].as_str().unwrap().starts_with("token for"))
                .count();
            // A token the diagnosis found refused is made again, for the admin; a good one is kept.
            let expected_tokens = match fault.as_str() {
                "opensis_token_invalid" | "token_expired" => 1,
                "token_owner_not_admin" | "token_owner_wsrole" | "site_policy_wsrole" => 2,
                // auth_userkey uninstalled took its service, and the user-key token, with it.
                "userkey_uninstalled+upgraded" => 1,
                _ => 0,
            };
            assert_eq!(
                token_changes, expected_tokens,
                "{version} {fault}: {plan:#}"
            );
            remade_tokens += token_changes;
            if changes.is_empty() {
                assert_eq!(fault, "duplicate_admin_email", "{version}: {plan:#}");
                assert_eq!(h.ok("setup_sign_out", json!({})), json!(true));
                // Check again: what fails needs the admin.
                let report = h.ok("diagnose_profile", json!({"profileId": id}));
                assert!(failing_steps(&report).contains(&15), "{version} {fault}");
                continue;
            }
            let run = h.ok("setup_apply", json!({"profileId": id}));
            let report = h.ok("diagnose_profile", json!({"profileId": id}));
            if fault == "auth_config_override" {
                // config.php fixes the enabled plugins: not kept, said where to change it.
                assert!(
                    run["stopped"]["why"]
                        .as_str()
                        .unwrap()
                        .contains("config.php"),
                    "{version} {fault}: {run:#}"
                );
                assert_eq!(run["made"], json!([]), "{version} {fault}");
                continue;
            }
            assert_eq!(run["stopped"], Value::Null, "{version} {fault}: {run:#}");
            assert_eq!(
                run["tokens_kept"].as_array().unwrap().len(),
                expected_tokens,
                "{version} {fault}"
            );
            assert_eq!(
                failing_steps(&report),
                vec![3],
                "{version} {fault}: {report:#}"
            );
        }
        assert!(
            remade_tokens > 0,
            "{version}: no fault needed a token made again"
        );
        asked_only_what_was_recorded(&replay, &version);
        assert_eq!(
            replay.unused(),
            Vec::<u32>::new(),
            "{version}: recorded exchanges not asked"
        );
    }
}
