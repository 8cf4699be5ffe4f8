//! Moodle web-service client: form-encoded POST with the token in the body, envelope-first
//! decoding, typed errors, and the probes that need no token. Owns: speaking to Moodle's web
//! services and public pages, one shared HTTP client with bounded bodies and timeouts. Must
//! not: put a token in a URL or a log line, follow a redirect of a web-service call, or hold UI
//! words or Tauri.

pub mod anon_probes;
pub mod client;
pub mod envelope;
pub mod error;
pub mod exchange;
pub mod functions;
pub mod http;
pub mod public_config;
pub mod service_gate;
pub mod site_url;
pub mod text;
pub mod tls_inspect;
pub mod token;
pub mod web_server;

pub use anon_probes::{LoginFollow, PageAnswer, SessionCookie, UserkeyLoginPage};
pub use client::MoodleClient;
pub use envelope::decode_envelope;
pub use error::{TransportKind, WsError};
pub use exchange::{Exchange, ExchangeObserver};
pub use functions::{LoginUrl, SiteFunction, SiteInfo, UserField, UserRecord, WsWarning};
pub use http::{build_http_client, HttpConfig};
pub use public_config::PublicConfig;
pub use service_gate::ServiceGate;
pub use site_url::{normalize_site_url, same_site, SiteRoot, SiteUrlError};
pub use token::WsToken;
