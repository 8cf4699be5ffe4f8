// Owns: a fake openSIS API on loopback that follows openSIS.Net's conventions — encrypted-password
// login, expiring JWTs, `_failure` answers, the LMS-settings endpoint — with switchable faults,
// for tests and the desktop app's demo mode. Must not: bind anything but 127.0.0.1.

use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, Method, Response, StatusCode, Uri};
use axum::Router;
use rand::Rng;
use serde_json::{json, Map, Value};
use tokio::sync::oneshot;

use crate::config::{OpenSisApiConfig, PasswordCryptoConfig};
use crate::crypto::decrypt_password;

/// The passphrase the fake's "UI" encrypts passwords with.
pub const FAKE_PASSPHRASE: &str = "fake-opensis-ui-passphrase";
pub const FAKE_TENANT: &str = "demo-school";
pub const FAKE_TENANT_ID: &str = "1e93c7bf-0fae-42bb-9e09-a1aa2620f5c5";
pub const ADMIN_EMAIL: &str = "superadmin@demo-school.org";
pub const ADMIN_PASSWORD: &str = "Correct-Horse-7";
pub const ADMIN_NAME: &str = "Sam Super";
pub const TEACHER_EMAIL: &str = "teacher@demo-school.org";
pub const TEACHER_PASSWORD: &str = "Teacher-Pass-3";
/// openSIS.Net's answers, word for word.
pub const WRONG_PASSWORD_MESSAGE: &str = "Email + password combination is incorrect, try again";
pub const TOKEN_NOT_VALID: &str = "Token not Valid";
pub const NO_PERMISSION: &str = "You do not have permission to change LMS settings";
const BASE_PATH: &str = "/api/";

/// A user of the fake openSIS.
#[derive(Debug, Clone)]
pub struct FakeUser {
    pub email: String,
    pub password: String,
    pub name: String,
    /// e.g. "Super Administrator", "Teacher".
    pub role: String,
}

/// How the fake is set up. Paths and field names come from `api`, so a test with a custom
/// configuration exercises the same names on both sides.
#[derive(Debug, Clone)]
pub struct FakeOptions {
    pub api: OpenSisApiConfig,
    pub users: Vec<FakeUser>,
    pub token_lifetime: Duration,
    /// The LMS settings object the fake starts with (`null`: never configured).
    pub initial_settings: Value,
}

impl Default for FakeOptions {
    fn default() -> Self {
        Self {
            api: OpenSisApiConfig {
                tenant: FAKE_TENANT.into(),
                tenant_id: Some(FAKE_TENANT_ID.into()),
                admin_email: ADMIN_EMAIL.into(),
                password_crypto: PasswordCryptoConfig {
                    passphrase: Some(FAKE_PASSPHRASE.into()),
                    ..PasswordCryptoConfig::default()
                },
                ..OpenSisApiConfig::default()
            },
            users: vec![
                FakeUser {
                    email: ADMIN_EMAIL.into(),
                    password: ADMIN_PASSWORD.into(),
                    name: ADMIN_NAME.into(),
                    role: "Super Administrator".into(),
                },
                FakeUser {
                    email: TEACHER_EMAIL.into(),
                    password: TEACHER_PASSWORD.into(),
                    name: "Terry Teacher".into(),
                    role: "Teacher".into(),
                },
            ],
            token_lifetime: Duration::from_secs(30 * 60),
            initial_settings: Value::Null,
        }
    }
}

/// One request the fake received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeRequest {
    pub method: String,
    /// Path and query, exactly as sent.
    pub uri: String,
    /// The route below the tenant, e.g. `User/ValidateLogin`.
    pub route: String,
    pub body: String,
    /// `_failure` of the answer (false for non-JSON answers).
    pub failed: bool,
}

struct Jwt {
    claim: String,
    role: String,
    issued: Instant,
    expired: bool,
}

struct FakeState {
    options: FakeOptions,
    settings: Value,
    tokens: HashMap<String, Jwt>,
    log: Vec<FakeRequest>,
    fail_next_save: Option<String>,
    partial_next_save: Option<String>,
    expire_on: Option<String>,
    missing: BTreeSet<String>,
    html: BTreeSet<String>,
    refresh_accepts_expired: bool,
    ignore_on_next_save: Option<String>,
    mask_tokens_on_read: bool,
}

/// A running fake openSIS. Dropping it stops the server.
pub struct FakeOpenSis {
    addr: SocketAddr,
    state: Arc<Mutex<FakeState>>,
    shutdown: Option<oneshot::Sender<()>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl FakeOpenSis {
    /// Starts the fake on 127.0.0.1 with a free port.
    pub async fn start(options: FakeOptions) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(Mutex::new(FakeState {
            settings: options.initial_settings.clone(),
            options,
            tokens: HashMap::new(),
            log: Vec::new(),
            fail_next_save: None,
            partial_next_save: None,
            expire_on: None,
            missing: BTreeSet::new(),
            html: BTreeSet::new(),
            refresh_accepts_expired: false,
            ignore_on_next_save: None,
            mask_tokens_on_read: false,
        }));
        let app = Router::new().fallback(handle).with_state(state.clone());
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
            state,
            shutdown: Some(tx),
        })
    }

    /// The API base, e.g. `http://127.0.0.1:41234/api/`.
    pub fn api_url(&self) -> String {
        format!("http://127.0.0.1:{}{BASE_PATH}", self.addr.port())
    }

    /// A client configuration pointing at this fake, signing in as the Super Administrator.
    pub fn client_config(&self) -> OpenSisApiConfig {
        let mut api = lock(&self.state).options.api.clone();
        api.api_url = self.api_url();
        api
    }

    /// The LMS settings object the fake holds now.
    pub fn settings(&self) -> Value {
        lock(&self.state).settings.clone()
    }

    pub fn set_settings(&self, settings: Value) {
        lock(&self.state).settings = settings;
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<FakeRequest> {
        lock(&self.state).log.clone()
    }

    /// The next save answers `_failure` with this message and changes nothing.
    pub fn fail_next_save(&self, message: &str) {
        lock(&self.state).fail_next_save = Some(message.to_owned());
    }

    /// The next save writes only the Moodle URL, then answers `_failure` with this message.
    pub fn fail_next_save_after_partial_write(&self, message: &str) {
        lock(&self.state).partial_next_save = Some(message.to_owned());
    }

    /// The next save succeeds but does not store `field` (it keeps its previous value).
    pub fn ignore_field_on_next_save(&self, field: &str) {
        lock(&self.state).ignore_on_next_save = Some(field.to_owned());
    }

    /// Reads answer `********` for both tokens, as an openSIS that masks them would.
    pub fn set_mask_tokens_on_read(&self, on: bool) {
        lock(&self.state).mask_tokens_on_read = on;
    }

    /// Every JWT issued so far (for audits of where secrets went).
    pub fn issued_tokens(&self) -> Vec<String> {
        let mut all: Vec<String> = lock(&self.state).tokens.keys().cloned().collect();
        all.sort();
        all
    }

    /// When the next request for `route` arrives, every JWT issued so far has expired.
    pub fn expire_tokens_on_next(&self, route: &str) {
        lock(&self.state).expire_on = Some(route.to_ascii_lowercase());
    }

    /// Every JWT issued so far has expired.
    pub fn expire_all_tokens(&self) {
        for jwt in lock(&self.state).tokens.values_mut() {
            jwt.expired = true;
        }
    }

    pub fn set_token_lifetime(&self, lifetime: Duration) {
        lock(&self.state).options.token_lifetime = lifetime;
    }

    /// openSIS.Net refuses to refresh an expired JWT; this lets the fake accept it.
    pub fn set_refresh_accepts_expired(&self, on: bool) {
        lock(&self.state).refresh_accepts_expired = on;
    }

    /// `route` answers HTTP 404, as when the endpoint does not exist.
    pub fn set_missing(&self, route: &str, on: bool) {
        let mut st = lock(&self.state);
        if on {
            st.missing.insert(route.to_ascii_lowercase());
        } else {
            st.missing.remove(&route.to_ascii_lowercase());
        }
    }

    /// `route` answers the web UI's HTML page, as a single-page app's fallback does.
    pub fn set_html(&self, route: &str, on: bool) {
        let mut st = lock(&self.state);
        if on {
            st.html.insert(route.to_ascii_lowercase());
        } else {
            st.html.remove(&route.to_ascii_lowercase());
        }
    }
}

impl Drop for FakeOpenSis {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

fn json_answer(value: Value) -> Response<Body> {
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
        .body(Body::from(value.to_string()))
        .unwrap_or_default()
}

fn status_answer(status: StatusCode, content_type: &str, body: &str) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body.to_owned()))
        .unwrap_or_default()
}

async fn handle(
    State(state): State<Arc<Mutex<FakeState>>>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response<Body> {
    let body_text = String::from_utf8_lossy(&body).into_owned();
    let mut st = lock(&state);
    let prefix = format!("{BASE_PATH}{}/", st.options.api.tenant);
    let route = uri
        .path()
        .strip_prefix(&prefix)
        .unwrap_or_default()
        .to_owned();
    let (response, failed) = answer(&mut st, &method, &route, &body_text);
    st.log.push(FakeRequest {
        method: method.to_string(),
        uri: uri
            .path_and_query()
            .map(|p| p.to_string())
            .unwrap_or_default(),
        route,
        body: body_text,
        failed,
    });
    response
}

fn failure(st: &FakeState, message: &str) -> (Response<Body>, bool) {
    let c = &st.options.api;
    let mut obj = Map::new();
    obj.insert(c.failure_field.clone(), Value::Bool(true));
    obj.insert(c.message_field.clone(), Value::from(message));
    (json_answer(Value::Object(obj)), true)
}

fn success(st: &FakeState, mut obj: Map<String, Value>) -> (Response<Body>, bool) {
    let c = &st.options.api;
    obj.insert(c.failure_field.clone(), Value::Bool(false));
    obj.entry(c.message_field.clone())
        .or_insert_with(|| Value::from("success"));
    (json_answer(Value::Object(obj)), false)
}

fn text<'a>(body: &'a Value, key: &str) -> &'a str {
    body.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn new_jwt() -> String {
    let bytes: [u8; 24] = rand::thread_rng().gen();
    format!(
        "eyJhbGciOiJIUzI1NiJ9.fake.{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

fn answer(st: &mut FakeState, method: &Method, route: &str, body: &str) -> (Response<Body>, bool) {
    let key = route.to_ascii_lowercase();
    if route.is_empty() {
        return (
            status_answer(StatusCode::NOT_FOUND, "text/plain", ""),
            false,
        );
    }
    if st.missing.contains(&key) {
        return (
            status_answer(StatusCode::NOT_FOUND, "text/plain", ""),
            false,
        );
    }
    if st.html.contains(&key) {
        return (
            status_answer(
                StatusCode::OK,
                "text/html; charset=utf-8",
                "<!doctype html><html><head><title>openSIS</title></head><body><app-root></app-root></body></html>",
            ),
            false,
        );
    }
    if *method != Method::POST {
        return (
            status_answer(StatusCode::METHOD_NOT_ALLOWED, "text/plain", ""),
            false,
        );
    }
    let Ok(body) = serde_json::from_str::<Value>(body) else {
        return (
            status_answer(StatusCode::BAD_REQUEST, "application/json", "{}"),
            false,
        );
    };
    if st.expire_on.as_deref() == Some(key.as_str()) {
        st.expire_on = None;
        for jwt in st.tokens.values_mut() {
            jwt.expired = true;
        }
    }
    let c = st.options.api.clone();
    if key == c.login_path.to_ascii_lowercase() {
        return login(st, &c, &body);
    }
    if key == c.refresh_path.to_ascii_lowercase() {
        return refresh(st, &c, &body);
    }
    let is_read = key == c.settings_read_path.to_ascii_lowercase();
    let is_save = key == c.settings_save_path.to_ascii_lowercase();
    if !is_read && !is_save {
        return (
            status_answer(StatusCode::NOT_FOUND, "text/plain", ""),
            false,
        );
    }
    let role = match check_token(st, &c, &body, false) {
        Some(role) => role,
        None => return failure(st, TOKEN_NOT_VALID),
    };
    if !role.eq_ignore_ascii_case(&c.super_admin_role) {
        return failure(st, NO_PERMISSION);
    }
    let mut out = Map::new();
    out.insert(c.tenant_name_field.clone(), Value::from(c.tenant.clone()));
    if is_read {
        let mut settings = st.settings.clone();
        if st.mask_tokens_on_read {
            if let Value::Object(fields) = &mut settings {
                for field in [&c.opensis_token_field, &c.userkey_token_field] {
                    if fields.get(field).is_some_and(|v| !v.is_null()) {
                        fields.insert(field.clone(), Value::from("********"));
                    }
                }
            }
        }
        if c.settings_object.is_empty() {
            if let Value::Object(fields) = settings {
                out.extend(fields);
            }
        } else {
            out.insert(c.settings_object.clone(), settings);
        }
        return success(st, out);
    }
    let incoming = if c.settings_object.is_empty() {
        body.clone()
    } else {
        body.get(&c.settings_object).cloned().unwrap_or(Value::Null)
    };
    let Value::Object(incoming) = incoming else {
        return failure(st, "Object reference not set to an instance of an object.");
    };
    if let Some(message) = st.fail_next_save.take() {
        return failure(st, &message);
    }
    if let Some(message) = st.partial_next_save.take() {
        let mut current = match st.settings.clone() {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        if let Some(url) = incoming.get(&c.moodle_url_field) {
            current.insert(c.moodle_url_field.clone(), url.clone());
        }
        st.settings = Value::Object(current);
        return failure(st, &message);
    }
    let ignored = st.ignore_on_next_save.take();
    let mut stored = Map::new();
    for field in [
        &c.moodle_url_field,
        &c.opensis_token_field,
        &c.userkey_token_field,
        &c.sync_field,
    ] {
        let value = if ignored.as_deref() == Some(field.as_str()) {
            st.settings.get(field).cloned()
        } else {
            incoming.get(field).cloned()
        };
        stored.insert(field.clone(), value.unwrap_or(Value::Null));
    }
    st.settings = Value::Object(stored);
    out.insert(c.message_field.clone(), Value::from("LMS settings updated"));
    success(st, out)
}

/// The JWT's role when it is valid for `_tenantName + _userName` (openSIS.Net's check).
fn check_token(
    st: &FakeState,
    c: &OpenSisApiConfig,
    body: &Value,
    accept_expired: bool,
) -> Option<String> {
    let jwt = st.tokens.get(text(body, &c.token_field))?;
    let claim = format!(
        "{}{}",
        text(body, &c.tenant_name_field),
        text(body, &c.user_name_field)
    );
    let expired = jwt.expired || jwt.issued.elapsed() >= st.options.token_lifetime;
    (jwt.claim == claim && (accept_expired || !expired)).then(|| jwt.role.clone())
}

fn login(st: &mut FakeState, c: &OpenSisApiConfig, body: &Value) -> (Response<Body>, bool) {
    let password = match decrypt_password(text(body, &c.login_password_field), &c.password_crypto) {
        Ok(p) => p,
        Err(_) => return failure(st, "Padding is invalid and cannot be removed."),
    };
    if let Some(id) = &c.tenant_id {
        if text(body, &c.login_tenant_id_field) != id {
            return failure(st, WRONG_PASSWORD_MESSAGE);
        }
    }
    let email = text(body, &c.login_email_field);
    let Some(user) = st
        .options
        .users
        .iter()
        .find(|u| u.email.eq_ignore_ascii_case(email) && u.password == password.expose())
        .cloned()
    else {
        return failure(st, WRONG_PASSWORD_MESSAGE);
    };
    let jwt = new_jwt();
    let tenant = text(body, &c.tenant_name_field).to_owned();
    st.tokens.insert(
        jwt.clone(),
        Jwt {
            claim: format!("{tenant}{}", user.name),
            role: user.role.clone(),
            issued: Instant::now(),
            expired: false,
        },
    );
    let mut out = Map::new();
    out.insert(c.login_email_field.clone(), Value::from(user.email.clone()));
    out.insert(c.login_name_field.clone(), Value::from(user.name.clone()));
    out.insert(c.login_role_field.clone(), Value::from(user.role.clone()));
    out.insert("membershipType".into(), Value::from(user.role.clone()));
    out.insert(c.login_tenant_id_field.clone(), json!(c.tenant_id.clone()));
    out.insert(c.tenant_name_field.clone(), Value::from(tenant));
    out.insert(c.token_field.clone(), Value::from(jwt));
    success(st, out)
}

/// openSIS.Net answers a refused refresh with `_failure: false` and no token.
fn refresh(st: &mut FakeState, c: &OpenSisApiConfig, body: &Value) -> (Response<Body>, bool) {
    let accept_expired = st.refresh_accepts_expired;
    let mut out = Map::new();
    match check_token(st, c, body, accept_expired) {
        Some(role) => {
            let jwt = new_jwt();
            let claim = format!(
                "{}{}",
                text(body, &c.tenant_name_field),
                text(body, &c.user_name_field)
            );
            st.tokens.insert(
                jwt.clone(),
                Jwt {
                    claim,
                    role,
                    issued: Instant::now(),
                    expired: false,
                },
            );
            out.insert(c.token_field.clone(), Value::from(jwt));
        }
        None => {
            out.insert(c.token_field.clone(), Value::Null);
        }
    }
    success(st, out)
}
