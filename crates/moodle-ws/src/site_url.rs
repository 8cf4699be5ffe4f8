// Owns: turning whatever URL an admin pasted into the Moodle site root (`wwwroot`).
// Must not: touch the network; the public-config probe confirms the root later.

use std::fmt;

use url::{Host, Url};

/// Quotes and brackets an address is often pasted with, from a document, mail or chat.
const PASTED_QUOTES: &[char] = &['"', '\'', '<', '>', '`', '“', '”', '‘', '’', '«', '»'];

/// Top-level Moodle folders and scripts: a pasted URL is cut at the first of these.
const MOODLE_TOP_LEVEL: &[&str] = &[
    "admin",
    "auth",
    "blocks",
    "calendar",
    "course",
    "grade",
    "lib",
    "local",
    "login",
    "message",
    "mod",
    "my",
    "pluginfile.php",
    "theme",
    "user",
    "webservice",
    "index.php",
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SiteUrlError {
    #[error("the Moodle address is empty: paste the address you open Moodle with, e.g. https://moodle.school.org")]
    Empty,
    #[error("\"{input}\" is not a web address ({reason}); paste the address you open Moodle with, e.g. https://moodle.school.org")]
    Unparseable { input: String, reason: String },
    #[error("the address must start with https:// (or http://), not {scheme}://")]
    UnsupportedScheme { scheme: String },
    #[error(
        "remove the user name and password from the address; Moodle tokens are entered separately"
    )]
    HasCredentials,
}

/// The root of a Moodle site, e.g. `https://school.org/moodle`, always without trailing slash
/// in text and always with one inside (so endpoints join below it).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SiteRoot {
    url: Url,
}

impl SiteRoot {
    /// The full URL of a script below the root, e.g. `webservice/rest/server.php`.
    pub fn endpoint(&self, relative: &str) -> Url {
        // Joining a relative path without a scheme onto an http(s) URL cannot fail.
        self.url
            .join(relative.trim_start_matches('/'))
            .unwrap_or_else(|_| self.url.clone())
    }

    pub fn as_url(&self) -> &Url {
        &self.url
    }

    pub fn host(&self) -> Option<&str> {
        self.url.host_str()
    }

    pub fn is_https(&self) -> bool {
        self.url.scheme() == "https"
    }
}

impl fmt::Display for SiteRoot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.url.as_str().trim_end_matches('/'))
    }
}

impl fmt::Debug for SiteRoot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SiteRoot({self})")
    }
}

/// Accepts what admins paste — with or without scheme, trailing slash, `/login/index.php`,
/// `/my/`, `/admin/...` — and returns the site root. Without a scheme, https is assumed.
pub fn normalize_site_url(input: &str) -> Result<SiteRoot, SiteUrlError> {
    let trimmed = input.trim().trim_matches(PASTED_QUOTES).trim();
    if trimmed.is_empty() {
        return Err(SiteUrlError::Empty);
    }
    let with_scheme = if trimmed.contains("://") {
        trimmed.to_owned()
    } else {
        format!("https://{trimmed}")
    };
    let mut url = Url::parse(&with_scheme).map_err(|e| SiteUrlError::Unparseable {
        input: trimmed.to_owned(),
        reason: e.to_string(),
    })?;
    match url.scheme() {
        "http" | "https" => {}
        other => {
            return Err(SiteUrlError::UnsupportedScheme {
                scheme: other.to_owned(),
            })
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(SiteUrlError::Unparseable {
            input: trimmed.to_owned(),
            reason: "no host name".into(),
        });
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(SiteUrlError::HasCredentials);
    }
    if let Some(Host::Domain(domain)) = url.host() {
        // The URL parser lets through quotes and other signs that no host name has (often a
        // quote pasted with the address); DNS would only say the name does not resolve.
        if let Some(bad) = domain
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
        {
            return Err(SiteUrlError::Unparseable {
                input: trimmed.to_owned(),
                reason: format!("a host name cannot contain \"{bad}\""),
            });
        }
    }
    url.set_query(None);
    url.set_fragment(None);
    let kept: Vec<String> = url
        .path_segments()
        .map(|segments| {
            segments
                // A quote pasted before a cut-off part (`…/moodle'/my/`) is not a folder's.
                .map(|s| s.trim_matches(PASTED_QUOTES))
                .filter(|s| !s.is_empty())
                .take_while(|s| !MOODLE_TOP_LEVEL.contains(s))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let mut path = String::from("/");
    for segment in &kept {
        path.push_str(segment);
        path.push('/');
    }
    url.set_path(&path);
    Ok(SiteRoot { url })
}

/// Whether two site roots name the same site, ignoring case of the host and a trailing slash.
pub fn same_site(a: &str, b: &str) -> bool {
    match (normalize_site_url(a), normalize_site_url(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a.trim_end_matches('/') == b.trim_end_matches('/'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(input: &str) -> String {
        normalize_site_url(input).unwrap().to_string()
    }

    #[test]
    fn pasted_addresses_become_the_site_root() {
        assert_eq!(root("moodle.school.org"), "https://moodle.school.org");
        assert_eq!(
            root("https://moodle.school.org/"),
            "https://moodle.school.org"
        );
        assert_eq!(
            root(" https://moodle.school.org/login/index.php?x=1#top "),
            "https://moodle.school.org"
        );
        assert_eq!(
            root("https://school.org/moodle/my/"),
            "https://school.org/moodle"
        );
        assert_eq!(
            root("https://school.org/moodle/admin/settings.php?section=manageauths"),
            "https://school.org/moodle"
        );
        assert_eq!(
            root("http://127.0.0.1:8080/index.php"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            root("HTTPS://Moodle.School.ORG"),
            "https://moodle.school.org"
        );
        assert_eq!(
            root("\"https://moodle.school.org\""),
            "https://moodle.school.org"
        );
    }

    #[test]
    fn endpoints_join_below_a_sub_folder_root() {
        let r = normalize_site_url("https://school.org/moodle/login/").unwrap();
        assert_eq!(
            r.endpoint("webservice/rest/server.php").as_str(),
            "https://school.org/moodle/webservice/rest/server.php"
        );
    }

    #[test]
    fn bad_input_gets_a_clear_error() {
        assert_eq!(normalize_site_url("   "), Err(SiteUrlError::Empty));
        assert!(matches!(
            normalize_site_url("ftp://moodle.school.org"),
            Err(SiteUrlError::UnsupportedScheme { .. })
        ));
        assert!(matches!(
            normalize_site_url("https://moodle school.org"),
            Err(SiteUrlError::Unparseable { .. })
        ));
        assert_eq!(
            normalize_site_url("https://admin:pw@moodle.school.org"),
            Err(SiteUrlError::HasCredentials)
        );
        assert!(normalize_site_url("http://").is_err());
        // Found by fuzzing: quotes inside the host made a root that changed when normalised again.
        assert!(matches!(
            normalize_site_url("moodle.school.org''/my/'"),
            Err(SiteUrlError::Unparseable { ref reason, .. }) if reason.contains('\'')
        ));
        assert!(normalize_site_url("https://moodle.school.org\"x").is_err());
        assert_eq!(
            root("https://school.org/moodle'/my/'"),
            "https://school.org/moodle"
        );
        assert_eq!(root("https://school.org/'?x"), "https://school.org");
        assert_eq!(root("http:/'my/x"), "https://http");
        assert_eq!(
            root("https://school.org/o'neill/"),
            "https://school.org/o'neill"
        );
    }

    #[test]
    fn addresses_pasted_with_typographic_quotes() {
        assert_eq!(
            root("“https://moodle.school.org”"),
            "https://moodle.school.org"
        );
        assert_eq!(root("‘moodle.school.org/my/’"), "https://moodle.school.org");
        assert_eq!(
            root("`https://moodle.school.org` "),
            "https://moodle.school.org"
        );
        assert_eq!(
            root("https://moodle_1.school.org"),
            "https://moodle_1.school.org"
        );
        assert_eq!(
            root("https://Bücher.example/moodle"),
            "https://xn--bcher-kva.example/moodle"
        );
    }

    #[test]
    fn same_site_ignores_trailing_slash_and_case() {
        assert!(same_site("https://M.org/", "https://m.org"));
        assert!(!same_site("http://m.org", "https://m.org"));
    }
}
