//! The doctor for the schools saved in the desktop app (`--profile`, `--all-profiles`), for
//! monitoring (`--nagios`) and watching (`--watch`), as a process against simulated Moodles:
//! text, JSON and exit codes with several schools, tokens from the keyring as the app stores
//! them, and only changes printed while watching.

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use moodle_sim::MoodleSim;
use schools::profile::{Profile, ProfileStore, CONFIG_DIR_VAR};
use secrets::{KeyringStore, Secret, SecretKind, SecretStore};

const BIN: &str = env!("CARGO_BIN_EXE_sis-moodle-setup");

/// Three schools in a config folder: two simulated Moodles (one with REST off) and one whose
/// address answers nothing. Their tokens go to the system keyring, as the app stores them.
struct District {
    dir: tempfile::TempDir,
    _sims: Vec<MoodleSim>,
    ids: Vec<String>,
}

impl District {
    async fn new() -> Option<Self> {
        if std::env::var_os("SIS_TEST_KEYRING").is_none() {
            eprintln!("skipped: needs a Secret Service (scripts/test.sh provides one)");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::new(dir.path());
        let keyring = KeyringStore::default();
        let good = MoodleSim::start_good().await.unwrap();
        let broken = MoodleSim::start("5.0", "rest_disabled").await.unwrap();
        let mut ids = Vec::new();
        for (name, sim) in [
            ("Adams Middle", Some(&good)),
            ("Burr High", Some(&broken)),
            ("Clay Elementary", None),
        ] {
            let mut p = Profile::new(name);
            match sim {
                Some(sim) => {
                    p.moodle_url = sim.url();
                    p.admin_email = Some(sim.admin_email());
                    keyring
                        .set(
                            &p.id,
                            SecretKind::OpensisToken,
                            &Secret::new(sim.opensis_token()),
                        )
                        .unwrap();
                    keyring
                        .set(
                            &p.id,
                            SecretKind::UserkeyToken,
                            &Secret::new(sim.userkey_token()),
                        )
                        .unwrap();
                }
                // A port nothing listens on.
                None => p.moodle_url = "http://127.0.0.1:9".into(),
            }
            store.upsert(&p).unwrap();
            ids.push(p.id);
        }
        Some(Self {
            dir,
            _sims: vec![good, broken],
            ids,
        })
    }

    async fn doctor(&self, args: &[&str]) -> Output {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let dir = self.dir.path().to_owned();
        tokio::task::spawn_blocking(move || {
            Command::new(BIN)
                .arg("doctor")
                .args(&args)
                .env(CONFIG_DIR_VAR, dir)
                .env("NO_COLOR", "1")
                .env_remove("MOODLE_OPENSIS_TOKEN")
                .env_remove("MOODLE_USERKEY_TOKEN")
                .output()
                .unwrap()
        })
        .await
        .unwrap()
    }
}

impl Drop for District {
    fn drop(&mut self) {
        let keyring = KeyringStore::default();
        for id in &self.ids {
            for kind in [SecretKind::OpensisToken, SecretKind::UserkeyToken] {
                let _ = keyring.delete(id, kind);
            }
        }
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn all_profiles_in_text_json_and_for_a_monitor() {
    let Some(d) = District::new().await else {
        return;
    };

    let out = d.doctor(&["--all-profiles"]).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&out);
    // A report per school, failing schools first, then one table of all of them.
    let table = text.split("School ").last().unwrap();
    let rows: Vec<&str> = table.lines().skip(1).collect();
    assert!(
        rows[0].starts_with("Adams Middle     needs you       3"),
        "{table}"
    );
    assert!(
        rows[1].starts_with("Burr High        needs you       13"),
        "{table}"
    );
    assert!(
        rows[2].starts_with("Clay Elementary  needs you       0"),
        "{table}"
    );
    assert!(text.contains("══ Burr High (http://127.0.0.1:"), "{text}");

    let out = d.doctor(&["--all-profiles", "--format", "json"]).await;
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["outcome"], "failed");
    let schools = json["schools"].as_array().unwrap();
    assert_eq!(schools.len(), 3);
    assert_eq!(schools[1]["name"], "Burr High");
    assert_eq!(schools[1]["report"]["verdict"]["outcome"], "failed");
    assert!(schools[1]["report"]["verdict"]["headline"]
        .as_str()
        .unwrap()
        .contains("13 Enable the REST protocol"));

    let out = d.doctor(&["--all-profiles", "--nagios"]).await;
    assert_eq!(out.status.code(), Some(2), "CRITICAL");
    let line = stdout(&out);
    assert_eq!(line.lines().count(), 1, "{line}");
    assert!(line.starts_with("MOODLE CRITICAL - 3 of 3 schools failing: Adams Middle (step 3); Burr High (step 13); Clay Elementary (step 0) | schools=3 critical=3"), "{line}");

    // No token reaches any output.
    for out in [
        stdout(&d.doctor(&["--all-profiles", "--format", "json"]).await),
        text,
    ] {
        assert!(!out.contains(&d._sims[0].opensis_token()));
        assert!(!out.contains(&d._sims[1].userkey_token()));
    }
}

#[tokio::test]
async fn one_profile_by_name_and_bad_names() {
    let Some(d) = District::new().await else {
        return;
    };
    let out = d.doctor(&["--profile", "burr high", "--nagios"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stdout(&out).starts_with(
            "MOODLE CRITICAL - 1 step needs you: 13 Enable the REST protocol. | failing_steps=1"
        ),
        "{}",
        stdout(&out)
    );
    let out = d
        .doctor(&["--profile", "Burr High", "--format", "json"])
        .await;
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["verdict"]["outcome"], "failed");

    let out = d.doctor(&["--profile", "Nowhere High"]).await;
    assert_eq!(out.status.code(), Some(2), "bad input");
    assert!(String::from_utf8_lossy(&out.stderr).contains("no school named \"Nowhere High\""));
    let out = d.doctor(&["--profile", "Nowhere High", "--nagios"]).await;
    assert_eq!(out.status.code(), Some(3), "UNKNOWN for a monitor");
    assert!(stdout(&out).starts_with("MOODLE UNKNOWN - no school named"));
}

// Several threads: the simulated Moodle answers while the test waits for lines.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_prints_only_the_changes() {
    let sim = MoodleSim::start_good().await.unwrap();
    let mut child = Command::new(BIN)
        .args([
            "doctor",
            "--url",
            &sim.url(),
            "--admin-email",
            &sim.admin_email(),
            "--watch",
            "1s",
        ])
        .env("MOODLE_OPENSIS_TOKEN", sim.opensis_token())
        .env("MOODLE_USERKEY_TOKEN", sim.userkey_token())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let out = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let next =
        |rx: &mpsc::Receiver<String>| rx.recv_timeout(Duration::from_secs(20)).expect("a line");
    let first = next(&rx);
    assert!(
        first.contains("watching every 1s: 1 step needs you: 3 Install the two openSIS plugins."),
        "{first}"
    );
    // Unchanged checks print nothing; a fault prints one line, its repair another.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(rx.try_recv().is_err(), "nothing changed, nothing printed");
    sim.set_site("4.5", "rest_disabled").unwrap();
    let failing = next(&rx);
    assert!(
        failing.ends_with("now failing: step 13 Enable the REST protocol"),
        "{failing}"
    );
    sim.set_site("4.5", "good").unwrap();
    let recovered = next(&rx);
    assert!(
        recovered.ends_with("recovered: step 13 Enable the REST protocol"),
        "{recovered}"
    );
    assert!(
        rx.recv_timeout(Duration::from_millis(2500)).is_err(),
        "step 3 failing again is not news"
    );
    child.kill().unwrap();
    let _ = child.wait();
}
