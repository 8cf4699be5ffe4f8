// Owns: the error type of every exchange with Moodle, keeping what a diagnosis needs.
// Must not: hold a token, or decide what an error means for the set-up (the diagnosis does).

use serde::Serialize;

/// Longest Moodle error code and message (or reason an answer was not understood, which can
/// quote the answer) said in an error's words: hostile or debug answers can be far longer; the
/// fields keep them whole.
pub const ERRORCODE_CHARS: usize = 100;
pub const MESSAGE_CHARS: usize = 400;
/// Longest redirect target said in an error's words.
pub const LOCATION_CHARS: usize = 300;

/// A redirect's target as said to the admin: without its query (it may hold a key or a user
/// name), at most [`LOCATION_CHARS`] characters.
pub fn shown_location(location: &str) -> String {
    let bare = location.split('?').next().unwrap_or_default();
    crate::text::shorten(bare, LOCATION_CHARS)
}

/// Why the connection itself failed, before any HTTP answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TransportKind {
    Dns,
    Refused,
    Tls,
    Timeout,
    Other,
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum WsError {
    #[error("could not reach the site ({kind:?}): {detail}")]
    Transport { kind: TransportKind, detail: String },
    #[error("the site answered HTTP {status}")]
    Http {
        status: u16,
        body_excerpt: String,
        /// The `<title>` of an HTML answer (a proxy's page, Moodle's maintenance page).
        title: Option<String>,
        /// What answered in front of Moodle, when its headers or page say so (Cloudflare,
        /// mod_security, …).
        via: Option<String>,
        /// The web server wrote this page itself, not Moodle: see
        /// [`crate::web_server::WebServerPage`].
        web_server: Option<Box<crate::web_server::WebServerPage>>,
    },
    /// The status and headers arrived, the rest of the answer did not (too slow, or cut off).
    #[error("the site answered HTTP {status} but the rest of its answer did not arrive ({kind:?}): {detail}")]
    Incomplete {
        status: u16,
        kind: TransportKind,
        detail: String,
    },
    #[error("the site redirected (HTTP {status}) to {}", shown_location(location))]
    Redirect {
        status: u16,
        location: String,
        /// Moodle itself redirected (`X-Redirect-By: Moodle`): the site was reached at an
        /// address that is not its `wwwroot`.
        by_moodle: bool,
    },
    #[error(
        "Moodle refused the call: {} ({})",
        crate::text::shorten(errorcode, ERRORCODE_CHARS),
        crate::text::shorten(message, MESSAGE_CHARS)
    )]
    Moodle {
        exception: String,
        errorcode: String,
        message: String,
        debuginfo: Option<String>,
    },
    #[error(
        "the answer was not what Moodle sends: {}",
        crate::text::shorten(reason, MESSAGE_CHARS)
    )]
    Protocol {
        reason: String,
        body_excerpt: String,
    },
    #[error("the answer was larger than {limit} bytes")]
    BodyTooLarge { limit: usize },
}

impl WsError {
    /// The Moodle `errorcode`, when Moodle itself refused the call.
    pub fn errorcode(&self) -> Option<&str> {
        match self {
            WsError::Moodle { errorcode, .. } => Some(errorcode),
            _ => None,
        }
    }

    pub fn is_errorcode(&self, code: &str) -> bool {
        self.errorcode() == Some(code)
    }

    /// The function called does not exist on the site: `invalidrecord` (Moodle 4.1, 4.5) or
    /// `invalidrecordunknown` (5.0).
    pub fn is_missing_function(&self) -> bool {
        self.is_errorcode(codes::INVALID_RECORD) || self.is_errorcode(codes::INVALID_RECORD_UNKNOWN)
    }

    pub fn http_status(&self) -> Option<u16> {
        match self {
            WsError::Http { status, .. }
            | WsError::Redirect { status, .. }
            | WsError::Incomplete { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Classifies a reqwest failure into DNS, refused, TLS, timeout or other.
    pub fn from_reqwest(err: &reqwest::Error) -> Self {
        let chain = error_chain(err);
        let lower = chain.to_ascii_lowercase();
        let kind = if err.is_timeout() || lower.contains("timed out") {
            TransportKind::Timeout
        } else if lower.contains("dns error")
            || lower.contains("failed to lookup address")
            || lower.contains("name or service not known")
            || lower.contains("no address associated")
        {
            TransportKind::Dns
        } else if lower.contains("certificate")
            || lower.contains("tls")
            || lower.contains("handshake")
            || lower.contains("invalidcontenttype")
        {
            TransportKind::Tls
        } else if lower.contains("connection refused") {
            TransportKind::Refused
        } else {
            TransportKind::Other
        };
        WsError::Transport {
            kind,
            detail: strip_query(&chain),
        }
    }
}

/// Every message in an error's source chain, joined with ": ".
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut chain = String::new();
    let mut source: Option<&dyn std::error::Error> = Some(err);
    while let Some(e) = source {
        if !chain.is_empty() {
            chain.push_str(": ");
        }
        chain.push_str(&e.to_string());
        source = e.source();
    }
    chain
}

/// A failed request's error chain with every query string removed (a URL's query may hold a
/// key), for messages shown to the admin.
pub fn request_error_detail(err: &reqwest::Error) -> String {
    strip_query(&error_chain(err))
}

/// reqwest puts the request URL into its messages; drop query strings so no key travels on.
fn strip_query(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_query = false;
    for c in text.chars() {
        if c == '?' {
            in_query = true;
            out.push_str("?…");
            continue;
        }
        if in_query && (c.is_whitespace() || c == ')' || c == ',') {
            in_query = false;
        }
        if !in_query {
            out.push(c);
        }
    }
    out
}

/// Moodle error codes this project reacts to.
pub mod codes {
    pub const INVALID_TOKEN: &str = "invalidtoken";
    pub const ACCESS_EXCEPTION: &str = "accessexception";
    pub const INVALID_RECORD: &str = "invalidrecord";
    /// Moodle 5.0's word for a function that does not exist.
    pub const INVALID_RECORD_UNKNOWN: &str = "invalidrecordunknown";
    pub const NO_PERMISSIONS: &str = "nopermissions";
    pub const FORCE_PASSWORD_CHANGE: &str = "forcepasswordchangenotice";
    pub const USER_NOT_FULLY_SET_UP: &str = "usernotfullysetup";
    pub const SITE_POLICY_NOT_AGREED: &str = "sitepolicynotagreed";
    /// The public configuration asked at an address that is not the site's `wwwroot`.
    pub const REDIRECT_ERROR_DETECTED: &str = "redirecterrordetected";
    /// `$CFG->reverseproxy` is on but the request did not come through the proxy.
    pub const REVERSE_PROXY_ABUSED: &str = "reverseproxyabused";
    /// A registered function whose plugin files are gone.
    pub const CODING_ERROR: &str = "codingerror";
    pub const UPGRADE_RUNNING: &str = "upgraderunning";
    pub const INVALID_PARAMETER: &str = "invalidparameter";
    pub const SITE_MAINTENANCE: &str = "sitemaintenance";
    pub const WRONG_USERNAME_PASSWORD: &str = "wrongusernamepassword";
    pub const USER_SUSPENDED: &str = "wsaccessusersuspended";
    pub const USER_NOLOGIN: &str = "wsaccessusernologin";
    pub const USER_UNCONFIRMED: &str = "wsaccessuserunconfirmed";
    pub const USER_DELETED: &str = "wsaccessuserdeleted";
    pub const USER_EXPIRED: &str = "wsaccessuserexpired";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_are_removed_from_transport_details() {
        assert_eq!(
            strip_query("error sending request for url (http://x/login.php?key=SECRET): refused"),
            "error sending request for url (http://x/login.php?…): refused"
        );
    }
}
