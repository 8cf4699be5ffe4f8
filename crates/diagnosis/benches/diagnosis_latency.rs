// Owns: the latency benchmark of a diagnosis — the real engine against the simulated Moodle
// at 100 ms per request, versus the same requests one after another. Must not: run in `cargo test`.
//
// cargo bench -p diagnosis --bench diagnosis_latency     (BENCH_LATENCY_MS, BENCH_RUNS to vary)

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use diagnosis::engine::sync_shapes::sync_shapes;
use diagnosis::required_functions::{is_web_services_plugin_function, required_functions};
use diagnosis::{diagnose, DiagnoseInput, PLUGIN_PROBE_FUNCTION};
use moodle_sim::{LoggedRequest, MoodleSim};
use moodle_ws::{
    build_http_client, error::codes, normalize_site_url, HttpConfig, MoodleClient, SiteInfo,
    UserField, WsError, WsToken,
};

mod common;
use common::env_number;

struct Scenario {
    name: &'static str,
    /// The captured state of Moodle 4.5 replayed.
    state: &'static str,
    /// The steps that state fails (the captured sites lack the private local_get_* plugin).
    failing: &'static [u8],
    email_given: bool,
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "functions missing, e-mail given",
        state: "functions_missing",
        failing: &[3, 14],
        email_given: true,
    },
    Scenario {
        name: "functions missing, e-mail looked up",
        state: "functions_missing",
        failing: &[3, 14],
        email_given: false,
    },
    Scenario {
        name: "set up as the guide says, e-mail given",
        state: "good",
        failing: &[3],
        email_given: true,
    },
    // Last: what `sis-moodle-setup doctor --url …` does on a site set up as the guide says.
    Scenario {
        name: "set up as the guide says, e-mail looked up",
        state: "good",
        failing: &[3],
        email_given: false,
    },
];

fn input(sim: &MoodleSim, email_given: bool) -> DiagnoseInput {
    DiagnoseInput {
        url: sim.url(),
        opensis_token: WsToken::new(&sim.opensis_token()),
        userkey_token: WsToken::new(&sim.userkey_token()),
        admin_email: email_given.then(|| sim.admin_email()),
    }
}

/// A request as the engine decides it: method, path and web-service function (the query
/// string carries a random probe user name or a one-time key, so it is left out).
fn signature(request: &LoggedRequest) -> String {
    let path = request.uri.split('?').next().unwrap_or_default();
    let function = request
        .body
        .split('&')
        .chain(request.uri.split(['?', '&']))
        .find_map(|pair| pair.strip_prefix("wsfunction="))
        .unwrap_or("-");
    format!("{} {path} {function}", request.method)
}

fn signatures(sim: &MoodleSim) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for request in sim.requests() {
        *counts.entry(signature(&request)).or_insert(0) += 1;
    }
    counts
}

fn is_access_exception<T>(r: &Option<Result<T, WsError>>) -> bool {
    matches!(r, Some(Err(e)) if e.is_errorcode(codes::ACCESS_EXCEPTION))
}

async fn site_info(
    client: &MoodleClient,
    token: Option<&WsToken>,
) -> Option<Result<SiteInfo, WsError>> {
    match token {
        Some(t) => Some(client.site_info(t).await),
        None => None,
    }
}

/// The engine's probes, with its decisions, strictly one after another.
async fn sequential(http: &reqwest::Client, input: &DiagnoseInput) {
    let Ok(typed) = normalize_site_url(&input.url) else {
        return;
    };
    let client = MoodleClient::new(http.clone(), typed.clone(), 4 * 1024 * 1024);
    let Ok(cfg) = client.public_config().await else {
        return;
    };
    let root = normalize_site_url(&cfg.wwwroot).unwrap_or(typed);
    let client = client.with_root(root);
    let mut opensis = input.opensis_token.clone();
    let mut userkey = input.userkey_token.clone();
    if opensis.is_some() && opensis == userkey {
        userkey = None;
    }
    let given = input.admin_email.clone();
    let _ = client.userkey_login_page().await;
    let _ = client.simpleserver_probe().await;
    let mut opensis_info = site_info(&client, opensis.as_ref()).await;
    let mut userkey_info = site_info(&client, userkey.as_ref()).await;
    let mut before = None;
    if let (Some(token), Some(email)) = (opensis.as_ref(), given.as_ref()) {
        before = Some(client.users_by_field(token, UserField::Email, email).await);
    }
    if let Some(token) = userkey.as_ref() {
        let _ = client
            .request_login_url(token, "nobody@example.invalid")
            .await;
    }
    if is_access_exception(&opensis_info) && matches!(userkey_info, Some(Ok(_))) {
        std::mem::swap(&mut opensis, &mut userkey);
        std::mem::swap(&mut opensis_info, &mut userkey_info);
    }
    if is_access_exception(&opensis_info) {
        let _ = site_info(&client, opensis.as_ref()).await;
    }
    let (Some(token), Some(Ok(info))) = (opensis.as_ref(), opensis_info.as_ref()) else {
        return;
    };
    let plugin_missing = required_functions()
        .into_iter()
        .any(|f| is_web_services_plugin_function(f) && !info.has_function(f));
    if plugin_missing {
        let _ = client.call_value(token, PLUGIN_PROBE_FUNCTION, &[]).await;
    }
    for shape in sync_shapes()
        .iter()
        .filter(|shape| info.has_function(&shape.function))
    {
        let _ = client
            .call_value(token, &shape.function, &shape.form())
            .await;
    }
    let email = match given {
        Some(email) => email,
        None => {
            let Ok(Some(owner)) = client.user_by_id(token, info.userid).await else {
                return;
            };
            owner.email
        }
    };
    let users = match before {
        Some(users) => users,
        None => client.users_by_field(token, UserField::Email, &email).await,
    };
    if users.is_err() {
        return;
    }
    if let Some(userkey) = userkey.as_ref() {
        if let Ok(url) = client.request_login_url(userkey, &email).await {
            let _ = client.follow_login_url(&url.loginurl).await;
            let _ = client.users_by_field(token, UserField::Email, &email).await;
        }
    }
}

struct Measured {
    concurrent_ms: f64,
    sequential_ms: f64,
    requests: usize,
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

async fn measure(
    scenario: &Scenario,
    latency: Duration,
    runs: u64,
    http: &reqwest::Client,
) -> Result<Measured, String> {
    let mut concurrent = Vec::new();
    let mut serial = Vec::new();
    let mut requests = 0;
    for _ in 0..runs {
        let sim = MoodleSim::start("4.5", scenario.state)
            .await
            .map_err(|e| e.to_string())?;
        sim.set_latency(latency);
        let started = Instant::now();
        let report = diagnose(http, &input(&sim, scenario.email_given))
            .await
            .map_err(|e| e.to_string())?;
        concurrent.push(started.elapsed().as_secs_f64() * 1000.0);
        let engine_requests = signatures(&sim);

        let baseline = MoodleSim::start("4.5", scenario.state)
            .await
            .map_err(|e| e.to_string())?;
        baseline.set_latency(latency);
        let started = Instant::now();
        sequential(http, &input(&baseline, scenario.email_given)).await;
        serial.push(started.elapsed().as_secs_f64() * 1000.0);
        let baseline_requests = signatures(&baseline);
        if engine_requests != baseline_requests {
            return Err(format!(
                "{}: the sequential baseline did not send the engine's requests\nengine:   {engine_requests:?}\nbaseline: {baseline_requests:?}",
                scenario.name
            ));
        }
        if report.failing_steps() != scenario.failing {
            return Err(format!(
                "{}: failing steps {:?}, expected {:?}",
                scenario.name,
                report.failing_steps(),
                scenario.failing
            ));
        }
        if !sim.not_captured().is_empty() {
            return Err(format!("{}: requests no capture covers", scenario.name));
        }
        requests = sim.requests().len();
    }
    Ok(Measured {
        concurrent_ms: median(concurrent),
        sequential_ms: median(serial),
        requests,
    })
}

fn main() -> std::process::ExitCode {
    let latency = Duration::from_millis(env_number("BENCH_LATENCY_MS", 100));
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
        println!(
            "diagnosis at {} ms per request, median of {runs} runs (same requests both ways)",
            latency.as_millis()
        );
        println!(
            "{:<44} {:>8} {:>14} {:>14} {:>8} {:>10}",
            "scenario", "requests", "concurrent ms", "sequential ms", "speedup", "× latency"
        );
        let mut last = None;
        let mut depth = (0.0, 0.0);
        for scenario in SCENARIOS {
            let m = measure(scenario, latency, runs, &http).await?;
            let latency_ms = latency.as_secs_f64() * 1000.0;
            println!(
                "{:<44} {:>8} {:>14.0} {:>14.0} {:>8.2} {:>10.2}",
                scenario.name,
                m.requests,
                m.concurrent_ms,
                m.sequential_ms,
                m.sequential_ms / m.concurrent_ms,
                m.concurrent_ms / latency_ms.max(1.0),
            );
            if scenario.state == "good" {
                let ratio = m.concurrent_ms / latency_ms.max(1.0);
                if scenario.email_given {
                    depth.0 = ratio;
                } else {
                    depth.1 = ratio;
                }
            }
            last = Some(m);
        }
        Ok::<_, String>(last.map(|m| (m, depth)))
    });
    match outcome {
        Ok(Some((m, (known, looked_up)))) => {
            println!(
                "speedup: {:.2} (concurrent {:.0} ms, sequential {:.0} ms)",
                m.sequential_ms / m.concurrent_ms,
                m.concurrent_ms,
                m.sequential_ms
            );
            println!(
                "depth: {known:.2} x latency (e-mail known), {looked_up:.2} x latency (looked up)"
            );
            std::process::ExitCode::SUCCESS
        }
        Ok(None) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
