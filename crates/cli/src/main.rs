//! `sis-moodle-setup`: diagnose a Moodle site's set-up for openSIS, do the set-up, list the
//! steps, save the connection in openSIS, and run a simulated Moodle to rehearse on. Owns: the
//! commands, their flags, output and exit codes. Must not: decide anything — every decision is
//! made in the library crates.

mod configure_cmd;
mod demo_cmd;
mod doctor_args;
mod doctor_cmd;
mod exit;
mod nagios;
mod output;
mod plugins_cmd;
mod render_text;
mod schools_cmd;
mod sis_cmd;
mod steps_cmd;
mod watch_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Set up and diagnose the connection between openSIS and Moodle.
#[derive(Debug, Parser)]
#[command(name = "sis-moodle-setup", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check every set-up step on a Moodle site and say what to fix.
    ///
    /// Tokens are read from the environment, never from the command line:
    /// MOODLE_OPENSIS_TOKEN (the "opensis" service) and MOODLE_USERKEY_TOKEN
    /// (the "User key authentication web service").
    ///
    /// The doctor changes nothing on the site. What its probes leave behind: the single
    /// sign-on check asks for a one-time login key for the admin (replacing one the admin may
    /// have pending) and opens it, which starts one admin session (and, when the account is
    /// not the token's owner, one look at its dashboard); when that key is refused, a second
    /// one is asked for with an address no computer has (to tell "IP restriction" apart) and
    /// never opened; the check of "Web services authentication" logs one failed login for a
    /// made-up user; opening Moodle's pages starts an anonymous visitor session, as any visit
    /// does. Before a login key is asked for, the accounts with the admin's e-mail are read,
    /// and read again after: if auth_userkey's "Update user" changed one, the old values are
    /// put back (core_user_update_users) and step 7 fails. --no-sso skips the login keys,
    /// the session and the failed login.
    ///
    /// Schools saved in the desktop app are checked by name (--profile) or all at once
    /// (--all-profiles), with their tokens from the system keyring; --watch checks again and
    /// again and prints only what changes.
    ///
    /// Exit codes: 0 every check passed (warnings allowed; what cannot be seen from outside is
    /// listed), 1 a step failed, 2 bad usage or input, 3 could not tell (a check could not be
    /// judged); with several schools, the worst of them. The first line of the text and the
    /// JSON's "verdict" say the same. For monitoring (Nagios, Icinga, Zabbix, cron), --nagios
    /// prints one status line and exits 0 OK, 1 WARNING (passed with a warning), 2 CRITICAL
    /// (a step failed), 3 UNKNOWN (could not tell, or bad input).
    Doctor(doctor_args::DoctorArgs),
    /// Do the set-up on a Moodle site as its administrator: sign in, show the plan, make the
    /// changes through Moodle's own admin pages, prove them with the doctor.
    ///
    /// The password is asked for without echo, or read from standard input (--password-stdin);
    /// it is sent once to Moodle's login page and not kept. The tokens created go into the
    /// system keyring of the school (--profile); every change is recorded there, and
    /// `configure --undo --profile NAME` puts the last run back. The session is ended with
    /// Moodle's own sign-out.
    ///
    /// Exit codes: 0 done and proven, 1 a step could not be done or did not prove (named),
    /// 2 usage or sign-in refused (nothing changed), 3 could not tell.
    Configure(configure_cmd::ConfigureArgs),
    /// List the set-up steps with the Moodle admin page of each.
    Steps(steps_cmd::StepsArgs),
    /// Start a simulated Moodle on this computer to rehearse or demonstrate with.
    Demo(demo_cmd::DemoArgs),
    /// Fetch the two plugin ZIPs and check them as Moodle's installer would (step 3).
    Plugins(plugins_cmd::PluginsArgs),
    /// Save the Moodle connection in openSIS, show it, or print the card to type it in.
    Sis(sis_cmd::SisArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: could not start: {e}");
            return ExitCode::from(exit::BAD_INPUT);
        }
    };
    let code = runtime.block_on(async {
        match cli.command {
            Command::Doctor(args) => doctor_cmd::run(args).await,
            Command::Configure(args) => configure_cmd::run(args).await,
            Command::Steps(args) => steps_cmd::run(args),
            Command::Demo(args) => demo_cmd::run(args).await,
            Command::Plugins(args) => plugins_cmd::run_code(args).await,
            Command::Sis(args) => sis_cmd::run(args).await,
        }
    });
    ExitCode::from(code)
}
