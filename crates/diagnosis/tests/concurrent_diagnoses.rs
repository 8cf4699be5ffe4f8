// Owns: fifty diagnoses at once on one shared HTTP client, each against its own simulated
// Moodle (one per school profile). Must not: measure time — benches/concurrent_load.rs does.

use diagnosis::{diagnose, DiagnoseInput, Status};
use moodle_sim::MoodleSim;
use moodle_ws::{build_http_client, HttpConfig, WsToken};

const PROFILES: usize = 50;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_diagnoses_on_one_client_agree() {
    let http = build_http_client(&HttpConfig::default()).unwrap();
    let mut sims = Vec::new();
    for _ in 0..PROFILES {
        sims.push(MoodleSim::start_good().await.unwrap());
    }
    let runs = sims.iter().map(|sim| {
        let http = http.clone();
        let input = DiagnoseInput {
            url: sim.url(),
            opensis_token: WsToken::new(&sim.opensis_token()),
            userkey_token: WsToken::new(&sim.userkey_token()),
            admin_email: None,
        };
        async move { diagnose(&http, &input).await }
    });
    let reports = futures::future::join_all(runs).await;

    let mut texts = Vec::new();
    for (sim, report) in sims.iter().zip(reports) {
        let mut report = report.unwrap();
        // How long each part took differs from run to run; it is measured, not compared.
        let timings = report.timings.take().expect("timings");
        let sso = timings.sso_ms.expect("single sign-on was checked");
        assert!(timings.total_ms >= timings.site_ms.max(sso));
        // The captured site lacks only the private openSIS-Web-Services plugin (step 3).
        let failed: Vec<_> = report
            .checks
            .iter()
            .filter(|f| f.status == Status::Fail && f.step != 3)
            .collect();
        assert!(failed.is_empty(), "{failed:#?}");
        assert_eq!(report.failing_steps(), [3]);
        // 12 requests, and the three shaped like openSIS's sync.
        assert_eq!(sim.requests().len(), 15, "each site saw one diagnosis");
        assert!(sim.not_captured().is_empty());
        // Each site has its own port; otherwise the reports must be the same.
        let text = serde_json::to_string(&report)
            .unwrap()
            .replace(&sim.url(), "http://SITE");
        texts.push(text);
    }
    assert!(!texts[0].contains("127.0.0.1:"), "{}", texts[0]);
    for text in &texts[1..] {
        assert_eq!(text, &texts[0]);
    }
}
