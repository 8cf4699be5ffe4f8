// Owns: finding the site's own address when the typed one is not it — Moodle's redirect
// (`X-Redirect-By: Moodle`) or its `redirecterrordetected` answer, then the public
// configuration at that address; and where a web server's own redirect points, asked the
// same way. Must not: follow a redirect with a token, or leave https.

use moodle_ws::error::codes;
use moodle_ws::{normalize_site_url, MoodleClient, PublicConfig, SiteRoot, WsError};

/// The page the public configuration is asked at (its path, below the site's root).
const PUBLIC_CONFIG_PAGE: &str = "/lib/ajax/service-nologin.php";

/// A web server (not Moodle) redirected the public configuration to the same page at another
/// address: that address, and what its public configuration said, asked without a token.
#[derive(Debug)]
pub struct RedirectTarget {
    pub root: SiteRoot,
    pub answer: Result<PublicConfig, WsError>,
}

/// The site root a web server's redirect of the public configuration points at: the same page
/// at another address (an http site sent to https, a new host name). `None` for a redirect to
/// some other page (a login gateway), to the typed address itself, or from https to http.
fn redirect_root(location: &str, typed: &SiteRoot) -> Option<SiteRoot> {
    let url = typed.as_url().join(location).ok()?;
    let prefix = url.path().strip_suffix(PUBLIC_CONFIG_PAGE)?;
    let root =
        normalize_site_url(&format!("{}{prefix}", url.origin().ascii_serialization())).ok()?;
    (root != *typed && (root.is_https() || !typed.is_https())).then_some(root)
}

/// Asks the public configuration where a web server's redirect of it points.
async fn redirect_target(
    client: &MoodleClient,
    typed: &SiteRoot,
    answer: &Result<PublicConfig, WsError>,
) -> Option<RedirectTarget> {
    let Err(WsError::Redirect {
        location,
        by_moodle: false,
        ..
    }) = answer
    else {
        return None;
    };
    let root = redirect_root(location, typed)?;
    let answer = client.with_root(root.clone()).public_config().await;
    Some(RedirectTarget { root, answer })
}

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
fn is_moved(answer: &Result<PublicConfig, WsError>) -> bool {
    match answer {
        Err(e) if e.is_errorcode(codes::REDIRECT_ERROR_DETECTED) => true,
        Err(WsError::Redirect { by_moodle, .. }) => *by_moodle,
        _ => false,
    }
}

/// Reads the `wwwroot` from Moodle's redirect and asks the public configuration there. Only
/// requests without a token are sent; an https address is never left for http.
async fn find_wwwroot(
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

/// Where the site is: Moodle's own move to its `wwwroot`, where a web server's redirect points,
/// and the root the checks run at (the site's own address when it could be read).
pub(super) struct Place {
    pub moved: Option<Moved>,
    pub redirect_target: Option<RedirectTarget>,
    pub root: SiteRoot,
}

/// Finds where the site is from the public configuration's answer at the typed address.
pub(super) async fn where_the_site_is(
    client: &MoodleClient,
    typed: &SiteRoot,
    answer: &Result<PublicConfig, WsError>,
) -> Place {
    let moved = if is_moved(answer) {
        Some(find_wwwroot(client, typed, answer).await)
    } else {
        None
    };
    // Only a web server's own redirect (Moodle's is `moved`, above).
    let redirect_target = redirect_target(client, typed, answer).await;
    let root = match (&moved, answer) {
        (Some(m), _) => match (&m.wwwroot, &m.config) {
            (Some(root), Some(Ok(_))) => root.clone(),
            _ => typed.clone(),
        },
        (None, Ok(cfg)) => normalize_site_url(&cfg.wwwroot).unwrap_or_else(|_| typed.clone()),
        (None, Err(_)) => typed.clone(),
    };
    Place {
        moved,
        redirect_target,
        root,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(url: &str) -> SiteRoot {
        normalize_site_url(url).unwrap()
    }

    #[test]
    fn a_web_server_s_redirect_of_the_same_page_names_the_root_it_points_at() {
        let typed = root("http://127.0.0.1:8145");
        let page = "lib/ajax/service-nologin.php?info=tool_mobile_get_public_config&lang=en";
        assert_eq!(
            redirect_root(&format!("https://moodle-lab.invalid/{page}"), &typed),
            Some(root("https://moodle-lab.invalid"))
        );
        assert_eq!(
            redirect_root(&format!("https://lms.school.org/moodle/{page}"), &typed),
            Some(root("https://lms.school.org/moodle"))
        );
        // Relative to the typed address.
        assert_eq!(
            redirect_root(&format!("/moodle/{page}"), &typed),
            Some(root("http://127.0.0.1:8145/moodle"))
        );
        // Another page (a login gateway), the same address, or https left for http: none.
        assert_eq!(redirect_root("https://sso.school.org/login", &typed), None);
        assert_eq!(
            redirect_root(&format!("http://127.0.0.1:8145/{page}"), &typed),
            None
        );
        let https = root("https://lms.school.org");
        assert_eq!(
            redirect_root(&format!("http://lms.school.org/{page}"), &https),
            None
        );
    }
}
