// Owns: the loopback HTTP server of the simulated Moodle, its routes and its request log.
// Must not: bind anything but 127.0.0.1, or outlive the `MoodleSim` handle that started it.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, Method, Response, StatusCode, Uri};
use axum::Router;
use serde_json::json;
use tokio::sync::oneshot;

use crate::fault::Fault;
use crate::pages::{self, Answer};
use crate::rest;
use crate::state::SimState;

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("could not start the simulated Moodle on loopback: {0}")]
    Bind(#[from] std::io::Error),
}

/// One request the simulated site received, for tests that check what a client sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    pub method: String,
    /// Path and query string, exactly as sent.
    pub uri: String,
    pub body: String,
}

#[derive(Clone)]
struct Shared {
    state: Arc<Mutex<SimState>>,
    log: Arc<Mutex<Vec<LoggedRequest>>>,
    /// Added to every answer, in microseconds (a site far away, or a slow PHP).
    latency_us: Arc<AtomicU64>,
}

/// A running simulated Moodle. Dropping it stops the server.
pub struct MoodleSim {
    addr: SocketAddr,
    shared: Shared,
    shutdown: Option<oneshot::Sender<()>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl MoodleSim {
    /// Starts a simulated Moodle on 127.0.0.1 with a free port and the given faults.
    pub async fn start(faults: impl IntoIterator<Item = Fault>) -> Result<Self, SimError> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let mut state = SimState::new(faults);
        state.port = addr.port();
        let shared = Shared {
            state: Arc::new(Mutex::new(state)),
            log: Arc::new(Mutex::new(Vec::new())),
            latency_us: Arc::new(AtomicU64::new(0)),
        };
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Self {
            addr,
            shared,
            shutdown: Some(tx),
        })
    }

    /// The address to reach the site at, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.addr.port())
    }

    /// The site's own `wwwroot` (differs from `url()` with [`Fault::WwwrootDiffers`]).
    pub fn wwwroot(&self) -> String {
        lock(&self.shared.state).wwwroot()
    }

    /// The token of the admin on the `opensis` service.
    pub fn opensis_token(&self) -> String {
        lock(&self.shared.state).opensis_token.clone()
    }

    /// The token of the admin on the "User key authentication web service".
    pub fn userkey_token(&self) -> String {
        lock(&self.shared.state).userkey_token.clone()
    }

    pub fn admin_email(&self) -> &'static str {
        crate::state::ADMIN.email
    }

    pub fn set_fault(&self, fault: Fault, on: bool) {
        lock(&self.shared.state).set_fault(fault, on);
    }

    pub fn faults(&self) -> BTreeSet<Fault> {
        lock(&self.shared.state).faults.clone()
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        lock(&self.shared.log).clone()
    }

    /// Delays every answer by `latency` (a network round trip plus Moodle's own time), from
    /// the next request on. Requests wait concurrently: two at once take one latency, not two.
    /// Sets auth_userkey's "User key life time" (120 s unless changed).
    pub fn set_key_lifetime(&self, lifetime: Duration) {
        lock(&self.shared.state).key_lifetime = lifetime;
    }

    pub fn set_latency(&self, latency: Duration) {
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        self.shared.latency_us.store(micros, Ordering::Relaxed);
    }

    /// The delay added to every answer.
    pub fn latency(&self) -> Duration {
        Duration::from_micros(self.shared.latency_us.load(Ordering::Relaxed))
    }
}

impl Drop for MoodleSim {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

async fn handle(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response<Body> {
    let body_text = String::from_utf8_lossy(&body).into_owned();
    lock(&shared.log).push(LoggedRequest {
        method: method.to_string(),
        uri: uri
            .path_and_query()
            .map(|p| p.to_string())
            .unwrap_or_default(),
        body: body_text.clone(),
    });
    let latency = shared.latency_us.load(Ordering::Relaxed);
    if latency > 0 {
        tokio::time::sleep(Duration::from_micros(latency)).await;
    }
    let mut state = lock(&shared.state);
    let answer = route(&mut state, &method, &uri, &body_text);
    drop(state);
    into_response(answer)
}

fn route(state: &mut SimState, method: &Method, uri: &Uri, body: &str) -> Answer {
    let w = state.wwwroot();
    if state.has(Fault::NotMoodle) {
        return pages::proxy_page();
    }
    let query: Vec<(String, String)> =
        serde_urlencoded::from_str(uri.query().unwrap_or_default()).unwrap_or_default();
    match (method.as_str(), uri.path()) {
        (_, "/webservice/rest/server.php") => {
            // Moodle reads parameters from the query string as well as the body.
            let mut params: Vec<(String, String)> =
                serde_urlencoded::from_str(body).unwrap_or_default();
            params.extend(query);
            rest::server(state, &params)
        }
        ("GET", "/webservice/rest/simpleserver.php") => rest::simpleserver(state),
        ("POST", "/lib/ajax/service-nologin.php") => public_config(state),
        ("GET", "/auth/userkey/login.php") => userkey_login(state, &query),
        ("GET", "/") | ("GET", "/index.php") | ("GET", "/login/index.php") => {
            if state.has(Fault::Maintenance) {
                pages::maintenance_page()
            } else {
                Answer::from_capture("html_login_page", &w)
            }
        }
        (_, path) => pages::not_found(path, &w),
    }
}

/// `tool_mobile_get_public_config` through `lib/ajax/service-nologin.php` (not recorded; the
/// fields Moodle 4.5 returns that a diagnosis reads).
fn public_config(state: &SimState) -> Answer {
    let maintenance = state.has(Fault::Maintenance);
    let data = json!({
        "wwwroot": state.wwwroot(),
        "httpswwwroot": state.wwwroot(),
        "sitename": "SIS Lab Moodle",
        "guestlogin": 0,
        "rememberusername": 0,
        "authloginviaemail": 0,
        "registerauth": "",
        "forgottenpasswordurl": "",
        "authinstructions": "",
        "authnoneenabled": 0,
        "enablewebservices": i32::from(!state.has(Fault::WebServicesDisabled)),
        "enablemobilewebservice": 0,
        "maintenanceenabled": i32::from(maintenance),
        "maintenancemessage": if maintenance { "Back after the upgrade." } else { "" },
        "typeoflogin": 1,
        "launchurl": format!("{}/admin/tool/mobile/launch.php", state.wwwroot()),
        "mobilecssurl": "",
        "tool_mobile_disabledfeatures": "",
        "country": "",
        "agedigitalconsentverification": false,
        "autolang": 1,
        "lang": "en",
        "langmenu": 1,
        "langlist": "",
        "locale": "en_AU.UTF-8",
        "tool_mobile_minimumversion": "",
        "supportname": "Admin User",
        "supportemail": "admin@example.org",
        "warnings": [],
    });
    Answer::json(
        json!([{"error": false, "data": data}])
            .to_string()
            .replace('/', "\\/"),
    )
}

fn userkey_login(state: &mut SimState, query: &[(String, String)]) -> Answer {
    let w = state.wwwroot();
    if state.has(Fault::UserkeyNotInstalled) {
        return pages::not_found("/auth/userkey/login.php", &w);
    }
    if state.has(Fault::UserkeyDisabled) {
        return pages::moodle_error_page(404, "The userkey authentication plugin is disabled.", &w);
    }
    let key = query
        .iter()
        .find(|(k, _)| k == "key")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    if state.redeem_login_key(key) {
        Answer::from_capture("ok_follow_login_url", &w)
    } else {
        pages::moodle_error_page(404, "Incorrect key", &w)
    }
}

fn into_response(answer: Answer) -> Response<Body> {
    let mut response = Response::new(Body::from(answer.body));
    *response.status_mut() = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    for (k, v) in answer.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(&v),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn latency_delays_every_answer() {
        let sim = MoodleSim::start([]).await.unwrap();
        assert_eq!(sim.latency(), Duration::ZERO);
        sim.set_latency(Duration::from_millis(60));
        assert_eq!(sim.latency(), Duration::from_millis(60));
        let client = reqwest::Client::new();
        let started = std::time::Instant::now();
        let answer = client.get(format!("{}/", sim.url())).send().await.unwrap();
        assert_eq!(answer.status(), 200);
        assert!(started.elapsed() >= Duration::from_millis(60));
        assert_eq!(sim.requests().len(), 1);
    }
}
