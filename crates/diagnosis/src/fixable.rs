//! Which findings the set-up can act on: the failing checks no change of Moodle's admin pages can
//! fix, and which of the tokens the doctor was given the set-up may keep. Owns: those two
//! judgements over a report, the same for "Fix it" and `doctor --fix`. Must not: change a site
//! (the `setup-automation` crate does) or decide what the admin is shown.

use crate::engine::sync_shapes::SYNC_REQUESTS_CHECK;
use crate::finding::{Report, Status};

/// Failing checks no change of Moodle's admin pages can fix, as their sentences: the site itself
/// (its address, a maintenance mode started on the server's command line, a setting forced in
/// config.php). Maintenance mode switched on in the admin pages is switched off there, so it is
/// not one of them; nor is a web server that refuses some of openSIS's sync (the admin pages
/// get through, the rest is fixed, and that finding stays for the admin). "Fix it" and
/// `doctor --fix` stop, changing nothing, when this is not empty.
pub fn unfixable(report: &Report) -> Vec<String> {
    report
        .checks
        .iter()
        .filter(|f| f.status == Status::Fail && f.step == 0)
        .filter(|f| {
            !(f.check == "site_not_in_maintenance"
                && f.evidence.starts_with("maintenanceenabled = 1"))
                && f.check != SYNC_REQUESTS_CHECK
        })
        .map(|f| f.summary.clone())
        .collect()
}

/// Which of the tokens the doctor was given the set-up can keep, after its report: a token
/// Moodle refused (unknown, expired, IP-restricted) is not kept, and tokens of an account that is
/// not a site administrator are not the set-up's (both are made again, for the admin).
pub fn tokens_kept_after(report: &Report, opensis: bool, userkey: bool) -> (bool, bool) {
    let failed = |checks: &[&str]| {
        report
            .checks
            .iter()
            .any(|f| f.status == Status::Fail && checks.contains(&f.check.as_str()))
    };
    // The user-key token waits on an opensis token Moodle refused before it looked up the
    // function (a user without webservice/rest:use): made again with it, for the admin.
    let userkey_waits_on_opensis = failed(&["opensis_token"])
        && report.checks.iter().any(|f| {
            f.check == "userkey_token" && f.status == Status::Blocked && f.blocked_by == Some(15)
        });
    let not_admins = failed(&["opensis_token_admin"]);
    (
        opensis
            && !not_admins
            && !failed(&[
                "opensis_token",
                "opensis_token_expired",
                "opensis_token_ip_restricted",
            ]),
        userkey
            && !not_admins
            && !userkey_waits_on_opensis
            && !failed(&["userkey_token", "userkey_token_expired"]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Finding;

    #[test]
    fn a_refused_token_or_one_of_another_account_is_made_again() {
        let report = |checks: Vec<Finding>| Report::new(None, checks);
        let pass = Finding::pass("opensis_token", 15, "works");
        assert_eq!(
            tokens_kept_after(&report(vec![pass]), true, true),
            (true, true)
        );
        let unknown = Finding::fail(
            "opensis_token",
            15,
            "Moodle does not know the opensis token.",
        );
        assert_eq!(
            tokens_kept_after(&report(vec![unknown]), true, true),
            (false, true)
        );
        let expired = Finding::fail("userkey_token_expired", 15, "expired");
        assert_eq!(
            tokens_kept_after(&report(vec![expired]), true, true),
            (true, false)
        );
        let not_admin = Finding::fail("opensis_token_admin", 15, "not a site administrator");
        assert_eq!(
            tokens_kept_after(&report(vec![not_admin]), true, true),
            (false, false)
        );
        let refused = Finding::fail("opensis_token", 15, "refused before the function");
        let waits = Finding::blocked("userkey_token", 15, 15);
        assert_eq!(
            tokens_kept_after(&report(vec![refused.clone(), waits]), true, true),
            (false, false)
        );
        let known = Finding::pass("userkey_token", 15, "Moodle knows the user-key token.");
        assert_eq!(
            tokens_kept_after(&report(vec![refused, known]), true, true),
            (false, true)
        );
        assert_eq!(
            tokens_kept_after(&report(vec![]), false, true),
            (false, true)
        );
    }

    #[test]
    fn maintenance_set_in_the_admin_pages_is_fixable_the_site_itself_is_not() {
        let ui = Finding::fail("site_not_in_maintenance", 0, "in maintenance")
            .evidence("maintenanceenabled = 1".to_owned());
        let cli = Finding::fail("site_not_in_maintenance", 0, "started on the server")
            .evidence("HTTP 503".to_owned());
        let rest = Finding::fail("rest_protocol_enabled", 13, "REST is off");
        assert!(unfixable(&Report::new(None, vec![ui, rest.clone()])).is_empty());
        assert_eq!(
            unfixable(&Report::new(None, vec![cli, rest.clone()])),
            vec!["started on the server".to_string()]
        );
        // A firewall that refuses some of openSIS's sync leaves the admin pages alone.
        let waf = Finding::fail(SYNC_REQUESTS_CHECK, 0, "refuses course descriptions");
        assert!(unfixable(&Report::new(None, vec![waf, rest])).is_empty());
    }
}
