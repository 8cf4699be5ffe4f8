// Owns: the doctor's answer as a Nagios-compatible plugin gives it — one status line
// ("MOODLE CRITICAL - …", with performance data) and the plugin exit codes 0 OK, 1 WARNING,
// 2 CRITICAL, 3 UNKNOWN. Must not: judge; the verdicts come from the diagnosis.

use diagnosis::{Outcome, Report, Status};
use schools::district::Checked;

pub const OK: u8 = 0;
pub const WARNING: u8 = 1;
pub const CRITICAL: u8 = 2;
pub const UNKNOWN: u8 = 3;

fn word(code: u8) -> &'static str {
    match code {
        OK => "OK",
        WARNING => "WARNING",
        CRITICAL => "CRITICAL",
        _ => "UNKNOWN",
    }
}

/// A report's plugin state: a warning passes the doctor but is a WARNING to a monitor.
pub fn code(report: &Report) -> u8 {
    match report.verdict.outcome {
        Outcome::Failed => CRITICAL,
        Outcome::CouldNotTell => UNKNOWN,
        Outcome::Passed if report.checks.iter().any(|f| f.status == Status::Warn) => WARNING,
        Outcome::Passed => OK,
    }
}

/// The status line, e.g. `MOODLE CRITICAL - 1 step needs you: 13 Enable the REST protocol.`
pub fn line(report: &Report) -> (u8, String) {
    let code = code(report);
    let failing = report.failing_steps().len();
    let warnings = report
        .checks
        .iter()
        .filter(|f| f.status == Status::Warn)
        .count();
    (
        code,
        format!(
            "MOODLE {} - {} | failing_steps={failing} warnings={warnings}",
            word(code),
            report.verdict.headline
        ),
    )
}

/// One line for several schools: the worst state, and the schools behind it.
pub fn line_for_schools(checked: &[Checked]) -> (u8, String) {
    let state = |c: &Checked| match &c.report {
        Ok(r) => code(r),
        Err(_) => UNKNOWN,
    };
    let worst = checked
        .iter()
        .map(state)
        .max_by_key(|&c| match c {
            CRITICAL => 3,
            UNKNOWN => 2,
            WARNING => 1,
            _ => 0,
        })
        .unwrap_or(UNKNOWN);
    let count = |code: u8| checked.iter().filter(|c| state(c) == code).count();
    let named: Vec<String> = checked
        .iter()
        .filter(|c| state(c) == worst && worst != OK)
        .map(|c| match &c.report {
            Ok(r) if !r.failing_steps().is_empty() => {
                let steps: Vec<String> = r.failing_steps().iter().map(u8::to_string).collect();
                format!("{} (step {})", c.name, steps.join(", "))
            }
            Ok(_) => c.name.clone(),
            Err(e) => format!("{} ({e})", c.name),
        })
        .collect();
    let text = if checked.is_empty() {
        "no school to check".to_owned()
    } else if worst == OK && checked.len() == 1 {
        "the school passes".to_owned()
    } else if worst == OK {
        format!("all {} schools pass", checked.len())
    } else {
        format!(
            "{} of {} schools {}: {}",
            named.len(),
            checked.len(),
            match worst {
                CRITICAL => "failing",
                UNKNOWN => "could not be told",
                _ => "with warnings",
            },
            named.join("; ")
        )
    };
    (
        worst,
        format!(
            "MOODLE {} - {text} | schools={} critical={} warning={} unknown={}",
            word(worst),
            checked.len(),
            count(CRITICAL),
            count(WARNING),
            count(UNKNOWN)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use diagnosis::Finding;

    fn report(statuses: &[(u8, Status)]) -> Report {
        let checks = statuses
            .iter()
            .enumerate()
            .map(|(i, &(step, status))| Finding::new(&format!("check_{i}"), step, status, ""))
            .collect();
        Report::new(None, checks)
    }

    fn school(name: &str, r: Result<Report, String>) -> Checked {
        Checked {
            id: name.into(),
            name: name.into(),
            url: String::new(),
            report: r,
        }
    }

    #[test]
    fn each_outcome_has_its_plugin_state() {
        let ok = report(&[(0, Status::Pass), (13, Status::Pass)]);
        assert_eq!(
            line(&ok),
            (
                OK,
                "MOODLE OK - Every check passed. | failing_steps=0 warnings=0".into()
            )
        );
        let warned = report(&[(0, Status::Warn), (13, Status::Pass)]);
        assert_eq!(line(&warned).0, WARNING);
        assert!(line(&warned)
            .1
            .starts_with("MOODLE WARNING - Every check passed (1 warning)."));
        assert_eq!(line(&report(&[(13, Status::Fail)])).0, CRITICAL);
        assert_eq!(line(&report(&[(13, Status::Unknown)])).0, UNKNOWN);
    }

    #[test]
    fn several_schools_say_the_worst_and_name_it() {
        let schools = [
            school("Adams", Ok(report(&[(0, Status::Pass)]))),
            school("Burr", Ok(report(&[(13, Status::Fail)]))),
            school("Clay", Err("no address yet".into())),
        ];
        let (code, text) = line_for_schools(&schools);
        assert_eq!(code, CRITICAL);
        assert_eq!(
            text,
            "MOODLE CRITICAL - 1 of 3 schools failing: Burr (step 13) | schools=3 critical=1 warning=0 unknown=1"
        );
        let (code, text) = line_for_schools(&schools[..1]);
        assert_eq!(
            (code, text.as_str()),
            (
                OK,
                "MOODLE OK - the school passes | schools=1 critical=0 warning=0 unknown=0"
            )
        );
        let (code, text) = line_for_schools(&[schools[0].clone(), schools[2].clone()]);
        assert_eq!(code, UNKNOWN);
        assert!(
            text.contains("1 of 2 schools could not be told: Clay (no address yet)"),
            "{text}"
        );
    }
}
