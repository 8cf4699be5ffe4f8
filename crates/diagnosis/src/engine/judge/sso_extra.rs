// Owns: the single sign-on causes beyond the seed's steps — the admin's e-mail as Moodle takes
// it (RW04), one account per e-mail (RW10), an account to sign in to (RW05), the page the
// login lands on (RW16), the address Moodle builds its login links for (RW20). Must not: judge
// the tokens themselves (tokens.rs).

use moodle_ws::{same_site, PageAnswer};

use super::words::describe;
use crate::cfg_cli;
use crate::engine::observations::{EmailSource, Observations};
use crate::engine::sso::NotRun;
use crate::finding::Finding;
use crate::reachability::{classify, AddressKind};

pub(super) fn findings(obs: &Observations) -> Vec<Finding> {
    [
        email_valid(obs),
        email_account(obs),
        email_unique(obs),
        lands_on_dashboard(obs),
        login_url_host(obs),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn whose(obs: &Observations) -> &'static str {
    match &obs.admin_email {
        Some(EmailSource::Given(_)) => "the e-mail given",
        _ => "the admin's e-mail",
    }
}

/// Moodle takes the e-mail as `PARAM_EMAIL` (PHP's FILTER_VALIDATE_EMAIL).
fn email_valid(obs: &Observations) -> Option<Finding> {
    const CHECK: &str = "admin_email_valid";
    let email = obs.sso.email.as_deref()?;
    if let Some(NotRun::EmailRefused(problem)) = &obs.sso.not_run {
        return Some(
            Finding::warn(
                CHECK,
                15,
                format!("Moodle would refuse {email} as the key of a single sign-on: {problem}. This account cannot sign in to Moodle from openSIS; users with ordinary e-mails are not affected."),
            )
            .evidence("checked on this computer the way Moodle's PARAM_EMAIL does (PHP's FILTER_VALIDATE_EMAIL); nothing was sent with it")
            .fix("Give the account an e-mail Moodle accepts (a domain with a dot, plain ASCII, no spaces) in Moodle and in openSIS. A test site's admin@localhost is a common case."),
        );
    }
    Some(
        Finding::pass(
            CHECK,
            15,
            format!("Moodle accepts {email} as a single sign-on key."),
        )
        .evidence("checked on this computer the way Moodle's PARAM_EMAIL does"),
    )
}

/// An account to sign in to: auth_userkey looks the e-mail up letter for letter.
fn email_account(obs: &Observations) -> Option<Finding> {
    const CHECK: &str = "admin_email_account";
    let email = obs.sso.email.as_deref()?;
    let users = obs.sso.before.as_ref()?.as_ref().ok()?;
    if !users.is_empty() {
        return Some(Finding::pass(
            CHECK,
            15,
            format!("A Moodle account has {} ({email}).", whose(obs)),
        ));
    }
    Some(
        Finding::fail(
            CHECK,
            15,
            format!("No Moodle account has {} ({email}): single sign-on for it fails with \"Invalid parameter value detected\".", whose(obs)),
        )
        .evidence("core_user_get_users_by_field by e-mail found no account")
        .fix("Moodle compares e-mails letter for letter — capitals count on PostgreSQL, and a space counts everywhere. Use exactly the e-mail Moodle shows on the account's profile, in openSIS too; keep e-mails lower-case and trimmed in both systems."),
    )
}

/// Several accounts with the e-mail: auth_userkey signs in to the first it finds.
fn email_unique(obs: &Observations) -> Option<Finding> {
    const CHECK: &str = "admin_email_unique";
    let email = obs.sso.email.as_deref()?;
    let users = obs.sso.before.as_ref()?.as_ref().ok()?;
    match users.len() {
        0 => None,
        1 => Some(Finding::pass(
            CHECK,
            15,
            format!("Only one Moodle account has {email}."),
        )),
        n => {
            let names: Vec<String> = users
                .iter()
                .map(|u| format!("\"{}\" (id {})", u.username, u.id))
                .collect();
            Some(
                Finding::fail(
                    CHECK,
                    15,
                    format!("{n} Moodle accounts have {email}: single sign-on signs in to the first one Moodle finds — perhaps not the right person."),
                )
                .evidence(format!("core_user_get_users_by_field by e-mail: {}", names.join(", ")))
                .fix(format!(
                    "Give each account its own e-mail (Site administration → Users → Browse list of users, filter by e-mail), and switch off \"Allow accounts with same email\" (Site administration → Plugins → Authentication → Manage authentication).\nOn the server: {}",
                    cfg_cli::unique_emails()
                )),
            )
        }
    }
}

/// Pages Moodle stops a user on right after signing in.
const BLOCKING_PAGES: &[(&str, &str)] = &[
    ("/login/change_password.php", "the password change page"),
    (
        "/user/edit.php",
        "the profile page (a required field is empty)",
    ),
    ("/user/policy.php", "the site policy page"),
    ("/admin/tool/policy/", "the site policy page"),
];

fn blocking_page(location: &str) -> Option<&'static str> {
    BLOCKING_PAGES
        .iter()
        .find(|(path, _)| location.contains(path))
        .map(|(_, what)| *what)
}

/// Where the login lands: the follow's redirect, then the dashboard with its session.
fn lands_on_dashboard(obs: &Observations) -> Option<Finding> {
    const CHECK: &str = "sso_lands_on_dashboard";
    let follow = obs.follow()?.as_ref().ok()?;
    if !(300..400).contains(&follow.status) || !follow.sets_moodle_session {
        return None;
    }
    let location = follow.location.clone().unwrap_or_default();
    let dashboard = obs.sso.dashboard.as_ref();
    let stop = blocking_page(&location)
        .map(|what| (what, location.clone()))
        .or_else(|| match dashboard {
            Some(Ok(PageAnswer {
                location: Some(l), ..
            })) => blocking_page(l).map(|what| (what, l.clone())),
            _ => None,
        });
    if let Some((what, at)) = stop {
        return Some(
            Finding::fail(
                CHECK,
                15,
                format!("Single sign-on signs in, but Moodle then stops on {what}."),
            )
            .evidence(format!("redirect to {}", super::words::without_query(&at)))
            .fix("Log in to Moodle as that user once and complete the page (change the password, fill in the profile, accept the policy). Users created by openSIS with \"createpassword\" get the password page: do not use it for single sign-on users."),
        );
    }
    match dashboard {
        Some(Ok(page)) if page.status == 200 => Some(
            Finding::pass(CHECK, 15, "Single sign-on lands on the dashboard.")
                .evidence(format!("/my/ with the new session answered HTTP 200{}", page.title.as_deref().map(|t| format!(" (\"{t}\")")).unwrap_or_default())),
        ),
        Some(Ok(page)) => Some(
            Finding::unknown(CHECK, 15, "Could not tell where single sign-on lands.")
                .evidence(format!("/my/ with the new session answered HTTP {}", page.status)),
        ),
        Some(Err(e)) => Some(
            Finding::unknown(CHECK, 15, "Could not tell where single sign-on lands.")
                .evidence(describe(e)),
        ),
        // The account signed in is the token's owner: the account read passed Moodle's login
        // checks (password, profile, policy) for it already.
        None => Some(
            Finding::pass(CHECK, 15, "Single sign-on lands on Moodle itself, not on a page that stops the user.")
                .evidence(format!("the login answered with a redirect to {}; the account's login checks passed when it was read", super::words::without_query(&location))),
        ),
    }
}

fn host_problem(host: &str) -> Option<&'static str> {
    if host == "localhost" {
        return Some("localhost (this server only)");
    }
    if let Ok(ip) = host.trim_matches(['[', ']']).parse::<std::net::IpAddr>() {
        return match classify(ip) {
            AddressKind::Public => None,
            _ => Some("a private or local address"),
        };
    }
    (!host.contains('.')).then_some("a name without a domain (an internal or container name)")
}

/// The login links (and the site address openSIS shows) carry the site's own address, and one
/// a browser on the internet can reach.
fn login_url_host(obs: &Observations) -> Option<Finding> {
    const CHECK: &str = "sso_login_url_address";
    let login = obs.login_url()?.as_ref().ok()?;
    let url = url::Url::parse(&login.loginurl).ok()?;
    let origin = format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default())
        + &url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let root = obs.root.to_string();
    let same = same_site(&origin, &root) || root.starts_with(&origin);
    let shown = super::words::without_query(&login.loginurl);
    if !same {
        return Some(
            Finding::fail(
                CHECK,
                15,
                format!("Moodle builds its login links for {origin}, not for {root}: the browser would be sent to an address it may not reach, where the key does not exist."),
            )
            .evidence(format!("loginurl = {shown}"))
            .fix(format!("Set $CFG->wwwroot in config.php to the fixed public address ({root}) — not one built from the request's host — and enter the same address in openSIS.")),
        );
    }
    let root_public = obs
        .addresses
        .as_ref()
        .is_ok_and(|a| a.iter().all(|ip| classify(*ip) == AddressKind::Public));
    if let (true, Some(problem)) = (root_public, url.host_str().and_then(host_problem)) {
        return Some(
            Finding::fail(
                CHECK,
                15,
                format!(
                    "Moodle's login links point to {problem}: browsers outside cannot open them."
                ),
            )
            .evidence(format!("loginurl = {shown}"))
            .fix("Set $CFG->wwwroot in config.php to the site's public address."),
        );
    }
    Some(
        Finding::pass(
            CHECK,
            15,
            "Moodle's login links carry the site's own address.",
        )
        .evidence(format!("loginurl = {shown}")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rw16_blocking_pages_are_named_documented() {
        assert_eq!(
            blocking_page("https://m.org/login/change_password.php"),
            Some("the password change page")
        );
        assert_eq!(
            blocking_page("https://m.org/user/edit.php?id=2&course=1"),
            Some("the profile page (a required field is empty)")
        );
        assert_eq!(blocking_page("https://m.org/my/"), None);
    }

    #[test]
    fn rw20_internal_hosts_are_named_documented() {
        assert!(host_problem("moodle").is_some());
        assert!(host_problem("localhost").is_some());
        assert!(host_problem("10.0.0.5").is_some());
        assert_eq!(host_problem("moodle.school.org"), None);
        assert_eq!(host_problem("93.184.216.34"), None);
    }
}
