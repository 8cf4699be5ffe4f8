// Owns: the one shared HTTP client (rustls, explicit timeouts, no automatic redirects) and
// bounded body reading. Must not: follow redirects silently or read an unbounded body.

use std::time::Duration;

use crate::error::WsError;

/// Timeouts and limits for every exchange with a Moodle site.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    /// Largest body read from any answer; a site-info answer is a few KiB.
    pub max_body_bytes: usize,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_body_bytes: 4 * 1024 * 1024,
        }
    }
}

/// Builds the client shared by all probes. Redirects are never followed: a redirect is a
/// finding in itself (http→https, a moved site, a login wall) and must not carry a POST body.
pub fn build_http_client(config: &HttpConfig) -> Result<reqwest::Client, WsError> {
    reqwest::Client::builder()
        .use_rustls_tls()
        .connect_timeout(config.connect_timeout)
        .timeout(config.request_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("sis-moodle-setup/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| WsError::from_reqwest(&e))
}

/// Reads at most `limit` bytes of the body; more is an error, not a truncation. A body that
/// stops arriving (the request's time limit, a broken connection) is `Incomplete`.
pub async fn read_bounded(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, WsError> {
    if let Some(len) = response.content_length() {
        if len > limit as u64 {
            return Err(WsError::BodyTooLarge { limit });
        }
    }
    let status = response.status().as_u16();
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| incomplete(status, &e))? {
        if body.len() + chunk.len() > limit {
            return Err(WsError::BodyTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn incomplete(status: u16, error: &reqwest::Error) -> WsError {
    match WsError::from_reqwest(error) {
        WsError::Transport { kind, detail } => WsError::Incomplete {
            status,
            kind,
            detail,
        },
        other => other,
    }
}
