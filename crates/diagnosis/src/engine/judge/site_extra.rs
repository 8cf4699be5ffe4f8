// Owns: the step-0 causes beyond "is it Moodle" — Moodle's IP blocker, a web firewall or CDN
// in front, TLS as a strict client sees it, bytes before the JSON, a redirect that drops the
// page (the sslproxy case). Must not: judge anything after step 0.

use moodle_ws::tls_inspect::TlsFacts;
use moodle_ws::WsError;

use super::words::describe;
use crate::engine::address::Moved;
use crate::engine::observations::Observations;
use crate::finding::Finding;

/// Moodle's IP blocker answers before anything else with this sentence (lang string
/// `admin/ipblocked`), as plain text with HTTP 200.
const IP_BLOCKED: &str = "This site is not available currently.";

/// Warn this many days before a certificate expires.
const EXPIRY_WARNING_DAYS: i64 = 21;

pub(super) fn ip_blocked(e: &WsError) -> bool {
    matches!(e, WsError::Protocol { body_excerpt, .. } if body_excerpt.trim() == IP_BLOCKED)
}

/// Site administration → General → Security → IP blocker refuses this computer's address.
pub(super) fn ip_blocker(e: &WsError) -> Finding {
    Finding::fail(
        "site_ip_blocked",
        0,
        "Moodle's IP blocker refuses the address this check came from (\"This site is not available currently.\"). If openSIS's server is not on its allowed list either, every sync and sign-in fails.",
    )
    .evidence(describe(e))
    .fix("In Site administration → General → Security → IP blocker, add the public address of openSIS's server to \"Allowed IP list\" (and make sure it is not in \"Blocked IP list\"). Behind a proxy or CDN, Moodle may see the proxy's address instead: check Site administration → Server → HTTP \"Logged IP address source\".\nOn the server: php admin/cli/cfg.php --name=allowedip   # shows the list")
}

/// A CDN or web firewall answers instead of Moodle (a challenge page, a 403 or 406).
pub(super) fn web_firewall(via: &str, status: u16, title: Option<&str>, evidence: &str) -> Finding {
    let page = title.map(|t| format!(" (\"{t}\")")).unwrap_or_default();
    let fix = if via.starts_with("Cloudflare") {
        "In Cloudflare, add a WAF custom rule that skips the security features for the paths /webservice/rest/server.php, /lib/ajax/service-nologin.php and /auth/userkey/login.php, and turn Bot Fight Mode off (it cannot be skipped by a rule). openSIS's server cannot solve a challenge."
    } else if via.starts_with("mod_security") {
        "Add a mod_security exception (SecRuleRemoveById, or ctl:ruleEngine=Off) for /webservice/rest/server.php, /lib/ajax/service-nologin.php and /auth/userkey/login.php: openSIS's form posts (with passwords and course texts) trip the core rule set."
    } else {
        "Let requests to /webservice/rest/server.php, /lib/ajax/service-nologin.php and /auth/userkey/login.php through without a challenge: openSIS's server cannot solve one."
    };
    Finding::fail(
        "site_web_firewall",
        0,
        format!("{via} answers in front of Moodle with HTTP {status}{page}: openSIS's server would be stopped the same way."),
    )
    .evidence(evidence.to_owned())
    .fix(fix)
}

/// Moodle redirected to its bare address, the page dropped: what it does when TLS ends at a
/// proxy and `$CFG->sslproxy` is off, or when the address's scheme differs from wwwroot's.
pub(super) fn path_dropped(obs: &Observations, moved: &Moved) -> Option<String> {
    let location = url::Url::parse(moved.location.as_deref()?).ok()?;
    if !matches!(location.path(), "" | "/") {
        return None;
    }
    let downgraded = obs.typed_root.is_https() && location.scheme() == "http";
    Some(format!(
        "the redirect drops the page and goes to the site's front page{}: a sign that TLS ends at a proxy while $CFG->sslproxy is off in config.php",
        if downgraded { ", over plain http" } else { "" }
    ))
}

fn days_left(facts: &TlsFacts) -> Option<i64> {
    let leaf = facts.leaf()?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    Some((leaf.not_after - i64::try_from(now).ok()?).div_euclid(86_400))
}

/// The certificate as a strict client (openSIS's PHP curl) sees it: complete chain, dates.
pub(super) fn certificate(obs: &Observations) -> Option<Finding> {
    const CHECK: &str = "site_tls_certificate";
    let facts = obs.tls.as_ref()?.as_ref().ok()?;
    let leaf = facts.leaf()?;
    let until = crate::clock::utc_date(leaf.not_after);
    let days = days_left(facts).unwrap_or(0);
    let evidence = format!(
        "presented: {} certificate{} — {} (issued by {}, valid until {until})",
        facts.presented.len(),
        if facts.presented.len() == 1 { "" } else { "s" },
        leaf.subject,
        leaf.issuer
    );
    let renew = "Renew the certificate (Let's Encrypt's renewal runs from a timer or cron job: check that it still runs).";
    if facts.chain_incomplete() {
        return Some(
            Finding::fail(
                CHECK,
                0,
                "The site sends its certificate without the intermediate certificate that signed it: browsers fetch the missing one, openSIS's server (PHP's curl) does not, and refuses the site.",
            )
            .evidence(evidence)
            .fix("Configure the web server with the full chain: the certificate followed by its intermediate(s) — for Let's Encrypt, fullchain.pem rather than cert.pem (nginx: ssl_certificate; Apache 2.4.8+: SSLCertificateFile)."),
        );
    }
    if let Some(refused) = &facts.refused {
        let (summary, fix) = if leaf.self_signed {
            (
                "The site's certificate is self-signed: openSIS's server refuses it.".to_owned(),
                "Install a certificate from a public authority (for example Let's Encrypt)."
                    .to_owned(),
            )
        } else if days < 0 {
            (
                format!("The site's certificate expired on {until}."),
                renew.to_owned(),
            )
        } else {
            (
                "A strict client (as openSIS's PHP is) refuses the site's certificate.".to_owned(),
                "Install a certificate from a public authority that covers the site's name, with its full chain.".to_owned(),
            )
        };
        return Some(
            Finding::fail(CHECK, 0, summary)
                .evidence(format!("{evidence}; refused: {refused}"))
                .fix(fix),
        );
    }
    Some(if days < EXPIRY_WARNING_DAYS {
        Finding::warn(
            CHECK,
            0,
            format!("The site's certificate expires in {days} days ({until}): when it does, openSIS stops reaching Moodle."),
        )
        .evidence(evidence)
        .fix(renew)
    } else {
        Finding::pass(
            CHECK,
            0,
            format!("The site's certificate is complete and valid until {until}."),
        )
        .evidence(evidence)
    })
}

/// Answers whose JSON comes after a byte-order mark or blank lines: openSIS's `json_decode`
/// rejects them (the doctor reads past them).
pub(super) fn clean_json(obs: &Observations) -> Option<Finding> {
    let (_, first) = obs.preambles.first()?;
    let mut where_: Vec<String> = obs
        .preambles
        .iter()
        .map(|(url, _)| url::Url::parse(url).map_or(url.clone(), |u| u.path().to_owned()))
        .collect();
    where_.sort();
    where_.dedup();
    Some(
        Finding::fail(
            "site_answers_clean_json",
            0,
            format!("Moodle's answers start with {} before their JSON: openSIS's JSON reader (PHP's json_decode) rejects them, and openSIS says \"authentication error\".", first.describe()),
        )
        .evidence(format!("seen in the answers of {}", where_.join(", ")))
        .fix("A PHP file that every request loads starts with it — usually config.php, or a file of a plugin installed recently. Save it as UTF-8 without BOM, and remove anything before <?php (and any closing ?> at the end followed by blank lines)."),
    )
}

/// A web server's own refusal (its own page, not Moodle's): what it refused, its name, the
/// status and the password it asks for, if any.
pub(crate) struct WebServerRefusal<'a> {
    pub what: &'static str,
    pub server: &'a str,
    pub status: u16,
    pub asks_password: Option<&'a str>,
}

fn refusal_of<'a>(what: &'static str, e: Option<&'a WsError>) -> Option<WebServerRefusal<'a>> {
    match e? {
        WsError::Http {
            status,
            web_server: Some(page),
            ..
        } => Some(WebServerRefusal {
            what,
            server: &page.server,
            status: *status,
            asks_password: page.asks_password.as_deref(),
        }),
        _ => None,
    }
}

fn err<T>(r: Option<&Result<T, WsError>>) -> Option<&WsError> {
    r.and_then(|r| r.as_ref().err())
}

/// Every request the web server refused itself, the public configuration first.
pub(crate) fn web_server_refusals(obs: &Observations) -> Vec<WebServerRefusal<'_>> {
    const WS: &str = "webservice/rest/server.php";
    [
        refusal_of(
            "lib/ajax/service-nologin.php (Moodle's public configuration)",
            obs.public_config.as_ref().err(),
        ),
        refusal_of(
            "webservice/rest/simpleserver.php",
            err(obs.simpleserver.as_ref()),
        ),
        refusal_of(WS, err(obs.opensis_info.as_ref())),
        refusal_of(WS, err(obs.userkey_info.as_ref())),
        refusal_of(WS, err(obs.userkey_probe.as_ref())),
        refusal_of(WS, err(obs.plugin_probe.as_ref())),
        refusal_of(WS, err(obs.sso.before.as_ref())),
        refusal_of(WS, err(obs.sso.login_url.as_ref())),
        refusal_of("auth/userkey/login.php", err(obs.userkey_page.as_ref())),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The web server answered some of the requests with its own page: a path denied, PHP-FPM
/// down, a password in front of the site, a size limit, or a web application firewall's rule.
pub(super) fn web_server(obs: &Observations) -> Option<Finding> {
    const CHECK: &str = "site_web_server";
    let refusals = web_server_refusals(obs);
    let first = refusals.first()?;
    let refused: Vec<&str> = {
        let mut w: Vec<&str> = refusals.iter().map(|r| r.what).collect();
        w.dedup();
        w
    };
    let evidence = format!(
        "{} answered {} with its own page (HTTP {}), not Moodle's",
        first.server,
        refused.join(", "),
        first.status
    );
    let server = first.server;
    let (summary, fix) = match (first.status, first.asks_password) {
        (401, challenge) => (
            format!("The web server ({server}) asks for a password before Moodle (HTTP 401{}): openSIS's server cannot give one, so every sync and sign-in fails.", challenge.map(|c| format!(", {c}")).unwrap_or_default()),
            "Take the addresses openSIS uses out of the password protection, or remove it if the site is meant to be public: /webservice/, /lib/ajax/ and /auth/userkey/. Apache: where the AuthType Basic lines are (the site's configuration or an .htaccess), add <Location \"/webservice/\"> Require all granted </Location> (and the same for the two others). nginx: auth_basic off; in a location for each of those paths.".to_owned(),
        ),
        (502..=504, _) | (500, _) => (
            format!("The web server ({server}) answers, but PHP behind it does not (HTTP {}, the web server's own page): Moodle never runs.", first.status),
            "Start PHP-FPM and look at why it stopped: on the server, systemctl status php8.2-fpm (the version may differ), then systemctl restart php8.2-fpm; the web server's error log names the socket it could not reach (Apache: \"AH01079: failed to make connection to backend\"; nginx: \"connect() to unix:… failed\").".to_owned(),
        ),
        (413, _) => (
            format!("The web server ({server}) refuses requests as too large (HTTP 413, its own page): openSIS's bigger syncs (whole classes, course lists) will fail."),
            "Raise the web server's request-body limit to at least 10 MB: Apache LimitRequestBody, or ModSecurity's SecRequestBodyLimit / SecRequestBodyNoFilesLimit; nginx client_max_body_size. PHP's post_max_size must be as large.".to_owned(),
        ),
        _ if some_call_reached_moodle(obs) => (
            format!("The web server ({server}) refuses some of openSIS's requests itself (HTTP {}, its own page) while it lets others through to Moodle: a web application firewall's rule (ModSecurity with the Core Rule Set, for example) blocks what those requests carry.", first.status),
            "Find the rule in the firewall's log (ModSecurity: the audit log, or the web server's error log lines \"ModSecurity: Access denied … [id \\\"…\\\"]\") and exclude Moodle's web-service paths from it: SecRuleRemoveById in a <Location \"/webservice/rest/server.php\"> (Apache) or modsecurity_rules in a location (nginx), or a lower paranoia level. /lib/ajax/service-nologin.php and /auth/userkey/login.php need the same.".to_owned(),
        ),
        _ => (
            format!("The web server ({server}) refuses openSIS's requests itself (HTTP {}, its own page): Moodle never sees them.", first.status),
            format!("Look in the web server's configuration for what denies {}: Apache \"Require all denied\" (or \"Deny from all\") in a <Location>, <Directory> or .htaccess; nginx \"deny all;\" in a location; or a web application firewall's rule (its log names it). openSIS needs /webservice/, /lib/ajax/ and /auth/userkey/ open to its server.", refused.join(", ")),
        ),
    };
    Some(Finding::fail(CHECK, 0, summary).evidence(evidence).fix(fix))
}

/// A web-service call of the diagnosis reached Moodle (its answer or its refusal).
fn some_call_reached_moodle(obs: &Observations) -> bool {
    fn reached<T>(r: Option<&Result<T, WsError>>) -> bool {
        match r {
            Some(Ok(_)) => true,
            Some(Err(e)) => !matches!(
                e,
                WsError::Http {
                    web_server: Some(_),
                    ..
                }
            ),
            None => false,
        }
    }
    reached(obs.simpleserver.as_ref())
        || reached(obs.opensis_info.as_ref())
        || reached(obs.userkey_info.as_ref())
        || reached(obs.userkey_probe.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rw27_the_ip_blocker_s_sentence_documented() {
        let e = WsError::Protocol {
            reason: "text that is not JSON where JSON was expected".into(),
            body_excerpt: IP_BLOCKED.into(),
        };
        assert!(ip_blocked(&e));
        assert_eq!(ip_blocker(&e).check, "site_ip_blocked");
    }
}
