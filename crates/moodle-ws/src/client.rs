// Owns: the REST call itself — a form-encoded POST to webservice/rest/server.php with the
// token in the body — and its decoding. Must not: put a token in a URL, a log or an error.

use std::time::Instant;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{
    envelope::decode_envelope,
    error::{TransportKind, WsError},
    exchange::{printable_url, Exchange, ExchangeObserver},
    http::read_bounded,
    site_url::SiteRoot,
    token::WsToken,
};

pub const REST_ENDPOINT: &str = "webservice/rest/server.php";

/// A client for one Moodle site. Cheap to clone: the HTTP client inside is shared.
#[derive(Clone, Debug)]
pub struct MoodleClient {
    pub(crate) http: reqwest::Client,
    pub(crate) root: SiteRoot,
    pub(crate) max_body: usize,
    pub(crate) observer: Option<ExchangeObserver>,
}

/// A raw answer: status, content type, headers of interest and the bounded body.
#[derive(Debug, Clone)]
pub struct RawAnswer {
    pub status: u16,
    pub content_type: Option<String>,
    pub location: Option<String>,
    /// `X-Redirect-By`, which Moodle sets on its own redirects.
    pub redirect_by: Option<String>,
    /// What answered in front of Moodle, as its headers say (see [`intermediary`]).
    pub via: Option<String>,
    /// The `Server` header.
    pub server: Option<String>,
    /// The `WWW-Authenticate` header (a 401's password request).
    pub www_authenticate: Option<String>,
    pub set_cookie: Vec<String>,
    pub body: Vec<u8>,
}

impl MoodleClient {
    pub fn new(http: reqwest::Client, root: SiteRoot, max_body: usize) -> Self {
        Self {
            http,
            root,
            max_body,
            observer: None,
        }
    }

    /// The same client, telling `observer` about each exchange (for a verbose mode).
    pub fn with_observer(self, observer: Option<ExchangeObserver>) -> Self {
        Self { observer, ..self }
    }

    pub fn root(&self) -> &SiteRoot {
        &self.root
    }

    /// The same client pointed at another root (after the site said its `wwwroot` differs).
    pub fn with_root(&self, root: SiteRoot) -> Self {
        Self {
            root,
            ..self.clone()
        }
    }

    /// Calls a web-service function and returns its JSON, or Moodle's error.
    pub async fn call_value(
        &self,
        token: &WsToken,
        function: &str,
        params: &[(&str, String)],
    ) -> Result<Value, WsError> {
        let mut form: Vec<(&str, &str)> = vec![
            ("wstoken", token.expose()),
            ("wsfunction", function),
            ("moodlewsrestformat", "json"),
        ];
        form.extend(params.iter().map(|(k, v)| (*k, v.as_str())));
        let request = self
            .http
            .post(self.root.endpoint(REST_ENDPOINT))
            .form(&form);
        let answer = self.send(request).await?;
        answer.decode()
    }

    /// Calls a function and decodes its success into `T`; a shape mismatch is a protocol error.
    pub async fn call<T: DeserializeOwned>(
        &self,
        token: &WsToken,
        function: &str,
        params: &[(&str, String)],
    ) -> Result<T, WsError> {
        let value = self.call_value(token, function, params).await?;
        crate::envelope::decode_answer(function, &value)
    }

    /// Sends a request and reads its answer within the body limit, telling the observer.
    pub(crate) async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<RawAnswer, WsError> {
        let request = request.build().map_err(|e| WsError::from_reqwest(&e))?;
        let Some(observer) = &self.observer else {
            return self.exchange(request, &mut None).await;
        };
        let method = request.method().to_string();
        let url = printable_url(request.url());
        let started = Instant::now();
        let mut status = None;
        let result = self.exchange(request, &mut status).await;
        observer.notify(&Exchange {
            method,
            url,
            status,
            failure: result.as_ref().err().map(failure_label),
            elapsed: started.elapsed(),
            preamble: result.as_ref().ok().and_then(RawAnswer::preamble),
        });
        result
    }

    async fn exchange(
        &self,
        request: reqwest::Request,
        status_seen: &mut Option<u16>,
    ) -> Result<RawAnswer, WsError> {
        let response = self
            .http
            .execute(request)
            .await
            .map_err(|e| WsError::from_reqwest(&e))?;
        let status = response.status().as_u16();
        *status_seen = Some(status);
        let header = |name: reqwest::header::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let content_type = header(reqwest::header::CONTENT_TYPE);
        let location = header(reqwest::header::LOCATION);
        let redirect_by = header(reqwest::header::HeaderName::from_static("x-redirect-by"));
        let via = intermediary(response.headers());
        let server = header(reqwest::header::SERVER);
        let www_authenticate = header(reqwest::header::WWW_AUTHENTICATE);
        let set_cookie = response
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        let body = read_bounded(response, self.max_body).await?;
        Ok(RawAnswer {
            status,
            content_type,
            location,
            redirect_by,
            via,
            server,
            www_authenticate,
            set_cookie,
            body,
        })
    }
}

/// What answered in front of Moodle, from the headers a CDN or web firewall adds.
pub fn intermediary(headers: &reqwest::header::HeaderMap) -> Option<String> {
    let has = |name: &str| headers.contains_key(name);
    let value = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    let server = value("server");
    if has("cf-ray") || has("cf-mitigated") || server.contains("cloudflare") {
        return Some(if value("cf-mitigated").contains("challenge") {
            "Cloudflare (a challenge page)".to_owned()
        } else {
            "Cloudflare".to_owned()
        });
    }
    if has("x-sucuri-id") || server.contains("sucuri") {
        return Some("Sucuri".to_owned());
    }
    if has("x-iinfo") || value("x-cdn").contains("incapsula") {
        return Some("Imperva (Incapsula)".to_owned());
    }
    if server.contains("akamaighost") {
        return Some("Akamai".to_owned());
    }
    if server.contains("mod_security") || server.contains("modsecurity") {
        return Some("mod_security".to_owned());
    }
    None
}

impl RawAnswer {
    /// The answer as JSON, or what went wrong: a redirect (never followed), Moodle's error, an
    /// HTTP error naming what answered in front of Moodle, or a body that is not JSON.
    pub fn decode(&self) -> Result<Value, WsError> {
        if let Some(redirect) = self.redirect() {
            return Err(redirect);
        }
        decode_envelope(self.status, self.content_type.as_deref(), &self.body).map_err(
            |e| match e {
                WsError::Http {
                    status,
                    body_excerpt,
                    title,
                    ..
                } => {
                    let lower = String::from_utf8_lossy(&self.body).to_ascii_lowercase();
                    let page = (lower.contains("mod_security") || lower.contains("modsecurity"))
                        .then(|| "mod_security".to_owned());
                    WsError::Http {
                        status,
                        body_excerpt,
                        title,
                        via: self.via.clone().or(page),
                        web_server: crate::web_server::WebServerPage::of(
                            status,
                            self.server.as_deref(),
                            self.www_authenticate.as_deref(),
                            &self.body,
                        )
                        .map(Box::new),
                    }
                }
                other => other,
            },
        )
    }

    /// What came before the JSON of the body, if anything.
    pub fn preamble(&self) -> Option<crate::envelope::Preamble> {
        crate::envelope::preamble(&self.body)
    }

    /// A redirect, which is never followed: a finding in itself.
    pub fn redirect(&self) -> Option<WsError> {
        let location = self.location.clone().filter(|_| is_redirect(self.status))?;
        Some(WsError::Redirect {
            status: self.status,
            location,
            by_moodle: self
                .redirect_by
                .as_deref()
                .is_some_and(|b| b.trim().eq_ignore_ascii_case("moodle")),
        })
    }
}

/// A few words on why an exchange failed, for the verbose line (no detail, no address).
fn failure_label(error: &WsError) -> String {
    match error {
        WsError::Transport { kind, .. } => match kind {
            TransportKind::Dns => "name not resolved",
            TransportKind::Refused => "connection refused",
            TransportKind::Tls => "TLS refused",
            TransportKind::Timeout => "timed out",
            TransportKind::Other => "connection failed",
        }
        .to_owned(),
        WsError::BodyTooLarge { limit } => format!("answer over {limit} bytes"),
        WsError::Incomplete { kind, .. } => match kind {
            TransportKind::Timeout => "rest of the answer timed out",
            _ => "answer broke off",
        }
        .to_owned(),
        other => other.to_string(),
    }
}

pub(crate) fn is_redirect(status: u16) -> bool {
    (300..400).contains(&status)
}
