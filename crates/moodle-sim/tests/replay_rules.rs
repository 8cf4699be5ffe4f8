//! The few places the simulated Moodle keeps state between requests, each as the captures
//! show it, and what it does with a request no capture covers.

use std::time::Duration;

use moodle_sim::{Front, MoodleSim, SimAddress};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn call(sim: &MoodleSim, base: &str, form: &[(&str, String)]) -> (u16, String) {
    let answer = client()
        .post(format!("{base}/webservice/rest/server.php"))
        .form(form)
        .send()
        .await
        .unwrap();
    let _ = sim;
    (answer.status().as_u16(), answer.text().await.unwrap())
}

fn site_info(token: String) -> Vec<(&'static str, String)> {
    vec![
        ("wstoken", token),
        ("wsfunction", "core_webservice_get_site_info".into()),
        ("moodlewsrestformat", "json".into()),
    ]
}

fn login_url(token: String, email: String) -> Vec<(&'static str, String)> {
    vec![
        ("wstoken", token),
        ("wsfunction", "auth_userkey_request_login_url".into()),
        ("moodlewsrestformat", "json".into()),
        ("user[email]", email),
    ]
}

async fn get(url: &str) -> (u16, String) {
    let answer = client().get(url).send().await.unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

fn key_of(body: &str) -> String {
    let json: serde_json::Value = serde_json::from_str(body).unwrap();
    json["loginurl"]
        .as_str()
        .unwrap()
        .split("key=")
        .nth(1)
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_request_no_capture_covers_is_501_and_logged_without_its_token() {
    let sim = MoodleSim::start("4.5", "good").await.unwrap();
    let token = sim.opensis_token();
    let (status, body) = call(
        &sim,
        &sim.url(),
        &[
            ("wstoken", token.clone()),
            ("wsfunction", "core_user_update_users".into()),
            ("moodlewsrestformat", "json".into()),
            ("users[0][id]", "2".into()),
        ],
    )
    .await;
    assert_eq!(status, 501);
    assert!(body.contains("not captured") && body.contains("core_user_update_users"));
    assert!(!body.contains(&token));
    let logged = sim.not_captured();
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0].probe, None);
    // A captured one is logged with its probe.
    let (status, _) = call(&sim, &sim.url(), &site_info(token)).await;
    assert_eq!(status, 200);
    assert_eq!(
        sim.requests()[1].probe.as_deref(),
        Some("site_info_opensis")
    );
}

#[tokio::test]
async fn an_expired_token_is_refused_once_then_unknown_whatever_is_called_first() {
    let sim = MoodleSim::start("5.0", "token_expired").await.unwrap();
    let token = sim.opensis_token();
    let local = vec![
        ("wstoken", token.clone()),
        ("wsfunction", "local_get_users_information".into()),
        ("moodlewsrestformat", "json".into()),
    ];
    let (_, first) = call(&sim, &sim.url(), &local).await;
    assert!(first.contains("\"accessexception\""), "{first}");
    let (_, again) = call(&sim, &sim.url(), &site_info(token.clone())).await;
    assert!(again.contains("\"invalidtoken\""), "{again}");
    // A new state starts afresh.
    sim.set_site("5.0", "token_expired").unwrap();
    let (_, first) = call(&sim, &sim.url(), &site_info(token)).await;
    assert!(first.contains("\"accessexception\""), "{first}");
}

#[tokio::test]
async fn login_keys_are_one_time_replaced_by_the_next_and_fresh_only() {
    let sim = MoodleSim::start("4.1", "good").await.unwrap();
    let ask = login_url(sim.userkey_token(), sim.admin_email());
    let (_, body) = call(&sim, &sim.url(), &ask).await;
    let first = key_of(&body);
    let (_, body) = call(&sim, &sim.url(), &ask).await;
    let second = key_of(&body);
    let page = |key: &str| format!("{}/auth/userkey/login.php?key={key}", sim.url());
    let (status, replaced) = get(&page(&first)).await;
    assert_eq!(status, 404);
    assert!(replaced.contains("Incorrect key"));
    let (status, _) = get(&page(&second)).await;
    assert_eq!(status, 303);
    let (status, used) = get(&page(&second)).await;
    assert_eq!(status, 404, "a key signs in once");
    assert!(used.contains("Incorrect key"));
    // An aged key is beyond what the captures show.
    sim.set_fresh_key_limit(Duration::ZERO);
    let (_, body) = call(&sim, &sim.url(), &ask).await;
    let third = key_of(&body);
    tokio::time::sleep(Duration::from_millis(5)).await;
    let (status, _) = get(&page(&third)).await;
    assert_eq!(status, 501);
    // Every key issued is kept for audits, used, replaced or aged, across state changes.
    sim.set_site("4.5", "good").unwrap();
    assert_eq!(sim.issued_keys(), vec![first, second, third]);
}

#[tokio::test]
async fn the_recorded_account_change_follows_the_login_url_and_nothing_undoes_it() {
    let sim = MoodleSim::start("4.5", "userkey_updateuser").await.unwrap();
    let by_id = vec![
        ("wstoken", sim.opensis_token()),
        ("wsfunction", "core_user_get_users_by_field".into()),
        ("moodlewsrestformat", "json".into()),
        ("field", "id".into()),
        ("values[0]", "2".into()),
    ];
    let (url, ask) = (sim.url(), login_url(sim.userkey_token(), sim.admin_email()));
    let ask_login_url = || call(&sim, &url, &ask);
    let (_, before) = call(&sim, &sim.url(), &by_id).await;
    assert!(before.contains("\"auth\":\"manual\""));
    ask_login_url().await;
    let (_, after) = call(&sim, &sim.url(), &by_id).await;
    assert!(after.contains("\"auth\":\"userkey\""), "{after}");
    assert_eq!(
        after.replace("\"auth\":\"userkey\"", "\"auth\":\"manual\""),
        before
    );
    // In a state without a recorded change the account stays as captured.
    sim.set_site("4.5", "good").unwrap();
    ask_login_url().await;
    let (_, after) = call(&sim, &sim.url(), &by_id).await;
    assert!(after.contains("\"auth\":\"manual\""));
}

#[tokio::test]
async fn the_second_address_answers_only_in_the_state_captured_there() {
    let sim = MoodleSim::start("4.5", "wwwroot_mismatch").await.unwrap();
    assert_eq!(sim.url(), sim.second_url());
    assert_ne!(sim.url(), sim.wwwroot());
    let (status, _) = call(&sim, &sim.url(), &site_info(sim.opensis_token())).await;
    assert_eq!(status, 303);
    // The same site at its wwwroot answers as in `good`.
    let (status, body) = call(&sim, &sim.wwwroot(), &site_info(sim.opensis_token())).await;
    assert_eq!(status, 200);
    assert!(body.contains("\"userissiteadmin\":true"));
    sim.set_site("4.5", "good").unwrap();
    assert_eq!(sim.url(), sim.wwwroot());
    let (status, _) = call(&sim, &sim.second_url(), &site_info(sim.opensis_token())).await;
    assert_eq!(status, 501);
    let last = sim.requests().pop().unwrap();
    assert_eq!(last.address, SimAddress::Second);
    assert!(last.not_captured);
}

#[tokio::test]
async fn a_proxy_in_front_answers_everything_until_taken_away() {
    let sim = MoodleSim::start_good().await.unwrap();
    sim.set_front(Some(Front::ProxyPage));
    let (status, body) = get(&format!("{}/login/index.php", sim.url())).await;
    assert_eq!(status, 200);
    assert!(body.contains("Sign in to continue - Network Access"));
    sim.set_front(None);
    let (_, body) = get(&format!("{}/login/index.php", sim.url())).await;
    assert!(body.contains("Log in to the site"));
}

#[tokio::test]
async fn unknown_versions_and_states_are_refused_by_name() {
    let err = MoodleSim::start("3.9", "good").await.err().unwrap();
    assert!(
        err.to_string().contains("4.1, 4.5, 4.5-debug, 5.0"),
        "{err}"
    );
    let err = MoodleSim::start("4.1", "site_policy").await.err().unwrap();
    assert!(err.to_string().contains("site_policy"), "{err}");
    let sim = MoodleSim::start_good().await.unwrap();
    assert!(sim.set_site("4.5", "nope").is_err());
    assert_eq!(sim.state(), "good");
}
