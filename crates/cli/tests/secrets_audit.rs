// Owns: the secrets audit — a whole simulated set-up through the CLI (doctor --verbose, sis
// save/show/guide, plugins fetch), then a search for every secret everywhere it could leak. Must not: use the real keyring.
//
// Searched: each file under the temporary home, config, cache and work folders; stdout and
// stderr of every run; every URL the simulated Moodle and openSIS saw; a saved Markdown report.
// Secrets: both Moodle tokens, the openSIS password and UI passphrase, the JWTs openSIS issued,
// and the one-time login keys Moodle issued.

use std::io::{Cursor, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

use diagnosis::report_markdown::report_markdown;
use diagnosis::{diagnose, DiagnoseInput};
use moodle_sim::MoodleSim;
use moodle_ws::{build_http_client, HttpConfig, WsToken};
use sis_connector::fake::{self, FakeOpenSis, FakeOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use zip::write::SimpleFileOptions;
use zip::ZipWriter;

const BIN: &str = env!("CARGO_BIN_EXE_sis-moodle-setup");

/// Every variable through which the CLI finds a folder or a secret, pointed at the audit's
/// own temporary folders (or removed).
struct Folders {
    _root: tempfile::TempDir,
    root: PathBuf,
}

impl Folders {
    fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().to_owned();
        for dir in ["home", "config", "cache", "xdg-config", "xdg-data", "work"] {
            std::fs::create_dir_all(path.join(dir)).unwrap();
        }
        Self {
            _root: root,
            root: path,
        }
    }

    fn dir(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }
}

struct Run {
    args: Vec<String>,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

async fn cli(folders: &Folders, args: Vec<String>, env: Vec<(&'static str, String)>) -> Run {
    let mut command = Command::new(BIN);
    command
        .args(&args)
        .current_dir(folders.dir("work"))
        .env_remove("MOODLE_OPENSIS_TOKEN")
        .env_remove("MOODLE_USERKEY_TOKEN")
        .env_remove("OPENSIS_PASSWORD")
        .env_remove("OPENSIS_PASSPHRASE")
        .env("HOME", folders.dir("home"))
        .env("SIS_MOODLE_SETUP_CONFIG_DIR", folders.dir("config"))
        .env("XDG_CACHE_HOME", folders.dir("cache"))
        .env("XDG_CONFIG_HOME", folders.dir("xdg-config"))
        .env("XDG_DATA_HOME", folders.dir("xdg-data"))
        .env("NO_COLOR", "1")
        .envs(env);
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    Run {
        args,
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn tokens_env(sim: &MoodleSim) -> Vec<(&'static str, String)> {
    vec![
        ("MOODLE_OPENSIS_TOKEN", sim.opensis_token()),
        ("MOODLE_USERKEY_TOKEN", sim.userkey_token()),
    ]
}

/// A small valid auth_userkey plugin ZIP.
fn plugin_zip() -> Vec<u8> {
    let version_php = "<?php\ndefined('MOODLE_INTERNAL') || die;\n\n\
        $plugin->version   = 2022081901;\n$plugin->release   = 2022081901;\n\
        $plugin->requires  = 2017051500;\n$plugin->component = 'auth_userkey';\n\
        $plugin->maturity  = MATURITY_STABLE;\n$plugin->supported = [33, 401];\n";
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default();
    for dir in ["userkey/", "userkey/lang/", "userkey/lang/en/"] {
        writer.add_directory(dir, options).unwrap();
    }
    for (name, content) in [
        ("userkey/version.php", version_php),
        ("userkey/auth.php", "<?php\nclass auth_plugin_userkey {}\n"),
        (
            "userkey/lang/en/auth_userkey.php",
            "<?php\n$string['pluginname'] = 'User key';\n",
        ),
    ] {
        writer.start_file(name, options).unwrap();
        writer.write_all(content.as_bytes()).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// Serves `body` as a ZIP download to every request.
async fn zip_server(body: Vec<u8>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let body = body.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                let _ = sock.read(&mut buf).await;
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/zip\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(&body).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    addr
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// The values after `key=` in a URL or form body.
fn values_of(text: &str, key: &str) -> Vec<String> {
    text.split(['?', '&'])
        .filter_map(|pair| pair.strip_prefix(&format!("{key}=")))
        .map(str::to_owned)
        .collect()
}

/// Every `_token` (a JWT) in the fake openSIS's request bodies.
fn jwts(fake: &FakeOpenSis) -> Vec<String> {
    fake.requests()
        .iter()
        .filter_map(|r| serde_json::from_str::<serde_json::Value>(&r.body).ok())
        .filter_map(|v| v["_token"].as_str().map(str::to_owned))
        .filter(|t| !t.is_empty())
        .collect()
}

#[tokio::test]
async fn no_secret_leaks_from_a_whole_simulated_set_up() {
    let folders = Folders::new();
    let sim = MoodleSim::start_good().await.unwrap();
    // A state whose answers make the doctor send a token-bearing restore, and one whose token
    // is refused, then unknown.
    let broken_sso = MoodleSim::start("4.5", "userkey_updateuser").await.unwrap();
    let expired = MoodleSim::start("4.5", "token_expired").await.unwrap();
    let opensis = FakeOpenSis::start(FakeOptions::default()).await.unwrap();
    let downloads = zip_server(plugin_zip()).await;
    let mut runs = Vec::new();

    // The doctor, as verbose as it gets, on a healthy site, with the tokens swapped, and on
    // sites whose answers carry a login URL or an error about the token.
    for format in ["text", "json"] {
        let args = strings(&[
            "doctor",
            "--verbose",
            "--url",
            &sim.url(),
            "--format",
            format,
        ]);
        // The captured sites lack the private openSIS-Web-Services plugin: step 3 fails.
        runs.push((1, cli(&folders, args, tokens_env(&sim)).await));
    }
    let swapped = vec![
        ("MOODLE_OPENSIS_TOKEN", sim.userkey_token()),
        ("MOODLE_USERKEY_TOKEN", sim.opensis_token()),
    ];
    let args = strings(&["doctor", "-v", "--url", &sim.url()]);
    runs.push((1, cli(&folders, args, swapped).await));
    for other in [&broken_sso, &expired] {
        let args = strings(&["doctor", "--verbose", "--url", &other.url()]);
        runs.push((1, cli(&folders, args, tokens_env(other)).await));
    }

    // openSIS: save the connection under a profile, show it, print and export the card.
    let mut sis_env = tokens_env(&sim);
    sis_env.push(("OPENSIS_PASSWORD", fake::ADMIN_PASSWORD.to_owned()));
    sis_env.push(("OPENSIS_PASSPHRASE", fake::FAKE_PASSPHRASE.to_owned()));
    let api = strings(&[
        "--sis-api",
        &opensis.api_url(),
        "--tenant",
        fake::FAKE_TENANT,
        "--tenant-id",
        fake::FAKE_TENANT_ID,
        "--admin-email",
        fake::ADMIN_EMAIL,
        "--profile",
        "Audit School",
    ]);
    for format in ["text", "json"] {
        let mut args = strings(&["sis", "save", "--url", &sim.url(), "--format", format]);
        args.extend(api.clone());
        runs.push((0, cli(&folders, args, sis_env.clone()).await));
    }
    let mut args = strings(&["sis", "show"]);
    args.extend(api.clone());
    runs.push((0, cli(&folders, args, sis_env.clone()).await));
    let card = folders.dir("work").join("card.json");
    let args = strings(&[
        "sis",
        "guide",
        "--url",
        &sim.url(),
        "--profile",
        "Audit School",
        "--export",
        &card.to_string_lossy(),
    ]);
    runs.push((0, cli(&folders, args, sis_env.clone()).await));

    // The plugins, downloaded into the cache folder.
    let args = strings(&[
        "plugins",
        "fetch",
        "--url",
        &format!("http://{downloads}/auth_userkey.zip"),
        "--dest",
        &folders.dir("cache").join("plugins").to_string_lossy(),
        "--site",
        &sim.url(),
    ]);
    runs.push((0, cli(&folders, args, tokens_env(&sim)).await));

    for (expected, run) in &runs {
        assert_eq!(
            run.code,
            Some(*expected),
            "{:?}\n{}\n{}",
            run.args,
            run.stdout,
            run.stderr
        );
    }
    // The verbose mode did print the exchanges, without a query string.
    let verbose = &runs[0].1.stderr;
    let lines: Vec<&str> = verbose
        .lines()
        .filter(|l| l.starts_with("http: "))
        .collect();
    assert!(lines.len() >= 8, "{verbose}");
    assert!(
        lines.iter().all(|l| !l.contains('?') && l.ends_with(" ms")),
        "{verbose}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("/auth/userkey/login.php 303")),
        "{verbose}"
    );
    // And how long each part took, after the report.
    let time = verbose
        .lines()
        .find(|l| l.starts_with("time: site "))
        .unwrap_or_else(|| panic!("no time line: {verbose}"));
    assert!(
        time.contains(", tokens ")
            && time.contains(", single sign-on ")
            && time.contains(" in all"),
        "{time}"
    );
    assert!(card.is_file() && folders.dir("config").join("profiles.json").is_file());
    assert!(folders
        .dir("cache")
        .join("plugins")
        .join("auth_userkey.zip")
        .is_file());

    // A Markdown report of the same set-up, saved where the app keeps its files.
    let http = build_http_client(&HttpConfig::default()).unwrap();
    let input = DiagnoseInput {
        url: sim.url(),
        opensis_token: WsToken::new(&sim.opensis_token()),
        userkey_token: WsToken::new(&sim.userkey_token()),
        admin_email: None,
    };
    let report = diagnose(&http, &input).await.unwrap();
    let markdown = report_markdown(&report, "Audit School", "2026-11-25 14:00");
    std::fs::write(folders.dir("config").join("report.md"), &markdown).unwrap();

    // Every secret of the set-up.
    let mut secrets: Vec<(String, String)> = Vec::new();
    for s in [&sim, &broken_sso, &expired] {
        secrets.push(("opensis token".into(), s.opensis_token()));
        secrets.push(("user-key token".into(), s.userkey_token()));
        for request in s.requests() {
            if request.uri.starts_with("/auth/userkey/login.php") {
                for key in values_of(&request.uri, "key") {
                    if key != "sismoodlesetupprobe" {
                        secrets.push(("login key".into(), key));
                    }
                }
            }
        }
    }
    secrets.push(("openSIS password".into(), fake::ADMIN_PASSWORD.into()));
    secrets.push(("openSIS passphrase".into(), fake::FAKE_PASSPHRASE.into()));
    let issued = jwts(&opensis);
    assert!(!issued.is_empty(), "the openSIS API was signed in to");
    // Each JWT the fake issued was used, so the bodies name them all.
    for jwt in opensis.issued_tokens() {
        assert!(issued.contains(&jwt), "an issued JWT was never sent back");
    }
    secrets.extend(issued.into_iter().map(|t| ("openSIS JWT".to_owned(), t)));
    assert!(
        secrets.iter().filter(|(k, _)| k == "login key").count() >= 4,
        "login keys were issued: {secrets:?}"
    );

    let mut places: Vec<(String, String)> = Vec::new();
    for (_, run) in &runs {
        places.push((format!("stdout of {:?}", run.args), run.stdout.clone()));
        places.push((format!("stderr of {:?}", run.args), run.stderr.clone()));
    }
    let mut files = Vec::new();
    files_under(&folders.root, &mut files);
    assert!(files.len() >= 4, "{files:?}");
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        places.push((
            format!("file {}", file.display()),
            String::from_utf8_lossy(&bytes).into_owned(),
        ));
    }
    for s in [&sim, &broken_sso, &expired] {
        for request in s.requests() {
            places.push((format!("URL Moodle saw ({})", request.method), request.uri));
        }
    }
    for request in opensis.requests() {
        places.push((format!("URL openSIS saw ({})", request.method), request.uri));
    }
    places.push(("the Markdown report".into(), markdown));

    for (what, secret) in &secrets {
        for (place, text) in &places {
            // Login keys travel in the login URL by design; nowhere else.
            if what == "login key" && place.starts_with("URL Moodle saw") {
                continue;
            }
            assert!(!text.contains(secret.as_str()), "{what} found in {place}");
        }
    }
}
