// Owns: the Markdown form of a report, for the school's records or a support ticket.
// Must not: add anything a report does not hold (findings carry no secret by construction).

use std::fmt::Write;

use crate::finding::{Report, Status};
use crate::steps::catalog;

fn mark(status: Status) -> &'static str {
    match status {
        Status::Pass => "✔ pass",
        Status::Warn => "⚠ warn",
        Status::Fail => "✖ FAIL",
        Status::Blocked => "… waits for an earlier step",
        Status::NotVisible => "◌ check in Moodle",
        Status::Skipped => "– skipped",
        Status::Unknown => "? could not tell",
        Status::Waiting => "◷ waits for a token",
    }
}

/// Escapes the characters that would break a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', "<br>")
}

/// A Markdown report: site facts, then one table row per check, grouped by step.
pub fn report_markdown(report: &Report, title: &str, generated_at: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {title}\n");
    let _ = writeln!(
        out,
        "Generated {generated_at} by SIS Moodle Setup. Tokens are never included.\n"
    );
    match &report.site {
        Some(site) => {
            let _ = writeln!(out, "* Site: **{}** — {}", site.sitename, site.wwwroot);
            if let (Some(r), Some(v)) = (&site.release, &site.version) {
                let _ = writeln!(out, "* Moodle release {r}, version {v}");
            }
        }
        None => {
            let _ = writeln!(out, "* Site: could not be read");
        }
    }
    if let Some(host) = &report.checked_from {
        let _ = writeln!(
            out,
            "* Checked from {host}, not from openSIS's server: what openSIS sees can differ."
        );
    }
    let _ = writeln!(out, "* Result: {}\n", report.verdict.headline);
    let _ = writeln!(out, "| Step | Check | Status | Summary | Evidence | Fix |");
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for step in catalog() {
        for f in report.checks.iter().filter(|f| f.step == step.number) {
            let fix = match &f.link {
                Some(link) if !f.fix.is_empty() => format!("{} ({link})", f.fix),
                _ => f.fix.clone(),
            };
            let _ = writeln!(
                out,
                "| {} {} | `{}` | {} | {} | {} | {} |",
                step.number,
                cell(step.title),
                f.check,
                mark(f.status),
                cell(&f.summary),
                cell(&f.evidence),
                cell(&fix)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Finding, SiteFacts};

    #[test]
    fn rows_escape_cells_and_name_failing_steps() {
        let report = Report::new(
            Some(SiteFacts {
                sitename: "Lab".into(),
                release: Some("4.5".into()),
                version: Some("2024100700".into()),
                branch: Some("4.5".into()),
                wwwroot: "https://m.org".into(),
                functions: Vec::new(),
                looked_up_email: None,
            }),
            vec![Finding {
                check: "rest_protocol_enabled".into(),
                step: 13,
                status: Status::Fail,
                summary: "REST | off".into(),
                evidence: "HTTP 403".into(),
                fix: "Enable REST.\nOr run cfg.php".into(),
                link: Some("https://m.org/admin".into()),
                blocked_by: None,
            }],
        );
        let md = report_markdown(&report, "Lincoln High", "2026-11-25 14:00");
        assert!(md.starts_with("# Lincoln High\n"));
        assert!(
            md.contains("* Result: 1 step needs you: 13 Enable the REST protocol."),
            "{md}"
        );
        assert!(md.contains("| 13 Enable the REST protocol | `rest_protocol_enabled` | ✖ FAIL | REST \\| off | HTTP 403 | Enable REST.<br>Or run cfg.php (https://m.org/admin) |"));
    }
}
