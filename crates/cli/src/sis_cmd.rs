// Owns: the `sis` command — reading the connection settings, the tokens and the SIS password
// (environment, keyring or a no-echo prompt; never argv), running save / show / guide, printing
// and choosing the exit code. Must not: print a token or the password, or judge anything.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Subcommand};
use moodle_ws::{build_http_client, normalize_site_url, HttpConfig, WsToken};
use schools::profile::{Profile, ProfileStore};
use secrets::{KeyringStore, Secret, SecretKind, SecretStore};
use sis_connector::{
    self as sis, connect_preview, ConnectionInput, GuideField, GuidedCard, LmsSettings,
    LmsSettingsView, OpenSisApi, SaveReport, SisConfig, SisError, SisTargetKind,
};

use crate::doctor_args::{OPENSIS_TOKEN_VAR, USERKEY_TOKEN_VAR};
use crate::exit;
use crate::output::Format;

/// The Super Administrator's openSIS password (never a command-line argument).
pub const PASSWORD_VAR: &str = "OPENSIS_PASSWORD";
/// The passphrase of openSIS's web UI, used to encrypt the password before login.
pub const PASSPHRASE_VAR: &str = "OPENSIS_PASSPHRASE";

#[derive(Debug, Args)]
pub struct SisArgs {
    #[command(subcommand)]
    pub command: SisCommand,
}

#[derive(Debug, Subcommand)]
pub enum SisCommand {
    /// Save the Moodle URL, both tokens and "Enable Synchronization" in openSIS through its API,
    /// after checking them the way openSIS's Connect will.
    ///
    /// Tokens come from MOODLE_OPENSIS_TOKEN and MOODLE_USERKEY_TOKEN, the Super
    /// Administrator's password from OPENSIS_PASSWORD, the keyring (--remember-password), or a
    /// prompt; the UI passphrase from OPENSIS_PASSPHRASE or --config.
    Save(SaveArgs),
    /// Show the LMS settings openSIS holds now (tokens only as set / not set).
    Show(ShowArgs),
    /// Print the step-by-step card for openSIS's LMS Settings page, to type it in by hand.
    Guide(GuideArgs),
}

/// Where the openSIS API is and who signs in.
#[derive(Debug, Args)]
pub struct ApiArgs {
    /// The openSIS API's base address, e.g. https://api.school.org/api/
    #[arg(long = "sis-api")]
    pub sis_api: Option<String>,
    /// The openSIS tenant name (the route segment after the API address).
    #[arg(long)]
    pub tenant: Option<String>,
    /// The openSIS tenant id (a GUID), when the login needs it.
    #[arg(long)]
    pub tenant_id: Option<String>,
    /// The Super Administrator's login e-mail.
    #[arg(long)]
    pub admin_email: Option<String>,
    /// A JSON file with the connector settings (endpoint paths, field names, passphrase, ...;
    /// see docs/sis-connector.md).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// The profile to read and keep these settings in (created when new).
    #[arg(long)]
    pub profile: Option<String>,
    /// Keep the password in the system keyring under the profile ("default" when none given).
    #[arg(long)]
    pub remember_password: bool,
    /// Seconds to wait for each answer.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: u64,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct SaveArgs {
    #[command(flatten)]
    pub api: ApiArgs,
    /// The Moodle address (taken from the profile when omitted).
    #[arg(long)]
    pub url: Option<String>,
    /// Save with "Enable Synchronization" switched off.
    #[arg(long)]
    pub no_sync: bool,
    /// Do not check the opensis token against Moodle first (not recommended).
    #[arg(long)]
    pub skip_preview: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    #[command(flatten)]
    pub api: ApiArgs,
}

#[derive(Debug, Args)]
pub struct GuideArgs {
    /// The Moodle address (taken from the profile when omitted).
    #[arg(long)]
    pub url: Option<String>,
    /// The profile whose name and Moodle address the card shows.
    #[arg(long)]
    pub profile: Option<String>,
    /// A JSON file with the connector settings (the page's labels; see docs/sis-connector.md).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Put one value on the clipboard: moodle-url, opensis-token or userkey-token.
    #[arg(long, value_name = "FIELD", value_parser = parse_field)]
    pub copy: Option<GuideField>,
    /// Write the non-secret part of the card (URL, profile, Moodle release and version) as JSON.
    #[arg(long, value_name = "FILE")]
    pub export: Option<PathBuf>,
    /// Do not run the Connect preview against Moodle.
    #[arg(long)]
    pub no_preview: bool,
    /// Seconds the clipboard is held on Linux, where it empties when this command ends.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub hold: u64,
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: u64,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

fn parse_field(text: &str) -> Result<GuideField, String> {
    GuideField::from_name(text).ok_or_else(|| {
        let names: Vec<_> = GuideField::ALL.iter().map(|f| f.name()).collect();
        format!("one of {}", names.join(", "))
    })
}

/// Where the clipboard value goes.
pub(crate) trait ClipboardSink {
    /// Puts `text` on the clipboard; `ready` runs once the clipboard is open, before a Linux
    /// clipboard is held for up to `hold`.
    fn put(&mut self, text: &str, hold: Duration, ready: &mut dyn FnMut()) -> Result<(), String>;
}

struct SystemClipboard;

impl ClipboardSink for SystemClipboard {
    fn put(&mut self, text: &str, hold: Duration, ready: &mut dyn FnMut()) -> Result<(), String> {
        let mut clipboard = arboard::Clipboard::new().map_err(|e| e.to_string())?;
        ready();
        #[cfg(target_os = "linux")]
        {
            use arboard::SetExtLinux;
            clipboard
                .set()
                .wait_until(std::time::Instant::now() + hold)
                .text(text.to_owned())
                .map_err(|e| e.to_string())
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = hold;
            clipboard
                .set_text(text.to_owned())
                .map_err(|e| e.to_string())
        }
    }
}

/// Asks for a password without echo.
pub(crate) type PasswordPrompt = Box<dyn Fn(&str) -> std::io::Result<String>>;

/// Everything the command reads from outside its arguments, so tests can supply it.
pub(crate) struct Env {
    pub opensis_token: Option<WsToken>,
    pub userkey_token: Option<WsToken>,
    pub password: Option<Secret>,
    pub passphrase: Option<String>,
    pub interactive: bool,
    pub prompt: PasswordPrompt,
    /// `None`: the default location, opened only when a profile is used.
    pub profiles: Option<ProfileStore>,
    pub secrets: Box<dyn SecretStore>,
    pub clipboard: Box<dyn ClipboardSink>,
}

fn token_from_env(var: &str) -> Option<WsToken> {
    WsToken::new(&std::env::var(var).ok()?)
}

impl Env {
    fn from_process() -> Self {
        Self {
            opensis_token: token_from_env(OPENSIS_TOKEN_VAR),
            userkey_token: token_from_env(USERKEY_TOKEN_VAR),
            password: std::env::var(PASSWORD_VAR)
                .ok()
                .filter(|p| !p.is_empty())
                .map(Secret::new),
            passphrase: std::env::var(PASSPHRASE_VAR).ok().filter(|p| !p.is_empty()),
            interactive: std::io::stdin().is_terminal(),
            prompt: Box::new(|text| rpassword::prompt_password(text)),
            profiles: None,
            secrets: Box::new(KeyringStore::default()),
            clipboard: Box::new(SystemClipboard),
        }
    }
}

/// Standard output and error, replaceable in tests.
pub(crate) struct Term<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
}

impl Term<'_> {
    fn say(&mut self, line: impl AsRef<str>) {
        let _ = writeln!(self.out, "{}", line.as_ref());
    }

    fn warn(&mut self, line: impl AsRef<str>) {
        let _ = writeln!(self.err, "warning: {}", line.as_ref());
    }

    fn error(&mut self, line: impl AsRef<str>) {
        let _ = writeln!(self.err, "error: {}", line.as_ref());
    }
}

pub async fn run(args: SisArgs) -> u8 {
    let mut env = Env::from_process();
    let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
    let mut term = Term {
        out: &mut out,
        err: &mut err,
    };
    run_with(args, &mut env, &mut term).await
}

pub(crate) async fn run_with(args: SisArgs, env: &mut Env, term: &mut Term<'_>) -> u8 {
    match args.command {
        SisCommand::Save(a) => save(a, env, term).await,
        SisCommand::Show(a) => show(a, env, term).await,
        SisCommand::Guide(a) => guide(a, env, term).await,
    }
}

/// A profile chosen by name (or id), with the store it lives in; new ones are not yet saved.
struct ChosenProfile {
    store: ProfileStore,
    profile: Profile,
    existed: bool,
}

fn choose_profile(
    name: Option<&str>,
    needed: bool,
    env: &Env,
) -> Result<Option<ChosenProfile>, String> {
    if name.is_none() && !needed {
        return Ok(None);
    }
    let name = name.unwrap_or("default").trim();
    if name.is_empty() {
        return Err("--profile needs a name".into());
    }
    let store = match &env.profiles {
        Some(s) => s.clone(),
        None => ProfileStore::default_location().map_err(|e| e.to_string())?,
    };
    let found = store
        .list()
        .map_err(|e| e.to_string())?
        .into_iter()
        .find(|p| p.id == name || p.name.eq_ignore_ascii_case(name));
    Ok(Some(match found {
        Some(profile) => ChosenProfile {
            store,
            profile,
            existed: true,
        },
        None => ChosenProfile {
            store,
            profile: Profile::new(name),
            existed: false,
        },
    }))
}

/// The profile named by the flags (if any) and the SIS configuration they add up to.
fn profile_and_config(
    args: &ApiArgs,
    env: &Env,
) -> Result<(Option<ChosenProfile>, SisConfig), String> {
    let chosen = choose_profile(args.profile.as_deref(), args.remember_password, env)?;
    let config = api_config(args, chosen.as_ref(), env)?;
    Ok((chosen, config))
}

fn read_config_file(path: &Path) -> Result<SisConfig, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
    SisConfig::from_profile_value(Some(&value)).map_err(|e| format!("{}: {e}", path.display()))
}

/// Defaults, then the profile's settings, then --config, then the flags, then the environment.
fn api_config(
    args: &ApiArgs,
    profile: Option<&ChosenProfile>,
    env: &Env,
) -> Result<SisConfig, String> {
    let mut config = SisConfig::from_profile_value(profile.and_then(|p| p.profile.sis.as_ref()))
        .map_err(|e| e.to_string())?;
    if let Some(path) = &args.config {
        config = read_config_file(path)?;
    }
    config.target = SisTargetKind::OpensisApi;
    let api = &mut config.api;
    if let Some(v) = &args.sis_api {
        api.api_url = v.clone();
    }
    if let Some(v) = &args.tenant {
        api.tenant = v.clone();
    }
    if let Some(v) = &args.tenant_id {
        api.tenant_id = Some(v.clone());
    }
    if let Some(v) = &args.admin_email {
        api.admin_email = v.clone();
    }
    if let Some(v) = &env.passphrase {
        api.password_crypto.passphrase = Some(v.clone());
    }
    Ok(config)
}

/// OPENSIS_PASSWORD, then the keyring of an existing profile, then a no-echo prompt.
fn password(
    email: &str,
    profile: Option<&ChosenProfile>,
    env: &Env,
    term: &mut Term<'_>,
) -> Result<Secret, String> {
    if let Some(p) = &env.password {
        return Ok(p.clone());
    }
    if let Some(chosen) = profile.filter(|p| p.existed) {
        match env.secrets.get(&chosen.profile.id, SecretKind::SisPassword) {
            Ok(Some(p)) => return Ok(p),
            Ok(None) => {}
            Err(e) => term.warn(format!("the remembered password could not be read: {e}")),
        }
    }
    if !env.interactive {
        return Err(format!(
            "the openSIS password is needed: set {PASSWORD_VAR}, or run in a terminal to be asked (it is never taken from the command line)"
        ));
    }
    let typed = (env.prompt)(&format!("openSIS password for {email}: "))
        .map_err(|e| format!("could not read the password: {e}"))?;
    if typed.is_empty() {
        return Err("no password was typed".into());
    }
    Ok(Secret::new(typed))
}

fn http_client(timeout: u64) -> Result<reqwest::Client, String> {
    build_http_client(&HttpConfig {
        request_timeout: Duration::from_secs(timeout),
        connect_timeout: Duration::from_secs(timeout.min(10)),
        ..HttpConfig::default()
    })
    .map_err(|e| e.to_string())
}

fn fail(term: &mut Term<'_>, format: Format, err: &SisError) -> u8 {
    match format {
        Format::Json => term.say(serde_json::json!({"ok": false, "error": err}).to_string()),
        Format::Text => {
            term.error(err.to_string());
            if err.code() == "endpoint_missing" {
                term.err_hint(
                    "if this openSIS has no API for LMS settings, type them in with `sis-moodle-setup sis guide`",
                );
            }
        }
    }
    if err.is_input_error() {
        exit::BAD_INPUT
    } else {
        exit::CHECK_FAILED
    }
}

impl Term<'_> {
    fn err_hint(&mut self, line: &str) {
        let _ = writeln!(self.err, "hint: {line}");
    }
}

fn usage(term: &mut Term<'_>, message: impl AsRef<str>) -> u8 {
    term.error(message);
    exit::BAD_INPUT
}

fn print_settings(term: &mut Term<'_>, title: &str, view: &LmsSettingsView) {
    term.say(title);
    term.say(format!(
        "  Moodle URL:              {}",
        view.moodle_url.as_deref().unwrap_or("(not set)")
    ));
    term.say(format!(
        "  Moodle token:            {}",
        LmsSettingsView::mask(view.opensis_token_set)
    ));
    term.say(format!(
        "  User key token:          {}",
        LmsSettingsView::mask(view.userkey_token_set)
    ));
    term.say(format!(
        "  Enable Synchronization:  {}",
        if view.sync_enabled { "on" } else { "off" }
    ));
}

fn settings_json(view: &LmsSettingsView) -> serde_json::Value {
    serde_json::json!({
        "moodle_url": view.moodle_url,
        "opensis_token": LmsSettingsView::mask(view.opensis_token_set),
        "userkey_token": LmsSettingsView::mask(view.userkey_token_set),
        "enable_synchronization": view.sync_enabled,
    })
}

/// Keeps the profile's non-secret settings, and the password when asked; failures are warnings.
fn remember(
    chosen: Option<ChosenProfile>,
    config: &SisConfig,
    moodle_url: Option<String>,
    password: &Secret,
    remember_password: bool,
    env: &Env,
    term: &mut Term<'_>,
) {
    let Some(mut chosen) = chosen else { return };
    let mut kept = config.clone();
    // The profile holds no secret-like value: the passphrase is given again each time.
    kept.api.password_crypto.passphrase = None;
    chosen.profile.sis = Some(kept.to_profile_value());
    if let Some(url) = moodle_url {
        chosen.profile.moodle_url = url;
    }
    if let Err(e) = chosen.store.upsert(&chosen.profile) {
        term.warn(format!("the profile could not be saved: {e}"));
        return;
    }
    if remember_password {
        match env
            .secrets
            .set(&chosen.profile.id, SecretKind::SisPassword, password)
        {
            Ok(()) => term.say(format!(
                "The openSIS password is kept in the system keyring for profile \"{}\".",
                chosen.profile.name
            )),
            Err(e) => term.warn(format!("the password was not remembered: {e}")),
        }
    }
}

async fn save(args: SaveArgs, env: &mut Env, term: &mut Term<'_>) -> u8 {
    let format = args.api.format;
    let (chosen, config) = match profile_and_config(&args.api, env) {
        Ok(c) => c,
        Err(e) => return usage(term, e),
    };
    let url = args
        .url
        .clone()
        .or_else(|| chosen.as_ref().map(|c| c.profile.moodle_url.clone()))
        .unwrap_or_default();
    let connection = match sis::validate(&ConnectionInput {
        moodle_url: url,
        opensis_token: env.opensis_token.clone(),
        userkey_token: env.userkey_token.clone(),
        enable_sync: !args.no_sync,
    }) {
        Ok(c) => c,
        Err(SisError::MissingToken { which }) => {
            return usage(
                term,
                format!(
                    "the {which} is not set: export {OPENSIS_TOKEN_VAR} and {USERKEY_TOKEN_VAR} (tokens are never taken from the command line)"
                ),
            )
        }
        Err(e) => return fail(term, format, &e),
    };
    let http = match http_client(args.api.timeout) {
        Ok(h) => h,
        Err(e) => return usage(term, e),
    };
    if let Err(e) = OpenSisApi::new(http.clone(), config.api.clone()) {
        if let SisError::ConfigIncomplete { field } = &e {
            return usage(term, format!("{e}: {}", how_to_set(field)));
        }
        return fail(term, format, &e);
    }
    for w in &connection.warnings {
        term.warn(w);
    }
    let password = match password(&config.api.admin_email, chosen.as_ref(), env, term) {
        Ok(p) => p,
        Err(e) => return usage(term, e),
    };
    let target = sis::SisTarget::OpenSisApi(Box::new(config.api.clone()));
    let options = sis::SaveOptions {
        profile_name: chosen
            .as_ref()
            .map(|c| c.profile.name.clone())
            .unwrap_or_default(),
        skip_preview: args.skip_preview,
    };
    let report = match target
        .save(&http, &connection, Some(&password), &options)
        .await
    {
        Ok(sis::SaveOutcome::Saved(r)) => r,
        Ok(sis::SaveOutcome::Guided(_)) => {
            return usage(term, "the openSIS API target returned a guided card")
        }
        Err(e) => return fail(term, format, &e),
    };
    print_report(term, format, &report);
    remember(
        chosen,
        &config,
        Some(connection.root.to_string()),
        &password,
        args.api.remember_password,
        env,
        term,
    );
    exit::OK
}

fn how_to_set(field: &str) -> &'static str {
    match field {
        "api_url" => "give --sis-api (the openSIS API address) or a --config file",
        "tenant" => "give --tenant (the openSIS tenant name) or a --config file",
        "admin_email" => "give --admin-email (the Super Administrator's e-mail) or a --config file",
        "password_crypto.passphrase" => {
            "set OPENSIS_PASSPHRASE (the passphrase of openSIS's web UI) or give it in a --config file"
        }
        _ => "see docs/sis-connector.md",
    }
}

fn print_report(term: &mut Term<'_>, format: Format, report: &SaveReport) {
    match format {
        Format::Json => term.say(
            serde_json::json!({
                "ok": true,
                "before": settings_json(&report.before),
                "after": settings_json(&report.after),
                "preview": report.preview,
                "renewals": report.renewals,
                "warnings": report.warnings,
                "log": report.log,
            })
            .to_string(),
        ),
        Format::Text => {
            if let Some(p) = &report.preview {
                term.say(format!(
                    "Connect preview: \"{}\" answers with Moodle {} (version {}), as openSIS will show.",
                    p.site_name, p.release, p.version
                ));
            }
            for line in &report.log {
                term.say(format!("- {line}"));
            }
            print_settings(term, "Saved in openSIS's LMS Settings:", &report.after);
            term.say(format!(
                "Before, the Moodle URL was {} and synchronization was {}.",
                report.before.moodle_url.as_deref().unwrap_or("not set"),
                if report.before.sync_enabled {
                    "on"
                } else {
                    "off"
                }
            ));
        }
    }
}

async fn show(args: ShowArgs, env: &mut Env, term: &mut Term<'_>) -> u8 {
    let format = args.api.format;
    let (chosen, config) = match profile_and_config(&args.api, env) {
        Ok(c) => c,
        Err(e) => return usage(term, e),
    };
    let http = match http_client(args.api.timeout) {
        Ok(h) => h,
        Err(e) => return usage(term, e),
    };
    let api = match OpenSisApi::new(http, config.api.clone()) {
        Ok(a) => a,
        Err(SisError::ConfigIncomplete { field }) => {
            return usage(
                term,
                format!(
                    "{}: {}",
                    SisError::ConfigIncomplete { field },
                    how_to_set(field)
                ),
            )
        }
        Err(e) => return fail(term, format, &e),
    };
    let password = match password(&config.api.admin_email, chosen.as_ref(), env, term) {
        Ok(p) => p,
        Err(e) => return usage(term, e),
    };
    let settings: LmsSettings = match api.show(&password).await {
        Ok(s) => s,
        Err(e) => return fail(term, format, &e),
    };
    let view = settings.view();
    match format {
        Format::Json => {
            term.say(serde_json::json!({"ok": true, "settings": settings_json(&view)}).to_string())
        }
        Format::Text => print_settings(term, "openSIS's LMS Settings hold:", &view),
    }
    remember(
        chosen,
        &config,
        None,
        &password,
        args.api.remember_password,
        env,
        term,
    );
    exit::OK
}

async fn guide(args: GuideArgs, env: &mut Env, term: &mut Term<'_>) -> u8 {
    let chosen = match choose_profile(args.profile.as_deref(), false, env) {
        Ok(c) => c,
        Err(e) => return usage(term, e),
    };
    let mut config =
        match SisConfig::from_profile_value(chosen.as_ref().and_then(|c| c.profile.sis.as_ref())) {
            Ok(c) => c,
            Err(e) => return usage(term, e.to_string()),
        };
    if let Some(path) = &args.config {
        config = match read_config_file(path) {
            Ok(c) => c,
            Err(e) => return usage(term, e),
        };
    }
    let url = args
        .url
        .clone()
        .or_else(|| chosen.as_ref().map(|c| c.profile.moodle_url.clone()))
        .unwrap_or_default();
    let root = match normalize_site_url(&url) {
        Ok(r) => r,
        Err(e) => return usage(term, e.to_string()),
    };
    if env.opensis_token.is_some() && env.opensis_token == env.userkey_token {
        return fail(term, args.format, &SisError::SameTokenTwice);
    }
    let mut code = exit::OK;
    let preview = match (&env.opensis_token, args.no_preview) {
        (Some(token), false) => {
            let http = match http_client(args.timeout) {
                Ok(h) => h,
                Err(e) => return usage(term, e),
            };
            match connect_preview(&http, &root, token).await {
                Ok(p) => Some(p),
                Err(e) => {
                    term.error(format!("{e}"));
                    code = exit::CHECK_FAILED;
                    None
                }
            }
        }
        (None, false) => {
            term.warn(format!(
                "{OPENSIS_TOKEN_VAR} is not set: the Connect preview did not run"
            ));
            None
        }
        _ => None,
    };
    let profile_name = chosen
        .as_ref()
        .map(|c| c.profile.name.clone())
        .unwrap_or_default();
    let card = GuidedCard::build(
        &config.guided,
        &profile_name,
        &root,
        env.opensis_token.as_ref(),
        env.userkey_token.as_ref(),
        preview,
    );
    match args.format {
        Format::Json => term.say(serde_json::to_string_pretty(&card).unwrap_or_default()),
        Format::Text => print_card(term, &card),
    }
    if let Some(path) = &args.export {
        if let Err(e) = std::fs::write(path, card.export_json() + "\n") {
            term.error(format!("could not write {}: {e}", path.display()));
            return exit::CHECK_FAILED;
        }
        term.say(format!(
            "Wrote the card without tokens to {}.",
            path.display()
        ));
    }
    if let Some(field) = args.copy {
        let Some(value) = card.value(field) else {
            let var = match field {
                GuideField::OpensisToken => OPENSIS_TOKEN_VAR,
                _ => USERKEY_TOKEN_VAR,
            };
            return usage(term, format!("nothing to copy: {var} is not set"));
        };
        let hold = Duration::from_secs(args.hold);
        let name = field.name();
        let out = &mut *term.out;
        let mut ready = || {
            if cfg!(target_os = "linux") {
                let _ = writeln!(
                    out,
                    "Copying {name}: paste it into openSIS now; it stays on the clipboard for up to {} s or until something else is copied.",
                    hold.as_secs()
                );
            }
            let _ = out.flush();
        };
        match env.clipboard.put(value.expose(), hold, &mut ready) {
            Ok(()) => {
                term.say(format!("Copied {} to the clipboard.", field.name()));
                if value.is_secret() {
                    term.say("It is a token: clear the clipboard once it is pasted.");
                }
            }
            Err(e) => {
                term.error(format!(
                    "the clipboard is not available here ({e}); nothing was copied"
                ));
                return exit::CHECK_FAILED;
            }
        }
    }
    code
}

fn print_card(term: &mut Term<'_>, card: &GuidedCard) {
    let title = if card.profile_name.is_empty() {
        "Type this into openSIS's LMS Settings:".to_owned()
    } else {
        format!(
            "Type this into openSIS's LMS Settings (profile \"{}\"):",
            card.profile_name
        )
    };
    term.say(title);
    for step in &card.steps {
        match step.display_value() {
            Some(v) => term.say(format!("{:>2}. {}: {v}", step.number, step.label)),
            None => term.say(format!("{:>2}. {}", step.number, step.label)),
        }
        term.say(format!("    {}", step.instruction));
        if let (Some(field), true) = (step.field, step.secret && step.value.is_some()) {
            term.say(format!(
                "    copy it with: sis-moodle-setup sis guide --copy {}",
                field.name()
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use clap::Parser;
    use moodle_sim::MoodleSim;
    use secrets::SessionStore;
    use sis_connector::fake::{self, FakeOpenSis, FakeOptions};

    use super::*;

    #[derive(Debug, Parser)]
    struct TestCli {
        #[command(subcommand)]
        command: SisCommand,
    }

    #[derive(Clone, Default)]
    struct RecordingClipboard {
        got: Arc<Mutex<Option<String>>>,
        unavailable: bool,
    }

    impl ClipboardSink for RecordingClipboard {
        fn put(
            &mut self,
            text: &str,
            _hold: Duration,
            ready: &mut dyn FnMut(),
        ) -> Result<(), String> {
            if self.unavailable {
                return Err("X11 server connection timed out".into());
            }
            ready();
            *self.got.lock().unwrap() = Some(text.to_owned());
            Ok(())
        }
    }

    /// Secrets shared between runs of one test (the keyring stand-in).
    #[derive(Clone, Default)]
    struct SharedStore(Arc<SessionStore>);

    impl SecretStore for SharedStore {
        fn get(&self, p: &str, k: SecretKind) -> Result<Option<Secret>, secrets::SecretError> {
            self.0.get(p, k)
        }
        fn set(&self, p: &str, k: SecretKind, v: &Secret) -> Result<(), secrets::SecretError> {
            self.0.set(p, k, v)
        }
        fn delete(&self, p: &str, k: SecretKind) -> Result<(), secrets::SecretError> {
            self.0.delete(p, k)
        }
        fn is_persistent(&self) -> bool {
            false
        }
    }

    struct Outcome {
        code: u8,
        out: String,
        err: String,
    }

    struct World {
        sim: MoodleSim,
        fake: FakeOpenSis,
        dir: tempfile::TempDir,
        secrets: SharedStore,
        clipboard: RecordingClipboard,
    }

    impl World {
        async fn new() -> Self {
            Self {
                sim: MoodleSim::start_good().await.unwrap(),
                fake: FakeOpenSis::start(FakeOptions::default()).await.unwrap(),
                dir: tempfile::tempdir().unwrap(),
                secrets: SharedStore::default(),
                clipboard: RecordingClipboard::default(),
            }
        }

        fn env(&self, password: Option<&str>) -> Env {
            Env {
                opensis_token: WsToken::new(&self.sim.opensis_token()),
                userkey_token: WsToken::new(&self.sim.userkey_token()),
                password: password.map(Secret::new),
                passphrase: Some(fake::FAKE_PASSPHRASE.into()),
                interactive: false,
                prompt: Box::new(|_| panic!("no prompt in tests")),
                profiles: Some(ProfileStore::new(self.dir.path())),
                secrets: Box::new(self.secrets.clone()),
                clipboard: Box::new(self.clipboard.clone()),
            }
        }

        fn api_args(&self) -> Vec<String> {
            vec![
                "--sis-api".into(),
                self.fake.api_url(),
                "--tenant".into(),
                fake::FAKE_TENANT.into(),
                "--tenant-id".into(),
                fake::FAKE_TENANT_ID.into(),
                "--admin-email".into(),
                fake::ADMIN_EMAIL.into(),
            ]
        }

        async fn run(&self, args: &[String], env: &mut Env) -> Outcome {
            let mut argv = vec!["test".to_owned()];
            argv.extend(args.iter().cloned());
            let cli = TestCli::try_parse_from(argv).unwrap();
            let (mut out, mut err) = (Vec::new(), Vec::new());
            let code = {
                let mut term = Term {
                    out: &mut out,
                    err: &mut err,
                };
                run_with(
                    SisArgs {
                        command: cli.command,
                    },
                    env,
                    &mut term,
                )
                .await
            };
            Outcome {
                code,
                out: String::from_utf8(out).unwrap(),
                err: String::from_utf8(err).unwrap(),
            }
        }

        fn assert_no_secret(&self, o: &Outcome) {
            for s in [
                self.sim.opensis_token(),
                self.sim.userkey_token(),
                fake::ADMIN_PASSWORD.to_owned(),
            ] {
                assert!(
                    !o.out.contains(&s) && !o.err.contains(&s),
                    "secret printed:\n{}\n{}",
                    o.out,
                    o.err
                );
            }
        }
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_arguments_are_consistent() {
        use clap::CommandFactory;
        TestCli::command().debug_assert();
    }

    #[tokio::test]
    async fn save_writes_to_opensis_prints_masked_tokens_and_exits_0() {
        let w = World::new().await;
        let mut args = strings(&["save", "--url", &w.sim.url()]);
        args.extend(w.api_args());
        let o = w.run(&args, &mut w.env(Some(fake::ADMIN_PASSWORD))).await;
        assert_eq!(o.code, 0, "{}\n{}", o.out, o.err);
        assert!(
            o.out.contains("Moodle token:            *** (set)"),
            "{}",
            o.out
        );
        assert!(o.out.contains("Enable Synchronization:  on"));
        assert!(o.out.contains("Connect preview:"));
        assert_eq!(w.fake.settings()["moodleToken"], w.sim.opensis_token());
        w.assert_no_secret(&o);

        let mut show = strings(&["show", "--format", "json"]);
        show.extend(w.api_args());
        let o = w.run(&show, &mut w.env(Some(fake::ADMIN_PASSWORD))).await;
        assert_eq!(o.code, 0, "{}", o.err);
        let json: serde_json::Value = serde_json::from_str(&o.out).unwrap();
        assert_eq!(json["settings"]["opensis_token"], "*** (set)");
        assert_eq!(json["settings"]["userkey_token"], "*** (set)");
        assert_eq!(json["settings"]["moodle_url"], w.sim.url());
        w.assert_no_secret(&o);
    }

    #[tokio::test]
    async fn a_failed_save_exits_1_and_bad_input_exits_2() {
        let w = World::new().await;
        let mut args = strings(&["save", "--url", &w.sim.url()]);
        args.extend(w.api_args());
        let o = w.run(&args, &mut w.env(Some("Wrong-Horse-8"))).await;
        assert_eq!(o.code, 1);
        assert!(o.err.contains("did not accept the e-mail"), "{}", o.err);

        w.fake.fail_next_save("Database is read-only");
        let mut json_args = args.clone();
        json_args.extend(strings(&["--format", "json"]));
        let o = w
            .run(&json_args, &mut w.env(Some(fake::ADMIN_PASSWORD)))
            .await;
        assert_eq!(o.code, 1);
        let json: serde_json::Value = serde_json::from_str(&o.out).unwrap();
        assert_eq!(json["error"]["code"], "save_failed");
        assert!(json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("your previous settings are unchanged"));

        let mut env = w.env(Some(fake::ADMIN_PASSWORD));
        env.userkey_token = None;
        let o = w.run(&args, &mut env).await;
        assert_eq!(o.code, 2);
        assert!(o.err.contains(USERKEY_TOKEN_VAR), "{}", o.err);

        let mut env = w.env(None);
        let o = w.run(&args, &mut env).await;
        assert_eq!(o.code, 2);
        assert!(o.err.contains(PASSWORD_VAR), "{}", o.err);

        let mut env = w.env(Some(fake::ADMIN_PASSWORD));
        env.passphrase = None;
        let o = w.run(&args, &mut env).await;
        assert_eq!(o.code, 2);
        assert!(o.err.contains(PASSPHRASE_VAR), "{}", o.err);

        let mut bad_url = strings(&["save", "--url", "ftp://moodle"]);
        bad_url.extend(w.api_args());
        let o = w
            .run(&bad_url, &mut w.env(Some(fake::ADMIN_PASSWORD)))
            .await;
        assert_eq!(o.code, 2);
        assert!(!w
            .fake
            .requests()
            .iter()
            .any(|r| r.route.contains("update") && !r.failed));
    }

    #[tokio::test]
    async fn remember_password_keeps_it_under_the_profile_for_the_next_run() {
        let w = World::new().await;
        let mut args = strings(&[
            "save",
            "--url",
            &w.sim.url(),
            "--profile",
            "Lincoln High",
            "--remember-password",
        ]);
        args.extend(w.api_args());
        let o = w.run(&args, &mut w.env(Some(fake::ADMIN_PASSWORD))).await;
        assert_eq!(o.code, 0, "{}", o.err);
        let profiles = ProfileStore::new(w.dir.path()).list().unwrap();
        assert_eq!(profiles.len(), 1);
        let p = &profiles[0];
        assert_eq!(p.name, "Lincoln High");
        assert_eq!(p.moodle_url, w.sim.url());
        assert_eq!(
            w.secrets.get(&p.id, SecretKind::SisPassword).unwrap(),
            Some(Secret::new(fake::ADMIN_PASSWORD))
        );
        let stored = std::fs::read_to_string(ProfileStore::new(w.dir.path()).path()).unwrap();
        assert!(!stored.contains(fake::ADMIN_PASSWORD));
        assert!(!stored.contains(fake::FAKE_PASSPHRASE));
        assert!(!stored.contains(&w.sim.opensis_token()));

        // Next time: API settings from the profile, password from the keyring.
        let o = w
            .run(
                &strings(&["show", "--profile", "lincoln high"]),
                &mut w.env(None),
            )
            .await;
        assert_eq!(o.code, 0, "{}", o.err);
        assert!(o.out.contains("Moodle token:            *** (set)"));
    }

    #[tokio::test]
    async fn guide_prints_the_card_exports_without_tokens_and_copies() {
        let w = World::new().await;
        let export = w.dir.path().join("card.json");
        let args = strings(&[
            "guide",
            "--url",
            &w.sim.url(),
            "--export",
            export.to_str().unwrap(),
            "--copy",
            "opensis-token",
        ]);
        let o = w.run(&args, &mut w.env(None)).await;
        assert_eq!(o.code, 0, "{}\n{}", o.out, o.err);
        assert!(
            o.out.contains(&format!(" 2. Moodle URL: {}", w.sim.url())),
            "{}",
            o.out
        );
        assert!(o.out.contains(" 3. Moodle Token: *** (set)"));
        assert!(o.out.contains("Enable Synchronization"));
        assert!(o.out.contains("Copied opensis-token"));
        assert_eq!(
            w.clipboard.got.lock().unwrap().clone(),
            Some(w.sim.opensis_token())
        );
        w.assert_no_secret(&o);
        let exported = std::fs::read_to_string(&export).unwrap();
        let json: serde_json::Value = serde_json::from_str(&exported).unwrap();
        assert_eq!(json["moodle_url"], w.sim.url());
        assert!(json["release"].as_str().is_some_and(|r| !r.is_empty()));
        assert!(!exported.contains(&w.sim.opensis_token()));
        assert!(!exported.contains(&w.sim.userkey_token()));

        let mut env = w.env(None);
        env.clipboard = Box::new(RecordingClipboard {
            unavailable: true,
            ..RecordingClipboard::default()
        });
        let o = w
            .run(
                &strings(&["guide", "--url", &w.sim.url(), "--copy", "moodle-url"]),
                &mut env,
            )
            .await;
        assert_eq!(o.code, 1);
        assert!(
            o.err.contains("the clipboard is not available here"),
            "{}",
            o.err
        );

        let mut env = w.env(None);
        env.opensis_token = None;
        let o = w
            .run(
                &strings(&["guide", "--url", &w.sim.url(), "--copy", "opensis-token"]),
                &mut env,
            )
            .await;
        assert_eq!(o.code, 2);
        assert!(o.out.contains(" 3. Moodle Token: (not set)"));
    }

    #[tokio::test]
    async fn guide_exits_1_when_connect_would_fail() {
        let w = World::new().await;
        // The captured state whose opensis token Moodle no longer knows.
        w.sim.set_site("4.5", "opensis_token_invalid").unwrap();
        let mut env = w.env(None);
        let o = w
            .run(&strings(&["guide", "--url", &w.sim.url()]), &mut env)
            .await;
        assert_eq!(o.code, 1);
        assert!(o.err.contains("invalidtoken"), "{}", o.err);
        assert!(o.out.contains("Moodle URL"), "the card is still printed");
    }
}
