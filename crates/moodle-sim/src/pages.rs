// Owns: the answers the simulated site sends — JSON errors and HTML pages taken from the
// captures, with the recorded site's address replaced by this one. Must not: decide faults.

use crate::capture::{capture, Capture};

const RECORDED_ROOT: &str = "http://127.0.0.1:8080";
const RECORDED_ROOT_JSON: &str = "http:\\/\\/127.0.0.1:8080";

/// One HTTP answer of the simulated site.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    /// A recorded answer, served with its own status, content type and body.
    pub fn from_capture(name: &str, wwwroot: &str) -> Self {
        let c: Capture = capture(name);
        let keep = |k: &str| {
            matches!(
                k.to_ascii_lowercase().as_str(),
                "content-type"
                    | "cache-control"
                    | "expires"
                    | "pragma"
                    | "set-cookie"
                    | "location"
                    | "x-redirect-by"
                    | "access-control-allow-origin"
                    | "content-language"
                    | "x-powered-by"
            )
        };
        let headers = c
            .headers
            .iter()
            .filter(|(k, _)| keep(k))
            .map(|(k, v)| (k.clone(), relocate(v, wwwroot)))
            .collect();
        Self {
            status: c.status,
            headers,
            body: relocate(c.body, wwwroot),
        }
    }

    pub fn json(body: String) -> Self {
        Self {
            status: 200,
            headers: vec![("Content-type".into(), "application/json".into())],
            body,
        }
    }

    pub fn html(status: u16, body: String) -> Self {
        Self {
            status,
            headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
            body,
        }
    }
}

/// Puts this site's address where the recorded site's address was.
pub(crate) fn relocate(text: &str, wwwroot: &str) -> String {
    text.replace(RECORDED_ROOT_JSON, &wwwroot.replace('/', "\\/"))
        .replace(RECORDED_ROOT, wwwroot)
}

/// Moodle's web-service error bodies, as recorded where a capture exists.
pub(crate) mod ws_error {
    use super::Answer;

    pub fn invalid_token(w: &str) -> Answer {
        Answer::from_capture("invalid_token", w)
    }
    pub fn access_exception(w: &str) -> Answer {
        Answer::from_capture("expired_token", w)
    }
    pub fn invalid_record(w: &str) -> Answer {
        Answer::from_capture("function_does_not_exist", w)
    }
    pub fn invalid_parameter(w: &str) -> Answer {
        Answer::from_capture("user_not_found", w)
    }
    /// "Enable web services" or the REST protocol off: HTTP 403 with an empty body.
    pub fn forbidden(w: &str) -> Answer {
        Answer::from_capture("webservices_disabled", w)
    }
    /// Not recorded; shaped like the recorded errors, with Moodle 4.5's namespaced class.
    pub fn moodle_exception(errorcode: &str, message: &str) -> Answer {
        Answer::json(
            serde_json::json!({
                "exception": "core\\exception\\moodle_exception",
                "errorcode": errorcode,
                "message": message,
            })
            .to_string(),
        )
    }
}

/// The web server's own 404 page, as recorded, for the path asked.
pub(crate) fn not_found(path: &str, wwwroot: &str) -> Answer {
    let mut a = Answer::from_capture("wrong_path", wwwroot);
    a.body = a
        .body
        .replace("/webservice/rest/nonexistent.php", &html_escape(path));
    a
}

/// A Moodle error page (not recorded; the structure of Moodle's default error page).
pub(crate) fn moodle_error_page(status: u16, message: &str, wwwroot: &str) -> Answer {
    Answer::html(
        status,
        format!(
            "<!DOCTYPE html>\n<html dir=\"ltr\" lang=\"en\">\n<head><title>Error | SIS Lab Moodle</title></head>\n\
             <body id=\"page-auth-userkey-login\"><div id=\"page\"><div role=\"main\">\
             <div class=\"box errorbox alert alert-danger\" data-rel=\"fatalerror\">\
             <p class=\"errormessage\">{}</p></div>\
             <a href=\"{wwwroot}\">Continue</a></div></div></body></html>\n",
            html_escape(message)
        ),
    )
}

/// What a corporate proxy or captive portal answers instead of Moodle.
pub(crate) fn proxy_page() -> Answer {
    Answer::html(
        200,
        "<!DOCTYPE html>\n<html><head><title>Sign in to continue - Network Access</title></head>\
         <body><h1>Sign in to continue</h1><p>Your network requires you to sign in before \
         browsing.</p><form method=\"post\" action=\"/portal/login\"><input name=\"user\">\
         <input name=\"password\" type=\"password\"></form></body></html>\n"
            .into(),
    )
}

/// Moodle's maintenance page (not recorded; Moodle answers 503 while in maintenance).
pub(crate) fn maintenance_page() -> Answer {
    Answer::html(
        503,
        "<!DOCTYPE html>\n<html><head><title>Site is undergoing maintenance</title></head>\
         <body><div class=\"box py-3 generalbox maintenancewarning\">This site is undergoing \
         maintenance and is currently not available</div></body></html>\n"
            .into(),
    )
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
