// Owns: the load benchmark — fifty school profiles checked at once (district::check_all, as
// the app's "Check all" and `doctor --all-profiles` do) on one shared client, each site
// answering in 100 ms, against one diagnosis alone. Must not: run in `cargo test`.
//
// cargo bench -p schools --bench concurrent_load     (BENCH_LATENCY_MS, BENCH_PROFILES, BENCH_RUNS)

use std::time::{Duration, Instant};

use diagnosis::{DiagnoseInput, DiagnoseOptions, Status};
use moodle_sim::MoodleSim;
use moodle_ws::{build_http_client, HttpConfig, WsToken};
use schools::district::{check_all, School, DEFAULT_CONCURRENCY};

#[path = "../../diagnosis/benches/common/mod.rs"]
mod common;
use common::env_number;

fn input(sim: &MoodleSim) -> DiagnoseInput {
    DiagnoseInput {
        url: sim.url(),
        opensis_token: WsToken::new(&sim.opensis_token()),
        userkey_token: WsToken::new(&sim.userkey_token()),
        admin_email: None,
    }
}

/// Diagnoses every site at once; the wall time, or what went wrong.
async fn diagnose_all(http: &reqwest::Client, sims: &[MoodleSim]) -> Result<f64, String> {
    let schools: Vec<School> = sims
        .iter()
        .enumerate()
        .map(|(i, sim)| School {
            id: i.to_string(),
            name: format!("School {i}"),
            input: input(sim),
            simulated_site: false,
        })
        .collect();
    let started = Instant::now();
    let checked = check_all(
        http,
        schools,
        &DiagnoseOptions::default(),
        DEFAULT_CONCURRENCY,
        |_, _, _| {},
    )
    .await;
    let elapsed = started.elapsed().as_secs_f64() * 1000.0;
    for school in checked {
        let report = school.report?;
        // The captured site lacks only the private openSIS-Web-Services plugin (step 3).
        if report.failing_steps() != [3] {
            let f = report
                .checks
                .iter()
                .find(|f| f.status == Status::Fail && f.step != 3);
            return Err(format!("{f:?}"));
        }
    }
    Ok(elapsed)
}

async fn sites(count: u64, latency: Duration) -> Result<Vec<MoodleSim>, String> {
    let mut sims = Vec::new();
    for _ in 0..count {
        let sim = MoodleSim::start_good().await.map_err(|e| e.to_string())?;
        sim.set_latency(latency);
        sims.push(sim);
    }
    Ok(sims)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() -> std::process::ExitCode {
    let latency = Duration::from_millis(env_number("BENCH_LATENCY_MS", 100));
    let profiles = env_number("BENCH_PROFILES", 50).max(1);
    let runs = env_number("BENCH_RUNS", 3).max(1);
    let runtime = match common::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async {
        let http = build_http_client(&HttpConfig::default()).map_err(|e| e.to_string())?;
        let (mut single, mut all) = (Vec::new(), Vec::new());
        for _ in 0..runs {
            single.push(diagnose_all(&http, &sites(1, latency).await?).await?);
            all.push(diagnose_all(&http, &sites(profiles, latency).await?).await?);
        }
        Ok::<_, String>((median(single), median(all)))
    });
    match outcome {
        Ok((single, all)) => {
            println!(
                "{profiles} profiles at once, {} ms per request, one shared client, median of {runs} runs: no error",
                latency.as_millis()
            );
            println!(
                "ratio: {:.2} ({profiles} concurrent {all:.0} ms, single {single:.0} ms)",
                all / single
            );
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
