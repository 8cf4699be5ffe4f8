// Owns: the step-0 checks — reachable, a Moodle, its real address, maintenance, public
// reachability and https. Must not: judge any later step.

use moodle_ws::error::codes;
use moodle_ws::{same_site, TransportKind, WsError};

use super::describe;
use crate::cfg_cli;
use crate::engine::observe::Observations;
use crate::finding::Finding;
use crate::reachability::{classify, is_local_only_name, AddressKind};
use crate::steps;

pub(super) fn findings(obs: &Observations) -> Vec<Finding> {
    let mut out = vec![reachable(obs), is_moodle(obs)];
    out.push(address(obs));
    out.push(maintenance(obs));
    out.push(public(obs));
    out.push(https(obs));
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
    let Err(WsError::Transport { kind, detail }) = &obs.public_config else {
        return Finding::pass(CHECK, 0, format!("{} answers.", obs.typed_root));
    };
    let (summary, fix) = match kind {
        TransportKind::Dns => (
            format!("The name {host} does not resolve."),
            format!("Check the spelling of {host}. A name that only resolves inside your network cannot be reached by openSIS either."),
        ),
        TransportKind::Refused => (
            format!("Nothing answers on {host} port {port}."),
            "Check that the web server is running and that a firewall lets the port through.".to_owned(),
        ),
        TransportKind::Tls => (
            "The site's HTTPS certificate was not accepted.".to_owned(),
            "Install a valid certificate for the site (for example from Let's Encrypt); openSIS will refuse an invalid one too.".to_owned(),
        ),
        TransportKind::Timeout => (
            format!("{host} did not answer in time."),
            "Check that the site is up and that its firewall lets requests from the internet in.".to_owned(),
        ),
        TransportKind::Other => (
            format!("Could not connect to {host}."),
            "Check the address and the site's network connection.".to_owned(),
        ),
    };
    Finding::fail(CHECK, 0, summary)
        .evidence(detail.clone())
        .fix(fix)
        .link(obs.typed_root.to_string())
}

fn is_moodle(obs: &Observations) -> Finding {
    const CHECK: &str = "site_is_moodle";
    let typed = obs.typed_root.to_string();
    match &obs.public_config {
        Ok(cfg) => Finding::pass(CHECK, 0, format!("A Moodle site answers: \"{}\".", cfg.sitename))
            .evidence("tool_mobile_get_public_config answered through lib/ajax/service-nologin.php"),
        Err(WsError::Transport { .. }) => Finding::blocked(CHECK, 0, 0)
            .fix("Make the site reachable first."),
        Err(WsError::Moodle { .. }) => Finding::pass(CHECK, 0, "A Moodle site answers.")
            .evidence(describe_result(&obs.public_config)),
        Err(WsError::Redirect { location, .. }) => {
            let https_of_same = location.starts_with("https://")
                && same_site(&location.replacen("https://", "http://", 1), &typed);
            let fix = if https_of_same {
                format!("Use the https address: {}", typed.replacen("http://", "https://", 1))
            } else {
                format!("Use the address the site redirects to (without the page part): {location}")
            };
            Finding::fail(CHECK, 0, "The address redirects elsewhere instead of answering as Moodle.")
                .evidence(describe_result(&obs.public_config))
                .fix(fix)
        }
        Err(WsError::Http { status: 404, .. }) => Finding::fail(
            CHECK,
            0,
            "No Moodle answers at this address.",
        )
        .evidence(describe_result(&obs.public_config))
        .fix("Check the address: it is the one you open Moodle with, including a sub-folder such as /moodle if there is one."),
        Err(WsError::Protocol { reason, .. }) => Finding::fail(
            CHECK,
            0,
            "Something other than Moodle answers at this address (a proxy, a login wall or another site).",
        )
        .evidence(describe_result(&obs.public_config))
        .fix(format!("The site sent {reason}. Check the address, and that no proxy or single sign-on gateway sits in front of Moodle for requests from openSIS.")),
        Err(e) => Finding::fail(CHECK, 0, "The site does not answer as Moodle does.")
            .evidence(describe(e))
            .fix("Check the address, and that the web server passes requests to Moodle."),
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

fn maintenance(obs: &Observations) -> Finding {
    const CHECK: &str = "site_not_in_maintenance";
    let in_maintenance = match &obs.public_config {
        Ok(cfg) => cfg.maintenanceenabled != 0,
        Err(e) => e.is_errorcode(codes::SITE_MAINTENANCE),
    };
    if in_maintenance {
        let message = obs
            .public_config
            .as_ref()
            .map(|c| c.maintenancemessage.clone())
            .unwrap_or_default();
        Finding::fail(CHECK, 0, "The site is in maintenance mode: openSIS cannot sync or sign in.")
            .evidence(if message.is_empty() {
                "maintenanceenabled = 1".to_owned()
            } else {
                format!("maintenanceenabled = 1; message: {message}")
            })
            .fix(format!(
                "Turn maintenance mode off in Site administration → Server → Maintenance mode.\nOn the server: {}",
                cfg_cli::disable_maintenance()
            ))
            .link(obs.root.endpoint(steps::MAINTENANCE).to_string())
    } else if obs.public_config.is_ok() {
        Finding::pass(CHECK, 0, "The site is not in maintenance mode.")
    } else {
        Finding::blocked(CHECK, 0, 0)
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
    if obs.root.is_https() {
        return Finding::pass(CHECK, 0, "The site uses https.");
    }
    let loopback = matches!(&obs.addresses, Ok(a) if !a.is_empty() && a.iter().all(|ip| classify(*ip) == AddressKind::Loopback));
    if loopback {
        Finding::pass(CHECK, 0, "Plain http on this computer only (loopback).")
    } else {
        Finding::warn(CHECK, 0, "The site uses plain http: the tokens would cross the internet unencrypted.")
            .evidence(format!("wwwroot = {}", obs.root))
            .fix("Serve Moodle over https (for example with a Let's Encrypt certificate) and update wwwroot in config.php.")
    }
}
