//! The commands through Tauri's IPC on the mock runtime: what the UI sends and receives,
//! errors as `{code, message}`, tokens kept out of files, demo mode end to end.

use ::secrets::{SecretStore, SessionStore};
use schools::profile::ProfileStore;
use serde_json::{json, Value};
use sis_moodle_setup_app::{build_app, AppState};
use std::sync::Arc;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindowBuilder;

struct Harness {
    _dir: tempfile::TempDir,
    dir_path: std::path::PathBuf,
    webview: tauri::WebviewWindow<tauri::test::MockRuntime>,
    _app: tauri::App<tauri::test::MockRuntime>,
}

fn harness(secrets: Result<Arc<dyn SecretStore>, String>) -> Harness {
    harness_with(secrets, |_| {})
}

/// A harness whose state is prepared first (e.g. a listener set).
fn harness_with(
    secrets: Result<Arc<dyn SecretStore>, String>,
    prepare: impl FnOnce(&AppState),
) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::new(ProfileStore::new(dir.path()), secrets).unwrap();
    prepare(&state);
    let app = build_app(mock_builder(), state)
        .build(mock_context(noop_assets()))
        .unwrap();
    let webview = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    Harness {
        dir_path: dir.path().to_owned(),
        _dir: dir,
        webview,
        _app: app,
    }
}

fn session() -> Result<Arc<dyn SecretStore>, String> {
    Ok(Arc::new(SessionStore::default()))
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
fn demo_mode_end_to_end() {
    let h = harness(session());
    let profile = h.ok("start_demo", json!({}));
    assert_eq!(profile["id"], "demo");
    let tokens = h.ok("token_state", json!({"profileId": "demo"}));
    assert_eq!(tokens["opensis"]["set"], true);
    assert_eq!(tokens["userkey"]["looks_valid"], true);
    assert_eq!(tokens["persistent"], false);

    // The recorded site lacks only the private openSIS-Web-Services plugin.
    let report = h.ok("diagnose_profile", json!({"profileId": "demo"}));
    assert_eq!(failing_steps(&report), vec![3]);
    assert_eq!(report["site"]["release"], "4.5.11+ (Build: 20260501)");
    assert_eq!(report["verdict"]["outcome"], "failed");

    // Without an e-mail, the check looks it up from the token's owner, and the profile keeps it
    // (shown and editable) so the next check starts single sign-on at once.
    let mut p = h.ok("get_profile", json!({"id": "demo"}));
    let typed = p["admin_email"].clone();
    assert!(typed.as_str().is_some_and(|e| e.contains('@')), "{typed}");
    p["admin_email"] = Value::Null;
    h.ok("save_profile", json!({"profile": p}));
    let report = h.ok("diagnose_profile", json!({"profileId": "demo"}));
    assert_eq!(failing_steps(&report), vec![3]);
    assert_eq!(report["site"]["looked_up_email"], typed);
    assert_eq!(
        h.ok("get_profile", json!({"id": "demo"}))["admin_email"],
        typed
    );
    let report = h.ok("diagnose_profile", json!({"profileId": "demo"}));
    assert_eq!(report["site"]["looked_up_email"], Value::Null);
    let timings = &report["timings"];
    assert!(timings["total_ms"].as_u64().unwrap() >= timings["site_ms"].as_u64().unwrap());

    // What the simulated sites saw and issued: login keys were issued, and no secret is in
    // any address they were asked for (a login key only in its own login link).
    let audit = h.ok("demo_audit", json!({}));
    let urls: Vec<&str> = audit["moodle_urls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap())
        .collect();
    assert!(urls.len() >= 8, "{urls:?}");
    let secrets = audit["secrets"].as_array().unwrap();
    let kind_count = |k: &str| secrets.iter().filter(|s| s["kind"] == k).count();
    assert!(kind_count("login key") >= 3, "{secrets:?}");
    assert_eq!(kind_count("openSIS password"), 1);
    assert_eq!(kind_count("openSIS passphrase"), 1);
    for s in secrets {
        let value = s["value"].as_str().unwrap();
        assert!(value.len() >= 8, "{s}");
        for url in &urls {
            if s["kind"] == "login key" && url.starts_with("/auth/userkey/login.php?key=") {
                continue;
            }
            assert!(!url.contains(value), "{} in {url}", s["kind"]);
        }
    }

    let site = h.ok("demo_site", json!({}));
    assert_eq!(
        (site["version"].as_str(), site["state"].as_str()),
        (Some("4.5"), Some("good"))
    );
    let versions: Vec<&str> = site["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    assert_eq!(versions, ["4.1", "4.5", "4.5-debug", "5.0"]);
    let site = h.ok(
        "set_demo_site",
        json!({"version": "5.0", "siteState": "rest_disabled", "front": null}),
    );
    assert_eq!(site["state"], "rest_disabled");
    let report = h.ok("diagnose_profile", json!({"profileId": "demo"}));
    assert_eq!(failing_steps(&report), vec![13]);
    assert_eq!(report["site"]["release"], serde_json::Value::Null);

    // A state captured at another address moves the demo profile there.
    let site = h.ok(
        "set_demo_site",
        json!({"version": "4.1", "siteState": "wwwroot_mismatch", "front": null}),
    );
    let profile = h.ok("list_profiles", json!({}))[0].clone();
    assert_eq!(profile["moodle_url"], site["url"]);
    let report = h.ok("diagnose_profile", json!({"profileId": "demo"}));
    assert_eq!(failing_steps(&report), vec![0, 3]);
    let err = h
        .call(
            "set_demo_site",
            json!({"version": "3.9", "siteState": "good", "front": null}),
        )
        .unwrap_err();
    assert_eq!(err["code"], "demo_start_failed");
    h.ok(
        "set_demo_site",
        json!({"version": "4.5", "siteState": "rest_disabled", "front": null}),
    );
    let report = h.ok("diagnose_profile", json!({"profileId": "demo"}));
    assert_eq!(failing_steps(&report), vec![13]);

    // The verdicts are remembered in the (in-memory) demo profile for the side rail.
    let listed = h.ok("list_profiles", json!({}));
    assert_eq!(listed[0]["id"], "demo");
    assert_eq!(listed[0]["progress"]["13"]["last_status"], "fail");

    let md = h.ok(
        "report_markdown",
        json!({"report": report, "title": "Demo", "generatedAt": "now"}),
    );
    assert!(md
        .as_str()
        .unwrap()
        .contains("* Result: 1 step needs you: 13 Enable the REST protocol."));
}

/// A first set-up in the demo: no token yet, so the checks that need one wait for the page
/// that asks for it, and nothing fails for a token not given yet.
#[test]
fn wizard_checks_wait_for_tokens_not_given_yet() {
    let h = harness(session());
    h.ok("start_demo", json!({"preloadTokens": false}));
    let tokens = h.ok("token_state", json!({"profileId": "demo"}));
    assert_eq!(tokens["opensis"]["set"], false);
    let report = h.ok(
        "diagnose_profile",
        json!({"profileId": "demo", "wizard": true}),
    );
    let status = |check: &str| {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["check"] == check)
            .map(|c| c["status"].as_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    assert_eq!(status("opensis_token"), "waiting");
    assert_eq!(status("userkey_token"), "waiting");
    // Never "all good" while tokens wait; the headline says what waits for which.
    assert_eq!(report["verdict"]["outcome"], "could_not_tell");
    let headline = report["verdict"]["headline"].as_str().unwrap();
    assert!(
        headline.starts_with("Nothing failed so far. Waiting for the opensis token"),
        "{headline}"
    );
    let mapping = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "userkey_mapping_email")
        .unwrap();
    assert_eq!(mapping["status"], "blocked");
    assert!(mapping["summary"]
        .as_str()
        .unwrap()
        .contains("user-key token"));
    // The token-less checks prove their steps at once; the simulated site is not a warning.
    assert_eq!(status("rest_protocol_enabled"), "pass");
    assert_eq!(status("userkey_enabled"), "pass");
    assert_eq!(status("site_public"), "pass");
    assert!(failing_steps(&report).iter().all(|s| *s != 15), "{report}");

    // The tokens as the demo hands them to the admin, pasted with a line break inside.
    let demo = h.ok("demo_tokens", json!({}));
    let opensis = demo["opensis"].as_str().unwrap();
    let pasted = format!("{} \n{}", &opensis[..16], &opensis[16..]);
    let state = h.ok(
        "set_token",
        json!({"profileId": "demo", "kind": "opensis_token", "value": pasted}),
    );
    assert_eq!(state["spaces_removed"], true);
    assert_eq!(state["opensis"]["looks_valid"], true);
    assert_eq!(state["opensis"]["last4"], json!(&opensis[28..]));
    assert!(state["opensis"]["saved_at"].as_u64().unwrap() > 1_700_000_000);
    // An empty paste changes nothing.
    let state = h.ok(
        "set_token",
        json!({"profileId": "demo", "kind": "opensis_token", "value": "  "}),
    );
    assert_eq!(state["opensis"]["set"], true);
    let report = h.ok(
        "diagnose_profile",
        json!({"profileId": "demo", "wizard": true}),
    );
    assert_eq!(
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["check"] == "opensis_service_exists")
            .unwrap()["status"],
        "pass"
    );
    // Without the wizard, a missing token is a failure, as the doctor says it.
    let report = h.ok("diagnose_profile", json!({"profileId": "demo"}));
    assert!(failing_steps(&report).contains(&15), "{report}");
}

#[test]
fn profiles_round_trip_and_errors_are_code_and_message() {
    let h = harness(session());
    let mut p = h.ok("create_profile", json!({"name": "Lincoln High"}));
    p["moodle_url"] = json!("https://moodle.lincoln.edu");
    p["current_step"] = json!(7);
    h.ok("save_profile", json!({"profile": p}));
    assert_eq!(h.ok("last_profile", json!({}))["current_step"], 7);
    let id = p["id"].as_str().unwrap().to_owned();
    h.ok("rename_profile", json!({"id": id, "name": "Lincoln HS"}));
    let copy = h.ok("duplicate_profile", json!({"id": id}));
    assert_eq!(copy["name"], "Lincoln HS (copy)");
    assert_eq!(
        h.ok("list_profiles", json!({})).as_array().unwrap().len(),
        2
    );
    h.ok("delete_profile", json!({"id": id}));
    assert_eq!(
        h.ok("list_profiles", json!({})).as_array().unwrap().len(),
        1
    );

    let err = h
        .call("rename_profile", json!({"id": "nope", "name": "x"}))
        .unwrap_err();
    assert_eq!(err["code"], "profile_not_found");
    assert!(err["message"].as_str().unwrap().contains("nope"));
    let err = h.call("create_profile", json!({"name": "  "})).unwrap_err();
    assert_eq!(err["code"], "profile_name_empty");
    let err = h
        .call("open_external", json!({"url": "file:///etc/passwd"}))
        .unwrap_err();
    assert_eq!(err["code"], "invalid_link");
    let err = h
        .call("diagnose_profile", json!({"profileId": id}))
        .unwrap_err();
    assert_eq!(err["code"], "profile_not_found");
    let preview = h.ok(
        "normalize_url",
        json!({"input": "moodle.lincoln.edu/login/index.php"}),
    );
    assert_eq!(preview["url"], "https://moodle.lincoln.edu");
    let preview = h.ok("normalize_url", json!({"input": ""}));
    assert!(preview["error"]
        .as_str()
        .unwrap()
        .starts_with("The Moodle address is empty"));
    let err = h.call("demo_site", json!({})).unwrap_err();
    assert_eq!(err["code"], "demo_not_running");
}

#[test]
fn tokens_are_stored_trimmed_and_never_written_to_the_profile_file() {
    let h = harness(session());
    let p = h.ok("create_profile", json!({"name": "Lincoln"}));
    let id = p["id"].as_str().unwrap();
    let token = "0123456789abcdef0123456789abcdef";
    let state = h.ok(
        "set_token",
        json!({"profileId": id, "kind": "opensis_token", "value": format!("  {token}\n")}),
    );
    assert_eq!(state["opensis"]["set"], true);
    assert_eq!(state["opensis"]["looks_valid"], true);
    assert_eq!(state["userkey"]["set"], false);
    assert_eq!(
        h.ok(
            "reveal_token",
            json!({"profileId": id, "kind": "opensis_token"})
        ),
        json!(token)
    );
    let state = h.ok(
        "set_token",
        json!({"profileId": id, "kind": "userkey_token", "value": "not-a-token"}),
    );
    assert_eq!(state["userkey"]["looks_valid"], false);
    for entry in std::fs::read_dir(&h.dir_path).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(!text.contains(token), "token written to a file");
    }
    let state = h.ok(
        "clear_token",
        json!({"profileId": id, "kind": "opensis_token"}),
    );
    assert_eq!(state["opensis"]["set"], false);
    let err = h
        .call(
            "reveal_token",
            json!({"profileId": id, "kind": "opensis_token"}),
        )
        .unwrap_err();
    assert_eq!(err["code"], "token_missing");
}

#[test]
fn without_a_keyring_nothing_is_stored_until_the_admin_chooses_session_only() {
    let h = harness(Err("no Secret Service".into()));
    let status = h.ok("keyring_status", json!({}));
    assert_eq!(status["available"], false);
    assert_eq!(status["problem"], "no Secret Service");
    let p = h.ok("create_profile", json!({"name": "Lincoln"}));
    let id = p["id"].as_str().unwrap();
    let err = h
        .call(
            "set_token",
            json!({"profileId": id, "kind": "opensis_token", "value": "abc"}),
        )
        .unwrap_err();
    assert_eq!(err["code"], "keyring_unavailable");
    let status = h.ok("use_session_secrets", json!({}));
    assert_eq!(status["session_only"], true);
    let state = h.ok(
        "set_token",
        json!({"profileId": id, "kind": "opensis_token", "value": "abc"}),
    );
    assert_eq!(state["persistent"], false);
}

#[test]
fn the_step_catalog_reaches_the_ui() {
    let h = harness(session());
    let steps = h.ok("step_catalog", json!({}));
    assert_eq!(steps.as_array().unwrap().len(), 16);
    assert_eq!(
        steps[13]["admin_path"],
        "admin/settings.php?section=webserviceprotocols"
    );
}

fn plugin_zip(path: &std::path::Path) {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts: zip::write::SimpleFileOptions = Default::default();
    for (name, body) in [
        ("userkey/version.php", "<?php\n$plugin->version = 2022081901;\n$plugin->requires = 2017051500;\n$plugin->component = 'auth_userkey';\n$plugin->maturity = MATURITY_STABLE;\n"),
        ("userkey/lang/en/auth_userkey.php", "<?php\n$string['pluginname'] = 'User key authentication';\n"),
        ("userkey/auth.php", "<?php\n"),
        ("userkey/login.php", "<?php\n"),
    ] {
        zip.start_file(name, opts).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
}

#[test]
fn plugin_files_are_checked_and_sources_remembered() {
    let h = harness(session());
    let p = h.ok("create_profile", json!({"name": "Lincoln"}));
    let id = p["id"].as_str().unwrap();
    let file = h.dir_path.join("openSIS-Moodle-User-Authenticator.zip");
    plugin_zip(&file);
    let missing = h.dir_path.join("nope.zip");
    let summary = h.ok(
        "fetch_plugins",
        json!({"profileId": id, "sources": [file, missing], "siteVersion": "2024100711.02"}),
    );
    let results = summary["results"].as_array().unwrap();
    assert_eq!(results[0]["verdict"]["component"], "auth_userkey");
    assert_eq!(results[0]["verdict"]["status"], "valid");
    assert_eq!(results[0]["verdict"]["expected"], "user_authenticator");
    assert_eq!(results[1]["error"]["code"], "file_unreadable");
    assert_eq!(summary["missing"], json!(["web_services"]));
    let profiles = h.ok("list_profiles", json!({}));
    assert_eq!(profiles[0]["plugin_sources"].as_array().unwrap().len(), 2);
}

#[test]
fn demo_sis_save_through_the_simulated_opensis_api() {
    let h = harness(session());
    h.ok("start_demo", json!({}));
    let form = h.ok("sis_form", json!({"profileId": "demo"}));
    assert_eq!(form["use_api"], true);
    let sis = h.ok("demo_sis", json!({}));
    assert_eq!(form["api_url"], sis["api_url"]);

    let err = h
        .call(
            "sis_save",
            json!({"profileId": "demo", "form": form, "password": "wrong", "passphrase": null, "remember": false}),
        )
        .unwrap_err();
    assert!(err["code"].as_str().unwrap().contains("password"), "{err}");

    let result = h.ok(
        "sis_save",
        json!({"profileId": "demo", "form": form, "password": sis["password"], "passphrase": null, "remember": true}),
    );
    assert_eq!(result["saved"], true);
    // The openSIS page is done, in the stored profile itself (the rail and Done read it).
    let stored = h.ok("get_profile", json!({"id": "demo"}));
    assert_eq!(stored["progress"]["16"]["last_status"], "pass");
    assert_eq!(result["release"], "4.5.11+ (Build: 20260501)");
    let text = result.to_string();
    for kind in ["opensis_token", "userkey_token"] {
        let token = h.ok("reveal_token", json!({"profileId": "demo", "kind": kind}));
        assert!(
            !text.contains(token.as_str().unwrap()),
            "a token in the save result"
        );
    }
    // Remembered: the next save needs no password.
    let form = h.ok("sis_form", json!({"profileId": "demo"}));
    assert_eq!(form["password_remembered"], true);
    let again = h.ok(
        "sis_save",
        json!({"profileId": "demo", "form": form, "password": null, "passphrase": null, "remember": false}),
    );
    assert_eq!(again["saved"], true);
}

/// Watching the demo school: a recorded fault switched on between two checks is one "now
/// failing" event naming its step, switched off one "recovered"; the history keeps each check
/// (and no token); the start screen's list and "Check all" say each school's last state.
#[test]
fn watching_a_school_tells_what_changed_and_keeps_its_history() {
    let heard: Arc<std::sync::Mutex<Vec<Value>>> = Arc::default();
    let sink = heard.clone();
    let h = harness_with(session(), |state| {
        state.set_listener(Arc::new(move |checked| {
            sink.lock()
                .unwrap()
                .push(serde_json::to_value(checked).unwrap());
        }));
    });
    h.ok("start_demo", json!({"preloadTokens": true}));
    let err = h
        .call("watch_now", json!({"profileId": "demo"}))
        .unwrap_err();
    assert_eq!(err["code"], "watch_busy", "not watched yet");
    let err = h
        .call(
            "set_watch",
            json!({"profileId": "demo", "enabled": true, "intervalMinutes": 1}),
        )
        .unwrap_err();
    assert_eq!(err["code"], "invalid_input");
    let profile = h.ok(
        "set_watch",
        json!({"profileId": "demo", "enabled": true, "intervalMinutes": 30}),
    );
    assert_eq!(
        profile["watch"],
        json!({"enabled": true, "interval_minutes": 30})
    );

    // The first check is the baseline; then REST goes off; then it comes back.
    let first = h.ok("watch_now", json!({"profileId": "demo"}));
    assert_eq!(first["events"], json!([]));
    let check_in = |site_state: &str| {
        h.ok(
            "set_demo_site",
            json!({"version": "4.5", "siteState": site_state, "front": null}),
        );
        h.ok("watch_now", json!({"profileId": "demo"}))["events"].clone()
    };
    assert_eq!(
        check_in("rest_disabled"),
        json!([{"kind": "now_failing", "step": 13, "title": "Enable the REST protocol"}])
    );
    assert_eq!(
        check_in("good"),
        json!([{"kind": "recovered", "step": 13, "title": "Enable the REST protocol"}])
    );
    // The listener (notifications, tray, window) heard each check.
    assert_eq!(heard.lock().unwrap().len(), 3);

    let history = h.ok("school_history", json!({"profileId": "demo"}));
    let entries = history["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(
        entries[1]["failing"],
        json!([13]),
        "newest first: the check with REST off"
    );
    let text = history.to_string();
    for kind in ["opensis_token", "userkey_token"] {
        let token = h.ok("reveal_token", json!({"profileId": "demo", "kind": kind}));
        assert!(
            !text.contains(token.as_str().unwrap()),
            "a token in the history"
        );
    }

    let summaries = h.ok("school_summaries", json!({}));
    assert_eq!(summaries[0]["id"], "demo");
    assert_eq!(summaries[0]["watching"], true);
    assert_eq!(summaries[0]["last"]["failing"], json!([3]));
    let all = h.ok("check_all_schools", json!({}));
    assert_eq!(all.as_array().unwrap().len(), 1);
    assert_eq!(all[0]["snapshot"]["failing"], json!([3]));
    assert_eq!(
        all[0]["events"],
        json!([]),
        "nothing changed since the last check"
    );
}

/// A damaged history file is set aside and said, and the history starts again.
#[test]
fn a_damaged_history_is_set_aside() {
    let h = harness(session());
    let p = h.ok("create_profile", json!({"name": "Lincoln"}));
    let id = p["id"].as_str().unwrap();
    let dir = h.dir_path.join("history");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{id}.json")), "{ hand-edited, oops").unwrap();
    let history = h.ok("school_history", json!({"profileId": id}));
    assert_eq!(history["entries"], json!([]));
    let aside = history["set_aside"].as_str().unwrap();
    assert_eq!(
        std::fs::read_to_string(aside).unwrap(),
        "{ hand-edited, oops"
    );
}
