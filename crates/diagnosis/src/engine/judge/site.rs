// Owns: the step-0 checks — reachable, a Moodle (or what answers instead: a reverse-proxy
// setting, the IP blocker, a web firewall), its real address, maintenance, public address,
// https and its certificate, clean JSON. Must not: judge any later step.

use moodle_ws::error::codes;
use moodle_ws::{same_site, TransportKind, WsError};

use super::words::{describe, without_query};
use crate::cfg_cli;
use crate::engine::address::{Moved, RedirectTarget};
use crate::engine::observations::Observations;
use crate::finding::Finding;
use crate::reachability::{classify, is_local_only_name, AddressKind};
use crate::steps;

pub(super) fn findings(obs: &Observations) -> Vec<Finding> {
    let mut out = vec![reachable(obs), is_moodle(obs)];
    out.push(address(obs));
    out.push(maintenance(obs));
    out.push(public(obs));
    out.push(https(obs));
    out.extend(super::site_extra::certificate(obs));
    out.extend(super::site_extra::clean_json(obs));
    out.extend(super::site_extra::web_server(obs));
    out.push(super::sync_requests::finding(obs));
    out
}

fn host_port(obs: &Observations) -> (String, u16) {
    let url = obs.typed_root.as_url();
    (
        url.host_str().unwrap_or_default().to_owned(),
        url.port_or_known_default().unwrap_or(443),
    )
}

fn reachable(obs: &Observations) -> Finding {
    const CHECK: &str = "site_reachable";
    let (host, port) = host_port(obs);
    let (kind, detail, started) = match &obs.public_config {
        Err(WsError::Transport { kind, detail }) => (kind, detail, None),
        Err(WsError::Incomplete {
            status,
            kind,
            detail,
        }) => (kind, detail, Some(*status)),
        _ => return Finding::pass(CHECK, 0, format!("{} answers.", obs.typed_root)),
    };
    let (summary, fix) = match (started, kind) {
        (Some(status), TransportKind::Timeout) => (
            format!("{host} started answering (HTTP {status}) but did not finish in time."),
            "The server, or a proxy in front of it, is too slow to send its answer: check the web server's and PHP's load and error logs, and any proxy or firewall that holds answers back. openSIS gives up on a slow answer too.".to_owned(),
        ),
        (Some(status), _) => (
            format!("{host} started answering (HTTP {status}) but the answer broke off."),
            "Something cut the answer off — a crashing PHP process, a proxy or a firewall, or a slow link timing out: check the web server's and PHP's error logs.".to_owned(),
        ),
        (None, TransportKind::Dns) => (
            format!("The name {host} does not resolve."),
            format!("Check the spelling of {host}. A name that only resolves inside your network cannot be reached by openSIS either."),
        ),
        (None, TransportKind::Refused) => (
            format!("Nothing answers on {host} port {port}."),
            "Check that the web server is running and that a firewall lets the port through.".to_owned(),
        ),
        (None, TransportKind::Tls) => tls_problem(&host, port, detail, obs.scheme_typed),
        (None, TransportKind::Timeout) => (
            format!("{host} did not answer in time."),
            "Check that the site is up and that its firewall lets requests from the internet in.".to_owned(),
        ),
        (None, TransportKind::Other) => (
            format!("Could not connect to {host}."),
            "Check the address and the site's network connection.".to_owned(),
        ),
    };
    Finding::fail(CHECK, 0, summary)
        .evidence(detail.clone())
        .fix(fix)
        .link(obs.typed_root.to_string())
}

/// Names what is wrong with the site's HTTPS from the TLS library's words. A certificate
/// this computer refuses is never accepted: openSIS's server would refuse it as well.
fn tls_problem(host: &str, port: u16, detail: &str, scheme_typed: bool) -> (String, String) {
    const NEVER_SWITCH_OFF: &str =
        "Do not switch certificate checks off in openSIS: the tokens would be exposed.";
    // rustls names the problem as a Debug name or in words, depending on what it knows.
    let said = |words: &[&str]| {
        let lower = detail.to_ascii_lowercase();
        words.iter().any(|w| lower.contains(w))
    };
    if said(&["notvalidforname", "not valid for name"]) {
        (
            format!("The site's HTTPS certificate is for another name than {host}."),
            format!("Use the exact name the certificate was issued for, or install a certificate that includes {host} (for example from Let's Encrypt). {NEVER_SWITCH_OFF}"),
        )
    } else if said(&[
        "unknownissuer",
        "unknown issuer",
        "self-signed",
        "self signed",
    ]) {
        (
            "The site's HTTPS certificate is not issued by an authority this computer trusts (self-signed, or from a private authority).".to_owned(),
            format!("Install a certificate from a public authority (for example Let's Encrypt); openSIS refuses a self-signed or privately issued certificate too. {NEVER_SWITCH_OFF}"),
        )
    } else if said(&["notvalidyet", "not valid yet"]) {
        (
            "The site's HTTPS certificate is not valid yet.".to_owned(),
            "Check the clocks of the server and of this computer, or install a certificate that is valid now.".to_owned(),
        )
    } else if said(&["expired"]) {
        (
            "The site's HTTPS certificate has expired.".to_owned(),
            "Renew the certificate (Let's Encrypt's renewal runs from a timer or cron job: check that it still runs).".to_owned(),
        )
    } else if said(&[
        "invalidcontenttype",
        "corrupt message",
        "handshake eof",
        "unexpected eof",
        "wrong version number",
    ]) {
        if scheme_typed {
            (
                format!("The address starts with https://, but {host} port {port} does not speak HTTPS."),
                "Enable HTTPS on the web server (for example with a Let's Encrypt certificate), or check the port in the address.".to_owned(),
            )
        } else {
            (
                format!("{host} port {port} does not speak HTTPS. The address was typed without https:// or http://, so https was tried."),
                format!("If the site answers plain http on that port, type http://{host}:{port} to check it (openSIS needs the site's public https address in the end). Otherwise enable HTTPS on the web server, for example with a Let's Encrypt certificate."),
            )
        }
    } else {
        (
            "The site's HTTPS certificate was not accepted.".to_owned(),
            format!("Install a valid certificate for the site (for example from Let's Encrypt); openSIS will refuse an invalid one too. {NEVER_SWITCH_OFF}"),
        )
    }
}

fn is_moodle(obs: &Observations) -> Finding {
    const CHECK: &str = "site_is_moodle";
    let typed = obs.typed_root.to_string();
    match &obs.public_config {
        Ok(cfg) => Finding::pass(CHECK, 0, format!("A Moodle site answers: \"{}\".", cfg.sitename))
            .evidence("tool_mobile_get_public_config answered through lib/ajax/service-nologin.php"),
        Err(WsError::Transport { .. } | WsError::Incomplete { .. }) => Finding::blocked(CHECK, 0, 0)
            .fix("Make the site reachable first."),
        Err(e) if e.is_errorcode(codes::REVERSE_PROXY_ABUSED) => Finding::fail(
            "site_reverse_proxy",
            0,
            "Moodle refuses every request: its config.php says it sits behind a reverse proxy ($CFG->reverseproxy), but requests reach it directly.",
        )
        .evidence(describe_result(&obs.public_config))
        .fix("If a reverse proxy is meant to sit in front of Moodle, use the proxy's address (the one in $CFG->wwwroot) and make sure the web server only takes requests from the proxy. If there is no proxy, remove the line $CFG->reverseproxy = true; from config.php."),
        Err(WsError::Moodle { .. }) => Finding::pass(CHECK, 0, "A Moodle site answers.")
            .evidence(describe_result(&obs.public_config)),
        Err(WsError::Redirect {
            by_moodle: true, ..
        }) => Finding::pass(CHECK, 0, "A Moodle site answers (with a redirect to its own address).")
            .evidence(describe_result(&obs.public_config)),
        Err(WsError::Redirect { location, .. }) => redirected(obs, location),
        Err(e) if super::site_extra::ip_blocked(e) => super::site_extra::ip_blocker(e),
        Err(WsError::Http { web_server: Some(page), status, .. }) => Finding::fail(
            CHECK,
            0,
            format!("The web server ({}) answers with its own page (HTTP {status}), not Moodle: see what it refuses below.", page.server),
        )
        .evidence(describe_result(&obs.public_config)),
        Err(WsError::Http { via: Some(via), status, title, .. }) => {
            super::site_extra::web_firewall(via, *status, title.as_deref(), &describe_result(&obs.public_config))
        }
        Err(e) if cli_maintenance(e) => Finding::pass(CHECK, 0, "A Moodle site answers, with its maintenance page.")
            .evidence(describe(e)),
        Err(WsError::Http { status: 404, .. }) => Finding::fail(
            CHECK,
            0,
            "No Moodle answers at this address.",
        )
        .evidence(describe_result(&obs.public_config))
        .fix("Check the address: it is the one you open Moodle with, including a sub-folder such as /moodle if there is one."),
        Err(WsError::Http { status, title, .. }) if *status >= 500 => {
            let (summary, fix) = server_error(*status);
            let summary = match title {
                Some(title) => format!("{summary} The page says \"{title}\"."),
                None => summary,
            };
            Finding::fail(CHECK, 0, summary)
                .evidence(describe_result(&obs.public_config))
                .fix(fix)
        }
        Err(WsError::Protocol { reason, .. }) => Finding::fail(
            CHECK,
            0,
            "Something other than Moodle answers at this address (a proxy, a login wall or another site).",
        )
        .evidence(describe_result(&obs.public_config))
        .fix(format!("The site sent {reason}. Check the address, and that no proxy or single sign-on gateway sits in front of Moodle for requests from openSIS.")),
        Err(WsError::BodyTooLarge { limit }) => Finding::fail(
            CHECK,
            0,
            format!("The site sent an answer larger than {} where Moodle sends a few KiB of JSON.", size(*limit)),
        )
        .evidence(describe_result(&obs.public_config))
        .fix("Check the address: it is the one you open Moodle with. Something else — a file download, another application — answers there."),
        Err(e) => Finding::fail(CHECK, 0, "The site does not answer as Moodle does.")
            .evidence(describe(e))
            .fix(format!("Check the address ({typed}), and that the web server passes requests to Moodle.")),
    }
}

/// The public configuration was answered with a redirect (never followed: a redirect must
/// not carry a POST body, and each kind says something different).
fn redirected(obs: &Observations, location: &str) -> Finding {
    const CHECK: &str = "site_is_moodle";
    let typed = obs.typed_root.to_string();
    let evidence = describe_result(&obs.public_config);
    let https_of_same = location.starts_with("https://")
        && same_site(&location.replacen("https://", "http://", 1), &typed);
    if obs.typed_root.is_https() && location.starts_with("http://") {
        return Finding::fail(
            CHECK,
            0,
            format!("The https address redirects to plain http ({location})."),
        )
        .evidence(evidence)
        .fix("Keep https: make the web server answer https requests itself instead of sending them to http, and set $CFG->wwwroot in config.php to the https address. Do not enter the http address in openSIS: the tokens would cross the internet unencrypted.");
    }
    if let Some(target) = &obs.redirect_target {
        return redirected_to(target, &typed, evidence);
    }
    if https_of_same {
        return Finding::fail(
            CHECK,
            0,
            "The address redirects elsewhere instead of answering as Moodle.",
        )
        .evidence(evidence)
        .fix(format!(
            "Use the https address: {}",
            typed.replacen("http://", "https://", 1)
        ));
    }
    if same_site(location, &typed) {
        return Finding::fail(
            CHECK,
            0,
            format!("The site redirects back to its own address ({location}) instead of answering: a redirect loop, or a login page in front of Moodle."),
        )
        .evidence(evidence)
        .fix("Check the web server's rewrite rules and any single sign-on gateway or proxy in front of Moodle: Moodle's web-service scripts (lib/ajax/, webservice/) must answer without a redirect.");
    }
    Finding::fail(
        CHECK,
        0,
        "The address redirects elsewhere instead of answering as Moodle.",
    )
    .evidence(evidence)
    .fix(format!(
        "Open the address the site redirects to ({}) in a browser: if Moodle answers there, use its address without the page part; if it is a login or gateway page, Moodle's web-service scripts (lib/ajax/, webservice/) must be let through without it.",
        without_query(location)
    ))
}

/// The web server sends the page to the same page at another address, which was asked too
/// (without a token): Moodle answers there, or nothing does.
fn redirected_to(target: &RedirectTarget, typed: &str, evidence: String) -> Finding {
    const CHECK: &str = "site_is_moodle";
    let root = &target.root;
    let evidence = format!("{evidence}; at {root}: {}", describe_result(&target.answer));
    let Err(e) = &target.answer else {
        return Finding::fail(
            CHECK,
            0,
            format!("{typed} redirects to {root}, where Moodle answers: that is the address to use."),
        )
        .evidence(evidence)
        .fix(format!("Use {root} in openSIS's LMS Settings and in this check: openSIS's requests would not follow the redirect (a redirected POST loses its data)."));
    };
    let nothing = match e {
        WsError::Transport {
            kind: TransportKind::Dns,
            ..
        } => "that name does not resolve".to_owned(),
        WsError::Transport {
            kind: TransportKind::Tls,
            ..
        } => "no https connection can be made there".to_owned(),
        WsError::Transport { .. } | WsError::Incomplete { .. } => {
            "nothing answers there".to_owned()
        }
        other => format!("Moodle does not answer there ({})", describe(other)),
    };
    let scheme_move = root.is_https() && typed.starts_with("http://");
    Finding::fail(
        CHECK,
        0,
        format!("The web server sends every request for {typed} to {root}, and {nothing}: openSIS can use neither address."),
    )
    .evidence(evidence)
    .fix(format!(
        "{}The redirect is in the web server's configuration (Apache: \"Redirect permanent\" or a RewriteRule; nginx: \"return 301 …\"). Either make {root} work — a DNS name that resolves to the server, {}a virtual host (Apache) or server block (nginx) there that serves Moodle, and $CFG->wwwroot in config.php set to it — or take the redirect out until it does.",
        if scheme_move { "The site is being moved to https, and the https address is not ready. " } else { "" },
        if root.is_https() { "a certificate for that name, " } else { "" },
    ))
}

/// What a 5xx answer says, and what to do about it.
fn server_error(status: u16) -> (String, String) {
    match status {
        502 | 504 => (
            format!("The web server answers, but the server behind it (PHP or Moodle) is not answering (HTTP {status})."),
            "Start or restart PHP-FPM (or the application server behind the web server) and look at its error log; then run this check again.".to_owned(),
        ),
        503 => (
            format!("The site is unavailable (HTTP {status}): overloaded, or switched off by the web server."),
            "Check the web server's status and load, and whether a maintenance page was put up outside Moodle; then run this check again.".to_owned(),
        ),
        _ => (
            format!("The site failed with an internal error (HTTP {status})."),
            "Look at the web server's and PHP's error logs; Moodle shows its own errors with debugging on (Site administration → Development → Debugging).".to_owned(),
        ),
    }
}

fn size(bytes: usize) -> String {
    const MIB: usize = 1024 * 1024;
    if bytes >= MIB && bytes % MIB == 0 {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

fn describe_result<T>(r: &Result<T, WsError>) -> String {
    match r {
        Ok(_) => "answered".into(),
        Err(e) => describe(e),
    }
}

fn address(obs: &Observations) -> Finding {
    const CHECK: &str = "site_address";
    if let Some(moved) = &obs.moved {
        return moved_address(obs, moved);
    }
    let Ok(cfg) = &obs.public_config else {
        return Finding::blocked(CHECK, 0, 0);
    };
    let typed = obs.typed_root.to_string();
    if same_site(&cfg.wwwroot, &typed) {
        Finding::pass(CHECK, 0, format!("The site's own address is {}.", obs.root))
    } else {
        Finding::warn(
            CHECK,
            0,
            format!(
                "The site calls itself {}, not {typed}; that address is used from here on.",
                obs.root
            ),
        )
        .evidence(format!("wwwroot = {}", cfg.wwwroot))
        .fix(format!(
            "Enter {} in openSIS, exactly as Moodle's wwwroot says.",
            obs.root
        ))
        .link(obs.root.to_string())
    }
}

/// Moodle answered from another address than its own: every request is redirected there, and
/// a redirected web-service call loses its token.
fn moved_address(obs: &Observations, moved: &Moved) -> Finding {
    const CHECK: &str = "site_address";
    let typed = obs.typed_root.to_string();
    let mut evidence = vec![format!(
        "public configuration at {typed}: {}",
        describe_result(&obs.public_config)
    )];
    if let Some(location) = &moved.location {
        evidence.push(format!(
            "login/index.php: redirect{} to {}",
            if moved.by_moodle {
                " by Moodle (X-Redirect-By: Moodle)"
            } else {
                ""
            },
            without_query(location)
        ));
    }
    if let Some(hint) = super::site_extra::path_dropped(obs, moved) {
        evidence.push(hint);
    }
    let why = "openSIS must use the site's own address exactly (scheme, host, port and folder): Moodle redirects every other one, and a redirected web-service call arrives without its token (openSIS then says \"invalid token\" or \"authentication error\").";
    match (&moved.wwwroot, &moved.config) {
        (Some(root), Some(Ok(_))) => Finding::fail(
            CHECK,
            0,
            format!("{typed} is not the site's own address: openSIS must use exactly {root}."),
        )
        .evidence(format!("{}; the checks below ran at {root}", evidence.join("; ")))
        .fix(format!("In openSIS (LMS Settings → Moodle URL) enter {root}. {why}"))
        .link(root.to_string()),
        (Some(root), other) => Finding::fail(
            CHECK,
            0,
            format!("{typed} is not the site's own address; Moodle sends requests to {root}, which did not answer as Moodle."),
        )
        .evidence(match other {
            Some(Err(e)) => format!("{}; at {root}: {}", evidence.join("; "), describe(e)),
            _ => evidence.join("; "),
        })
        .fix(format!("Check that {root} is the address in $CFG->wwwroot (config.php) and that it answers; then enter it in openSIS. {why}")),
        (None, _) => Finding::fail(
            CHECK,
            0,
            format!("{typed} is not the site's own address, and Moodle did not say which is."),
        )
        .evidence(evidence.join("; "))
        .fix(format!("Open the site in a browser and use the address it ends up at (as in $CFG->wwwroot in config.php). {why}")),
    }
}

/// Moodle's maintenance page of the command-line maintenance mode: HTTP 503 and a title
/// ending in "under maintenance", for every request.
fn cli_maintenance(e: &WsError) -> bool {
    matches!(e, WsError::Http { status: 503, title: Some(title), .. } if title.to_ascii_lowercase().contains("under maintenance"))
}

fn maintenance(obs: &Observations) -> Finding {
    const CHECK: &str = "site_not_in_maintenance";
    let fix = format!(
        "Turn maintenance mode off in Site administration → Server → Maintenance mode.\nOn the server: {}",
        cfg_cli::disable_maintenance()
    );
    if let Err(e) = &obs.public_config {
        if cli_maintenance(e) {
            return Finding::fail(
                CHECK,
                0,
                "The site is in maintenance mode started on the server (admin/cli/maintenance.php): it answers every request — administrators' too — with its maintenance page, so openSIS can neither sync nor sign anyone in.",
            )
            .evidence(describe(e))
            .fix(format!("On the server, from the Moodle folder: {}", cfg_cli::disable_maintenance()))
            .link(obs.typed_root.to_string());
        }
    }
    let Some(cfg) = obs.config() else {
        return Finding::blocked(CHECK, 0, 0);
    };
    if cfg.maintenanceenabled != 0 {
        let message = cfg.maintenancemessage.trim();
        Finding::fail(
            CHECK,
            0,
            "The site is in maintenance mode: students and teachers cannot sign in, and the sync stops for any token whose user is not a site administrator. The checks below ran with the administrator's tokens.",
        )
        .evidence(if message.is_empty() {
            "maintenanceenabled = 1".to_owned()
        } else {
            format!("maintenanceenabled = 1; message: {message}")
        })
        .fix(fix)
        .link(obs.root.endpoint(steps::MAINTENANCE).to_string())
    } else {
        Finding::pass(CHECK, 0, "The site is not in maintenance mode.")
    }
}

fn public(obs: &Observations) -> Finding {
    const CHECK: &str = "site_public";
    let host = obs.root.host().unwrap_or_default().to_owned();
    let addresses = match &obs.addresses {
        Ok(a) if !a.is_empty() => a,
        Ok(_) | Err(_) => {
            return Finding::blocked(CHECK, 0, 0)
                .evidence(obs.addresses.as_ref().err().cloned().unwrap_or_default());
        }
    };
    let listed: Vec<String> = addresses
        .iter()
        .map(|ip| format!("{ip} ({})", classify(*ip).describe()))
        .collect();
    let not_public: Vec<AddressKind> = addresses
        .iter()
        .map(|ip| classify(*ip))
        .filter(|k| *k != AddressKind::Public)
        .collect();
    let local_name = is_local_only_name(&host) && host.parse::<std::net::IpAddr>().is_err();
    if obs.simulated_site {
        return Finding::pass(
            CHECK,
            0,
            format!("{host} is the simulated Moodle on this computer: not on the internet, as expected in the demo."),
        )
        .evidence(listed.join(", "));
    }
    if not_public.is_empty() && !local_name {
        return Finding::pass(CHECK, 0, format!("{host} has a public address."))
            .evidence(listed.join(", "));
    }
    Finding::warn(
        CHECK,
        0,
        format!("{host} is not reachable from the internet from what this computer sees; openSIS connects from the internet."),
    )
    .evidence(format!("{host} resolves to {}", listed.join(", ")))
    .fix("Use the site's public address. If your network resolves the name differently inside (split DNS), check it from outside, e.g. from a phone off the school's Wi-Fi. Sites behind a VPN or on a local-only host cannot be connected.")
}

fn https(obs: &Observations) -> Finding {
    const CHECK: &str = "site_https";
    // Only a site that answered can be said to use https (its certificate is judged apart).
    if !obs.moodle_answers() {
        return Finding::blocked(CHECK, 0, 0);
    }
    if obs.root.is_https() {
        return Finding::pass(CHECK, 0, "The site uses https.")
            .evidence(format!("Moodle answered at {}", obs.root));
    }
    let loopback = matches!(&obs.addresses, Ok(a) if !a.is_empty() && a.iter().all(|ip| classify(*ip) == AddressKind::Loopback));
    if obs.simulated_site {
        // The demo's simulated site is on this computer by design, as its other checks say.
        Finding::pass(
            CHECK,
            0,
            "The simulated Moodle answers plain http on this computer, as designed in the demo; a real site must use https.",
        )
        .evidence(format!("wwwroot = {}", obs.root))
    } else if loopback {
        Finding::warn(CHECK, 0, "The site uses plain http. On this computer that is fine for a trial, but openSIS needs the site's public https address.")
            .evidence(format!("wwwroot = {} (loopback)", obs.root))
            .fix("Serve Moodle over https (for example with a Let's Encrypt certificate) at its public address, and update wwwroot in config.php.")
    } else {
        Finding::warn(CHECK, 0, "The site uses plain http: the tokens would cross the internet unencrypted.")
            .evidence(format!("wwwroot = {}", obs.root))
            .fix("Serve Moodle over https (for example with a Let's Encrypt certificate) and update wwwroot in config.php.")
    }
}

#[cfg(test)]
mod tests {
    use super::tls_problem;

    #[test]
    fn tls_problems_are_named_from_either_form_of_the_message() {
        let summary = |detail: &str| tls_problem("m.org", 443, detail, true).0;
        assert!(summary("invalid peer certificate: UnknownIssuer").contains("not issued by"));
        assert!(summary("invalid peer certificate: NotValidForName").contains("another name"));
        assert!(summary("certificate not valid for name \"m.org\"").contains("another name"));
        assert!(summary("certificate expired: verification time 1, but …").contains("expired"));
        assert!(summary("invalid peer certificate: Expired").contains("expired"));
        assert!(summary("certificate not valid yet: …").contains("not valid yet"));
        assert!(
            summary("received corrupt message of type InvalidContentType")
                .contains("does not speak HTTPS")
        );
        assert!(summary("handshake failure").contains("not accepted"));
    }

    /// A bare host:port that speaks plain http is not blamed on a certificate.
    #[test]
    fn plain_http_on_a_port_typed_without_a_scheme_is_named_as_such() {
        let (summary, fix) = tls_problem("127.0.0.1", 8090, "tls handshake eof", false);
        assert!(summary.contains("does not speak HTTPS"), "{summary}");
        assert!(summary.contains("without https://"), "{summary}");
        assert!(fix.contains("http://127.0.0.1:8090"), "{fix}");
        assert!(!summary.contains("certificate"), "{summary}");
        let (summary, _) = tls_problem("m.org", 8443, "tls handshake eof", true);
        assert!(
            summary.starts_with("The address starts with https://"),
            "{summary}"
        );
    }
}
