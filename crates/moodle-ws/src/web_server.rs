//! Owns: telling the web server's own error page (Apache's, nginx's) from an answer of Moodle,
//! from the page itself and the `Server` header. Must not: judge what the refusal means.

/// An error page the web server wrote itself (Moodle never saw the request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebServerPage {
    /// As its page or `Server` header names it ("Apache/2.4.71 (Debian)", "nginx/1.22.1").
    pub server: String,
    /// `WWW-Authenticate` of a 401: the web server asks for a password (`Basic realm=…`).
    pub asks_password: Option<String>,
}

impl WebServerPage {
    /// The web server's own page, or a password it asks for (Moodle's web services never
    /// answer with `WWW-Authenticate`).
    pub fn of(
        status: u16,
        server: Option<&str>,
        www_authenticate: Option<&str>,
        body: &[u8],
    ) -> Option<Self> {
        let asks_password = www_authenticate
            .filter(|_| status == 401)
            .map(str::to_owned);
        let named = own_page(status, server, body);
        if named.is_none() && asks_password.is_none() {
            return None;
        }
        Some(Self {
            server: named
                .or_else(|| server.map(str::to_owned))
                .unwrap_or_else(|| "the web server".to_owned()),
            asks_password,
        })
    }
}

/// The page's start that is read: the web servers' error pages are a few hundred bytes.
const PAGE_BYTES: usize = 4096;

/// The web server that wrote this error page itself (Moodle never saw the request), named as
/// its page or `Server` header says ("Apache/2.4.71 (Debian)", "nginx/1.22.1", "Apache").
///
/// Apache's pages end with `<address>Apache/… Server at … Port …</address>` (unless
/// `ServerSignature Off`) and open with an HTML 2.0 or 4.01 doctype; nginx's end with
/// `<hr><center>nginx/…</center>`. Both are titled with the status ("403 Forbidden"), which no
/// page of Moodle is.
pub fn own_page(status: u16, server: Option<&str>, body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(&body[..body.len().min(PAGE_BYTES)]);
    if let Some(name) =
        between(&text, "<address>", " Server at").filter(|n| n.starts_with("Apache"))
    {
        return Some(name.to_owned());
    }
    if let Some(name) =
        between(&text, "<hr><center>", "</center>").filter(|n| n.starts_with("nginx"))
    {
        return Some(name.to_owned());
    }
    let titled_with_status =
        crate::text::html_title(&text).is_some_and(|t| t.starts_with(&format!("{status} ")));
    let server = server.map(str::trim).filter(|s| !s.is_empty())?;
    let known = [
        "Apache",
        "nginx",
        "LiteSpeed",
        "Microsoft-IIS",
        "openresty",
        "Caddy",
    ];
    (titled_with_status && known.iter().any(|k| server.starts_with(k))).then(|| server.to_owned())
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let to = text[from..].find(end)? + from;
    Some(text[from..to].trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    // The pages as Apache 2.4.71 and nginx 1.22.1 (Debian 12) sent them in front of a lab
    // Moodle (crates/moodle-sim/webserver-runs).
    const APACHE_403: &str = "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>403 Forbidden</title>\n</head><body>\n<h1>Forbidden</h1>\n<p>You don't have permission to access this resource.</p>\n<hr>\n<address>Apache/2.4.71 (Debian) Server at 127.0.0.1 Port 8145</address>\n</body></html>\n";
    const NGINX_502: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n";

    #[test]
    fn apache_s_and_nginx_s_own_pages_are_named_moodle_s_answers_are_not() {
        assert_eq!(
            own_page(403, Some("Apache/2.4.71 (Debian)"), APACHE_403.as_bytes()).as_deref(),
            Some("Apache/2.4.71 (Debian)")
        );
        assert_eq!(
            own_page(502, Some("nginx/1.22.1"), NGINX_502.as_bytes()).as_deref(),
            Some("nginx/1.22.1")
        );
        // ServerSignature Off: the title and the Server header still tell.
        let unsigned = APACHE_403.replace(
            "<address>Apache/2.4.71 (Debian) Server at 127.0.0.1 Port 8145</address>",
            "",
        );
        assert_eq!(
            own_page(403, Some("Apache"), unsigned.as_bytes()).as_deref(),
            Some("Apache")
        );
        // Moodle's 403 with REST off: an empty body, through the same web server.
        assert_eq!(own_page(403, Some("Apache/2.4.71 (Debian)"), b""), None);
        // A Moodle page with a Moodle title.
        let moodle =
            b"<html><head><title>Log in to the site | lab</title></head><body></body></html>";
        assert_eq!(own_page(200, Some("nginx"), moodle), None);
    }
}
