//! `configure` and `doctor --fix` replayed from runs recorded on real lab sites of Moodle 4.1,
//! 4.5 and 5.0 (scripts/lab/record-configure.sh): every exchange in the recorded order, the
//! secrets replaced by stand-ins. The CLI runs its real code path against the replay; a request
//! the recording does not have fails the test, and so does a recorded one never asked.
//! The tokens go to the system keyring: these tests run where one is (SIS_TEST_KEYRING=1, as
//! scripts/test.sh provides) and say so when skipped.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use moodle_sim::admin_replay::{RecordedRun, RunReplay};

const BIN: &str = env!("CARGO_BIN_EXE_sis-moodle-setup");
use moodle_sim::admin_replay::{
    STAND_IN_OPENSIS_TOKEN as OPENSIS, STAND_IN_PASSWORD as PASSWORD,
    STAND_IN_USERKEY_TOKEN as USERKEY,
};

fn runs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../moodle-sim/admin-runs")
}

fn versions() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(runs_dir())
        .map(|d| {
            d.filter_map(|e| e.ok())
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

fn keyring_here() -> bool {
    if std::env::var("SIS_TEST_KEYRING").is_ok() {
        return true;
    }
    eprintln!("skipped: the tokens go to the system keyring; run with SIS_TEST_KEYRING=1 in a keyring session (scripts/test.sh does)");
    false
}

fn userkey_zip(dir: &Path) -> PathBuf {
    let path = dir.join("openSIS-Moodle-User-Authenticator.zip");
    std::fs::write(&path, moodle_sim::admin_replay::stand_in_userkey_zip()).unwrap();
    path
}

struct Cli {
    config: tempfile::TempDir,
}

impl Cli {
    fn new() -> Self {
        Self {
            config: tempfile::tempdir().unwrap(),
        }
    }

    /// `tokens`: the opensis and user-key tokens the CLI is given (MOODLE_*_TOKEN), if any.
    async fn run(&self, args: Vec<String>, tokens: Option<[&'static str; 2]>) -> Output {
        let config = self.config.path().to_path_buf();
        tokio::task::spawn_blocking(move || {
            let mut command = Command::new(BIN);
            command
                .args(&args)
                .arg("--password-stdin")
                .env("NO_COLOR", "1")
                .env("SIS_MOODLE_SETUP_CONFIG_DIR", &config)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            if let Some([opensis, userkey]) = tokens {
                command
                    .env("MOODLE_OPENSIS_TOKEN", opensis)
                    .env("MOODLE_USERKEY_TOKEN", userkey);
            } else {
                command
                    .env_remove("MOODLE_OPENSIS_TOKEN")
                    .env_remove("MOODLE_USERKEY_TOKEN");
            }
            let mut child = command.spawn().unwrap();
            writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
            child.wait_with_output().unwrap()
        })
        .await
        .unwrap()
    }
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn failing_steps(report: &serde_json::Value) -> Vec<u64> {
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

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn configure_takes_a_fresh_site_to_every_step_but_the_private_plugin_and_back() {
    if !keyring_here() {
        return;
    }
    let found = versions();
    assert!(
        !found.is_empty(),
        "no recorded runs in {}",
        runs_dir().display()
    );
    for version in found {
        let path = runs_dir().join(&version).join("configure.jsonl.xz");
        let replay = RunReplay::start(RecordedRun::load(&path).unwrap())
            .await
            .unwrap();
        let cli = Cli::new();
        let zip = userkey_zip(cli.config.path());
        let url = replay.url();

        // 1. The fresh site: every step but the private plugin's (step 3).
        let out = cli
            .run(
                args(&[
                    "configure",
                    "--url",
                    &url,
                    "--profile",
                    "rec",
                    "--yes",
                    "--plugin-zip",
                    zip.to_str().unwrap(),
                    "--admin-email",
                    "admin@school.example.org",
                    "--format",
                    "json",
                ]),
                None,
            )
            .await;
        let first = json(&out);
        assert_eq!(out.status.code(), Some(1), "{version}: {first:#}");
        assert!(
            first["stopped"].is_null(),
            "{version}: {}",
            first["stopped"]
        );
        let changes = first["changes"].as_array().unwrap();
        assert_eq!(changes.len(), 15, "{version}: {changes:#?}");
        assert!(changes
            .iter()
            .any(|c| c["undo"]["kind"] == "leave_installed"));
        let absent: Vec<&str> = first["not_on_site"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(absent.len(), 6, "{version}: {absent:?}");
        assert!(absent.iter().all(|f| f.starts_with("local_get_")));
        assert_eq!(failing_steps(&first["report"]), vec![3], "{version}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            !text.contains(OPENSIS) && !text.contains(PASSWORD),
            "{version}: a secret printed"
        );

        // 2. Again: nothing to change, the same proof.
        let out = cli
            .run(
                args(&["configure", "--profile", "rec", "--yes", "--format", "json"]),
                None,
            )
            .await;
        let again = json(&out);
        assert_eq!(
            again["plan"]["changes"].as_array().unwrap().len(),
            0,
            "{version}: {again:#}"
        );
        assert_eq!(again["changes"].as_array().unwrap().len(), 0);
        assert_eq!(failing_steps(&again["report"]), vec![3], "{version}");

        // 3. Put it back: every change but the plugin, which stays installed and is named.
        let out = cli
            .run(
                args(&["configure", "--profile", "rec", "--undo", "--yes"]),
                None,
            )
            .await;
        let said = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{version}: {said}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(said.contains("auth_userkey stays installed"), "{said}");
        assert!(said.contains("Done: the site is as it was"), "{said}");

        // 4. After the undo, the plan is the run again but the install.
        let out = cli
            .run(
                args(&["configure", "--profile", "rec", "--yes", "--format", "json"]),
                None,
            )
            .await;
        let after = json(&out);
        let planned = after["plan"]["changes"].as_array().unwrap();
        // The plugin stayed; its settings already at the defaults are not listed again.
        let mut steps: Vec<u64> = planned
            .iter()
            .map(|c| c["step"].as_u64().unwrap())
            .collect();
        steps.sort();
        steps.dedup();
        assert_eq!(
            steps,
            vec![6, 7, 8, 9, 11, 12, 13, 14, 15],
            "{version}: {planned:#?}"
        );
        assert_eq!(
            failing_steps(&after["report"]),
            vec![3],
            "{version}: {:#}",
            after["report"]
        );

        assert_eq!(
            replay.misses(),
            Vec::<String>::new(),
            "{version}: requests not recorded"
        );
        assert_eq!(
            replay.unused(),
            Vec::<u32>::new(),
            "{version}: recorded exchanges not asked"
        );
    }
}

/// `fix.faults.txt`: each fault of the recorded `doctor --fix` runs, in order, with its exit.
fn recorded_faults(version: &str) -> Vec<(String, i32)> {
    let path = runs_dir().join(version).join("fix.faults.txt");
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let (fault, code) = l.split_once(": exit ")?;
            Some((fault.trim().to_string(), code.trim().parse().ok()?))
        })
        .collect()
}

/// What `doctor --fix` does with a recorded fault, when it does not bring the site back to the
/// good answers.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Outcome {
    /// Back to the good answers: only the private plugin's step (3) fails.
    Fixed,
    /// The site itself (step 0): no admin page fixes it; said so, nothing changed, no sign-in.
    NotFixable,
    /// Moodle refused the sign-in (exit 2): a forced password change, an incomplete profile, an
    /// upgrade waiting. Nothing changed.
    SignInRefused,
    /// Every setting the app can change is right; what fails needs the admin. Nothing changed.
    NeedsYou,
    /// config.php fixes the enabled authentication plugins: the change is not kept, the run
    /// stops there and says where to change it.
    NotKept,
}

fn outcome_of(fault: &str) -> Outcome {
    match fault {
        "climaintenance" | "reverseproxy" => Outcome::NotFixable,
        "userkey_uninstalled" | "admin_forcepasswordchange" | "admin_not_fully_setup" => {
            Outcome::SignInRefused
        }
        "duplicate_admin_email" => Outcome::NeedsYou,
        "auth_config_override" => Outcome::NotKept,
        _ => Outcome::Fixed,
    }
}

/// The faults whose tokens are another account's (fault.php's wsuser): recorded with their
/// own stand-ins.
fn tokens_of(fault: &str) -> [&'static str; 2] {
    match fault {
        "token_owner_not_admin" | "token_owner_wsrole" | "site_policy_wsrole" => [
            moodle_sim::admin_replay::STAND_IN_OTHER_OPENSIS_TOKEN,
            moodle_sim::admin_replay::STAND_IN_OTHER_USERKEY_TOKEN,
        ],
        _ => [OPENSIS, USERKEY],
    }
}

#[tokio::test]
async fn doctor_fix_brings_each_misconfigured_site_back_to_the_good_answers() {
    if !keyring_here() {
        return;
    }
    let mut replayed = 0;
    for version in versions() {
        let faults = recorded_faults(&version);
        if faults.is_empty() {
            continue;
        }
        let path = runs_dir().join(&version).join("fix.jsonl.xz");
        let replay = RunReplay::start(RecordedRun::load(&path).unwrap())
            .await
            .unwrap();
        let cli = Cli::new();
        let zip = userkey_zip(cli.config.path());
        let url = replay.url();
        for (fault, recorded_exit) in faults {
            let out = cli
                .run(
                    args(&[
                        "doctor",
                        "--fix",
                        "--url",
                        &url,
                        "--yes",
                        "--plugin-zip",
                        zip.to_str().unwrap(),
                        "--admin-email",
                        "admin@school.example.org",
                        "--format",
                        "json",
                    ]),
                    Some(tokens_of(&fault)),
                )
                .await;
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            assert_eq!(
                out.status.code(),
                Some(recorded_exit),
                "{version} {fault}: {}{stderr}",
                String::from_utf8_lossy(&out.stdout)
            );
            let outcome = outcome_of(&fault);
            if outcome == Outcome::SignInRefused {
                assert_eq!(recorded_exit, 2, "{version} {fault}");
                assert!(
                    stderr.contains("Nothing was changed")
                        || stderr.contains("nothing was changed"),
                    "{version} {fault}: {stderr}"
                );
                replayed += 1;
                continue;
            }
            let v = json(&out);
            let report = v.get("report").unwrap_or(&v);
            let changes = v["changes"].as_array().map(Vec::len).unwrap_or(0);
            match outcome {
                Outcome::Fixed => {
                    assert_eq!(
                        failing_steps(report),
                        vec![3],
                        "{version} {fault}: {report:#}"
                    );
                    assert!(changes > 0, "{version} {fault}: nothing was changed");
                }
                Outcome::NotFixable => {
                    assert_eq!(changes, 0, "{version} {fault}");
                    assert!(
                        failing_steps(report).contains(&0),
                        "{version} {fault}: {report:#}"
                    );
                    assert!(
                        stderr.contains("Not fixable from Moodle's admin pages"),
                        "{version} {fault}"
                    );
                }
                Outcome::NeedsYou => {
                    assert_eq!(changes, 0, "{version} {fault}");
                    assert!(
                        stderr.contains("Nothing was changed"),
                        "{version} {fault}: {stderr}"
                    );
                }
                Outcome::NotKept => {
                    assert_eq!(changes, 0, "{version} {fault}");
                    assert!(
                        v["stopped"]["why"]
                            .as_str()
                            .unwrap_or_default()
                            .contains("config.php"),
                        "{version} {fault}: {v:#}"
                    );
                }
                Outcome::SignInRefused => unreachable!(),
            }
            replayed += 1;
        }
        assert_eq!(
            replay.misses(),
            Vec::<String>::new(),
            "{version}: requests not recorded"
        );
        assert_eq!(
            replay.unused(),
            Vec::<u32>::new(),
            "{version}: recorded exchanges not asked"
        );
    }
    assert!(replayed > 0, "no recorded doctor --fix run");
}
