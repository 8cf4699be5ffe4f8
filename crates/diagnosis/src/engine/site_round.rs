// Owns: the first look at the site — its public configuration at the typed address, its
// certificate (https), its host name resolved — with the tokens' first round beside them where
// the connection is trusted. Must not: send a token over plain http to another computer before
// the public configuration has answered.

use std::future::Future;
use std::net::IpAddr;
use std::time::Duration;

use moodle_ws::tls_inspect::{inspect_tls, TlsFacts};
use moodle_ws::{MoodleClient, PublicConfig, SiteRoot, WsError};

use super::first_round::{first_round, FirstRound};
use super::given::Given;
use super::input::DiagnoseOptions;
use super::timing::timed;

/// Longest wait for the host name to resolve, and for it after the site has answered.
const DNS_TIMEOUT: Duration = Duration::from_secs(10);
const DNS_GRACE: Duration = Duration::from_secs(2);
/// Longest wait for the TLS handshake of the certificate inspection.
const TLS_INSPECTION_TIMEOUT: Duration = Duration::from_secs(10);

/// What the first look saw.
pub(super) struct SiteRound {
    pub public_config: Result<PublicConfig, WsError>,
    pub tls: Option<Result<TlsFacts, WsError>>,
    pub addresses: Result<Vec<IpAddr>, String>,
    pub site_time: Duration,
    /// The tokens' first round, when it went out beside the public configuration.
    pub early: Option<FirstRound>,
    pub early_time: Duration,
}

pub(super) async fn site_round(
    client: &MoodleClient,
    typed: &SiteRoot,
    given: &Given,
    options: &DiagnoseOptions,
) -> SiteRound {
    let host = typed.host().unwrap_or_default().to_owned();
    let port = typed.as_url().port_or_known_default().unwrap_or(443);
    let tls = async {
        if typed.is_https() {
            Some(inspect_tls(&host, port, TLS_INSPECTION_TIMEOUT, &options.extra_roots).await)
        } else {
            None
        }
    };
    // Token-bearing requests go out before the public configuration has answered only where
    // the connection itself is trusted: https (the certificate verified) or this computer.
    let early_round = async {
        if tokens_may_go_early(typed) {
            Some(Box::pin(first_round(client, given, options)).await)
        } else {
            None
        }
    };
    let ((((public_config, tls), site_time), (early, early_time)), addresses) = with_addresses(
        async {
            tokio::join!(
                timed(async { tokio::join!(client.public_config(), tls) }),
                timed(early_round)
            )
        },
        &host,
        port,
    )
    .await;
    SiteRound {
        public_config,
        tls,
        addresses,
        site_time,
        early,
        early_time,
    }
}

/// Whether token-bearing requests may go out before the public configuration has answered:
/// over https (the certificate is verified) or to this computer — never over plain http to
/// another host.
fn tokens_may_go_early(root: &SiteRoot) -> bool {
    root.is_https() || root.host().is_some_and(is_loopback)
}

/// `localhost` or a loopback address: requests never leave this computer.
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Runs `probe` while the host name resolves. The name gets at most `DNS_TIMEOUT`, and no
/// more than `DNS_GRACE` once the probe has answered: a stuck resolver must not hang the
/// diagnosis after the site itself has been judged.
async fn with_addresses<T>(
    probe: impl Future<Output = T>,
    host: &str,
    port: u16,
) -> (T, Result<Vec<IpAddr>, String>) {
    let dns = tokio::time::timeout(DNS_TIMEOUT, crate::reachability::resolve(host, port));
    tokio::pin!(dns);
    tokio::pin!(probe);
    let mut resolved = None;
    let answer = loop {
        tokio::select! {
            answer = &mut probe => break answer,
            found = &mut dns, if resolved.is_none() => resolved = Some(found),
        }
    };
    let found = match resolved {
        Some(found) => found,
        None => tokio::time::timeout(DNS_GRACE, &mut dns)
            .await
            .unwrap_or_else(Err),
    };
    let addresses = match found {
        Ok(Ok(addresses)) => Ok(addresses),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("the name {host} did not resolve in time")),
    };
    (answer, addresses)
}

#[cfg(test)]
mod tests {
    use super::*;
    use moodle_ws::normalize_site_url;

    fn early(url: &str) -> bool {
        tokens_may_go_early(&normalize_site_url(url).unwrap())
    }

    #[test]
    fn tokens_go_before_the_public_configuration_only_over_https_or_to_this_computer() {
        for trusted in [
            "https://moodle.school.org",
            "https://10.0.0.5/moodle",
            "http://127.0.0.1:8080",
            "http://localhost/moodle",
            "http://[::1]:4000",
        ] {
            assert!(early(trusted), "{trusted}");
        }
        for plain in [
            "http://moodle.school.org",
            "http://10.0.0.5/moodle",
            "http://127.0.0.1.nip.io",
            "http://localhost.school.org",
        ] {
            assert!(!early(plain), "{plain}");
        }
    }
}
