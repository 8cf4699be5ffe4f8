// Owns: finding the site's own address when the typed one is not it — Moodle's redirect
// (`X-Redirect-By: Moodle`) or its `redirecterrordetected` answer, then the public
// configuration at that address. Must not: follow a redirect with a token, or leave https.

use moodle_ws::error::codes;
use moodle_ws::{normalize_site_url, MoodleClient, PublicConfig, SiteRoot, WsError};

/// The typed address is not the site's `wwwroot`: what showed it, and what the site says at
/// its own address.
#[derive(Debug)]
pub struct Moved {
    /// Where Moodle sends requests that come to the typed address.
    pub location: Option<String>,
    /// `X-Redirect-By: Moodle` (or Moodle's `redirecterrordetected`): Moodle itself said so.
    pub by_moodle: bool,
    /// The site's `wwwroot`, read from the redirect.
    pub wwwroot: Option<SiteRoot>,
    /// The public configuration at that `wwwroot`, when it was safe to ask.
    pub config: Option<Result<PublicConfig, WsError>>,
}

/// Whether the public configuration's answer says the typed address is not the wwwroot.
pub(super) fn is_moved(answer: &Result<PublicConfig, WsError>) -> bool {
    match answer {
        Err(e) if e.is_errorcode(codes::REDIRECT_ERROR_DETECTED) => true,
        Err(WsError::Redirect { by_moodle, .. }) => *by_moodle,
        _ => false,
    }
}

/// Reads the `wwwroot` from Moodle's redirect and asks the public configuration there. Only
/// requests without a token are sent; an https address is never left for http.
pub(super) async fn find_wwwroot(
    client: &MoodleClient,
    typed: &SiteRoot,
    answer: &Result<PublicConfig, WsError>,
) -> Moved {
    let (location, by_moodle) = match answer {
        Err(WsError::Redirect {
            location,
            by_moodle,
            ..
        }) => (Some(location.clone()), *by_moodle),
        _ => match client.login_page().await {
            Ok(page) if (300..400).contains(&page.status) => (page.location, page.by_moodle),
            _ => (None, true),
        },
    };
    let wwwroot = location
        .as_deref()
        .and_then(|l| normalize_site_url(l).ok())
        .filter(|root| root != typed)
        .filter(|root| root.is_https() || !typed.is_https());
    let config = match &wwwroot {
        Some(root) => Some(client.with_root(root.clone()).public_config().await),
        None => None,
    };
    Moved {
        location,
        by_moodle,
        wwwroot,
        config,
    }
}
