// Owns: the process-overhead benchmark of `sis-moodle-setup doctor` — the release binary run
// N times against a simulated Moodle without latency, median wall time. Must not: run in `cargo test`.
//
// cargo bench -p sis-moodle-setup-cli --bench doctor_overhead     (BENCH_RUNS, default 30)

use std::process::{Command, Stdio};
use std::time::Instant;

use moodle_sim::MoodleSim;

const BIN: &str = env!("CARGO_BIN_EXE_sis-moodle-setup");

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// Runs the binary `runs` times; wall times in ms, sorted, or what went wrong.
fn time_runs(
    runs: usize,
    args: &[String],
    env: &[(&str, String)],
    expect: i32,
) -> Result<Vec<f64>, String> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let status = Command::new(BIN)
            .args(args)
            .envs(env.iter().map(|(k, v)| (*k, v)))
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| format!("{BIN}: {e}"))?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        if status.code() != Some(expect) {
            return Err(format!("{args:?} exited {status}"));
        }
    }
    times.sort_by(f64::total_cmp);
    Ok(times)
}

fn report(label: &str, times: &[f64]) -> f64 {
    let median = percentile(times, 0.5);
    println!(
        "{label:<34} median {median:6.1} ms   min {:6.1}   p90 {:6.1}   max {:6.1}",
        times[0],
        percentile(times, 0.9),
        times[times.len() - 1]
    );
    median
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30)
        .max(1);
    // The simulated Moodle runs on this runtime's threads while the main thread spawns.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let sim = runtime
        .block_on(MoodleSim::start_good())
        .map_err(|e| e.to_string())?;
    let env = [
        ("MOODLE_OPENSIS_TOKEN", sim.opensis_token()),
        ("MOODLE_USERKEY_TOKEN", sim.userkey_token()),
    ];
    let doctor: Vec<String> = ["doctor", "--url", &sim.url(), "--format", "json"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let version = vec!["--version".to_owned()];
    // Warm the page cache and the loader.
    time_runs(3, &doctor, &env, 1)?;
    time_runs(3, &version, &[], 0)?;

    println!("{BIN}, {runs} runs each, simulated Moodle without latency");
    let start_only = report(
        "sis-moodle-setup --version",
        &time_runs(runs, &version, &[], 0)?,
    );
    let requests_before = sim.requests().len();
    let times = time_runs(runs, &doctor, &env, 1)?;
    let per_run = (sim.requests().len() - requests_before) / runs;
    let median = report("sis-moodle-setup doctor (json)", &times);
    println!("{per_run} HTTP requests per doctor run; process start alone {start_only:.1} ms");
    println!("doctor: {median:.1} ms median per run (target ≤ 50 ms)");
    Ok(())
}
