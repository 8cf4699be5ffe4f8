// Owns: the `demo` command — a simulated Moodle on loopback with chosen faults, its URL and
// demo tokens printed, optionally diagnosed at once. Must not: listen beyond 127.0.0.1.

use clap::Args;
use moodle_sim::{Fault, MoodleSim};
use moodle_ws::{build_http_client, HttpConfig, WsToken};
use setup_core::{diagnose, DiagnoseInput};

use crate::doctor_cmd::{print_report, Format, OPENSIS_TOKEN_VAR, USERKEY_TOKEN_VAR};
use crate::exit;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Switch on a misconfiguration (repeatable), e.g. --fault rest-protocol-disabled.
    #[arg(long = "fault", value_name = "FAULT")]
    pub faults: Vec<String>,
    /// List the faults the simulated Moodle can show, then exit.
    #[arg(long)]
    pub list_faults: bool,
    /// Run the doctor against the simulated Moodle, print the diagnosis and exit.
    #[arg(long)]
    pub doctor: bool,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

fn parse_faults(names: &[String]) -> Result<Vec<Fault>, String> {
    names
        .iter()
        .map(|n| {
            Fault::from_name(n).ok_or_else(|| {
                format!("unknown fault \"{n}\"; see `sis-moodle-setup demo --list-faults`")
            })
        })
        .collect()
}

pub async fn run(args: DemoArgs) -> u8 {
    if args.list_faults {
        for f in Fault::ALL {
            println!("{:<36} step {:>2}", f.name().replace('_', "-"), f.step());
        }
        return exit::OK;
    }
    let faults = match parse_faults(&args.faults) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::BAD_INPUT;
        }
    };
    let sim = match MoodleSim::start(faults.clone()).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::BAD_INPUT;
        }
    };
    let names: Vec<String> = faults.iter().map(|f| f.name().replace('_', "-")).collect();
    eprintln!(
        "Simulated Moodle at {} (faults: {})",
        sim.url(),
        if names.is_empty() {
            "none".to_owned()
        } else {
            names.join(", ")
        }
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
                if report.has_failures() {
                    exit::CHECK_FAILED
                } else {
                    exit::OK
                }
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
