// Owns: the "Set it up for me" benchmark — the time from the sign-in to the end of the proof for
// a fresh site, the admin page requests it took, and the admin's actions. Must not: run in
// `cargo test`.
//
// cargo bench -p sis-moodle-setup-cli --bench configure_fresh_site
//   Without a lab: replays the recorded fresh-site run of each version
//   (crates/moodle-sim/admin-runs/*/configure.jsonl.xz): the client's own share of the time.
//   SIS_LAB=<lab folder> SIS_LAB_URL=http://127.0.0.1:PORT: a real fresh site (put back to
//   fresh with scripts/lab/fresh-site.sh first), in a keyring session: the real time, most of it
//   Moodle's own plugin upgrade. Target: ≤ 60 s and ≤ 4 admin actions.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use moodle_sim::admin_replay::{RecordedRun, RunReplay};

const BIN: &str = env!("CARGO_BIN_EXE_sis-moodle-setup");
const TARGET_SECONDS: f64 = 60.0;
/// Run the command, type the password, confirm the plan: done (the app: open, sign in, confirm,
/// done).
const ADMIN_ACTIONS: u32 = 3;
const TARGET_ACTIONS: u32 = 4;

fn userkey_zip(dir: &Path) -> PathBuf {
    let path = dir.join("openSIS-Moodle-User-Authenticator.zip");
    std::fs::write(&path, moodle_sim::admin_replay::stand_in_userkey_zip()).unwrap();
    path
}

/// One `configure --yes` run; (seconds, admin page requests, exit code, what it said last on
/// standard error).
fn configure(url: &str, password: &str, zip: &Path, config: &Path) -> (f64, u64, i32, String) {
    let started = Instant::now();
    let mut child = Command::new(BIN)
        .args([
            "configure",
            "--url",
            url,
            "--yes",
            "--password-stdin",
            "--format",
            "json",
        ])
        .args([
            "--profile",
            "bench",
            "--admin-email",
            "admin@school.example.org",
        ])
        .arg("--plugin-zip")
        .arg(zip)
        .env("SIS_MOODLE_SETUP_CONFIG_DIR", config)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the CLI runs");
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let out = child.wait_with_output().unwrap();
    let seconds = started.elapsed().as_secs_f64();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let said = String::from_utf8_lossy(&out.stderr)
        .lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or_default()
        .to_owned();
    (
        seconds,
        v["admin_requests"].as_u64().unwrap_or(0),
        out.status.code().unwrap_or(-1),
        said,
    )
}

fn report(what: &str, (seconds, requests, code, said): (f64, u64, i32, String)) {
    if requests == 0 {
        // Not a measurement: the run never reached Moodle's admin pages (no keyring, say).
        eprintln!("{what}: no admin page was asked for, exit {code}: {said}");
        std::process::exit(1);
    }
    println!(
        "{what}: {seconds:.1} s from sign-in to the end of the proof ({:.2} of the {TARGET_SECONDS:.0}-s target), {requests} admin page requests, exit {code}, {ADMIN_ACTIONS} admin actions (target ≤ {TARGET_ACTIONS})",
        seconds / TARGET_SECONDS
    );
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let zip = userkey_zip(dir.path());
    if let (Ok(lab), Ok(url)) = (std::env::var("SIS_LAB"), std::env::var("SIS_LAB_URL")) {
        let reset = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/lab/fresh-site.sh");
        let ok = Command::new("bash")
            .arg(reset)
            .arg(&lab)
            .status()
            .map(|s| s.success());
        assert!(
            matches!(ok, Ok(true)),
            "the lab could not be put back to fresh"
        );
        let lab_zip = Path::new(&lab).join("userkey.zip");
        let password = std::env::var("SIS_LAB_PASSWORD").unwrap_or_else(|_| "Admin#Lab2024".into());
        let run = configure(&url, &password, &lab_zip, dir.path());
        report(&format!("real lab {url}"), run);
        return;
    }
    let runs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../moodle-sim/admin-runs");
    let mut versions: Vec<_> = std::fs::read_dir(&runs)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    versions.sort();
    for version in versions {
        let Ok(run) = RecordedRun::load(&version.join("configure.jsonl.xz")) else {
            continue;
        };
        let replay = RunReplay::start(run).await.unwrap();
        let config = tempfile::tempdir().unwrap();
        let url = replay.url();
        let zip = zip.clone();
        let path = config.path().to_path_buf();
        let run = tokio::task::spawn_blocking(move || {
            configure(
                &url,
                moodle_sim::admin_replay::STAND_IN_PASSWORD,
                &zip,
                &path,
            )
        })
        .await
        .unwrap();
        let name = version.file_name().unwrap().to_string_lossy().into_owned();
        report(
            &format!("Moodle {name}, recorded run replayed (the client's share)"),
            run,
        );
    }
}
