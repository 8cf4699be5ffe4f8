// Owns: the doctor's flags and what they mean — the tokens read from the environment (never
// from the command line), the HTTP client with the doctor's timeouts, the diagnosis options,
// an interval as admins write it, and the exit code of bad input. Must not: run a diagnosis.

use std::time::Duration;

use clap::Args;
use diagnosis::{DiagnoseOptions, KEY_LIFETIME_CHECK_AGE};
use moodle_ws::{build_http_client, ExchangeObserver, HttpConfig, WsToken};

use crate::exit;
use crate::output::Format;

pub const OPENSIS_TOKEN_VAR: &str = "MOODLE_OPENSIS_TOKEN";
pub const USERKEY_TOKEN_VAR: &str = "MOODLE_USERKEY_TOKEN";

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// The Moodle address, as you open it in a browser (e.g. https://moodle.school.org).
    #[arg(long, required_unless_present_any = ["profile", "all_profiles"], conflicts_with_all = ["all_profiles"])]
    pub url: Option<String>,
    /// Check a school saved in the desktop app, by its name (or id): its address, e-mail and
    /// tokens from the system keyring (the token variables, when set, win).
    #[arg(long, value_name = "NAME", conflicts_with = "all_profiles")]
    pub profile: Option<String>,
    /// Check every school saved in the desktop app at once, each with its own tokens from
    /// the system keyring (the token variables are not used).
    #[arg(long)]
    pub all_profiles: bool,
    /// How many schools are checked at the same time with --all-profiles.
    #[arg(long, default_value_t = schools::district::DEFAULT_CONCURRENCY as u16, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// Check again every INTERVAL (e.g. 30m, 1h, 90s) and print only what changes: a step
    /// that now fails, or one that recovered. Runs until interrupted.
    #[arg(long, value_name = "INTERVAL", value_parser = parse_interval)]
    pub watch: Option<u64>,
    /// Answer as a Nagios-compatible plugin: one status line and exit 0 OK, 1 WARNING,
    /// 2 CRITICAL, 3 UNKNOWN.
    #[arg(long, conflicts_with_all = ["watch", "format"])]
    pub nagios: bool,
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
    /// Run the checks as the wizard runs them on its pages during a set-up: a token not given
    /// yet is waited for (its checks say which page asks for it) instead of failing. Exit 3
    /// while anything waits, 1 when something fails, 0 when everything passed.
    #[arg(long, conflicts_with_all = ["watch", "nagios"])]
    pub as_you_go: bool,
    /// Fix what failed: when a check fails, sign in to Moodle as its administrator, show the
    /// plan, make the changes through Moodle's own admin pages (as `configure` does, recorded
    /// in the school for `configure --undo`) and check again. With --url or --profile.
    #[arg(long, conflicts_with_all = ["watch", "nagios", "all_profiles", "as_you_go"])]
    pub fix: bool,
    /// With --fix: the site administrator's user name.
    #[arg(long, default_value = "admin")]
    pub admin_user: String,
    /// With --fix: read the password from the first line of standard input.
    #[arg(long, requires = "fix")]
    pub password_stdin: bool,
    /// With --fix: make the changes without asking.
    #[arg(long, requires = "fix")]
    pub yes: bool,
    /// With --fix: the auth_userkey ZIP (openSIS-Moodle-User-Authenticator.zip) to install when
    /// the plugin is missing.
    #[arg(long = "plugin-zip", value_name = "FILE", requires = "fix")]
    pub plugin_zips: Vec<std::path::PathBuf>,
}

/// Reads a token from the environment, trimmed; warns when it does not look like one.
pub fn token_from_env(var: &str) -> Option<WsToken> {
    let raw = std::env::var(var).ok()?;
    let token = WsToken::new(&raw)?;
    if !token.looks_like_moodle_token() {
        eprintln!(
            "warning: {var} is not 32 hexadecimal characters; was it copied completely from Manage tokens?"
        );
    }
    Some(token)
}

/// Bad input's exit code: 2, or UNKNOWN (3) for a monitor.
pub fn bad_input(args: &DoctorArgs) -> u8 {
    if args.nagios {
        crate::nagios::UNKNOWN
    } else {
        exit::BAD_INPUT
    }
}

/// The HTTP client for the doctor's timeouts.
pub fn http_client(args: &DoctorArgs) -> Result<reqwest::Client, String> {
    let config = HttpConfig {
        request_timeout: Duration::from_secs(args.timeout),
        connect_timeout: Duration::from_secs(args.timeout.min(10)),
        ..HttpConfig::default()
    };
    build_http_client(&config).map_err(|e| e.to_string())
}

pub fn options(args: &DoctorArgs) -> DiagnoseOptions {
    DiagnoseOptions {
        on_exchange: args
            .verbose
            .then(|| ExchangeObserver::new(|exchange| eprintln!("http: {exchange}"))),
        key_lifetime_check: args.check_key_lifetime.then_some(KEY_LIFETIME_CHECK_AGE),
        no_sso: args.no_sso,
        tokens_pending: args.as_you_go,
        ..DiagnoseOptions::default()
    }
}

/// "30m", "1h", "90s" or a number of seconds.
pub fn parse_interval(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let (number, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => t.split_at(i),
        None => (t, "s"),
    };
    let n: u64 = number
        .parse()
        .map_err(|_| format!("\"{text}\" is not an interval: write e.g. 30m, 1h or 90s"))?;
    let seconds = match unit.trim() {
        "s" | "sec" => n,
        "m" | "min" => n * 60,
        "h" => n * 3600,
        _ => return Err(format!("\"{text}\": the unit is s, m or h (e.g. 30m)")),
    };
    if seconds == 0 {
        return Err("the interval must be at least 1 s".into());
    }
    Ok(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_are_read_as_admins_write_them() {
        assert_eq!(parse_interval("30m"), Ok(1800));
        assert_eq!(parse_interval("1h"), Ok(3600));
        assert_eq!(parse_interval("90s"), Ok(90));
        assert_eq!(parse_interval("45"), Ok(45));
        assert!(parse_interval("0").is_err());
        assert!(parse_interval("soon").is_err());
        assert!(parse_interval("5d").is_err());
    }
}
