// Owns: the diagnosis against real loopback sockets that misbehave — refused, unresolvable,
// bad certificates, silence, trickling bodies, 5xx pages, redirects, huge bodies. Must not: reach beyond 127.0.0.1.
//
// Each case asserts the step-0 finding an admin would read, and that the answer came within
// the configured time limit (short ones here, so the whole file takes a few seconds).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diagnosis::{diagnose, DiagnoseInput, Finding, Report, Status};
use moodle_ws::{build_http_client, HttpConfig};
use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

const REQUEST_TIMEOUT: Duration = Duration::from_millis(1200);
/// Scheduling slack on a busy two-core machine.
const SLACK: Duration = Duration::from_millis(1500);

fn config() -> HttpConfig {
    HttpConfig {
        connect_timeout: Duration::from_millis(800),
        request_timeout: REQUEST_TIMEOUT,
        ..HttpConfig::default()
    }
}

fn client() -> reqwest::Client {
    build_http_client(&config()).unwrap()
}

/// The same client settings, also trusting a test certificate authority.
fn client_trusting(ca: &CertificateDer<'static>) -> reqwest::Client {
    let c = config();
    reqwest::Client::builder()
        .use_rustls_tls()
        .add_root_certificate(reqwest::Certificate::from_der(ca).unwrap())
        .connect_timeout(c.connect_timeout)
        .timeout(c.request_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

struct Diagnosed {
    report: Report,
    elapsed: Duration,
}

impl Diagnosed {
    fn finding(&self, check: &str) -> &Finding {
        self.report.finding(check).unwrap()
    }

    /// Asserts a step-0 finding's status and that its summary says `words`.
    fn expect(&self, check: &str, status: Status, words: &str) -> &Finding {
        let f = self.finding(check);
        assert_eq!(f.status, status, "{check}: {f:#?}");
        assert!(
            f.summary.contains(words),
            "{check}: summary {:?} lacks {words:?}\n{f:#?}",
            f.summary
        );
        f
    }

    fn within(&self, limit: Duration) {
        assert!(
            self.elapsed <= limit + SLACK,
            "took {:?}, limit {limit:?}",
            self.elapsed
        );
    }
}

async fn diagnosed(http: &reqwest::Client, url: &str) -> Diagnosed {
    let started = Instant::now();
    let input = DiagnoseInput {
        url: url.to_owned(),
        ..Default::default()
    };
    let report = diagnose(http, &input).await.unwrap();
    let elapsed = started.elapsed();
    // Whatever failed at the site, nothing later is claimed to pass or fail.
    if report.finding("site_is_moodle").unwrap().status != Status::Pass {
        for f in report.checks.iter().filter(|f| f.step > 0) {
            assert_eq!(
                (f.status, f.blocked_by),
                (Status::Blocked, Some(0)),
                "{f:#?}"
            );
        }
    }
    Diagnosed { report, elapsed }
}

/// Reads one request (head and a Content-Length body) so the client is not reset mid-send.
async fn read_request<S: AsyncRead + Unpin>(sock: &mut S) -> Option<String> {
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        let n = sock.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_string();
    let length = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    while data.len() < head_end + length {
        let n = sock.read(&mut buf).await.ok()?;
        if n == 0 {
            break;
        }
        data.extend_from_slice(&buf[..n]);
    }
    Some(head)
}

/// A loopback server running `handler` on each connection; counts the requests it read.
async fn serve<F, Fut>(handler: F) -> (SocketAddr, Arc<AtomicUsize>)
where
    F: Fn(tokio::net::TcpStream, Arc<AtomicUsize>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    let handler = Arc::new(handler);
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            tokio::spawn(handler(sock, counter.clone()));
        }
    });
    (addr, seen)
}

/// Answers every request with the same bytes, then closes.
async fn answer_all(response: Vec<u8>) -> SocketAddr {
    let response = Arc::new(response);
    serve(move |mut sock, seen| {
        let response = response.clone();
        async move {
            if read_request(&mut sock).await.is_some() {
                seen.fetch_add(1, Ordering::SeqCst);
                let _ = sock.write_all(&response).await;
                let _ = sock.shutdown().await;
            }
        }
    })
    .await
    .0
}

fn http_response(status: &str, headers: &[(&str, &str)], body: &str) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    out.into_bytes()
}

struct Tls {
    acceptor: TlsAcceptor,
    /// The authority to trust, when the certificate was issued by one (not self-signed).
    ca: Option<CertificateDer<'static>>,
}

fn acceptor(cert: CertificateDer<'static>, key: &KeyPair) -> TlsAcceptor {
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
    TlsAcceptor::from(Arc::new(config))
}

fn self_signed(names: &[&str]) -> Tls {
    let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(names)
        .unwrap()
        .self_signed(&key)
        .unwrap();
    Tls {
        acceptor: acceptor(cert.der().clone(), &key),
        ca: None,
    }
}

/// A certificate for `names`, issued by a fresh authority that a test client can trust.
fn issued_for(names: &[&str]) -> Tls {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(names)
        .unwrap()
        .signed_by(&key, &ca, &ca_key)
        .unwrap();
    Tls {
        acceptor: acceptor(cert.der().clone(), &key),
        ca: Some(ca.der().clone()),
    }
}

/// An https server answering every request with `response`; counts requests read after a
/// completed handshake.
async fn tls_server(tls: &Tls, response: Vec<u8>) -> (SocketAddr, Arc<AtomicUsize>) {
    let acceptor = tls.acceptor.clone();
    let response = Arc::new(response);
    serve(move |sock, seen| {
        let acceptor = acceptor.clone();
        let response = response.clone();
        async move {
            let Ok(mut stream) = acceptor.accept(sock).await else {
                return;
            };
            if read_request(&mut stream).await.is_some() {
                seen.fetch_add(1, Ordering::SeqCst);
                let _ = stream.write_all(&response).await;
                let _ = stream.shutdown().await;
            }
        }
    })
    .await
}

fn public_config_answer(wwwroot: &str) -> Vec<u8> {
    let body = serde_json::json!([{"error": false, "data": {
        "wwwroot": wwwroot, "sitename": "TLS Moodle", "enablewebservices": 1,
        "maintenanceenabled": 0}}])
    .to_string();
    http_response("200 OK", &[("Content-Type", "application/json")], &body)
}

#[tokio::test]
async fn connection_refused() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let d = diagnosed(&client(), &format!("http://127.0.0.1:{port}")).await;
    d.expect(
        "site_reachable",
        Status::Fail,
        &format!("Nothing answers on 127.0.0.1 port {port}"),
    );
    assert_eq!(d.finding("site_is_moodle").status, Status::Blocked);
    d.within(Duration::ZERO);
}

#[tokio::test]
async fn dns_failure() {
    // `.invalid` never resolves (RFC 6761).
    let d = diagnosed(&client(), "https://moodle.school.invalid").await;
    let f = d.expect(
        "site_reachable",
        Status::Fail,
        "The name moodle.school.invalid does not resolve",
    );
    assert!(f.fix.contains("spelling"));
    d.within(REQUEST_TIMEOUT);
}

#[tokio::test]
async fn a_self_signed_certificate_is_refused() {
    let tls = self_signed(&["127.0.0.1", "localhost"]);
    let (addr, seen) = tls_server(&tls, public_config_answer("https://127.0.0.1")).await;
    let d = diagnosed(&client(), &format!("https://{addr}")).await;
    let f = d.expect(
        "site_reachable",
        Status::Fail,
        "not issued by an authority this computer trusts",
    );
    assert!(f.evidence.contains("UnknownIssuer"), "{f:#?}");
    assert!(f.fix.contains("self-signed"), "{f:#?}");
    assert_eq!(
        seen.load(Ordering::SeqCst),
        0,
        "no request after a refused handshake"
    );
    d.within(REQUEST_TIMEOUT);
}

#[tokio::test]
async fn a_certificate_for_another_name_is_refused_even_from_a_trusted_authority() {
    let tls = issued_for(&["moodle.other-school.org"]);
    let (addr, seen) = tls_server(&tls, public_config_answer("https://127.0.0.1")).await;
    let http = client_trusting(tls.ca.as_ref().unwrap());
    let d = diagnosed(&http, &format!("https://{addr}")).await;
    let f = d.expect(
        "site_reachable",
        Status::Fail,
        "certificate is for another name than 127.0.0.1",
    );
    assert!(f.evidence.contains("not valid for name"), "{f:#?}");
    assert_eq!(seen.load(Ordering::SeqCst), 0);

    // The same authority and server code with the right name is accepted: the refusal above
    // is about the name, not the test's TLS set-up.
    let good = issued_for(&["127.0.0.1"]);
    let (addr, _) = tls_server(&good, public_config_answer("https://127.0.0.1")).await;
    let http = client_trusting(good.ca.as_ref().unwrap());
    let url = format!("https://{addr}");
    let started = Instant::now();
    let report = diagnose(
        &http,
        &DiagnoseInput {
            url: url.clone(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        report.finding("site_reachable").unwrap().status,
        Status::Pass
    );
    assert!(started.elapsed() <= REQUEST_TIMEOUT + SLACK);
}

#[tokio::test]
async fn a_server_that_accepts_and_never_answers() {
    let (addr, _) = serve(|sock, _| async move {
        let _held = sock;
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await;
    let d = diagnosed(&client(), &format!("http://{addr}")).await;
    d.expect("site_reachable", Status::Fail, "did not answer in time");
    assert!(d.elapsed >= REQUEST_TIMEOUT);
    d.within(REQUEST_TIMEOUT);
}

#[tokio::test]
async fn headers_then_a_body_trickling_slower_than_the_timeout() {
    let (addr, _) = serve(|mut sock, _| async move {
        if read_request(&mut sock).await.is_none() {
            return;
        }
        let head =
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[";
        if sock.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        for _ in 0..999 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if sock.write_all(b" ").await.is_err() {
                return;
            }
        }
    })
    .await;
    let d = diagnosed(&client(), &format!("http://{addr}")).await;
    let f = d.expect(
        "site_reachable",
        Status::Fail,
        "started answering (HTTP 200) but did not finish in time",
    );
    assert!(f.fix.contains("slow"), "{f:#?}");
    assert_eq!(d.finding("site_is_moodle").status, Status::Blocked);
    d.within(REQUEST_TIMEOUT);
}

#[tokio::test]
async fn server_errors_with_an_html_page() {
    for (status, words) in [
        (
            "500 Internal Server Error",
            "failed with an internal error (HTTP 500)",
        ),
        (
            "502 Bad Gateway",
            "the server behind it (PHP or Moodle) is not answering (HTTP 502)",
        ),
        ("503 Service Unavailable", "unavailable (HTTP 503)"),
    ] {
        let code = &status[..3];
        let page = format!(
            "<!DOCTYPE html><html><head><title>{status}</title></head><body><h1>{status}</h1><hr>nginx</body></html>"
        );
        let addr = answer_all(http_response(
            status,
            &[("Content-Type", "text/html")],
            &page,
        ))
        .await;
        let d = diagnosed(&client(), &format!("http://{addr}")).await;
        d.expect("site_reachable", Status::Pass, "answers");
        let f = d.expect("site_is_moodle", Status::Fail, words);
        assert!(f.evidence.contains(&format!("HTTP {code}")), "{f:#?}");
        assert!(
            f.summary.contains(&status[4..]),
            "the page title is named: {f:#?}"
        );
        d.within(REQUEST_TIMEOUT);
    }
}

#[tokio::test]
async fn a_redirect_from_https_to_plain_http_is_not_recommended() {
    let tls = issued_for(&["127.0.0.1"]);
    let (addr, _) = tls_server(
        &tls,
        http_response(
            "301 Moved Permanently",
            &[("Location", "http://127.0.0.1/moodle/")],
            "",
        ),
    )
    .await;
    let http = client_trusting(tls.ca.as_ref().unwrap());
    let d = diagnosed(&http, &format!("https://{addr}")).await;
    let f = d.expect("site_is_moodle", Status::Fail, "redirects to plain http");
    assert!(
        !f.fix.contains("Use the address the site redirects to"),
        "{f:#?}"
    );
    assert!(f.fix.contains("https"), "{f:#?}");
    d.within(REQUEST_TIMEOUT);
}

#[tokio::test]
async fn a_redirect_loop() {
    // Every address redirects to the site root, which redirects to itself.
    let (addr, seen) = serve(|mut sock, seen| async move {
        if read_request(&mut sock).await.is_some() {
            seen.fetch_add(1, Ordering::SeqCst);
            let port = sock.local_addr().map(|a| a.port()).unwrap_or(0);
            let location = format!("http://127.0.0.1:{port}/");
            let answer = http_response("302 Found", &[("Location", &location)], "");
            let _ = sock.write_all(&answer).await;
        }
    })
    .await;
    let d = diagnosed(&client(), &format!("http://{addr}")).await;
    let f = d.expect(
        "site_is_moodle",
        Status::Fail,
        "redirects back to its own address",
    );
    assert!(
        !f.fix.contains("Use the address the site redirects to"),
        "{f:#?}"
    );
    // Redirects are never followed: one request per probe sent before the site was known
    // (the public configuration, the user-key login page, simpleserver), not a loop.
    assert_eq!(seen.load(Ordering::SeqCst), 3);
    d.within(REQUEST_TIMEOUT);
}

#[tokio::test]
async fn a_20_mb_body_where_json_was_expected_is_refused_at_4_mib() {
    const SIZE: usize = 20 * 1024 * 1024;
    for announced in [true, false] {
        let (addr, _) = serve(move |mut sock, _| async move {
            if read_request(&mut sock).await.is_none() {
                return;
            }
            let head = if announced {
                format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {SIZE}\r\nConnection: close\r\n\r\n")
            } else {
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n".to_owned()
            };
            if sock.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let chunk = vec![b' '; 64 * 1024];
            for _ in 0..SIZE / chunk.len() {
                if sock.write_all(&chunk).await.is_err() {
                    return;
                }
            }
        })
        .await;
        let d = diagnosed(&client(), &format!("http://{addr}")).await;
        d.expect("site_reachable", Status::Pass, "answers");
        let f = d.expect("site_is_moodle", Status::Fail, "larger than 4 MiB");
        assert!(f.evidence.contains("4194304"), "{f:#?}");
        d.within(REQUEST_TIMEOUT);
    }
}

/// A leaf issued by an intermediate authority, itself issued by a root: (root, intermediate,
/// leaf and its key), the leaf valid until `not_after`.
fn chain_for(
    names: &[&str],
    not_after: time::OffsetDateTime,
) -> (
    CertificateDer<'static>,
    CertificateDer<'static>,
    CertificateDer<'static>,
    KeyPair,
) {
    let root_key = KeyPair::generate().unwrap();
    let mut root_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    root_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    root_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Test Root");
    let root = root_params.self_signed(&root_key).unwrap();
    let mid_key = KeyPair::generate().unwrap();
    let mut mid_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    mid_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    mid_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Test Intermediate");
    let mid = mid_params.signed_by(&mid_key, &root, &root_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let mut params =
        CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    params.not_after = not_after;
    let leaf = params.signed_by(&key, &mid, &mid_key).unwrap();
    (
        root.der().clone(),
        mid.der().clone(),
        leaf.der().clone(),
        key,
    )
}

fn acceptor_with_chain(chain: Vec<CertificateDer<'static>>, key: &KeyPair) -> TlsAcceptor {
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    TlsAcceptor::from(Arc::new(config))
}

/// A server presenting `chain`, answering with a public configuration, diagnosed by a client
/// trusting `root`.
async fn certificate_finding(
    root: &CertificateDer<'static>,
    chain: Vec<CertificateDer<'static>>,
    key: &KeyPair,
) -> diagnosis::Report {
    let tls = Tls {
        acceptor: acceptor_with_chain(chain, key),
        ca: None,
    };
    let (addr, _) = tls_server(&tls, public_config_answer("https://127.0.0.1")).await;
    diagnosed_trusting(root, &format!("https://{addr}")).await
}

async fn diagnosed_trusting(root: &CertificateDer<'static>, url: &str) -> diagnosis::Report {
    diagnosis::diagnose_with(
        &client_trusting(root),
        &DiagnoseInput {
            url: url.to_owned(),
            ..Default::default()
        },
        &diagnosis::DiagnoseOptions {
            extra_roots: vec![root.clone()],
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn rw21_a_chain_without_its_intermediate_is_named_documented() {
    let in_a_year = time::OffsetDateTime::now_utc() + time::Duration::days(365);
    let (root, mid, leaf, key) = chain_for(&["127.0.0.1"], in_a_year);
    // The server sends its own certificate only: browsers fetch the missing intermediate,
    // PHP's curl does not.
    let report = certificate_finding(&root, vec![leaf.clone()], &key).await;
    let f = report.finding("site_tls_certificate").unwrap();
    assert_eq!(f.status, Status::Fail, "{f:#?}");
    assert!(
        f.summary.contains("without the intermediate certificate"),
        "{f:#?}"
    );
    assert!(f.fix.contains("fullchain.pem"));
    assert_eq!(
        report.finding("site_reachable").unwrap().status,
        Status::Fail
    );

    // The whole chain is accepted, and its date given.
    let report = certificate_finding(&root, vec![leaf, mid], &key).await;
    let f = report.finding("site_tls_certificate").unwrap();
    assert_eq!(f.status, Status::Pass, "{f:#?}");
    assert!(f.summary.contains("valid until"), "{f:#?}");
}

#[tokio::test]
async fn rw21_a_certificate_about_to_expire_is_a_warning_documented() {
    let soon = time::OffsetDateTime::now_utc() + time::Duration::days(10);
    let (root, mid, leaf, key) = chain_for(&["127.0.0.1"], soon);
    let report = certificate_finding(&root, vec![leaf, mid], &key).await;
    let f = report.finding("site_tls_certificate").unwrap();
    assert_eq!(f.status, Status::Warn, "{f:#?}");
    assert!(
        f.summary.contains("expires in 9 days") || f.summary.contains("expires in 10 days"),
        "{f:#?}"
    );
}
