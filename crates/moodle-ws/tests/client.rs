//! The client against real sockets: the simulated Moodle, and raw servers that misbehave
//! (redirects, HTML, huge bodies, silence, refused connections).

use std::time::Duration;

use moodle_sim::MoodleSim;
use moodle_ws::{
    build_http_client, normalize_site_url, HttpConfig, MoodleClient, TransportKind,
    UserkeyLoginPage, WsError, WsToken,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

fn client_for(url: &str, config: HttpConfig) -> MoodleClient {
    let http = build_http_client(&config).unwrap();
    MoodleClient::new(
        http,
        normalize_site_url(url).unwrap(),
        config.max_body_bytes,
    )
}

/// A server that answers every connection with the same raw HTTP response.
async fn raw_server(response: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let response = response.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                let _ = sock.read(&mut buf).await;
                let _ = sock.write_all(&response).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    format!("http://{addr}")
}

fn token() -> WsToken {
    WsToken::new("0123456789abcdef0123456789abcdef").unwrap()
}

#[tokio::test]
async fn rest_calls_post_the_token_in_the_body() {
    let sim = MoodleSim::start_good().await.unwrap();
    let client = client_for(&sim.url(), HttpConfig::default());
    let t = WsToken::new(&sim.opensis_token()).unwrap();
    let info = client.site_info(&t).await.unwrap();
    // The captured site holds the 25 functions that exist without the private plugin.
    assert_eq!(info.functions.len(), 25);
    assert_eq!(info.siteurl, sim.url());
    let req = sim.requests().pop().unwrap();
    assert_eq!(req.probe.as_deref(), Some("site_info_opensis"));
    assert_eq!(req.method, "POST");
    assert_eq!(req.uri, "/webservice/rest/server.php");
    assert!(req
        .body
        .contains(&format!("wstoken={}", sim.opensis_token())));
    assert!(req
        .body
        .contains("wsfunction=core_webservice_get_site_info"));
    assert!(req.body.contains("moodlewsrestformat=json"));
}

#[tokio::test]
async fn login_url_round_trip_without_following_the_redirect() {
    let sim = MoodleSim::start_good().await.unwrap();
    let client = client_for(&sim.url(), HttpConfig::default());
    let t = WsToken::new(&sim.userkey_token()).unwrap();
    let login = client
        .request_login_url(&t, &sim.admin_email())
        .await
        .unwrap();
    assert!(login
        .loginurl
        .starts_with(&format!("{}/auth/userkey/login.php?key=", sim.url())));
    let follow = client.follow_login_url(&login.loginurl).await.unwrap();
    assert_eq!(follow.status, 303);
    assert_eq!(follow.location.as_deref(), Some(sim.url().as_str()));
    assert!(follow.sets_moodle_session);
    // One-time: a second use is refused.
    let again = client.follow_login_url(&login.loginurl).await.unwrap();
    assert_eq!(again.status, 404);
}

#[tokio::test]
async fn no_token_probes_tell_the_plugin_states_apart() {
    for (state, expected) in [
        ("good", "enabled"),
        ("userkey_disabled", "disabled"),
        ("auth_config_override", "disabled"),
        ("userkey_uninstalled", "not_installed"),
    ] {
        let sim = MoodleSim::start("4.5", state).await.unwrap();
        let client = client_for(&sim.url(), HttpConfig::default());
        let page = client.userkey_login_page().await.unwrap();
        let found = match page {
            UserkeyLoginPage::Enabled { .. } => "enabled",
            UserkeyLoginPage::Disabled { .. } => "disabled",
            UserkeyLoginPage::NotInstalled { .. } => "not_installed",
            UserkeyLoginPage::Unexpected { .. } => "unexpected",
        };
        assert_eq!(found, expected, "{state}");
    }
    // With web services off, simpleserver.php answers 200 with an empty body (not 403).
    for version in ["4.1", "4.5", "5.0"] {
        let sim = MoodleSim::start(version, "ws_disabled").await.unwrap();
        let client = client_for(&sim.url(), HttpConfig::default());
        assert_eq!(client.public_config().await.unwrap().enablewebservices, 0);
        assert!(matches!(
            client.simpleserver_probe().await,
            Err(WsError::Protocol { ref reason, .. }) if reason.contains("empty")
        ));
        assert!(sim.not_captured().is_empty(), "{version}");
    }
}

#[tokio::test]
async fn moodle_s_own_redirect_to_its_wwwroot_is_told_from_a_web_server_s() {
    let sim = MoodleSim::start("5.0", "wwwroot_mismatch").await.unwrap();
    let client = client_for(&sim.url(), HttpConfig::default());
    let err = client
        .site_info(&WsToken::new(&sim.opensis_token()).unwrap())
        .await
        .unwrap_err();
    match err {
        WsError::Redirect {
            status: 303,
            location,
            by_moodle: true,
        } => assert!(location.starts_with(&sim.wwwroot()), "{location}"),
        other => panic!("{other:?}"),
    }
    assert!(client
        .public_config()
        .await
        .unwrap_err()
        .is_errorcode("redirecterrordetected"));
    let page = client.login_page().await.unwrap();
    assert_eq!(page.status, 303);
    assert!(page.by_moodle);
    assert_eq!(
        page.location,
        Some(format!("{}/login/index.php", sim.wwwroot()))
    );
}

#[tokio::test]
async fn a_redirect_is_reported_not_followed() {
    let url = raw_server(
        b"HTTP/1.1 301 Moved Permanently\r\nLocation: https://moodle.school.org/\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
    )
    .await;
    let client = client_for(&url, HttpConfig::default());
    let err = client.site_info(&token()).await.unwrap_err();
    assert_eq!(
        err,
        WsError::Redirect {
            status: 301,
            location: "https://moodle.school.org/".into(),
            by_moodle: false,
        }
    );
}

#[tokio::test]
async fn an_html_proxy_page_is_a_protocol_error_naming_the_page() {
    let body = "<!DOCTYPE html><html><head><title>Access denied | Firewall</title></head><body>blocked</body></html>";
    let url = raw_server(
        format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len())
            .into_bytes(),
    )
    .await;
    let client = client_for(&url, HttpConfig::default());
    match client.public_config().await.unwrap_err() {
        WsError::Protocol { reason, .. } => assert!(reason.contains("Access denied | Firewall")),
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused() {
    let body = "x".repeat(64 * 1024);
    let declared = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let url = raw_server(declared.into_bytes()).await;
    let config = HttpConfig {
        max_body_bytes: 1024,
        ..HttpConfig::default()
    };
    let client = client_for(&url, config.clone());
    assert_eq!(
        client.site_info(&token()).await.unwrap_err(),
        WsError::BodyTooLarge { limit: 1024 }
    );
    // Without a Content-Length the limit holds while streaming.
    let streamed = format!("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{body}");
    let url = raw_server(streamed.into_bytes()).await;
    let client = client_for(&url, config);
    assert_eq!(
        client.site_info(&token()).await.unwrap_err(),
        WsError::BodyTooLarge { limit: 1024 }
    );
}

#[tokio::test]
async fn silence_is_a_timeout_and_a_closed_port_is_refused() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((sock, _)) = listener.accept().await {
            held.push(sock); // accept, never answer
        }
    });
    let config = HttpConfig {
        request_timeout: Duration::from_millis(300),
        ..HttpConfig::default()
    };
    let client = client_for(&format!("http://{addr}"), config);
    match client.site_info(&token()).await.unwrap_err() {
        WsError::Transport { kind, .. } => assert_eq!(kind, TransportKind::Timeout),
        other => panic!("unexpected {other:?}"),
    }

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let client = client_for(&format!("http://127.0.0.1:{port}"), HttpConfig::default());
    match client.public_config().await.unwrap_err() {
        WsError::Transport { kind, .. } => assert_eq!(kind, TransportKind::Refused),
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn tls_to_a_plain_http_server_is_a_tls_error() {
    let url = raw_server(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}".to_vec()).await;
    let client = client_for(&url.replace("http://", "https://"), HttpConfig::default());
    match client.public_config().await.unwrap_err() {
        WsError::Transport { kind, .. } => assert_eq!(kind, TransportKind::Tls),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn errors_never_carry_the_token() {
    let t = token();
    let shown = format!("{:?} {}", t, t);
    assert!(!shown.contains(t.expose()));
}

#[tokio::test]
async fn a_name_that_does_not_resolve_is_a_dns_error() {
    // `.invalid` never resolves (RFC 6761).
    let client = client_for("https://moodle.example.invalid", HttpConfig::default());
    match client.public_config().await.unwrap_err() {
        WsError::Transport { kind, detail } => {
            assert_eq!(kind, TransportKind::Dns, "{detail}");
            assert!(
                !detail.contains("tool_mobile_get_public_config"),
                "query strings are dropped"
            );
        }
        other => panic!("unexpected {other:?}"),
    }
}
