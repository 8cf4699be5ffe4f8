// Owns: the web-service token as a value that cannot leak through Debug, Display or Serialize.
// Must not: offer any way to print the secret except the explicit `expose()`.

use std::fmt;

/// A Moodle web-service token. `Debug` and `Display` print `***`; only `expose()` gives the text.
#[derive(Clone, PartialEq, Eq)]
pub struct WsToken(String);

impl WsToken {
    /// Trims what an admin pasted (spaces, new lines, surrounding quotes are common).
    pub fn new(raw: &str) -> Option<Self> {
        let trimmed = raw.trim().trim_matches(|c| c == '"' || c == '\'').trim();
        if trimmed.is_empty() {
            None
        } else {
            Some(Self(trimmed.to_owned()))
        }
    }

    /// The secret itself, for the POST body only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Moodle tokens are 32 lower-case hex characters; anything else was probably mis-pasted.
    pub fn looks_like_moodle_token(&self) -> bool {
        self.0.len() == 32 && self.0.bytes().all(|b| b.is_ascii_hexdigit())
    }

    /// A hint that identifies the token without revealing it: the last four characters.
    pub fn hint(&self) -> String {
        let tail: String = self
            .0
            .chars()
            .rev()
            .take(4)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        format!("…{tail}")
    }
}

impl fmt::Debug for WsToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for WsToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_secret() {
        let t = WsToken::new("0123456789abcdef0123456789abcdef").unwrap();
        assert_eq!(format!("{t:?}"), "***");
        assert_eq!(format!("{t}"), "***");
        assert_eq!(format!("{:?}", Some(t.clone())), "Some(***)");
        assert_eq!(t.expose(), "0123456789abcdef0123456789abcdef");
    }

    #[test]
    fn pasted_tokens_are_trimmed_and_checked() {
        let t = WsToken::new("  \"0123456789abcdef0123456789abcdef\"\n").unwrap();
        assert_eq!(t.expose(), "0123456789abcdef0123456789abcdef");
        assert!(t.looks_like_moodle_token());
        assert!(!WsToken::new("https://moodle.example/")
            .unwrap()
            .looks_like_moodle_token());
        assert!(WsToken::new("  \n").is_none());
        assert_eq!(t.hint(), "…cdef");
    }
}
