// Owns: the words findings share — one line of evidence for an error (never a secret), an
// address without its query, and the causes of a refusal that comes before Moodle looks at the
// function. Must not: decide a status.

use moodle_ws::error::{ERRORCODE_CHARS, MESSAGE_CHARS};
use moodle_ws::text::shorten;
use moodle_ws::WsError;

use crate::engine::observations::{Observations, PLUGIN_PROBE_FUNCTION};

/// One line of evidence for an error, with no secret in it.
pub(crate) fn describe(e: &WsError) -> String {
    match e {
        WsError::Transport { kind, detail } => format!("connection failed ({kind:?}): {detail}"),
        WsError::Incomplete {
            status,
            kind,
            detail,
        } => format!("HTTP {status}, then the answer stopped ({kind:?}): {detail}"),
        WsError::Http {
            status,
            title: Some(title),
            ..
        } => format!("HTTP {status}, a page titled \"{title}\""),
        WsError::Http {
            status,
            body_excerpt,
            ..
        } if body_excerpt.is_empty() => format!("HTTP {status} with an empty body"),
        WsError::Http {
            status,
            body_excerpt,
            ..
        } => format!("HTTP {status}: {body_excerpt}"),
        WsError::Redirect {
            status,
            location,
            by_moodle,
        } => format!(
            "HTTP {status} redirect{} to {}",
            if *by_moodle { " by Moodle" } else { "" },
            moodle_ws::error::shown_location(location)
        ),
        WsError::Moodle {
            errorcode,
            message,
            debuginfo,
            ..
        } => {
            let (code, said) = (
                shorten(errorcode, ERRORCODE_CHARS),
                shorten(message, MESSAGE_CHARS),
            );
            match debuginfo {
                Some(d) => format!(
                    "Moodle error \"{code}\": {said} ({})",
                    shorten(d, DEBUGINFO_CHARS)
                ),
                None => format!("Moodle error \"{code}\": {said}"),
            }
        }
        WsError::Protocol {
            reason,
            body_excerpt,
        } => format!("{}: {body_excerpt}", shorten(reason, MESSAGE_CHARS)),
        WsError::BodyTooLarge { limit } => format!("an answer larger than {limit} bytes"),
    }
}

/// Longest debugging information said in evidence (with Moodle's debugging on it can hold a
/// whole backtrace).
const DEBUGINFO_CHARS: usize = 600;

/// An address without its query string (a redirect's may carry a key or a user name).
pub(crate) fn without_query(location: &str) -> String {
    location.split('?').next().unwrap_or_default().to_owned()
}

/// Words shared by the token checks about a refusal that comes before Moodle looks at the
/// function: the possible causes, in the order Moodle checks them, and how to tell each.
pub(crate) const TOKEN_OWNER_CAUSES: &str = "Check, in this order: (1) in Site administration → Server → Web services → Manage tokens, the token's user is a site administrator (Site administration → Users → Permissions → Site administrators) — a user without the capability webservice/rest:use is refused this way; (2) its \"IP restriction\" is empty or lists openSIS's server; (3) the opensis service is enabled and not \"Authorised users only\". Then create the token for a site administrator:";

pub(crate) fn refused_before_function(obs: &Observations) -> String {
    let probe = obs
        .plugin_probe
        .as_ref()
        .and_then(|r| r.as_ref().err())
        .map(describe)
        .unwrap_or_default();
    let userkey = obs
        .userkey_probe
        .as_ref()
        .and_then(|r| r.as_ref().err())
        .map(describe)
        .unwrap_or_default();
    format!(
        "core_webservice_get_site_info: accessexception, twice (so the token has not expired); {PLUGIN_PROBE_FUNCTION}, a function that does not exist on this site or is not in the service: {probe} — Moodle refused before it looked the function up; the user-key token: {userkey}"
    )
}
