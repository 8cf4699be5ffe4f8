// Owns: deciding which captured exchange a request is — same method, path, parameter names
// and values, with placeholders standing for this simulation's tokens, keys and sessions.
// Must not: build answers (replay.rs), or match a request no capture covers.

use std::collections::BTreeMap;

use crate::capture::{Capture, RecordedRequest};
use crate::catalog::StateCaptures;

/// Parameters whose captured value was made up by the capture tool: any made-up value of the
/// client's matches them (a user name that does not exist, a key that was never issued, an
/// e-mail of nobody, an IP address for the key). Tried only after every exact match failed.
pub const MADE_UP_VALUES: &[(&str, &str)] = &[
    ("simpleserver", "wsusername"),
    ("userkey_bad_key", "key"),
    ("login_url_unknown_email", "user[email]"),
    ("login_url_with_ip", "user[ip]"),
];

/// What the placeholders of the captures stand for in this simulation.
#[derive(Debug, Default)]
pub(crate) struct Known {
    /// `<opensis-token>` → the token's value, and so on.
    pub tokens: BTreeMap<&'static str, String>,
    /// Login keys issued and not yet used.
    pub live_keys: Vec<String>,
    /// `MoodleSession` ids the simulated site handed out.
    pub sessions: Vec<String>,
}

/// A request as the simulated site received it.
#[derive(Debug, Clone)]
pub struct IncomingRequest {
    pub method: String,
    pub path: String,
    pub query: String,
    pub content_type: Option<String>,
    pub cookie: Option<String>,
    pub body: String,
}

#[derive(Debug, PartialEq)]
enum Body {
    None,
    Form(Vec<(String, String)>),
    Json(serde_json::Value),
    Other(String),
}

fn decode_pairs(text: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str(text).unwrap_or_default()
}

fn body_of(content_type: Option<&str>, body: &str) -> Body {
    if body.is_empty() {
        return Body::None;
    }
    let ct = content_type.unwrap_or_default().to_ascii_lowercase();
    if ct.contains("json") {
        return serde_json::from_str(body)
            .map_or_else(|_| Body::Other(body.to_owned()), Body::Json);
    }
    if ct.contains("x-www-form-urlencoded") {
        return Body::Form(decode_pairs(body));
    }
    Body::Other(body.to_owned())
}

/// Moodle reads a web-service call's parameters from the query string and the form body
/// alike (`moodlewsrestformat` may be in either): both are compared as one set.
fn params_and_rest(query: &str, body: Body) -> (Vec<(String, String)>, Body) {
    let mut params = decode_pairs(query);
    let rest = match body {
        Body::Form(pairs) => {
            params.extend(pairs);
            Body::None
        }
        other => other,
    };
    params.sort();
    (params, rest)
}

fn cookie_value<'a>(cookies: &'a str, name: &str) -> Option<&'a str> {
    cookies
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The token placeholder a captured request carries (`<opensis-token>`), if any.
pub(crate) fn token_placeholder(request: &RecordedRequest) -> Option<String> {
    let body = body_of(request.header("content-type"), &request.body);
    let (params, _) = params_and_rest(&request.query, body);
    params
        .into_iter()
        .find(|(k, _)| k == "wstoken")
        .map(|(_, v)| v)
}

fn value_matches(
    probe: &str,
    name: &str,
    recorded: &str,
    sent: &str,
    known: &Known,
    made_up: bool,
) -> bool {
    if made_up && MADE_UP_VALUES.contains(&(probe, name)) {
        return true;
    }
    match recorded {
        "<key>" => known.live_keys.iter().any(|k| k == sent),
        "<session>" => known.sessions.iter().any(|s| s == sent),
        // Only the token placeholders this simulation knows: a recorded value may be HTML
        // (`<p>…</p>`, a course description) and is then compared as it is.
        placeholder if known.tokens.contains_key(placeholder) => {
            known.tokens.get(placeholder).is_some_and(|t| t == sent)
        }
        exact => exact == sent,
    }
}

fn matches(capture: &Capture, request: &IncomingRequest, known: &Known, made_up: bool) -> bool {
    let recorded = &capture.request;
    if recorded.method != request.method || recorded.path != request.path {
        return false;
    }
    let (want, want_rest) = params_and_rest(
        &recorded.query,
        body_of(recorded.header("content-type"), &recorded.body),
    );
    let (got, got_rest) = params_and_rest(
        &request.query,
        body_of(request.content_type.as_deref(), &request.body),
    );
    if want_rest != got_rest || want.len() != got.len() {
        return false;
    }
    // Same names, each value matching; names may repeat, so pair them in order.
    let mut got_by_name: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (k, v) in &got {
        got_by_name.entry(k).or_default().push(v);
    }
    for (name, value) in &want {
        let Some(values) = got_by_name.get_mut(name.as_str()) else {
            return false;
        };
        let Some(i) = values
            .iter()
            .position(|sent| value_matches(&capture.probe, name, value, sent, known, made_up))
        else {
            return false;
        };
        values.remove(i);
    }
    // A captured session cookie must come back; other cookies are not looked at.
    if let Some(cookie) = recorded.header("cookie") {
        let Some(want_session) = cookie_value(cookie, "MoodleSession") else {
            return true;
        };
        let sent = request
            .cookie
            .as_deref()
            .and_then(|c| cookie_value(c, "MoodleSession"));
        return sent.is_some_and(|s| {
            value_matches(&capture.probe, "cookie", want_session, s, known, false)
        });
    }
    true
}

/// The capture this request is, if any: exact values first, then made-up ones.
pub(crate) fn find<'a>(
    state: &'a StateCaptures,
    request: &IncomingRequest,
    known: &Known,
) -> Option<&'a Capture> {
    [false, true].into_iter().find_map(|made_up| {
        state
            .captures
            .iter()
            .find(|c| matches(c, request, known, made_up))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn known() -> Known {
        let mut k = Known::default();
        k.tokens.insert("<opensis-token>", "a".repeat(32));
        k.tokens.insert("<userkey-token>", "b".repeat(32));
        k
    }

    fn post(body: &str) -> IncomingRequest {
        IncomingRequest {
            method: "POST".into(),
            path: "/webservice/rest/server.php".into(),
            query: String::new(),
            content_type: Some("application/x-www-form-urlencoded".into()),
            cookie: None,
            body: body.into(),
        }
    }

    fn probe_of(request: &IncomingRequest, known: &Known) -> Option<String> {
        let good = Catalog::builtin()
            .version("4.5")
            .unwrap()
            .state("good")
            .unwrap();
        find(good, request, known).map(|c| c.probe.clone())
    }

    #[test]
    fn a_call_matches_wherever_its_format_parameter_is_and_whatever_the_order() {
        let k = known();
        let a = "a".repeat(32);
        let body =
            format!("wsfunction=core_webservice_get_site_info&moodlewsrestformat=json&wstoken={a}");
        assert_eq!(
            probe_of(&post(&body), &k).as_deref(),
            Some("site_info_opensis")
        );
        let b = "b".repeat(32);
        let body =
            format!("wstoken={b}&wsfunction=core_webservice_get_site_info&moodlewsrestformat=json");
        assert_eq!(
            probe_of(&post(&body), &k).as_deref(),
            Some("site_info_userkey")
        );
    }

    #[test]
    fn unknown_tokens_extra_parameters_and_uncaptured_functions_match_nothing() {
        let k = known();
        let c = "c".repeat(32);
        let unknown =
            format!("wstoken={c}&wsfunction=core_webservice_get_site_info&moodlewsrestformat=json");
        assert_eq!(probe_of(&post(&unknown), &k), None);
        let a = "a".repeat(32);
        let extra = format!(
            "wstoken={a}&wsfunction=core_webservice_get_site_info&moodlewsrestformat=json&x=1"
        );
        assert_eq!(probe_of(&post(&extra), &k), None);
        let uncaptured = format!(
            "wstoken={a}&wsfunction=core_user_update_users&moodlewsrestformat=json&users[0][id]=2"
        );
        assert_eq!(probe_of(&post(&uncaptured), &k), None);
    }

    #[test]
    fn a_recorded_html_value_is_compared_as_it_is_not_read_as_a_placeholder() {
        let k = known();
        let good = Catalog::builtin()
            .version("4.5")
            .unwrap()
            .state("good")
            .unwrap();
        let recorded = good
            .capture("sync_course_html")
            .expect("the HTML probe is captured in 4.5/good");
        let body = recorded
            .request
            .body
            .replace("<opensis-token>", &"a".repeat(32))
            + "&moodlewsrestformat=json";
        assert!(body.contains("%3Cp%3E"), "{body}");
        assert_eq!(
            probe_of(&post(&body), &k).as_deref(),
            Some("sync_course_html")
        );
        let other = body.replace("%3Cstrong%3E", "%3Cem%3E");
        assert_eq!(probe_of(&post(&other), &k), None);
    }

    #[test]
    fn made_up_values_match_only_after_the_exact_ones() {
        let k = known();
        let b = "b".repeat(32);
        let admin = format!("wstoken={b}&wsfunction=auth_userkey_request_login_url&moodlewsrestformat=json&user%5Bemail%5D=admin%40school.example.org");
        assert_eq!(probe_of(&post(&admin), &k).as_deref(), Some("login_url"));
        let nobody = admin.replace("admin%40", "someone-else%40");
        assert_eq!(
            probe_of(&post(&nobody), &k).as_deref(),
            Some("login_url_unknown_email")
        );
        let page = IncomingRequest {
            method: "GET".into(),
            path: "/auth/userkey/login.php".into(),
            query: "key=madeup".into(),
            content_type: None,
            cookie: None,
            body: String::new(),
        };
        assert_eq!(probe_of(&page, &k).as_deref(), Some("userkey_bad_key"));
        let mut with_key = known();
        with_key.live_keys.push("madeup".into());
        assert_eq!(
            probe_of(&page, &with_key).as_deref(),
            Some("follow_login_url")
        );
    }

    #[test]
    fn the_dashboard_needs_a_session_the_site_handed_out() {
        let mut k = known();
        let mut my = IncomingRequest {
            method: "GET".into(),
            path: "/my/".into(),
            query: String::new(),
            content_type: None,
            cookie: None,
            body: String::new(),
        };
        assert_eq!(probe_of(&my, &k), None);
        my.cookie = Some("MoodleSession=s1".into());
        assert_eq!(probe_of(&my, &k), None);
        k.sessions.push("s1".into());
        assert_eq!(probe_of(&my, &k).as_deref(), Some("my_page"));
    }
}
