//! The `sis-moodle-setup` binary against the simulated Moodle: exit codes, output formats,
//! and tokens read from the environment only and never printed.

use std::process::{Command, Output};

use moodle_sim::{Fault, MoodleSim};

const BIN: &str = env!("CARGO_BIN_EXE_sis-moodle-setup");

async fn doctor(sim: &MoodleSim, extra: &[&str], opensis: &str, userkey: &str) -> Output {
    let mut args = vec!["doctor".to_owned(), "--url".to_owned(), sim.url()];
    args.extend(extra.iter().map(|s| s.to_string()));
    let (opensis, userkey) = (opensis.to_owned(), userkey.to_owned());
    tokio::task::spawn_blocking(move || {
        Command::new(BIN)
            .args(&args)
            .env("MOODLE_OPENSIS_TOKEN", format!("  {opensis}\n"))
            .env("MOODLE_USERKEY_TOKEN", userkey)
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

fn failing_steps(json: &serde_json::Value) -> Vec<u64> {
    let mut steps: Vec<u64> = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "fail")
        .map(|c| c["step"].as_u64().unwrap())
        .collect();
    steps.dedup();
    steps
}

#[tokio::test]
async fn healthy_site_exits_0_with_json_in_the_documented_shape() {
    let sim = MoodleSim::start([]).await.unwrap();
    let out = doctor(
        &sim,
        &["--format", "json"],
        &sim.opensis_token(),
        &sim.userkey_token(),
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let site = &json["site"];
    for key in ["sitename", "release", "version", "wwwroot"] {
        assert!(site[key].is_string(), "site.{key}");
    }
    for check in json["checks"].as_array().unwrap() {
        for key in [
            "check", "step", "status", "summary", "evidence", "fix", "link",
        ] {
            assert!(check.get(key).is_some(), "{key} missing in {check}");
        }
        assert_ne!(check["status"], "fail", "{check}");
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains(&sim.opensis_token()) && !stdout.contains(&sim.userkey_token()));
}

#[tokio::test]
async fn each_fault_exits_1_and_names_its_step() {
    for fault in Fault::ALL {
        if fault == Fault::WwwrootDiffers {
            continue; // a warning, not a failure
        }
        let sim = MoodleSim::start([fault]).await.unwrap();
        let out = doctor(
            &sim,
            &["--format", "json"],
            &sim.opensis_token(),
            &sim.userkey_token(),
        )
        .await;
        assert_eq!(out.status.code(), Some(1), "{fault:?}");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            failing_steps(&json),
            vec![u64::from(fault.step())],
            "{fault:?}: {json:#}"
        );
        for req in sim.requests() {
            assert!(
                !req.uri.contains(&sim.opensis_token()),
                "{fault:?}: token in a URL"
            );
            assert!(
                !req.uri.contains(&sim.userkey_token()),
                "{fault:?}: token in a URL"
            );
        }
    }
}

#[tokio::test]
async fn text_output_names_the_step_the_fix_and_the_link() {
    let sim = MoodleSim::start([Fault::WebServicesDisabled])
        .await
        .unwrap();
    let out = doctor(&sim, &[], &sim.opensis_token(), &sim.userkey_token()).await;
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Step 11  Enable web services\n  ✖ FAIL Web services are not enabled"),
        "{text}"
    );
    assert!(text.contains("php admin/cli/cfg.php --name=enablewebservices --set=1"));
    assert!(text.contains(&format!(
        "Open: {}/admin/settings.php?section=optionalsubsystems",
        sim.url()
    )));
    assert!(!text.contains('\u{1b}'));
}

#[tokio::test]
async fn swapped_tokens_fail_step_15() {
    let sim = MoodleSim::start([]).await.unwrap();
    let out = doctor(
        &sim,
        &["--format", "json"],
        &sim.userkey_token(),
        &sim.opensis_token(),
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(failing_steps(&json), vec![15]);
    let swapped = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "tokens_in_right_fields")
        .unwrap();
    assert_eq!(swapped["status"], "fail");
}

#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let out = Command::new(BIN)
        .args(["doctor", "--url", "ftp://moodle.school.org"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("must start with https://"));
    let out = Command::new(BIN)
        .args([
            "doctor",
            "--url",
            "https://m.org",
            "--admin-email",
            "nobody",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // There is no way to pass a token on the command line.
    let out = Command::new(BIN)
        .args(["doctor", "--url", "https://m.org", "--token", "abc"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(BIN).args(["doctor"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn demo_doctor_runs_against_the_built_in_simulated_moodle() {
    let out = Command::new(BIN)
        .args(["demo", "--doctor"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Single sign-on works"));
    let out = Command::new(BIN)
        .args(["demo", "--doctor", "--fault", "mapping-field-not-email"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = Command::new(BIN)
        .args(["demo", "--fault", "no-such-fault"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
