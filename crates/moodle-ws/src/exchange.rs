// Owns: the optional observer told about each HTTP exchange — method, address without its
// query string, status or failure, duration — for a verbose mode. Must not: see a body or a query.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use url::Url;

/// One request and how it ended, as safe to print: no body, no query string, no header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    pub method: String,
    /// Scheme, host, port and path only.
    pub url: String,
    /// The HTTP status, when an answer arrived.
    pub status: Option<u16>,
    /// Why the exchange failed (no answer, or its body could not be read), when it did.
    pub failure: Option<String>,
    /// From sending the request to the last byte of the body (or the failure).
    pub elapsed: Duration,
    /// Bytes before the JSON of the answer (a byte-order mark, blank lines), if any.
    pub preamble: Option<crate::envelope::Preamble>,
}

impl fmt::Display for Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.url)?;
        match (self.status, &self.failure) {
            (Some(status), None) => write!(f, " {status}")?,
            (Some(status), Some(failure)) => write!(f, " {status} ({failure})")?,
            (None, Some(failure)) => write!(f, " failed ({failure})")?,
            (None, None) => f.write_str(" no answer")?,
        }
        write!(f, " {} ms", self.elapsed.as_millis())
    }
}

/// A callback told about every exchange of a [`crate::MoodleClient`]. Cheap to clone.
#[derive(Clone)]
pub struct ExchangeObserver(Arc<dyn Fn(&Exchange) + Send + Sync>);

impl ExchangeObserver {
    pub fn new(callback: impl Fn(&Exchange) + Send + Sync + 'static) -> Self {
        Self(Arc::new(callback))
    }

    pub fn notify(&self, exchange: &Exchange) {
        (self.0)(exchange);
    }
}

impl fmt::Debug for ExchangeObserver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ExchangeObserver")
    }
}

/// The address of a request as it may be printed: without user, password, query or fragment
/// (a one-time login key travels in the query string).
pub fn printable_url(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_addresses_and_lines_carry_no_query() {
        let url =
            Url::parse("http://u:p@127.0.0.1:8080/auth/userkey/login.php?key=SECRET#x").unwrap();
        assert_eq!(
            printable_url(&url),
            "http://127.0.0.1:8080/auth/userkey/login.php"
        );
        let line = Exchange {
            method: "GET".into(),
            url: printable_url(&url),
            status: Some(303),
            failure: None,
            elapsed: Duration::from_millis(12),
            preamble: None,
        }
        .to_string();
        assert_eq!(
            line,
            "GET http://127.0.0.1:8080/auth/userkey/login.php 303 12 ms"
        );
        let failed = Exchange {
            method: "POST".into(),
            url: "https://m.org/".into(),
            status: None,
            failure: Some("timeout".into()),
            elapsed: Duration::from_millis(1500),
            preamble: None,
        };
        assert_eq!(
            failed.to_string(),
            "POST https://m.org/ failed (timeout) 1500 ms"
        );
    }
}
