// Owns: whether Moodle would accept an e-mail as the key of a single sign-on — its `PARAM_EMAIL`
// is PHP's `filter_var(FILTER_VALIDATE_EMAIL)` — checked here before anything is sent with it.
// Must not: judge whether the address exists or is the admin's.

use std::fmt;

/// Why Moodle would refuse an e-mail as a single sign-on key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailProblem {
    /// Spaces or line breaks, often pasted from a spreadsheet export.
    Whitespace,
    /// Not exactly one `@`.
    NoSingleAt,
    /// Letters outside ASCII (`jöhn@…`, `…@exämple.com`).
    NonAscii,
    /// A domain without a dot (`admin@localhost`, `a@school`).
    DotlessDomain,
    /// The part before the `@` is empty, too long, or has a character or dot PHP refuses.
    BadLocalPart,
    /// The domain has an empty, too long or badly formed part.
    BadDomain,
}

impl fmt::Display for EmailProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EmailProblem::Whitespace => "it contains spaces or line breaks",
            EmailProblem::NoSingleAt => "it does not have exactly one @",
            EmailProblem::NonAscii => "it contains letters outside plain ASCII (accents, umlauts)",
            EmailProblem::DotlessDomain => {
                "its domain has no dot (like localhost, or a school's short name)"
            }
            EmailProblem::BadLocalPart => {
                "the part before the @ has a character or dot Moodle refuses"
            }
            EmailProblem::BadDomain => "its domain is badly formed",
        })
    }
}

const LOCAL_EXTRA: &str = "!#$%&'*+/=?^_`{|}~.-";

/// Whether Moodle's `PARAM_EMAIL` (PHP's `FILTER_VALIDATE_EMAIL`) would accept `email`.
pub fn check_email(email: &str) -> Result<(), EmailProblem> {
    if email.chars().any(char::is_whitespace) {
        return Err(EmailProblem::Whitespace);
    }
    if !email.is_ascii() {
        return Err(EmailProblem::NonAscii);
    }
    let mut parts = email.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(EmailProblem::NoSingleAt);
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || LOCAL_EXTRA.contains(c));
    if !local_ok {
        return Err(EmailProblem::BadLocalPart);
    }
    if domain.starts_with('[') && domain.ends_with(']') {
        return domain[1..domain.len() - 1]
            .parse::<std::net::Ipv4Addr>()
            .map(|_| ())
            .map_err(|_| EmailProblem::BadDomain);
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return Err(EmailProblem::DotlessDomain);
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if domain.len() > 253 || !labels.iter().all(|l| label_ok(l)) {
        return Err(EmailProblem::BadDomain);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cases real-world-failures.md RW04 tested with PHP 8.2's `filter_var`.
    #[test]
    fn rw04_what_php_refuses_documented() {
        assert_eq!(check_email("a@localhost"), Err(EmailProblem::DotlessDomain));
        assert_eq!(check_email("a@school"), Err(EmailProblem::DotlessDomain));
        assert_eq!(check_email("jöhn@x.com"), Err(EmailProblem::NonAscii));
        assert_eq!(check_email("john@exämple.com"), Err(EmailProblem::NonAscii));
        assert_eq!(check_email("john@x.com "), Err(EmailProblem::Whitespace));
        // Upper case is fine.
        assert_eq!(check_email("John.Smith@School.ORG"), Ok(()));
    }

    #[test]
    fn ordinary_and_odd_but_valid_addresses_pass() {
        for ok in [
            "admin@school.example.org",
            "first.last+sis@sub.school.edu",
            "o'brien@school.ie",
            "x@[192.0.2.1]",
        ] {
            assert_eq!(check_email(ok), Ok(()), "{ok}");
        }
        for (bad, why) in [
            ("a@@b.org", EmailProblem::NoSingleAt),
            ("nobody", EmailProblem::NoSingleAt),
            (".a@b.org", EmailProblem::BadLocalPart),
            ("a..b@b.org", EmailProblem::BadLocalPart),
            ("a@-b.org", EmailProblem::BadDomain),
            ("a@b..org", EmailProblem::BadDomain),
            ("a(b)@b.org", EmailProblem::BadLocalPart),
        ] {
            assert_eq!(check_email(bad), Err(why), "{bad}");
        }
    }
}
