// Owns: turning a raw Moodle answer (status, content type, body) into JSON or a typed error,
// looking for Moodle's error envelope before anything else, and a success into its typed shape.
// Must not: do any I/O.

use serde_json::Value;

use crate::error::WsError;
use crate::text::{excerpt, html_title};

const UTF8_BOM: &[u8] = &[0xEF, 0xBB, 0xBF];

/// Bytes before the JSON of an answer. Moodle's own answers start with `{` or `[`; a
/// byte-order mark or blank lines come from a PHP file (usually config.php) saved with them,
/// and PHP's `json_decode`, which openSIS uses, rejects the answer then.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Preamble {
    /// EF BB BF: a UTF-8 byte-order mark.
    ByteOrderMark,
    /// Spaces or line breaks before the JSON.
    Whitespace,
}

impl Preamble {
    pub fn describe(self) -> &'static str {
        match self {
            Preamble::ByteOrderMark => "a UTF-8 byte-order mark (EF BB BF)",
            Preamble::Whitespace => "blank space or line breaks",
        }
    }
}

/// What comes before the JSON of a body that is JSON otherwise, if anything.
pub fn preamble(body: &[u8]) -> Option<Preamble> {
    if let Some(rest) = body.strip_prefix(UTF8_BOM) {
        return looks_like_json(rest).then_some(Preamble::ByteOrderMark);
    }
    let first = body.iter().position(|b| !b.is_ascii_whitespace())?;
    (first > 0 && looks_like_json(&body[first..])).then_some(Preamble::Whitespace)
}

fn looks_like_json(body: &[u8]) -> bool {
    matches!(
        body.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[')
    )
}

/// Decodes a web-service answer. Moodle sends its errors as HTTP 200 with
/// `{"exception", "errorcode", "message"}`, so the body's shape is read before the status.
pub fn decode_envelope(
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<Value, WsError> {
    // A byte-order mark before the JSON is read past (and reported by `preamble`).
    let body = body.strip_prefix(UTF8_BOM).unwrap_or(body);
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim();
    if let Ok(value) = serde_json::from_str::<Value>(trimmed) {
        if let Some(err) = moodle_error(&value) {
            return Err(err);
        }
        if (200..300).contains(&status) {
            return Ok(value);
        }
        return Err(WsError::Http {
            status,
            body_excerpt: excerpt(trimmed),
            title: None,
            via: None,
            web_server: None,
        });
    }
    if !(200..300).contains(&status) {
        return Err(WsError::Http {
            status,
            body_excerpt: excerpt(trimmed),
            title: html_title(trimmed),
            via: None,
            web_server: None,
        });
    }
    Err(WsError::Protocol {
        reason: protocol_reason(content_type, trimmed),
        body_excerpt: excerpt(trimmed),
    })
}

/// Moodle's error envelope, recognised by its `errorcode`; the exception class is kept only
/// for the evidence (it changed namespace in 4.5).
fn moodle_error(value: &Value) -> Option<WsError> {
    let obj = value.as_object()?;
    let errorcode = obj.get("errorcode")?.as_str()?;
    if !obj.contains_key("exception") && !obj.contains_key("message") && !obj.contains_key("error")
    {
        return None;
    }
    let text = |key: &str| obj.get(key).and_then(Value::as_str).map(str::to_owned);
    Some(WsError::Moodle {
        exception: text("exception").unwrap_or_default(),
        errorcode: errorcode.to_owned(),
        message: text("message")
            .or_else(|| text("error"))
            .unwrap_or_default(),
        debuginfo: text("debuginfo"),
    })
}

fn protocol_reason(content_type: Option<&str>, body: &str) -> String {
    let lower_start: String = body
        .chars()
        .take(512)
        .collect::<String>()
        .to_ascii_lowercase();
    if body.is_empty() {
        return "an empty answer where JSON was expected".into();
    }
    if lower_start.contains("<b>warning</b>")
        || lower_start.contains("<b>notice</b>")
        || lower_start.contains("<b>deprecated</b>")
        || lower_start.contains("<b>fatal error</b>")
    {
        return "PHP printed warnings or errors into the answer (debug messages are displayed \
                on the site); JSON was expected"
            .into();
    }
    let is_html = content_type.is_some_and(|c| c.to_ascii_lowercase().contains("html"))
        || lower_start.starts_with("<!doctype")
        || lower_start.starts_with("<html")
        || lower_start.contains("<head");
    if is_html {
        return match html_title(body) {
            Some(title) => format!("an HTML page titled \"{title}\" where JSON was expected"),
            None => "an HTML page where JSON was expected".into(),
        };
    }
    "text that is not JSON where JSON was expected".into()
}

/// A function's success decoded into `T`; a shape mismatch is a protocol error.
pub fn decode_answer<T: serde::de::DeserializeOwned>(
    function: &str,
    value: &Value,
) -> Result<T, WsError> {
    serde_json::from_value(value.clone()).map_err(|e| WsError::Protocol {
        reason: format!("the answer of {function} has an unexpected shape ({e})"),
        body_excerpt: excerpt(&value.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::TITLE_CHARS;

    #[test]
    fn bytes_before_the_json_are_read_past_and_named() {
        let mut body = UTF8_BOM.to_vec();
        body.extend_from_slice(br#"{"exception":"x","errorcode":"invalidtoken","message":"m"}"#);
        assert!(decode_envelope(200, None, &body)
            .unwrap_err()
            .is_errorcode("invalidtoken"));
        assert_eq!(preamble(&body), Some(Preamble::ByteOrderMark));
        assert_eq!(
            preamble(b"\n\n[{\"error\":false}]"),
            Some(Preamble::Whitespace)
        );
        assert_eq!(preamble(b"[{\"error\":false}]"), None);
        assert_eq!(preamble(b"\n<html>"), None);
        assert_eq!(preamble(b""), None);
    }

    #[test]
    fn error_envelope_wins_over_status() {
        let body = br#"{"exception":"moodle_exception","errorcode":"invalidtoken","message":"Invalid token - token not found"}"#;
        let err = decode_envelope(200, Some("application/json"), body).unwrap_err();
        assert!(err.is_errorcode("invalidtoken"));
        let err = decode_envelope(500, None, body).unwrap_err();
        assert!(err.is_errorcode("invalidtoken"));
    }

    #[test]
    fn debuginfo_is_kept() {
        let body = br#"{"exception":"x","errorcode":"invalidparameter","message":"m","debuginfo":"user => email missing"}"#;
        match decode_envelope(200, None, body).unwrap_err() {
            WsError::Moodle { debuginfo, .. } => {
                assert_eq!(debuginfo.as_deref(), Some("user => email missing"))
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_success_object_with_an_errorcode_field_of_its_own_is_not_an_error() {
        let body = br#"{"errorcode":"x","items":[]}"#;
        assert!(decode_envelope(200, None, body).is_ok());
    }

    #[test]
    fn html_and_php_warnings_are_protocol_errors() {
        let err = decode_envelope(
            200,
            Some("text/html"),
            b"<html><head><title>Sign in | Proxy</title></head></html>",
        )
        .unwrap_err();
        match err {
            WsError::Protocol { reason, .. } => assert!(reason.contains("Sign in | Proxy")),
            other => panic!("unexpected {other:?}"),
        }
        let err = decode_envelope(
            200,
            None,
            b"<br />\n<b>Warning</b>: Undefined variable $x in ... {\"sitename\":1}",
        )
        .unwrap_err();
        assert!(matches!(err, WsError::Protocol { ref reason, .. } if reason.contains("PHP")));
        let err = decode_envelope(200, None, b"").unwrap_err();
        assert!(matches!(err, WsError::Protocol { ref reason, .. } if reason.contains("empty")));
    }

    #[test]
    fn non_json_error_statuses_are_http_errors_with_excerpts() {
        let err = decode_envelope(403, Some("text/html"), b"").unwrap_err();
        assert_eq!(
            err,
            WsError::Http {
                status: 403,
                body_excerpt: String::new(),
                title: None,
                via: None,
                web_server: None,
            }
        );
        let err = decode_envelope(
            503,
            Some("text/html"),
            b"<html><head><title>School under maintenance</title></head><body>x</body></html>",
        )
        .unwrap_err();
        assert!(
            matches!(err, WsError::Http { status: 503, title: Some(ref t), .. } if t == "School under maintenance")
        );
        let long = "x ".repeat(1000);
        match decode_envelope(502, None, long.as_bytes()).unwrap_err() {
            WsError::Http { body_excerpt, .. } => assert!(body_excerpt.chars().count() <= 301),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn excerpts_are_one_line_and_cut_at_300_characters() {
        assert_eq!(excerpt("  a\n\tb  c "), "a b c");
        assert_eq!(excerpt(""), "");
        let exact = "é".repeat(300);
        assert_eq!(excerpt(&exact), exact);
        let long = format!("{exact} x");
        assert_eq!(excerpt(&long), format!("{exact}…"));
        let words = "ab ".repeat(1_000_000);
        let cut = excerpt(&words);
        assert_eq!(cut.chars().count(), 301);
        assert!(cut.starts_with("ab ab") && cut.ends_with('…'));
    }

    #[test]
    fn titles_are_found_near_the_start_only() {
        assert_eq!(
            html_title("<html><head><TITLE> Bad\n Gateway </TITLE>"),
            Some("Bad Gateway".into())
        );
        assert_eq!(html_title("<title></title>"), None);
        let late = format!("{}<title>late</title>", "ü".repeat(40_000));
        assert_eq!(html_title(&late), None);
    }

    /// Found by fuzzing (moodle_answers): a page whose title ran for 4 KB made an error
    /// message of 5,525 characters.
    #[test]
    fn a_long_title_is_cut() {
        let page = format!(
            "<html><head><title>Log in {}</title>",
            "to the site ".repeat(400)
        );
        let title = html_title(&page).unwrap();
        assert_eq!(title.chars().count(), TITLE_CHARS + 1);
        assert!(title.starts_with("Log in to the site") && title.ends_with('…'));
        let e = decode_envelope(200, Some("text/html"), page.as_bytes()).unwrap_err();
        assert!(e.to_string().chars().count() < 1000, "{e}");
    }
}
