// Owns: the `doctor` command — reading the URL, e-mail and the tokens from the environment,
// running the diagnosis, printing it and choosing the exit code. Must not: judge anything.

use std::time::Duration;

use clap::{Args, ValueEnum};
use moodle_ws::{build_http_client, ExchangeObserver, HttpConfig, WsToken};
use setup_core::{diagnose_with, DiagnoseInput, DiagnoseOptions, Report, KEY_LIFETIME_CHECK_AGE};

use crate::exit;
use crate::render_text;

pub const OPENSIS_TOKEN_VAR: &str = "MOODLE_OPENSIS_TOKEN";
pub const USERKEY_TOKEN_VAR: &str = "MOODLE_USERKEY_TOKEN";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// The Moodle address, as you open it in a browser (e.g. https://moodle.school.org).
    #[arg(long)]
    pub url: String,
    /// The site administrator's e-mail, for the single sign-on check (looked up when omitted).
    #[arg(long)]
    pub admin_email: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Seconds to wait for each answer from the site.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: u64,
    /// Print one line per HTTP exchange to standard error: method, address without its query
    /// string, status and milliseconds (never a token or a body).
    #[arg(long, short)]
    pub verbose: bool,
    /// Also prove "User key life time" (step 7) by opening a login key 65 seconds after it was
    /// issued: the diagnosis then takes about a minute longer.
    #[arg(long)]
    pub check_key_lifetime: bool,
    /// Skip the probes that leave a trace on the site: the admin's one-time login key and the
    /// session it opens, and the failed login of a made-up user. Their checks are then listed
    /// as skipped.
    #[arg(long, conflicts_with = "check_key_lifetime")]
    pub no_sso: bool,
}

/// Reads a token from the environment, trimmed; warns when it does not look like one.
fn token_from_env(var: &str) -> Option<WsToken> {
    let raw = std::env::var(var).ok()?;
    let token = WsToken::new(&raw)?;
    if !token.looks_like_moodle_token() {
        eprintln!(
            "warning: {var} is not 32 hexadecimal characters; was it copied completely from Manage tokens?"
        );
    }
    Some(token)
}

pub async fn run(args: DoctorArgs) -> u8 {
    let input = DiagnoseInput {
        url: args.url.clone(),
        opensis_token: token_from_env(OPENSIS_TOKEN_VAR),
        userkey_token: token_from_env(USERKEY_TOKEN_VAR),
        admin_email: args.admin_email.clone(),
    };
    let config = HttpConfig {
        request_timeout: Duration::from_secs(args.timeout),
        connect_timeout: Duration::from_secs(args.timeout.min(10)),
        ..HttpConfig::default()
    };
    let http = match build_http_client(&config) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::BAD_INPUT;
        }
    };
    let options = DiagnoseOptions {
        on_exchange: args
            .verbose
            .then(|| ExchangeObserver::new(|exchange| eprintln!("http: {exchange}"))),
        key_lifetime_check: args.check_key_lifetime.then_some(KEY_LIFETIME_CHECK_AGE),
        no_sso: args.no_sso,
        ..DiagnoseOptions::default()
    };
    if args.check_key_lifetime {
        eprintln!(
            "Checking \"User key life time\": this waits {} s with a fresh login key.",
            KEY_LIFETIME_CHECK_AGE.as_secs()
        );
    }
    let report = match diagnose_with(&http, &input, &options).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::BAD_INPUT;
        }
    };
    print_report(&report, args.format);
    report.verdict.outcome.exit_code()
}

pub fn print_report(report: &Report, format: Format) {
    match format {
        Format::Json => match serde_json::to_string_pretty(report) {
            Ok(json) => println!("{json}"),
            Err(e) => eprintln!("error: {e}"),
        },
        Format::Text => print!("{}", render_text::render(report, render_text::use_colour())),
    }
}
