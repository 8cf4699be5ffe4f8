// Owns: reading one capture file — the probe's name, the request as it was sent and the
// answer as it was received. Must not: fill placeholders or move addresses (replay.rs does).

/// The line between a capture's request and its answer.
pub const ANSWER_SEPARATOR: &str =
    "======================================================================== answer";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CaptureError {
    #[error("no \"# probe:\" line")]
    NoProbeName,
    #[error("no answer separator line")]
    NoAnswer,
    #[error("the request line is missing or malformed: {0:?}")]
    BadRequestLine(String),
    #[error("the status line is missing or malformed: {0:?}")]
    BadStatusLine(String),
}

/// One recorded exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capture {
    /// e.g. `site_info_opensis`, `follow_login_url`.
    pub probe: String,
    pub request: RecordedRequest,
    pub answer: RecordedAnswer,
}

/// The request as the capture tool sent it, with tokens, keys and sessions as placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    /// The path, without its query string.
    pub path: String,
    /// The query string as sent (still percent-encoded), or empty.
    pub query: String,
    pub headers: Vec<(String, String)>,
    /// The body as sent (form-encoded or JSON), or empty.
    pub body: String,
}

/// The answer exactly as the server sent it (large HTML bodies shortened by the capture tool).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedAnswer {
    pub status: u16,
    pub reason: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

impl RecordedRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }
}

impl RecordedAnswer {
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    /// Every value of a header that may repeat (Set-Cookie).
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn split_headers<'a>(lines: &mut impl Iterator<Item = &'a str>) -> Vec<(String, String)> {
    let mut headers = Vec::new();
    for line in lines.by_ref() {
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    headers
}

/// Reads a capture file (see `captures/README.md` for the format).
pub fn parse(text: &str) -> Result<Capture, CaptureError> {
    let (request_part, answer_part) = text
        .split_once(&format!("\n{ANSWER_SEPARATOR}\n"))
        .ok_or(CaptureError::NoAnswer)?;
    let probe = request_part
        .lines()
        .find_map(|l| l.strip_prefix("# probe:"))
        .and_then(|rest| rest.split_whitespace().next())
        .ok_or(CaptureError::NoProbeName)?
        .to_owned();

    let mut lines = request_part.lines().skip_while(|l| l.starts_with('#'));
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split_whitespace();
    let (Some(method), Some(target), Some(_)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(CaptureError::BadRequestLine(request_line.to_owned()));
    };
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let headers = split_headers(&mut lines);
    let body = lines
        .filter(|l| !l.starts_with("# "))
        .collect::<Vec<_>>()
        .join("\n")
        .trim_end_matches('\n')
        .to_owned();
    let request = RecordedRequest {
        method: method.to_owned(),
        path: path.to_owned(),
        query: query.to_owned(),
        headers,
        body,
    };

    let (head, body) = answer_part
        .split_once("\n\n")
        .unwrap_or((answer_part.trim_end_matches('\n'), ""));
    let mut lines = head.lines();
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.splitn(3, ' ');
    let status = match (parts.next(), parts.next()) {
        (Some(v), Some(code)) if v.starts_with("HTTP/") => code
            .parse::<u16>()
            .map_err(|_| CaptureError::BadStatusLine(status_line.to_owned()))?,
        _ => return Err(CaptureError::BadStatusLine(status_line.to_owned())),
    };
    let reason = parts.next().unwrap_or_default().to_owned();
    let mut head_lines = lines.chain(std::iter::once(""));
    let headers = split_headers(&mut head_lines);
    Ok(Capture {
        probe,
        request,
        answer: RecordedAnswer {
            status,
            reason,
            headers,
            body: body.to_owned(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORM: &str = "# probe: exists_x   url: http://127.0.0.1:8080/webservice/rest/server.php?moodlewsrestformat=json\n\
POST /webservice/rest/server.php?moodlewsrestformat=json HTTP/1.1\n\
Host: 127.0.0.1:8080\n\
Content-Type: application/x-www-form-urlencoded\n\
\n\
wstoken=<opensis-token>&wsfunction=x&user%5Bemail%5D=a%40b.org\n\
# decoded body: wstoken=<opensis-token>&wsfunction=x&user[email]=a@b.org\n\
\n\
======================================================================== answer\n\
HTTP/1.1 200 OK\n\
Content-type: application/json\n\
Set-Cookie: A=1\n\
Set-Cookie: B=2\n\
\n\
{\"a\":1}";

    #[test]
    fn a_form_exchange_is_read_with_its_decoded_comment_left_out() {
        let c = parse(FORM).unwrap();
        assert_eq!(c.probe, "exists_x");
        assert_eq!(c.request.method, "POST");
        assert_eq!(c.request.path, "/webservice/rest/server.php");
        assert_eq!(c.request.query, "moodlewsrestformat=json");
        assert_eq!(
            c.request.body,
            "wstoken=<opensis-token>&wsfunction=x&user%5Bemail%5D=a%40b.org"
        );
        assert_eq!(c.answer.status, 200);
        assert_eq!(c.answer.reason, "OK");
        assert_eq!(c.answer.header("content-type"), Some("application/json"));
        assert_eq!(
            c.answer.headers_named("set-cookie").collect::<Vec<_>>(),
            ["A=1", "B=2"]
        );
        assert_eq!(c.answer.body, "{\"a\":1}");
    }

    #[test]
    fn an_empty_body_and_a_get_without_body_are_empty() {
        let text = "# probe: p   url: u\nGET /login/index.php HTTP/1.1\nHost: h\n\n\
======================================================================== answer\n\
HTTP/1.0 403 Forbidden\nContent-type: text/html\n\n";
        let c = parse(text).unwrap();
        assert_eq!(c.request.body, "");
        assert_eq!(c.request.query, "");
        assert_eq!(
            (c.answer.status, c.answer.reason.as_str()),
            (403, "Forbidden")
        );
        assert_eq!(c.answer.body, "");
    }

    #[test]
    fn malformed_files_are_refused_with_a_reason() {
        assert_eq!(parse("nothing"), Err(CaptureError::NoAnswer));
        let no_probe = format!("GET / HTTP/1.1\n\n\n{ANSWER_SEPARATOR}\nHTTP/1.1 200 OK\n\n");
        assert_eq!(parse(&no_probe), Err(CaptureError::NoProbeName));
        let bad_status = format!("# probe: p\nGET / HTTP/1.1\n\n\n{ANSWER_SEPARATOR}\nOK\n\n");
        assert!(matches!(
            parse(&bad_status),
            Err(CaptureError::BadStatusLine(_))
        ));
    }
}
