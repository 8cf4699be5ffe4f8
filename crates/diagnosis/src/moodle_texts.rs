// Owns: the admin-facing words that differ between Moodle versions (4.1, 4.5, 5.0), chosen
// by the site's branch. Must not: hold page paths (the same in all three; steps.rs) or judge.

/// The Moodle branch a diagnosis saw, as a branch code (401, 405, 500), if it could be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Branch(pub Option<u32>);

impl Branch {
    /// From `core_webservice_get_site_info`'s `version` and `release`.
    pub fn from_site_info(version: &str, release: &str) -> Self {
        Branch(
            plugin_zip::moodle_version::SiteVersion::from_site_info(version, release)
                .and_then(|v| v.branch),
        )
    }

    /// "4.5", or `None` when the site did not say.
    pub fn name(self) -> Option<String> {
        self.0.map(plugin_zip::moodle_version::branch_name)
    }

    /// Whether the "Create token" form fills in "Valid until" 30 days ahead and shows a new
    /// token only once: so in 4.5 and 5.0, not in 4.1 or 4.2 (read in their source); 4.3 and
    /// 4.4 were not checked.
    fn token_form_with_expiry(self) -> Option<bool> {
        match self.0? {
            b if b >= 405 => Some(true),
            b if b <= 402 => Some(false),
            _ => None,
        }
    }
}

/// How to create a token for `service` on this site, in the words of its "Create token" form.
pub fn create_token(branch: Branch, service: &str) -> String {
    let start = format!(
        "In Site administration → Server → Web services → Manage tokens, press \"Create token\": \
         User = the site administrator, Service = \"{service}\", \"IP restriction\" empty"
    );
    match branch.token_form_with_expiry() {
        Some(true) => format!(
            "{start}, and untick the \"Enable\" box of \"Valid until\" (Moodle {} fills in a date 30 \
             days ahead, after which the token stops working). \"Name\" may stay empty. Copy the \
             token at once: Moodle shows it only this one time.",
            branch.name().unwrap_or_default()
        ),
        Some(false) => format!(
            "{start}, and leave \"Valid until\" not enabled (so the token never expires)."
        ),
        None => format!(
            "{start}, and leave \"Valid until\" not enabled — Moodle 4.5 and later fill in a date \
             30 days ahead: untick its \"Enable\" box. Copy the token at once: newer versions \
             show it only once."
        ),
    }
}

/// The error code Moodle gives for a function that does not exist, in the site's words.
pub fn missing_function_code(branch: Branch) -> &'static str {
    match branch.0 {
        Some(b) if b >= 500 => "invalidrecordunknown",
        Some(_) => "invalidrecord",
        None => "invalidrecord (Moodle 5.0: invalidrecordunknown)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_form_is_described_as_each_version_shows_it() {
        let v41 = Branch::from_site_info("2022112820", "4.1.20 (Build: 20250811)");
        let v45 = Branch::from_site_info("2024100711.02", "4.5.11+ (Build: 20260501)");
        let v50 = Branch::from_site_info("2025041400", "5.0 (Build: 20250414)");
        assert_eq!(v41.name().as_deref(), Some("4.1"));
        assert_eq!(v50.name().as_deref(), Some("5.0"));
        assert!(create_token(v41, "opensis").contains("leave \"Valid until\" not enabled (so"));
        assert!(!create_token(v41, "opensis").contains("only"));
        for b in [v45, v50] {
            let text = create_token(b, "opensis");
            assert!(text.contains("untick the \"Enable\" box"), "{text}");
            assert!(text.contains("30 days"));
            assert!(text.contains("only this one time"));
        }
        assert!(create_token(Branch::default(), "opensis").contains("Moodle 4.5 and later fill in"));
        assert_eq!(missing_function_code(v50), "invalidrecordunknown");
        assert_eq!(missing_function_code(v41), "invalidrecord");
    }
}
