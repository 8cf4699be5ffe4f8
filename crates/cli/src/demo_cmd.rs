// Owns: the `demo` command — a simulated Moodle on loopback that replays the answers captured
// from a real Moodle of the chosen version in the chosen state, its URL and demo tokens
// printed, optionally diagnosed at once. Must not: listen beyond 127.0.0.1.

use clap::Args;
use diagnosis::{diagnose, DiagnoseInput};
use moodle_sim::{Front, MoodleSim, DEFAULT_VERSION, GOOD_STATE};
use moodle_ws::{build_http_client, HttpConfig, WsToken};

use crate::doctor_args::{OPENSIS_TOKEN_VAR, USERKEY_TOKEN_VAR};
use crate::exit;
use crate::output::{print_report, Format};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The Moodle version whose captured answers the simulation replays.
    #[arg(long = "moodle", value_name = "VERSION", default_value = DEFAULT_VERSION)]
    pub version: String,
    /// The captured state of the site, e.g. rest_disabled (see --list-states).
    #[arg(long, value_name = "STATE", default_value = GOOD_STATE)]
    pub state: String,
    /// Put a condition in front of Moodle (not a capture): proxy-page.
    #[arg(long, value_name = "CONDITION")]
    pub front: Option<String>,
    /// List the captured versions and states, then exit.
    #[arg(long)]
    pub list_states: bool,
    /// Run the doctor against the simulated Moodle, print the diagnosis and exit with its code.
    #[arg(long)]
    pub doctor: bool,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

fn list_states() {
    for version in &MoodleSim::catalog().versions {
        println!(
            "Moodle {} — {}{}",
            version.id,
            version.release,
            if version.debugging() {
                ", debugging on"
            } else {
                ""
            }
        );
        for state in &version.states {
            println!("  {:<28} {}", state.name, state.description);
        }
        println!();
    }
    println!("In front of Moodle (made up for the demo, not captured):");
    for front in Front::ALL {
        println!(
            "  --front {:<19} {}",
            front.name().replace('_', "-"),
            front.description()
        );
    }
}

pub async fn run(args: DemoArgs) -> u8 {
    if args.list_states {
        list_states();
        return exit::OK;
    }
    let front = match args.front.as_deref().map(|f| (f, Front::from_name(f))) {
        None => None,
        Some((_, Some(front))) => Some(front),
        Some((name, None)) => {
            eprintln!(
                "error: unknown condition \"{name}\"; see `sis-moodle-setup demo --list-states`"
            );
            return exit::BAD_INPUT;
        }
    };
    let state = args.state.trim().replace('-', "_");
    let sim = match MoodleSim::start(args.version.trim(), &state).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}; see `sis-moodle-setup demo --list-states`");
            return exit::BAD_INPUT;
        }
    };
    sim.set_front(front);
    eprintln!(
        "Simulated Moodle {} at {} (state: {state}{}) — replaying answers captured from a real site",
        sim.version(),
        sim.url(),
        front
            .map(|f| format!("; in front: {}", f.name()))
            .unwrap_or_default()
    );
    if args.doctor {
        let Ok(http) = build_http_client(&HttpConfig::default()) else {
            return exit::BAD_INPUT;
        };
        let input = DiagnoseInput {
            url: sim.url(),
            opensis_token: WsToken::new(&sim.opensis_token()),
            userkey_token: WsToken::new(&sim.userkey_token()),
            admin_email: None,
        };
        return match diagnose(&http, &input).await {
            Ok(report) => {
                print_report(&report, args.format);
                report.verdict.outcome.exit_code()
            }
            Err(e) => {
                eprintln!("error: {e}");
                exit::BAD_INPUT
            }
        };
    }
    // Demo tokens only: they open nothing but this simulated site.
    println!("Diagnose it from another terminal with:\n");
    println!(
        "  {OPENSIS_TOKEN_VAR}={} {USERKEY_TOKEN_VAR}={} sis-moodle-setup doctor --url {}\n",
        sim.opensis_token(),
        sim.userkey_token(),
        sim.url()
    );
    println!("Admin e-mail: {}. Press Ctrl-C to stop.", sim.admin_email());
    let _ = tokio::signal::ctrl_c().await;
    exit::OK
}
