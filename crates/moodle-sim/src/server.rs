// Owns: the loopback HTTP server of the simulated Moodle — two addresses (the site's wwwroot
// and a second one for the state captured there), the chosen version and state, the request
// log. Must not: bind anything but 127.0.0.1, or outlive the `MoodleSim` handle.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Response, StatusCode, Uri};
use axum::Router;
use tokio::sync::oneshot;

use crate::catalog::{Catalog, StateCaptures, VersionCaptures, GOOD_STATE};
use crate::front::Front;
use crate::matcher::IncomingRequest;
use crate::replay::{self, port_of, Answer, Live, Replay};

/// The version the demo and most tests use.
pub const DEFAULT_VERSION: &str = "4.5";

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("could not start the simulated Moodle on loopback: {0}")]
    Bind(#[from] std::io::Error),
    #[error("no captures of Moodle \"{0}\" (captured: {1})")]
    UnknownVersion(String, String),
    #[error("Moodle {0} has no captured state \"{1}\"")]
    UnknownState(String, String),
}

/// Which of the two addresses a request came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SimAddress {
    /// The site's own address (its `wwwroot`).
    Wwwroot,
    /// A second address of the same site (used by states captured there, e.g. `wwwroot_mismatch`).
    Second,
}

/// One request the simulated site received, for tests that check what a client sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    pub method: String,
    /// Path and query string, exactly as sent.
    pub uri: String,
    pub body: String,
    pub address: SimAddress,
    /// The captured probe this request was answered with; `None` when it was answered
    /// "501 not captured" or by a condition in front of Moodle.
    pub probe: Option<String>,
    /// Answered "501 not captured".
    pub not_captured: bool,
}

struct SimState {
    catalog: &'static Catalog,
    version: String,
    state: String,
    front: Option<Front>,
    live: Live,
    ports: BTreeMap<SimAddress, u16>,
}

impl SimState {
    fn version(&self) -> &'static VersionCaptures {
        self.catalog
            .version(&self.version)
            .expect("set_site checked the version")
    }

    fn current(&self) -> &'static StateCaptures {
        self.version()
            .state(&self.state)
            .expect("set_site checked the state")
    }

    /// Whether the current state was captured at the site's second address.
    fn at_second_address(&self) -> bool {
        self.current().base != self.version().wwwroot
    }

    /// The state that answers at an address, if any: the site's wwwroot answers as in `good`
    /// while a state captured at the second address is on (the same site, reached as it should).
    fn state_at(&self, address: SimAddress) -> Option<&'static StateCaptures> {
        match (address, self.at_second_address()) {
            (SimAddress::Wwwroot, false) | (SimAddress::Second, true) => Some(self.current()),
            (SimAddress::Wwwroot, true) => self.version().state(GOOD_STATE),
            (SimAddress::Second, false) => None,
        }
    }

    fn port_pairs(&self) -> Vec<(u16, u16)> {
        let version = self.version();
        let mut pairs = Vec::new();
        if let Some(recorded) = port_of(&version.wwwroot) {
            pairs.push((recorded, self.ports[&SimAddress::Wwwroot]));
        }
        for s in &version.states {
            if let Some(recorded) = port_of(&s.base) {
                if !pairs.iter().any(|(r, _)| *r == recorded) {
                    pairs.push((recorded, self.ports[&SimAddress::Second]));
                }
            }
        }
        pairs
    }
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
    shared: Shared,
    shutdown: Vec<oneshot::Sender<()>>,
    tokens: Tokens,
}

/// The tokens the captures' placeholders stand for in this simulation.
#[derive(Debug, Clone)]
struct Tokens {
    opensis: String,
    userkey: String,
    wsuser_opensis: String,
    wsuser_userkey: String,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn check_site(catalog: &Catalog, version: &str, state: &str) -> Result<(), SimError> {
    let v = catalog.version(version).ok_or_else(|| {
        let ids: Vec<&str> = catalog.versions.iter().map(|v| v.id.as_str()).collect();
        SimError::UnknownVersion(version.to_owned(), ids.join(", "))
    })?;
    v.state(state)
        .map(|_| ())
        .ok_or_else(|| SimError::UnknownState(version.to_owned(), state.to_owned()))
}

async fn serve(
    listener: tokio::net::TcpListener,
    shared: Shared,
    address: SimAddress,
) -> oneshot::Sender<()> {
    let app = Router::new()
        .fallback(
            move |s: State<Shared>, m: Method, u: Uri, h: HeaderMap, b: Bytes| {
                handle(s, address, m, u, h, b)
            },
        )
        .with_state(shared);
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
    });
    tx
}

impl MoodleSim {
    /// Starts a simulated Moodle of this captured version, in this captured state, on
    /// 127.0.0.1 with free ports.
    pub async fn start(version: &str, state: &str) -> Result<Self, SimError> {
        let catalog = Catalog::builtin();
        check_site(catalog, version, state)?;
        let main = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let second = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let ports = BTreeMap::from([
            (SimAddress::Wwwroot, main.local_addr()?.port()),
            (SimAddress::Second, second.local_addr()?.port()),
        ]);
        let tokens = Tokens {
            opensis: replay_hex(),
            userkey: replay_hex(),
            wsuser_opensis: replay_hex(),
            wsuser_userkey: replay_hex(),
        };
        let mut live = Live::default();
        live.known.tokens = BTreeMap::from([
            ("<opensis-token>", tokens.opensis.clone()),
            ("<userkey-token>", tokens.userkey.clone()),
            ("<wsuser-opensis-token>", tokens.wsuser_opensis.clone()),
            ("<wsuser-userkey-token>", tokens.wsuser_userkey.clone()),
        ]);
        let shared = Shared {
            state: Arc::new(Mutex::new(SimState {
                catalog,
                version: version.to_owned(),
                state: state.to_owned(),
                front: None,
                live,
                ports,
            })),
            log: Arc::new(Mutex::new(Vec::new())),
            latency_us: Arc::new(AtomicU64::new(0)),
        };
        let shutdown = vec![
            serve(main, shared.clone(), SimAddress::Wwwroot).await,
            serve(second, shared.clone(), SimAddress::Second).await,
        ];
        Ok(Self {
            shared,
            shutdown,
            tokens,
        })
    }

    /// Starts the default version in the configuration the openSIS guide asks for.
    pub async fn start_good() -> Result<Self, SimError> {
        Self::start(DEFAULT_VERSION, GOOD_STATE).await
    }

    /// The captures this simulation answers from.
    pub fn catalog() -> &'static Catalog {
        Catalog::builtin()
    }

    /// Switches to another captured version and state; keys, sessions and token histories
    /// start afresh.
    pub fn set_site(&self, version: &str, state: &str) -> Result<(), SimError> {
        let mut s = lock(&self.shared.state);
        check_site(s.catalog, version, state)?;
        s.version = version.to_owned();
        s.state = state.to_owned();
        s.live.reset();
        Ok(())
    }

    pub fn version(&self) -> String {
        lock(&self.shared.state).version.clone()
    }

    pub fn state(&self) -> String {
        lock(&self.shared.state).state.clone()
    }

    /// Puts a condition in front of the site (a proxy page), or takes it away.
    pub fn set_front(&self, front: Option<Front>) {
        lock(&self.shared.state).front = front;
    }

    pub fn front(&self) -> Option<Front> {
        lock(&self.shared.state).front
    }

    fn address_url(&self, address: SimAddress) -> String {
        format!(
            "http://127.0.0.1:{}",
            lock(&self.shared.state).ports[&address]
        )
    }

    /// The address the admin was given: the site's wwwroot, or the second address when the
    /// state was captured there (the site reached at an address that is not its wwwroot).
    pub fn url(&self) -> String {
        let second = lock(&self.shared.state).at_second_address();
        self.address_url(if second {
            SimAddress::Second
        } else {
            SimAddress::Wwwroot
        })
    }

    /// The site's own `wwwroot`.
    pub fn wwwroot(&self) -> String {
        self.address_url(SimAddress::Wwwroot)
    }

    /// The site's second address (answering only in states captured there).
    pub fn second_url(&self) -> String {
        self.address_url(SimAddress::Second)
    }

    /// The token of the `opensis` service (in states captured with another user's tokens, that
    /// user's).
    pub fn opensis_token(&self) -> String {
        self.tokens.opensis.clone()
    }

    /// The token of the "User key authentication web service".
    pub fn userkey_token(&self) -> String {
        self.tokens.userkey.clone()
    }

    /// The tokens of the non-admin user `wsuser`, captured in `maintenance` only.
    pub fn wsuser_tokens(&self) -> (String, String) {
        (
            self.tokens.wsuser_opensis.clone(),
            self.tokens.wsuser_userkey.clone(),
        )
    }

    /// The admin's e-mail on the captured sites.
    pub fn admin_email(&self) -> String {
        let s = lock(&self.shared.state);
        admin_email_of(s.version())
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        lock(&self.shared.log).clone()
    }

    /// Every one-time login key issued since the start (across version and state changes).
    pub fn issued_keys(&self) -> Vec<String> {
        lock(&self.shared.state).live.ever_issued.clone()
    }

    /// The requests answered "501 not captured".
    pub fn not_captured(&self) -> Vec<LoggedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.not_captured)
            .collect()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        lock(&self.shared.log).clear();
    }

    /// Delays every answer by `latency` (a network round trip plus Moodle's own time), from
    /// the next request on. Requests wait concurrently: two at once take one latency, not two.
    pub fn set_latency(&self, latency: Duration) {
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        self.shared.latency_us.store(micros, Ordering::Relaxed);
    }

    /// How old a login key may be and still be answered from the captures (which hold fresh
    /// keys only); older keys are answered "501 not captured".
    pub fn set_fresh_key_limit(&self, limit: Duration) {
        lock(&self.shared.state).live.fresh_key_limit = limit;
    }

    /// The delay added to every answer.
    pub fn latency(&self) -> Duration {
        Duration::from_micros(self.shared.latency_us.load(Ordering::Relaxed))
    }
}

/// The admin's e-mail, as the captured login-URL request sent it.
fn admin_email_of(version: &VersionCaptures) -> String {
    version
        .state(GOOD_STATE)
        .and_then(|s| s.capture("login_url"))
        .and_then(|c| {
            serde_urlencoded::from_str::<Vec<(String, String)>>(&c.request.body)
                .ok()?
                .into_iter()
                .find(|(k, _)| k == "user[email]")
                .map(|(_, v)| v)
        })
        .unwrap_or_default()
}

fn replay_hex() -> String {
    use rand::Rng;
    let bytes: [u8; 16] = rand::thread_rng().gen();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Drop for MoodleSim {
    fn drop(&mut self) {
        for tx in self.shutdown.drain(..) {
            let _ = tx.send(());
        }
    }
}

async fn handle(
    State(shared): State<Shared>,
    address: SimAddress,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response<Body> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let request = IncomingRequest {
        method: method.to_string(),
        path: uri.path().to_owned(),
        query: uri.query().unwrap_or_default().to_owned(),
        content_type: header("content-type"),
        cookie: header("cookie"),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let latency = shared.latency_us.load(Ordering::Relaxed);
    if latency > 0 {
        tokio::time::sleep(Duration::from_micros(latency)).await;
    }
    let (probe, answer, not_captured) = {
        let mut guard = lock(&shared.state);
        let s = &mut *guard;
        if let Some(front) = s.front {
            (None, front.answer(), false)
        } else {
            let answered = s.state_at(address).and_then(|state| {
                let ports = s.port_pairs();
                let replay = Replay {
                    state,
                    ports: &ports,
                };
                replay.answer(&request, &mut s.live)
            });
            match answered {
                Some((probe, answer)) => (Some(probe), answer, false),
                None => (
                    None,
                    replay::not_captured(&request, &s.version, &s.state),
                    true,
                ),
            }
        }
    };
    lock(&shared.log).push(LoggedRequest {
        method: request.method,
        uri: uri
            .path_and_query()
            .map(|p| p.to_string())
            .unwrap_or_default(),
        body: request.body,
        address,
        probe,
        not_captured,
    });
    into_response(answer)
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
