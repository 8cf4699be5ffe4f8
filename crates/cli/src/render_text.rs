// Owns: the terminal rendering of a report — one block per step with ✔/⚠/✖, the fix and
// the link, colour only on a terminal. Must not: change or re-judge a finding.

use std::fmt::Write;
use std::io::IsTerminal;

use diagnosis::{catalog, Finding, Outcome, Report, Status};
use owo_colors::OwoColorize;

/// Colour when stdout is a terminal and NO_COLOR is not set.
pub fn use_colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn mark(status: Status, colour: bool) -> String {
    let (symbol, text) = match status {
        Status::Pass => ("✔", "ok"),
        Status::Warn => ("⚠", "warn"),
        Status::Fail => ("✖", "FAIL"),
        Status::Blocked => ("…", ""),
        Status::NotVisible => ("◌", "look"),
        Status::Skipped => ("–", "skip"),
        Status::Unknown => ("?", "????"),
        Status::Waiting => ("◷", "wait"),
    };
    let label = format!("{symbol} {text:<4}");
    if !colour {
        return label;
    }
    match status {
        Status::Pass => label.green().to_string(),
        Status::Warn | Status::Unknown => label.yellow().to_string(),
        Status::Fail => label.red().bold().to_string(),
        Status::Blocked | Status::NotVisible | Status::Skipped | Status::Waiting => {
            label.dimmed().to_string()
        }
    }
}

/// The verdict line, coloured by outcome.
fn headline(report: &Report, colour: bool) -> String {
    let text = &report.verdict.headline;
    if !colour {
        return text.clone();
    }
    match report.verdict.outcome {
        Outcome::Passed => text.green().bold().to_string(),
        Outcome::Failed => text.red().bold().to_string(),
        Outcome::CouldNotTell => text.yellow().bold().to_string(),
    }
}

fn indent(text: &str, prefix: &str) -> String {
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l.to_owned()
            } else {
                format!("{prefix}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn finding_block(out: &mut String, f: &Finding, colour: bool) {
    let _ = writeln!(out, "  {} {}", mark(f.status, colour), f.summary);
    let pad = "           ";
    if !f.evidence.is_empty() && f.status != Status::Pass {
        let _ = writeln!(
            out,
            "{pad}Seen: {}",
            indent(&f.evidence, &format!("{pad}      "))
        );
    }
    if !f.fix.is_empty()
        && matches!(
            f.status,
            Status::Fail | Status::Warn | Status::Unknown | Status::NotVisible
        )
    {
        let _ = writeln!(
            out,
            "{pad}Fix:  {}",
            indent(&f.fix, &format!("{pad}      "))
        );
    }
    if f.check == "userkey_lifetime" && f.status == Status::NotVisible {
        let _ = writeln!(
            out,
            "{pad}Prove: run the doctor again with --check-key-lifetime (it waits 65 s)"
        );
    }
    if let Some(link) = f.link.as_ref().filter(|link| worth_opening(f, link)) {
        if matches!(f.status, Status::Fail | Status::Warn) {
            let _ = writeln!(out, "{pad}Open: {link}");
        }
    }
}

/// Whether "Open: <link>" helps with this finding. The site's own checks (step 0) link the
/// site itself: opening it fixes nothing, and for a site on this computer (loopback) it would
/// suggest an address openSIS's server can never reach. Only an admin page there (such as
/// the maintenance-mode settings) is worth opening, as the app does.
fn worth_opening(f: &Finding, link: &str) -> bool {
    f.step != 0 || link.contains("/admin/")
}

/// How long each part took, in one line (`--verbose`): a slow part points at a slow Moodle.
pub fn timings_line(t: &diagnosis::Timings) -> String {
    let secs = |ms: u64| {
        if ms < 1000 {
            format!("{ms} ms")
        } else {
            format!("{:.1} s", ms as f64 / 1000.0)
        }
    };
    format!(
        "time: site {}, tokens {}, single sign-on {}; {} in all (parts overlap where they ran at once)",
        secs(t.site_ms),
        secs(t.tokens_ms),
        t.sso_ms.map_or_else(|| "not run".to_owned(), secs),
        secs(t.total_ms)
    )
}

pub fn render(report: &Report, colour: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}\n", headline(report, colour));
    match &report.site {
        Some(site) => {
            let _ = writeln!(out, "{}  {}", site.sitename, site.wwwroot);
            if let (Some(release), Some(version)) = (&site.release, &site.version) {
                let _ = writeln!(
                    out,
                    "Moodle {release}, version {version} (what openSIS shows after Connect)"
                );
            }
        }
        None => {
            let _ = writeln!(out, "No Moodle site could be read at this address.");
        }
    }
    if let Some(host) = &report.checked_from {
        let _ = writeln!(
            out,
            "Checked from this computer ({host}), not from openSIS's server: a firewall, DNS or proxy on openSIS's side can differ (run this command there to see what openSIS sees)."
        );
    }
    for step in catalog() {
        let findings: Vec<&Finding> = report
            .checks
            .iter()
            .filter(|f| f.step == step.number)
            .collect();
        let heading = format!("Step {:>2}  {}", step.number, step.title);
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{}",
            if colour {
                heading.bold().to_string()
            } else {
                heading
            }
        );
        if findings.is_empty() {
            let proof = step
                .proven_by
                .map(|n| format!(" (confirmed by step {n})"))
                .unwrap_or_default();
            let _ = writeln!(out, "  · not checked from outside Moodle{proof}");
        }
        // Checks waiting for the same earlier step are shown once.
        let mut shown: Vec<(Status, &str)> = Vec::new();
        for f in findings {
            let repeated = shown.contains(&(f.status, f.summary.as_str()));
            if matches!(f.status, Status::Blocked | Status::Skipped) && repeated {
                continue;
            }
            shown.push((f.status, f.summary.as_str()));
            finding_block(&mut out, f, colour);
        }
    }
    let count = |s: Status| report.checks.iter().filter(|f| f.status == s).count();
    let _ = writeln!(out);
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let _ = writeln!(
        out,
        "Result: {} ok · {} · {} · {} could not tell · {} waiting for an earlier step · {} to look at in Moodle{}.",
        count(Status::Pass),
        plural(count(Status::Warn), "warning"),
        plural(count(Status::Fail), "failure"),
        count(Status::Unknown),
        count(Status::Blocked),
        count(Status::NotVisible),
        match count(Status::Skipped) {
            0 => String::new(),
            n => format!(" · {n} skipped on request"),
        }
    );
    if let Some(first) = report.failing_steps().first() {
        let _ = writeln!(
            out,
            "Start with step {first}: later steps may pass once it is fixed."
        );
    }
    let _ = writeln!(out, "{}", headline(report, colour));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        let fail = Finding {
            blocked_by: None,
            check: "rest_protocol_enabled".into(),
            step: 13,
            status: Status::Fail,
            summary: "The REST protocol is not enabled.".into(),
            evidence: "HTTP 403".into(),
            fix: "Enable REST.\nOn the server: php admin/cli/cfg.php".into(),
            link: Some("https://m.org/admin/settings.php?section=webserviceprotocols".into()),
        };
        let pass = Finding {
            blocked_by: None,
            check: "web_services_enabled".into(),
            step: 11,
            status: Status::Pass,
            summary: "Web services are enabled.".into(),
            evidence: "x".into(),
            fix: String::new(),
            link: Some("https://m.org/admin".into()),
        };
        Report::new(None, vec![pass, fail])
    }

    #[test]
    fn one_block_per_step_with_fix_and_link_for_failures() {
        let text = render(&report(), false);
        assert!(text.contains(
            "Step 13  Enable the REST protocol\n  ✖ FAIL The REST protocol is not enabled."
        ));
        assert!(text.contains("Open: https://m.org/admin/settings.php?section=webserviceprotocols"));
        assert!(text
            .contains("Fix:  Enable REST.\n                 On the server: php admin/cli/cfg.php"));
        assert!(text.contains("  ✔ ok   Web services are enabled."));
        assert!(
            !text.contains("Open: https://m.org/admin\n"),
            "no link for passing checks"
        );
        assert!(text.contains("Step  2  Open \"Install plugins\"\n  · not checked from outside Moodle (confirmed by step 3)"));
        assert!(text.contains("Start with step 13"));
        assert!(
            text.starts_with("1 step needs you: 13 Enable the REST protocol.\n"),
            "{text}"
        );
        assert!(text
            .trim_end()
            .ends_with("1 step needs you: 13 Enable the REST protocol."));
        assert!(
            !text.contains('\u{1b}'),
            "no colour codes when not a terminal"
        );
    }

    /// B14: the loopback warning is not followed by "Open: <the site>", which openSIS's
    /// server could never open; an admin page on step 0 (maintenance mode) still is.
    #[test]
    fn the_site_itself_is_not_offered_to_open_on_step_0() {
        let loopback = Finding {
            blocked_by: None,
            check: "site_https".into(),
            step: 0,
            status: Status::Warn,
            summary: "The site uses plain http. On this computer that is fine for a trial, but openSIS needs the site's public https address.".into(),
            evidence: "wwwroot = http://127.0.0.1:8090 (loopback)".into(),
            fix: "Serve Moodle over https at its public address.".into(),
            link: Some("http://127.0.0.1:8090/".into()),
        };
        let maintenance = Finding {
            blocked_by: None,
            check: "site_not_in_maintenance".into(),
            step: 0,
            status: Status::Fail,
            summary: "The site is in maintenance mode.".into(),
            evidence: "maintenanceenabled = 1".into(),
            fix: "Turn maintenance mode off.".into(),
            link: Some("http://127.0.0.1:8090/admin/settings.php?section=maintenancemode".into()),
        };
        let text = render(&Report::new(None, vec![loopback]), false);
        assert!(text.contains("Fix:  Serve Moodle over https"), "{text}");
        assert!(!text.contains("Open:"), "{text}");
        let text = render(&Report::new(None, vec![maintenance]), false);
        assert!(
            text.contains("Open: http://127.0.0.1:8090/admin/settings.php?section=maintenancemode"),
            "{text}"
        );
    }

    #[test]
    fn colour_only_when_asked() {
        assert!(render(&report(), true).contains('\u{1b}'));
    }

    #[test]
    fn timings_read_in_milliseconds_then_seconds_and_say_what_did_not_run() {
        let mut t = diagnosis::Timings {
            site_ms: 120,
            tokens_ms: 1450,
            sso_ms: Some(999),
            total_ms: 2000,
        };
        assert_eq!(
            timings_line(&t),
            "time: site 120 ms, tokens 1.4 s, single sign-on 999 ms; 2.0 s in all (parts overlap where they ran at once)"
        );
        t.sso_ms = None;
        assert!(timings_line(&t).contains("single sign-on not run;"));
    }
}
