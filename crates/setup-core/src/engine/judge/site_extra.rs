// Owns: the step-0 causes beyond "is it Moodle" — Moodle's IP blocker, a web firewall or CDN
// in front, TLS as a strict client sees it, bytes before the JSON, a redirect that drops the
// page (the sslproxy case). Must not: judge anything after step 0.

use moodle_ws::tls_inspect::TlsFacts;
use moodle_ws::WsError;

use super::describe;
use crate::engine::address::Moved;
use crate::engine::observe::Observations;
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
