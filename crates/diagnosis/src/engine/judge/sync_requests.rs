// Owns: the check that requests shaped like openSIS's sync (HTML in a course description,
// accented names, a batch of a few KB) reach Moodle — and, when the web server or a firewall
// in front refuses one, what it refused, what that breaks in openSIS and where it is set.
// Must not: judge the doctor's own requests (site_extra's `web_server` does).

use moodle_ws::WsError;

use super::answers::{opensis_blocker, opensis_state, OpensisState};
use super::words::describe;
use crate::engine::observations::{Observations, SyncProbe};
use crate::engine::sync_shapes::{sync_shapes, Carries, SyncShape, SYNC_REQUESTS_CHECK};
use crate::finding::Finding;

const CHECK: &str = SYNC_REQUESTS_CHECK;
/// The step that adds the functions the shaped requests call.
const FUNCTIONS_STEP: u8 = 14;

/// How one shaped request fared.
enum Fate<'a> {
    /// Moodle answered (its parameter check refused it, as meant).
    ReachedMoodle,
    /// Moodle ran it: a request that leaves out a required field was accepted.
    Accepted,
    /// The web server or a firewall in front answered with its own page.
    Refused {
        status: u16,
        /// As its page or headers name it.
        by: Option<String>,
    },
    /// No answer that tells: a connection that failed, a page nobody names.
    Unclear(&'a WsError),
}

fn fate(probe: &SyncProbe) -> Fate<'_> {
    match &probe.answer {
        Ok(_) => Fate::Accepted,
        Err(WsError::Moodle { .. }) => Fate::ReachedMoodle,
        Err(WsError::Http {
            status,
            web_server,
            via,
            ..
        }) if web_server.is_some() || via.is_some() || *status == 413 => Fate::Refused {
            status: *status,
            by: web_server
                .as_ref()
                .map(|p| p.server.clone())
                .or_else(|| via.clone()),
        },
        Err(e) => Fate::Unclear(e),
    }
}

/// What the request carried, for the admin.
fn carried(shape: &SyncShape) -> String {
    match shape.carries {
        Carries::Names => "a student named Seán O'Brien-Núñez".to_owned(),
        Carries::CourseHtml => {
            "a course description with HTML (formatting, a link, a picture)".to_owned()
        }
        Carries::Batch => format!("a batch of 36 students in one request ({} KB)", kb(shape)),
    }
}

fn kb(shape: &SyncShape) -> usize {
    shape.body_bytes().div_ceil(1024)
}

/// What a refusal of this request means for openSIS.
fn breaks(shape: &SyncShape, status: u16) -> String {
    match (shape.carries, status) {
        (Carries::Batch, 413) => format!("requests of {} KB, as too large (HTTP 413): openSIS's syncs of a whole class or course list will fail", kb(shape)),
        (Carries::Batch, _) => format!("a plain batch of students with their e-mail addresses (HTTP {status}): openSIS's user sync will fail"),
        (Carries::Names, _) => format!("names with accents or an apostrophe, such as Seán O'Brien-Núñez (HTTP {status}): those students' and teachers' accounts will not sync"),
        (Carries::CourseHtml, _) => format!("course descriptions with HTML (HTTP {status}): openSIS's course sync will fail for every course whose description has formatting, links or pictures"),
    }
}

/// The Core Rule Set's rules that refused each request behind ModSecurity 2.9 (Apache) and
/// libmodsecurity 3.0 (nginx) with CRS 3.3.4, as their logs named them
/// (crates/moodle-sim/webserver-runs): the rule and the paranoia level it starts at.
fn crs_rules(carries: Carries) -> &'static str {
    match carries {
        Carries::CourseHtml => "for HTML in a course description, 941160 (\"NoScript XSS InjectionChecker: HTML Injection\") from paranoia level 1, and from level 2 also 941150, 941320, 941340, 942130, 942200, 942260 and 942430",
        Carries::Names => "for accented names, 920272 (\"Invalid character in request\") from paranoia level 3",
        Carries::Batch => "for a plain batch of students, 920273 and 942432 at paranoia level 4",
    }
}

pub(super) fn finding(obs: &Observations) -> Finding {
    if obs.sync_probes.is_empty() {
        return match opensis_state(obs) {
            OpensisState::Works(_) => Finding::blocked(CHECK, 0, FUNCTIONS_STEP),
            _ => Finding::blocked(CHECK, 0, opensis_blocker(obs)),
        };
    }
    let fates: Vec<(&SyncShape, Fate)> =
        obs.sync_probes.iter().map(|p| (p.shape, fate(p))).collect();
    let not_sent: Vec<&SyncShape> = sync_shapes()
        .iter()
        .filter(|s| !obs.sync_probes.iter().any(|p| p.shape.probe == s.probe))
        .collect();
    let not_sent_note = if not_sent.is_empty() {
        String::new()
    } else {
        format!(
            " Not sent: {} (the opensis service lacks {}).",
            not_sent
                .iter()
                .map(|s| carried(s))
                .collect::<Vec<_>>()
                .join(", "),
            {
                let mut functions: Vec<&str> =
                    not_sent.iter().map(|s| s.function.as_str()).collect();
                functions.sort_unstable();
                functions.dedup();
                functions.join(", ")
            }
        )
    };
    let evidence = obs
        .sync_probes
        .iter()
        .map(|p| {
            let said = match &p.answer {
                Ok(_) => "Moodle ran it".to_owned(),
                Err(e) => describe(e),
            };
            format!(
                "{} ({}, {} bytes): {said}",
                p.shape.function,
                p.shape.probe,
                p.shape.body_bytes()
            )
        })
        .collect::<Vec<_>>()
        .join("; ");

    if let Some((shape, _)) = fates.iter().find(|(_, f)| matches!(f, Fate::Accepted)) {
        return Finding::fail(
            CHECK,
            0,
            format!("Moodle ran {} for a request that leaves out a field it requires: its parameter check did not refuse it, so it may have created something.", shape.function),
        )
        .evidence(evidence)
        .fix(format!(
            "Look in Site administration → Users → Browse list of users for the ID numbers {}, and in Courses → Manage courses and categories for {}, and delete what you find; then report the Moodle version to the makers of this tool.",
            id_numbers("core_user_create_users"),
            id_numbers("core_course_create_courses"),
        ));
    }

    let refused: Vec<(&SyncShape, u16, Option<&str>)> = fates
        .iter()
        .filter_map(|(shape, fate)| match fate {
            Fate::Refused { status, by } => Some((*shape, *status, by.as_deref())),
            _ => None,
        })
        .collect();
    if !refused.is_empty() {
        return refused_finding(&refused, evidence, &not_sent_note);
    }
    if let Some((shape, Fate::Unclear(e))) =
        fates.iter().find(|(_, f)| matches!(f, Fate::Unclear(_)))
    {
        return Finding::unknown(
            CHECK,
            0,
            format!("Could not tell whether openSIS's sync requests get through: {} did not get Moodle's answer ({}).", carried(shape), describe(e)),
        )
        .evidence(evidence)
        .fix("Run the check again; if it stays so, look in the web server's error log for the request to /webservice/rest/server.php at that time.");
    }
    let sent: Vec<String> = fates.iter().map(|(s, _)| carried(s)).collect();
    Finding::pass(
        CHECK,
        0,
        format!(
            "Requests shaped like openSIS's sync reach Moodle: {}.{not_sent_note}",
            and_list(&sent)
        ),
    )
    .evidence(format!(
        "{evidence} — Moodle refused each at its parameter check, as meant: nothing was created"
    ))
}

fn refused_finding(
    refused: &[(&SyncShape, u16, Option<&str>)],
    evidence: String,
    not_sent_note: &str,
) -> Finding {
    let who = refused.iter().find_map(|(_, _, by)| *by).map_or_else(
        || "the web server".to_owned(),
        |b| format!("the web server ({b})"),
    );
    let by_rule: Vec<_> = refused
        .iter()
        .filter(|(_, status, _)| *status != 413)
        .collect();
    let too_large = refused.iter().any(|(_, status, _)| *status == 413);
    let subject = if by_rule.is_empty() {
        capitalised(&who)
    } else {
        format!("A web application firewall in {who}")
    };
    let what: Vec<String> = refused
        .iter()
        .map(|(shape, status, _)| breaks(shape, *status))
        .collect();
    let summary = format!(
        "{subject} refuses what openSIS's sync sends, before Moodle sees it: {}.{not_sent_note}",
        what.join("; ")
    );
    let mut fix = Vec::new();
    if !by_rule.is_empty() {
        let rules: Vec<&str> = by_rule
            .iter()
            .map(|(s, _, _)| crs_rules(s.carries))
            .collect();
        fix.push(format!(
            "Take the firewall's rules that refuse these requests off for openSIS's web-service address (/webservice/rest/server.php) only. With ModSecurity (the usual one in Apache and nginx), each refusal is logged with the rules that matched: Apache's error log says \"ModSecurity: Access denied with code 403 … [id \\\"…\\\"]\"; the audit log (SecAuditLog in modsecurity.conf) names them for Apache and nginx. Add, where the exclusions are read before the Core Rule Set (REQUEST-900-EXCLUSION-RULES-BEFORE-CRS.conf), the same line for Apache and nginx, with one ctl:ruleRemoveById=… per rule the log names:\nSecRule REQUEST_FILENAME \"@streq /webservice/rest/server.php\" \"id:1000100,phase:1,pass,nolog,ctl:ruleRemoveById=941160\"\nThen reload the web server and check again. On test servers with the Core Rule Set 3.3 the rules were: {}. At paranoia level 1, the Core Rule Set's default, 941160 was the only one, and the line above let the course description through on Apache and nginx alike.",
            rules.join("; ")
        ));
    }
    if too_large {
        fix.push("Raise the request-body limit to at least 10 MB: nginx client_max_body_size; Apache LimitRequestBody, or ModSecurity's SecRequestBodyLimit and SecRequestBodyNoFilesLimit where ModSecurity runs. PHP's post_max_size must be as large.".to_owned());
    }
    Finding::fail(CHECK, 0, summary)
        .evidence(evidence)
        .fix(fix.join("\n"))
}

/// The ID numbers the shaped requests calling `function` carry (what a request Moodle ran
/// would have made), sorted: all of them when few, else the first and the last.
fn id_numbers(function: &str) -> String {
    let mut ids: Vec<&str> = sync_shapes()
        .iter()
        .filter(|s| s.function == function)
        .flat_map(|s| &s.params)
        .filter(|(k, _)| k.ends_with("[idnumber]"))
        .map(|(_, v)| v.as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    match ids.as_slice() {
        [first, _, _, .., last] => format!("{first} … {last} ({} in all)", ids.len()),
        few => few.join(", "),
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use moodle_ws::error::TransportKind;
    use moodle_ws::web_server::WebServerPage;

    use super::*;

    fn probe(answer: Result<serde_json::Value, WsError>) -> SyncProbe {
        SyncProbe {
            shape: &sync_shapes()[0],
            answer,
        }
    }

    fn http(status: u16, server: Option<&str>) -> WsError {
        WsError::Http {
            status,
            body_excerpt: String::new(),
            title: None,
            via: None,
            web_server: server.map(|s| {
                Box::new(WebServerPage {
                    server: s.to_owned(),
                    asks_password: None,
                })
            }),
        }
    }

    #[test]
    fn only_the_web_server_s_own_page_or_a_413_is_a_refusal() {
        let moodle = WsError::Moodle {
            exception: "invalid_parameter_exception".into(),
            errorcode: "invalidparameter".into(),
            message: "Invalid parameter value detected".into(),
            debuginfo: None,
        };
        assert!(matches!(fate(&probe(Err(moodle))), Fate::ReachedMoodle));
        assert!(matches!(
            fate(&probe(Ok(serde_json::json!([{"id": 9}])))),
            Fate::Accepted
        ));
        assert!(matches!(
            fate(&probe(Err(http(403, Some("nginx/1.22.1"))))),
            Fate::Refused { status: 403, by: Some(b) } if b == "nginx/1.22.1"
        ));
        // A 413 is a size limit whoever wrote it (a proxy's plain page, say).
        assert!(matches!(
            fate(&probe(Err(http(413, None)))),
            Fate::Refused {
                status: 413,
                by: None
            }
        ));
        // An unnamed 403 or no answer at all: not told.
        assert!(matches!(
            fate(&probe(Err(http(403, None)))),
            Fate::Unclear(_)
        ));
        let refused = WsError::Transport {
            kind: TransportKind::Refused,
            detail: "connection refused".into(),
        };
        assert!(matches!(fate(&probe(Err(refused))), Fate::Unclear(_)));
    }

    #[test]
    fn what_a_run_request_may_have_made_is_named_from_the_requests_themselves() {
        assert_eq!(
            id_numbers("core_user_create_users"),
            "STU-1001 … STU-1042 (37 in all)"
        );
        assert_eq!(id_numbers("core_course_create_courses"), "CP-2026-ALG1-2");
    }

    #[test]
    fn a_refusal_says_what_it_breaks_in_opensis() {
        let batch = sync_shapes()
            .iter()
            .find(|s| s.carries == Carries::Batch)
            .unwrap();
        assert!(breaks(batch, 413).contains("as too large (HTTP 413)"));
        assert!(breaks(batch, 403).contains("openSIS's user sync will fail"));
        let html = sync_shapes()
            .iter()
            .find(|s| s.carries == Carries::CourseHtml)
            .unwrap();
        assert!(breaks(html, 403).contains("course sync will fail"));
    }
}
