// Owns: turning a matched capture into the answer the simulated site sends — placeholders
// filled, addresses moved to this simulation's ports — and the few places where a real
// Moodle is stateful (an expired token deleted after its first refusal, one-time login keys,
// sessions, a recorded change to an account). Must not: make up an answer: what no capture
// holds is answered "501 not captured".

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use rand::Rng;

use crate::capture::{Capture, RecordedAnswer};
use crate::catalog::StateCaptures;
use crate::matcher::{self, IncomingRequest, Known};

/// Login keys were captured only fresh (opened within a second of being issued): by default
/// a key older than this is outside what the captures show.
pub const FRESH_KEY_LIMIT: Duration = Duration::from_secs(10);

/// Headers of a capture that are the connection's own, not the answer's.
const CONNECTION_HEADERS: &[&str] = &[
    "host",
    "date",
    "connection",
    "content-length",
    "transfer-encoding",
    "keep-alive",
];

/// One HTTP answer of the simulated site.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// The answer to a request no capture covers.
pub(crate) fn not_captured(request: &IncomingRequest, version: &str, state: &str) -> Answer {
    let function = serde_urlencoded::from_str::<Vec<(String, String)>>(&request.body)
        .unwrap_or_default()
        .into_iter()
        .chain(
            serde_urlencoded::from_str::<Vec<(String, String)>>(&request.query).unwrap_or_default(),
        )
        .find(|(k, _)| k == "wsfunction")
        .map(|(_, f)| format!(" ({f})"))
        .unwrap_or_default();
    Answer {
        status: 501,
        headers: vec![("Content-Type".into(), "text/plain; charset=utf-8".into())],
        body: format!(
            "501 not captured: {} {}{function} was not recorded for Moodle {version}, state \
             \"{state}\". The simulated Moodle answers only what a real one was seen to answer.\n",
            request.method, request.path
        ),
    }
}

/// What changes while the simulated site runs; reset when the version or state changes.
#[derive(Debug)]
pub(crate) struct Live {
    pub known: Known,
    /// When each live key was issued.
    pub issued: HashMap<String, Instant>,
    /// Token placeholders already used once (for the expired-token rule).
    pub used_tokens: BTreeSet<String>,
    /// The state's recorded account change has happened.
    pub side_effect_done: bool,
    /// Keys older than this are answered "not captured".
    pub fresh_key_limit: Duration,
    /// Every login key issued since the start, kept across state changes (for audits).
    pub ever_issued: Vec<String>,
}

impl Default for Live {
    fn default() -> Self {
        Self {
            known: Known::default(),
            issued: HashMap::new(),
            used_tokens: BTreeSet::new(),
            side_effect_done: false,
            fresh_key_limit: FRESH_KEY_LIMIT,
            ever_issued: Vec::new(),
        }
    }
}

impl Live {
    pub fn reset(&mut self) {
        self.known.live_keys.clear();
        self.known.sessions.clear();
        self.issued.clear();
        self.used_tokens.clear();
        self.side_effect_done = false;
    }
}

fn errorcode(answer: &RecordedAnswer) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(&answer.body)
        .ok()?
        .get("errorcode")?
        .as_str()
        .map(str::to_owned)
}

/// For a token that the state's captures show refused once with `accessexception` and unknown
/// (`invalidtoken`) on every later call — an expired token, which Moodle deletes on its first
/// refusal — the first and the later answer.
fn expiry_answers<'a>(
    state: &'a StateCaptures,
    placeholder: &str,
) -> Option<(&'a RecordedAnswer, &'a RecordedAnswer)> {
    let with_token: Vec<&Capture> = state
        .captures
        .iter()
        .filter(|c| matcher::token_placeholder(&c.request).as_deref() == Some(placeholder))
        .collect();
    let (first, later) = with_token.split_first()?;
    let refused_first = errorcode(&first.answer).as_deref() == Some("accessexception");
    let unknown_later = !later.is_empty()
        && later
            .iter()
            .all(|c| errorcode(&c.answer).as_deref() == Some("invalidtoken"));
    (refused_first && unknown_later).then(|| (&first.answer, &later[0].answer))
}

fn random_hex(bytes: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..bytes)
        .map(|_| format!("{:02x}", rng.gen::<u8>()))
        .collect()
}

fn query_value(query: &str, name: &str) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// Moves the recorded site's addresses to this simulation's: only the port differs, in plain,
/// JSON-escaped and URL-encoded text alike.
pub(crate) fn relocate(text: &str, ports: &[(u16, u16)]) -> String {
    let mut out = text.to_owned();
    for (recorded, now) in ports {
        out = out
            .replace(
                &format!("127.0.0.1:{recorded}"),
                &format!("127.0.0.1:{now}"),
            )
            .replace(
                &format!("127.0.0.1%3A{recorded}"),
                &format!("127.0.0.1%3A{now}"),
            );
    }
    out
}

/// The port of an address such as `http://127.0.0.1:8080`.
pub(crate) fn port_of(base: &str) -> Option<u16> {
    base.rsplit(':').next()?.trim_end_matches('/').parse().ok()
}

/// Applies a recorded account change to a user-list answer: in the JSON object of that user,
/// each changed field gets its new value. Formatting is kept byte for byte elsewhere.
fn apply_side_effect(body: &str, username: &str, fields: &[(String, String, String)]) -> String {
    let marker = format!("\"username\":\"{username}\"");
    let Some(at) = body.find(&marker) else {
        return body.to_owned();
    };
    // The object holding the marker: from the `{` before it to its matching `}`.
    let start = body[..at].rfind('{').unwrap_or(0);
    let mut depth = 0usize;
    let mut end = body.len();
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in body[start..].char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    end = start + i + 1;
                    break;
                }
            }
            _ => {}
        }
    }
    let mut object = body[start..end].to_owned();
    for (field, before, after) in fields {
        object = object.replace(
            &format!("\"{field}\":\"{before}\""),
            &format!("\"{field}\":\"{after}\""),
        );
    }
    format!("{}{object}{}", &body[..start], &body[end..])
}

/// Everything the replay needs to answer one request.
pub(crate) struct Replay<'a> {
    pub state: &'a StateCaptures,
    /// `(recorded port, port now)` pairs.
    pub ports: &'a [(u16, u16)],
}

impl Replay<'_> {
    /// The answer to `request`, or `None` when no capture covers it.
    pub fn answer(&self, request: &IncomingRequest, live: &mut Live) -> Option<(String, Answer)> {
        let capture = matcher::find(self.state, request, &live.known)?;
        let mut recorded = &capture.answer;

        if capture.probe == "follow_login_url" {
            let key = query_value(&request.query, "key").unwrap_or_default();
            let fresh = live
                .issued
                .get(&key)
                .is_some_and(|t| t.elapsed() <= live.fresh_key_limit);
            if !fresh {
                return None;
            }
            live.known.live_keys.retain(|k| *k != key);
            live.issued.remove(&key);
        }
        if let Some(placeholder) = matcher::token_placeholder(&capture.request) {
            if let Some((first, later)) = expiry_answers(self.state, &placeholder) {
                recorded = if live.used_tokens.contains(&placeholder) {
                    later
                } else {
                    first
                };
            }
            live.used_tokens.insert(placeholder);
        }

        let mut headers: Vec<(String, String)> = recorded
            .headers
            .iter()
            .filter(|(k, _)| !CONNECTION_HEADERS.contains(&k.to_ascii_lowercase().as_str()))
            .cloned()
            .collect();
        let mut body = recorded.body.clone();

        let issues_key = body.contains("<key>");
        if issues_key {
            // Each new key replaces the account's earlier one, as auth_userkey does.
            let key = random_hex(16);
            live.known.live_keys.clear();
            live.issued.clear();
            live.known.live_keys.push(key.clone());
            live.issued.insert(key.clone(), Instant::now());
            live.ever_issued.push(key.clone());
            body = body.replace("<key>", &key);
            for (_, v) in &mut headers {
                *v = v.replace("<key>", &key);
            }
            if self.state.side_effect.is_some() {
                live.side_effect_done = true;
            }
        }
        if headers.iter().any(|(_, v)| v.contains("<session>")) || body.contains("<session>") {
            let session = random_hex(13);
            live.known.sessions.push(session.clone());
            body = body.replace("<session>", &session);
            for (_, v) in &mut headers {
                *v = v.replace("<session>", &session);
            }
        }
        if body.contains("<sesskey>") {
            body = body.replace("<sesskey>", &random_hex(5));
        }
        if let (true, Some(effect)) = (live.side_effect_done, &self.state.side_effect) {
            if capture.probe.starts_with("user_by_") && !issues_key {
                body = apply_side_effect(&body, &effect.username, &effect.fields);
            }
        }
        for (_, v) in &mut headers {
            *v = relocate(v, self.ports);
        }
        Some((
            capture.probe.clone(),
            Answer {
                status: recorded.status,
                headers,
                body: relocate(&body, self.ports),
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_move_in_every_encoding() {
        let text = r#"http://127.0.0.1:8080/a "http:\/\/127.0.0.1:8080" x=http%3A%2F%2F127.0.0.1%3A8080 127.0.0.1:8081"#;
        assert_eq!(
            relocate(text, &[(8080, 41000), (8081, 41001)]),
            r#"http://127.0.0.1:41000/a "http:\/\/127.0.0.1:41000" x=http%3A%2F%2F127.0.0.1%3A41000 127.0.0.1:41001"#
        );
        assert_eq!(port_of("http://127.0.0.1:8041"), Some(8041));
    }

    #[test]
    fn a_side_effect_changes_only_that_users_fields() {
        let body = r#"[{"id":2,"username":"admin","auth":"manual","x":{"a":"}"}},{"id":3,"username":"twin","auth":"manual"}]"#;
        let fields = vec![("auth".to_owned(), "manual".to_owned(), "userkey".to_owned())];
        assert_eq!(
            apply_side_effect(body, "admin", &fields),
            r#"[{"id":2,"username":"admin","auth":"userkey","x":{"a":"}"}},{"id":3,"username":"twin","auth":"manual"}]"#
        );
        assert_eq!(apply_side_effect(body, "nobody", &fields), body);
    }
}
