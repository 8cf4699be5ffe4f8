// Owns: the `plugins` command — downloading or checking the two plugin ZIPs with a progress
// bar, printing each verdict, what is still missing and the installer link. Must not: judge.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{ArgGroup, Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use moodle_ws::{build_http_client, normalize_site_url, HttpConfig, SiteRoot};
use owo_colors::OwoColorize;
use plugin_zip::{
    download_plugin, human_size, missing_plugins, validate_path, CancellationToken, DownloadError,
    DownloadOptions, DownloadProgress, ExpectedPlugin, PluginVerdict, Severity, SiteVersion,
    ValidateOptions, VerdictStatus,
};
use url::Url;

/// Exit codes: 0 every file is valid, 1 a file was refused or failed, 2 bad usage.
const EXIT_OK: u8 = 0;
const EXIT_REFUSED: u8 = 1;
const EXIT_BAD_USAGE: u8 = 2;

const MIB: u64 = 1024 * 1024;

#[derive(Debug, Args)]
pub struct PluginsArgs {
    #[command(subcommand)]
    pub command: PluginsCommand,
}

#[derive(Debug, Subcommand)]
pub enum PluginsCommand {
    /// Download the openSIS plugin ZIPs (or check ones you already have) and validate them
    /// the way Moodle's plugin installer will, before you upload them.
    Fetch(FetchArgs),
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("source").required(true).multiple(true).args(["urls", "files"])))]
pub struct FetchArgs {
    /// Download link of a plugin ZIP (https; plain http works with a warning).
    #[arg(long = "url", value_name = "URL", num_args = 1.., value_parser = parse_download_url)]
    pub urls: Vec<Url>,
    /// A plugin ZIP already on this computer.
    #[arg(long = "file", value_name = "PATH", num_args = 1..)]
    pub files: Vec<PathBuf>,
    /// Folder to save downloads in, created if missing (default: the current folder).
    #[arg(long, value_name = "DIR")]
    pub dest: Option<PathBuf>,
    /// The Moodle site's version number, e.g. 2024100711.02 (Site administration >
    /// Notifications), or its release, e.g. 4.5. Checks what each plugin requires.
    #[arg(long, value_name = "V")]
    pub site_version: Option<SiteVersion>,
    /// The Moodle address, to print the direct link to its plugin installer.
    #[arg(long, value_name = "URL", value_parser = parse_site)]
    pub site: Option<SiteRoot>,
    /// Largest download accepted, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 50,
          value_parser = clap::value_parser!(u64).range(1..=4096))]
    pub max_size: u64,
    /// Seconds without any data before a download is abandoned.
    #[arg(long, value_name = "SECONDS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub idle_timeout: u64,
}

fn parse_download_url(input: &str) -> Result<Url, String> {
    let url = Url::parse(input.trim()).map_err(|e| match e {
        url::ParseError::RelativeUrlWithoutBase => {
            format!("\"{input}\" is not a full link; it must start with https://")
        }
        other => format!("\"{input}\" is not a valid link: {other}"),
    })?;
    match url.scheme() {
        "https" | "http" => Ok(url),
        other => Err(format!(
            "only https (or http) links can be downloaded, not \"{other}:\""
        )),
    }
}

fn parse_site(input: &str) -> Result<SiteRoot, String> {
    normalize_site_url(input).map_err(|e| e.to_string())
}

/// Runs the command and returns 0 when every file is valid, 1 when any is refused or failed,
/// 2 on bad usage.
pub async fn run_code(args: PluginsArgs) -> u8 {
    match args.command {
        PluginsCommand::Fetch(fetch) => run_fetch(fetch).await,
    }
}

/// What happened to one `--url` or `--file`.
struct Checked {
    /// The link or path as given.
    source: String,
    verdict: Option<PluginVerdict>,
    /// Where the accepted file is.
    location: Option<PathBuf>,
    /// A download that was refused or broken off; nothing of it was kept.
    discarded: bool,
    failure: Option<String>,
}

async fn run_fetch(args: FetchArgs) -> u8 {
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let validate = ValidateOptions {
        site: args.site_version.clone(),
        ..ValidateOptions::default()
    };
    let mut results = Vec::new();

    for file in &args.files {
        results.push(check_file(file, &validate).await);
    }

    if !args.urls.is_empty() {
        let dest = match prepare_dest(args.dest.as_deref()) {
            Ok(dest) => dest,
            Err(message) => {
                eprintln!("error: {message}");
                return EXIT_BAD_USAGE;
            }
        };
        let http = match build_http_client(&HttpConfig {
            connect_timeout: Duration::from_secs(15),
            // Downloads set their own, longer limit per request.
            request_timeout: Duration::from_secs(15 * 60),
            ..HttpConfig::default()
        }) {
            Ok(http) => http,
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_BAD_USAGE;
            }
        };
        let options = DownloadOptions {
            max_bytes: args.max_size * MIB,
            idle_timeout: Duration::from_secs(args.idle_timeout),
            validate: validate.clone(),
            ..DownloadOptions::default()
        };
        let cancel = CancellationToken::new();
        let on_interrupt = {
            let cancel = cancel.clone();
            tokio::spawn(async move {
                if tokio::signal::ctrl_c().await.is_ok() {
                    cancel.cancel();
                }
            })
        };
        for url in &args.urls {
            if cancel.is_cancelled() {
                results.push(Checked::failed(url.to_string(), "not started: cancelled"));
                continue;
            }
            results.push(fetch_url(&http, url, &dest, &options, &cancel).await);
        }
        on_interrupt.abort();
    }

    let site_version_given = args.site_version.is_some();
    print!(
        "{}",
        render(&results, args.site.as_ref(), site_version_given, colour)
    );
    if results.iter().all(Checked::accepted) {
        EXIT_OK
    } else {
        EXIT_REFUSED
    }
}

impl Checked {
    fn failed(source: String, failure: impl Into<String>) -> Self {
        Self {
            source,
            verdict: None,
            location: None,
            discarded: false,
            failure: Some(failure.into()),
        }
    }

    fn accepted(&self) -> bool {
        self.failure.is_none() && self.verdict.as_ref().is_some_and(PluginVerdict::is_valid)
    }
}

async fn check_file(path: &Path, options: &ValidateOptions) -> Checked {
    let source = path.display().to_string();
    let owned_path = path.to_owned();
    let owned_options = options.clone();
    let judged =
        tokio::task::spawn_blocking(move || validate_path(&owned_path, &owned_options)).await;
    match judged {
        Ok(Ok(verdict)) => Checked {
            location: Some(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned())),
            source,
            verdict: Some(verdict),
            discarded: false,
            failure: None,
        },
        Ok(Err(e)) => Checked::failed(source, e.to_string()),
        Err(e) => Checked::failed(source, format!("could not be checked: {e}")),
    }
}

/// The download folder, created and made absolute so printed paths can be found.
fn prepare_dest(dest: Option<&Path>) -> Result<PathBuf, String> {
    let dest = match dest {
        Some(dest) => dest.to_owned(),
        None => {
            std::env::current_dir().map_err(|e| format!("cannot tell the current folder: {e}"))?
        }
    };
    if dest.exists() && !dest.is_dir() {
        return Err(format!("--dest {} is a file, not a folder", dest.display()));
    }
    std::fs::create_dir_all(&dest)
        .map_err(|e| format!("cannot create the folder {}: {e}", dest.display()))?;
    Ok(std::fs::canonicalize(&dest).unwrap_or(dest))
}

async fn fetch_url(
    http: &reqwest::Client,
    url: &Url,
    dest: &Path,
    options: &DownloadOptions,
    cancel: &CancellationToken,
) -> Checked {
    eprintln!("Downloading {url}");
    let bar = ProgressBar::no_length();
    if let Ok(style) = ProgressStyle::with_template("{spinner} {bytes} {msg}") {
        bar.set_style(style);
    }
    let mut sized = false;
    let progress_bar = bar.clone();
    let on_progress = move |p: &DownloadProgress| {
        if let (Some(total), false) = (p.total, sized) {
            sized = true;
            progress_bar.set_length(total);
            if let Ok(style) = ProgressStyle::with_template(
                "{bar:30} {bytes}/{total_bytes} {msg} (about {eta} left)",
            ) {
                progress_bar.set_style(style);
            }
        }
        progress_bar.set_position(p.downloaded);
        progress_bar.set_message(format!("at {}/s", human_size(p.bytes_per_second)));
    };
    let result = download_plugin(http, url, dest, options, cancel, on_progress).await;
    bar.finish_and_clear();
    let source = url.to_string();
    match result {
        Ok(outcome) => Checked {
            source,
            discarded: outcome.saved_to.is_none(),
            location: outcome.saved_to,
            verdict: Some(outcome.verdict),
            failure: None,
        },
        Err(DownloadError::Cancelled) => Checked {
            discarded: true,
            ..Checked::failed(source, "download cancelled")
        },
        Err(e) => Checked {
            discarded: true,
            ..Checked::failed(source, format!("download failed: {e}"))
        },
    }
}

fn mark(status: Option<VerdictStatus>, colour: bool) -> String {
    let (label, status) = match status {
        Some(VerdictStatus::Valid) => ("✔ ok  ", VerdictStatus::Valid),
        Some(VerdictStatus::ValidWithWarnings) => ("⚠ warn", VerdictStatus::ValidWithWarnings),
        Some(VerdictStatus::Refused) | None => ("✖ FAIL", VerdictStatus::Refused),
    };
    if !colour {
        return label.to_owned();
    }
    match status {
        VerdictStatus::Valid => label.green().to_string(),
        VerdictStatus::ValidWithWarnings => label.yellow().to_string(),
        VerdictStatus::Refused => label.red().bold().to_string(),
    }
}

fn missing_mark(colour: bool) -> String {
    let label = "⚠ missing";
    if colour {
        label.yellow().to_string()
    } else {
        label.to_owned()
    }
}

fn severity_mark(severity: Severity, colour: bool) -> String {
    let (symbol, text) = match severity {
        Severity::Error => ("✖", "error"),
        Severity::Warning => ("⚠", "warning"),
    };
    let label = format!("{symbol} {text}");
    match (colour, severity) {
        (false, _) => label,
        (true, Severity::Error) => label.red().to_string(),
        (true, Severity::Warning) => label.yellow().to_string(),
    }
}

/// The first sentence of a message.
fn first_sentence(message: &str) -> &str {
    message.find(". ").map_or(message, |end| &message[..=end])
}

fn plugin_summary(verdict: &PluginVerdict) -> String {
    let mut text = verdict
        .component
        .clone()
        .unwrap_or_else(|| "unknown plugin".to_owned());
    if let Some(version) = verdict.version {
        text.push_str(&format!(" version {version}"));
    }
    if let Some(release) = verdict
        .release
        .as_ref()
        .filter(|r| verdict.version.map(|v| v.to_string()).as_deref() != Some(r.as_str()))
    {
        text.push_str(&format!(" (release {release})"));
    }
    if let Some(expected) = verdict.expected {
        text.push_str(&format!(", the {} plugin", expected.display_name()));
    }
    text
}

fn headline(checked: &Checked) -> String {
    if let Some(failure) = &checked.failure {
        return failure.clone();
    }
    let Some(verdict) = &checked.verdict else {
        return "not checked".to_owned();
    };
    match verdict.status {
        VerdictStatus::Valid => format!("valid: {}", plugin_summary(verdict)),
        VerdictStatus::ValidWithWarnings => {
            let count = verdict.warnings().count();
            format!(
                "valid with {count} warning{}: {}",
                if count == 1 { "" } else { "s" },
                plugin_summary(verdict)
            )
        }
        VerdictStatus::Refused => match verdict.errors().next() {
            Some(error) => format!("refused: {}", first_sentence(&error.message)),
            None => "refused".to_owned(),
        },
    }
}

fn render(
    results: &[Checked],
    site: Option<&SiteRoot>,
    site_version_given: bool,
    colour: bool,
) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let pad = "         ";
    for checked in results {
        let status = checked
            .failure
            .is_none()
            .then(|| checked.verdict.as_ref().map(|v| v.status))
            .flatten();
        let name = checked
            .verdict
            .as_ref()
            .map_or(checked.source.as_str(), |v| v.file.as_str());
        let _ = writeln!(
            out,
            "{} {name}: {}",
            mark(status, colour),
            headline(checked)
        );
        if let Some(verdict) = &checked.verdict {
            if checked.source != verdict.file && !checked.source.ends_with(&verdict.file) {
                let _ = writeln!(out, "{pad}From:    {}", checked.source);
            }
            for problem in verdict.errors().chain(verdict.warnings()) {
                let _ = writeln!(
                    out,
                    "{pad}{} [{}]: {}",
                    severity_mark(problem.severity, colour),
                    problem.code,
                    problem.message
                );
            }
            // The Moodle versions it declares, said even when no warning is due (W4).
            if let Some(note) = &verdict.supported_note {
                let hint = if site_version_given {
                    ""
                } else {
                    " Add --site-version (your Moodle's release, e.g. 4.5) to compare."
                };
                let _ = writeln!(out, "{pad}Moodle:  {note}{hint}");
            }
            if verdict.status == VerdictStatus::Refused && verdict.component.is_some() {
                let _ = writeln!(out, "{pad}Plugin:  {}", plugin_summary(verdict));
            }
            let _ = writeln!(
                out,
                "{pad}SHA-256: {}  ({})",
                verdict.sha256,
                human_size(verdict.size)
            );
        }
        match (&checked.location, checked.discarded) {
            (Some(location), _) if checked.accepted() => {
                let _ = writeln!(out, "{pad}File:    {}", location.display());
            }
            (Some(location), _) => {
                let _ = writeln!(
                    out,
                    "{pad}File:    {} (do not upload it)",
                    location.display()
                );
            }
            (None, true) => {
                let _ = writeln!(out, "{pad}Nothing of this download was kept.");
            }
            (None, false) => {}
        }
    }

    let verdicts: Vec<PluginVerdict> = results
        .iter()
        .filter(|c| c.failure.is_none())
        .filter_map(|c| c.verdict.clone())
        .collect();
    let missing = missing_plugins(&verdicts);
    let _ = writeln!(out, "\nThe two openSIS plugins:");
    for expected in ExpectedPlugin::ALL {
        let found: Vec<&Checked> = results
            .iter()
            .filter(|c| c.accepted())
            .filter(|c| c.verdict.as_ref().and_then(|v| v.expected) == Some(expected))
            .collect();
        if found.is_empty() || missing.contains(&expected) {
            let _ = writeln!(
                out,
                "  {} {} ({}): still missing. Download {} from openSIS's LMS Settings page, \
                 then check it with: sis-moodle-setup plugins fetch --file <the file>",
                missing_mark(colour),
                expected.display_name(),
                expected.component_hint(),
                expected.zip_name()
            );
            continue;
        }
        for checked in found {
            let (component, location) = match (&checked.verdict, &checked.location) {
                (Some(v), Some(location)) => (
                    v.component.clone().unwrap_or_default(),
                    location.display().to_string(),
                ),
                (Some(v), None) => (
                    v.component.clone().unwrap_or_default(),
                    checked.source.clone(),
                ),
                _ => continue,
            };
            let _ = writeln!(
                out,
                "  {} {} ({component}): {location}",
                mark(Some(VerdictStatus::Valid), colour),
                expected.display_name()
            );
        }
    }

    let any_ready = results.iter().any(Checked::accepted);
    if any_ready {
        match site {
            Some(site) => {
                let link = site.endpoint("admin/tool/installaddon/index.php");
                let _ = writeln!(
                    out,
                    "\nNext: upload each valid ZIP at {link}\n      (Site administration > \
                     Plugins > Install plugins), one at a time, as it is: do not unzip it."
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "\nNext: in Moodle, open Site administration > Plugins > Install plugins \
                     (admin/tool/installaddon/index.php)\n      and upload each valid ZIP as it \
                     is. Add --site <Moodle address> to get the direct link."
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(subcommand)]
        command: Top,
    }

    #[derive(Debug, clap::Subcommand)]
    enum Top {
        Plugins(PluginsArgs),
    }

    fn parse(args: &[&str]) -> Result<FetchArgs, clap::Error> {
        let mut argv = vec!["sis-moodle-setup", "plugins", "fetch"];
        argv.extend_from_slice(args);
        let cli = Cli::try_parse_from(argv)?;
        let Top::Plugins(PluginsArgs {
            command: PluginsCommand::Fetch(fetch),
        }) = cli.command;
        Ok(fetch)
    }

    #[test]
    fn arguments_parse_and_bad_usage_is_rejected() {
        let args = parse(&[
            "--url",
            "https://sis.school.org/a.zip",
            "https://sis.school.org/b.zip",
            "--site-version",
            "2024100711.02",
            "--site",
            "moodle.school.org/login/index.php",
        ])
        .expect("valid");
        assert_eq!(args.urls.len(), 2);
        assert_eq!(args.site_version.and_then(|s| s.branch), Some(405));
        assert_eq!(
            args.site.map(|s| s.to_string()).as_deref(),
            Some("https://moodle.school.org")
        );
        assert_eq!(args.max_size, 50);

        let args = parse(&["--file", "a.zip", "b.zip"]).expect("valid");
        assert_eq!(args.files.len(), 2);

        for bad in [
            vec![],
            vec!["--url", "sis.school.org/a.zip"],
            vec!["--url", "ftp://sis.school.org/a.zip"],
            vec!["--file", "a.zip", "--site-version", "soon"],
            vec!["--file", "a.zip", "--max-size", "0"],
        ] {
            let error = parse(&bad).expect_err("bad usage");
            assert_eq!(error.exit_code(), 2, "{bad:?}");
        }
    }

    /// An auth_userkey ZIP as openSIS ships it (version 2022081901, supported = [33, 401]).
    fn auth_userkey_zip() -> Vec<u8> {
        use std::io::Write;
        let version_php = "<?php\ndefined('MOODLE_INTERNAL') || die;\n\
            $plugin->version   = 2022081901;\n$plugin->release   = 2022081901;\n\
            $plugin->requires  = 2017051500;\n$plugin->component = 'auth_userkey';\n\
            $plugin->maturity  = MATURITY_STABLE;\n$plugin->supported = [33, 401];\n";
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        zip.add_directory("userkey/", options).expect("dir");
        for (name, body) in [
            ("userkey/version.php", version_php),
            (
                "userkey/lang/en/auth_userkey.php",
                "<?php\n$string['pluginname'] = 'User key';\n",
            ),
            ("userkey/auth.php", "<?php\n"),
        ] {
            zip.start_file(name, options).expect("file");
            zip.write_all(body.as_bytes()).expect("write");
        }
        zip.finish().expect("zip").into_inner()
    }

    fn checked(site: Option<&str>) -> Checked {
        let options = ValidateOptions {
            site: site.map(|s| SiteVersion::parse(s).expect("site")),
            ..ValidateOptions::default()
        };
        let verdict = plugin_zip::validate_bytes(
            "openSIS-Moodle-User-Authenticator.zip",
            &auth_userkey_zip(),
            &options,
        );
        Checked {
            source: "openSIS-Moodle-User-Authenticator.zip".into(),
            verdict: Some(verdict),
            location: None,
            discarded: false,
            failure: None,
        }
    }

    /// W4: the ZIP's declared range is said at the ZIP step, in Moodle's words.
    #[test]
    fn the_declared_moodle_range_is_said() {
        let text = render(&[checked(Some("4.5"))], None, true, false);
        assert!(
            text.contains("⚠ warn openSIS-Moodle-User-Authenticator.zip: valid with 1 warning"),
            "{text}"
        );
        assert!(text.contains("[outside_supported_range]"), "{text}");
        assert!(text.contains("“Moodle 33 - 401” under Requires"), "{text}");
        assert!(
            text.contains("“Upgrade Moodle database now” stays available"),
            "{text}"
        );
        assert!(!text.contains("Moodle:  "), "said once: {text}");

        let text = render(&[checked(None)], None, false, false);
        assert!(
            text.contains("✔ ok   openSIS-Moodle-User-Authenticator.zip: valid"),
            "{text}"
        );
        assert!(
            text.contains("Moodle:  It declares Moodle 3.3 to 4.1"),
            "{text}"
        );
        assert!(text.contains("Add --site-version"), "{text}");

        let text = render(&[checked(Some("4.1"))], None, true, false);
        assert!(text.contains("inside that range"), "{text}");
        assert!(!text.contains("Add --site-version"), "{text}");
    }

    #[test]
    fn first_sentence_stops_at_the_first_full_stop() {
        assert_eq!(first_sentence("One. Two. Three."), "One.");
        assert_eq!(first_sentence("Only one"), "Only one");
    }
}
