// Owns: the recorded Moodle 4.5 exchanges, compiled in, and their parsing into status,
// headers and body. Must not: alter a body; substitutions happen where they are served.

/// One recorded HTTP answer.
#[derive(Debug, Clone)]
pub struct Capture {
    pub name: &'static str,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: &'static str,
}

impl Capture {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn content_type(&self) -> &str {
        self.header("content-type")
            .unwrap_or("text/html; charset=utf-8")
    }
}

macro_rules! captures {
    ($($name:literal),* $(,)?) => {
        /// Every capture, by scenario name, as recorded (see `captures/requests.tsv`).
        pub const CAPTURES: &[(&str, &str)] = &[
            $(($name, include_str!(concat!("../captures/", $name, ".txt"))),)*
        ];
    };
}

captures!(
    "downloadfiles_off",
    "expired_token",
    "function_does_not_exist",
    "function_not_in_service",
    "html_login_page",
    "invalid_token",
    "mapping_field_mismatch",
    "ok_follow_login_url",
    "ok_request_login_url",
    "ok_site_info_opensis",
    "ok_site_info_userkey",
    "rest_protocol_disabled",
    "restricted_users_not_authorized",
    "service_disabled",
    "user_not_found",
    "userkey_auth_disabled",
    "webservice_auth_disabled",
    "webservices_disabled",
    "wrong_path",
);

/// The capture of a scenario, parsed. Panics only on a name that is not compiled in,
/// which is a programming error caught by the tests below.
pub fn capture(name: &str) -> Capture {
    let (name, raw) = CAPTURES
        .iter()
        .find(|(n, _)| *n == name)
        .copied()
        .unwrap_or_else(|| panic!("no capture named {name}"));
    parse(name, raw)
}

/// Every capture, parsed.
pub fn all() -> Vec<Capture> {
    CAPTURES.iter().map(|(n, raw)| parse(n, raw)).collect()
}

fn parse(name: &'static str, raw: &'static str) -> Capture {
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .or_else(|| raw.split_once("\n\n"))
        .unwrap_or((raw, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Capture {
        name,
        status,
        headers,
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_capture_parses() {
        let all = all();
        assert_eq!(all.len(), 19);
        let forbidden = capture("webservices_disabled");
        assert_eq!(forbidden.status, 403);
        assert!(forbidden.body.trim().is_empty());
        let follow = capture("ok_follow_login_url");
        assert_eq!(follow.status, 303);
        assert_eq!(follow.header("location"), Some("http://127.0.0.1:8080"));
        assert_eq!(capture("wrong_path").status, 404);
        assert!(capture("invalid_token").body.contains("invalidtoken"));
    }

    /// The compiled-in copies must stay byte-identical to the shared captures they came from.
    #[test]
    fn compiled_captures_match_the_shared_originals_when_present() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/moodle-4.5-captures");
        if !dir.is_dir() {
            return;
        }
        for (name, raw) in CAPTURES {
            let original = std::fs::read_to_string(dir.join(format!("{name}.txt"))).unwrap();
            assert_eq!(
                &original, raw,
                "capture {name} differs from the shared original"
            );
        }
    }
}
