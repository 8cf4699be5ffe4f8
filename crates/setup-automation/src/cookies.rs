// Owns: the cookies of one admin session (Moodle's session cookie and what comes with it).
// Must not: send a cookie to another site, or print a cookie's value.

use std::collections::BTreeMap;
use std::fmt;

/// The cookies a Moodle site set for this session, by name. `Debug` shows names only.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct CookieJar {
    cookies: BTreeMap<String, String>,
}

impl CookieJar {
    /// Cookies handed over from a sign-in done elsewhere (the app's sign-in window).
    pub fn from_pairs<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Self {
            cookies: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .filter(|(k, v): &(String, String)| !k.is_empty() && !v.is_empty())
                .collect(),
        }
    }

    /// Takes in one `Set-Cookie` header: a deleted or expired cookie is dropped.
    pub fn absorb(&mut self, set_cookie: &str) {
        let mut parts = set_cookie.split(';');
        let Some((name, value)) = parts.next().and_then(|nv| nv.split_once('=')) else {
            return;
        };
        let (name, value) = (name.trim(), value.trim());
        if name.is_empty() {
            return;
        }
        let expired = value.is_empty()
            || value == "deleted"
            || parts.any(|attr| {
                let attr = attr.trim().to_ascii_lowercase();
                attr == "max-age=0" || attr.starts_with("max-age=-")
            });
        if expired {
            self.cookies.remove(name);
        } else {
            self.cookies.insert(name.to_string(), value.to_string());
        }
    }

    /// The `Cookie` header to send, if there is any cookie.
    pub fn header(&self) -> Option<String> {
        if self.cookies.is_empty() {
            return None;
        }
        Some(
            self.cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; "),
        )
    }

    /// Moodle's session cookie (`MoodleSession`, with the site's suffix if it has one).
    pub fn has_session(&self) -> bool {
        self.cookies.keys().any(|k| k.starts_with("MoodleSession"))
    }

    pub fn clear(&mut self) {
        self.cookies.clear();
    }
}

impl fmt::Debug for CookieJar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.cookies.keys()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_set_cookies_and_drops_deleted_ones() {
        let mut jar = CookieJar::default();
        jar.absorb("MoodleSession=abc123; path=/; HttpOnly; SameSite=Lax");
        jar.absorb("MOODLEID1_=deleted; expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0; path=/");
        jar.absorb("MOODLEID1_=sodium%3Axyz; Max-Age=5184000; path=/; HttpOnly");
        assert!(jar.has_session());
        assert_eq!(
            jar.header().as_deref(),
            Some("MOODLEID1_=sodium%3Axyz; MoodleSession=abc123")
        );
        jar.absorb("MoodleSession=deleted; Max-Age=0");
        assert!(!jar.has_session());
        assert!(!format!("{jar:?}").contains("xyz"));
    }

    #[test]
    fn a_session_cookie_with_a_suffix_is_a_session() {
        let jar = CookieJar::from_pairs([("MoodleSessionlab45", "v")]);
        assert!(jar.has_session());
        assert!(CookieJar::from_pairs([("other", "v")]).header().is_some());
        assert!(!CookieJar::from_pairs([("other", "v")]).has_session());
    }
}
