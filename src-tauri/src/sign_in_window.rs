// Owns: the sign-in window of "Set it up for me" — Moodle's own login page in a private
// (incognito) app window, where the admin signs in however the site asks (password, second
// factor, campus sign-in); noticing that the sign-in ended, taking the window's cookies for the
// site, closing it, and handing the session to `AdminSession::from_cookies`.
// Must not: read or fill the page (the password is never seen), keep the cookies, or give the
// window any of the app's commands (capabilities name only the main window).

use std::sync::atomic::Ordering;
use std::sync::Arc;

use moodle_ws::SiteRoot;
use setup_automation::cookies::CookieJar;
use setup_automation::{AdminError, AdminSession, SignInRefusal};
use tauri::webview::PageLoadEvent;
use tauri::{AppHandle, Manager, Runtime, Url, WebviewUrl, WebviewWindowBuilder, WindowEvent};

use crate::admin::{SignInEnd, SignInWait};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The sign-in windows' labels start so (none is the main window: no command reaches them).
pub const LABEL_PREFIX: &str = "moodle-sign-in-";

/// Keeps the sign-in window private (incognito) under WebDriver too (end-to-end tests).
pub const PRIVATE_SIGN_IN_VAR: &str = "SIS_MOODLE_SETUP_PRIVATE_SIGN_IN";

static WINDOWS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);

/// Where in the site a URL of the window is, relative to the site's root, ignoring the scheme
/// (a site that sends http to https is the same site). `None` off the site (a campus sign-in).
pub fn on_site(root: &SiteRoot, url: &Url) -> Option<String> {
    let base = root.as_url();
    let same_port = if url.scheme() == base.scheme() {
        url.port_or_known_default() == base.port_or_known_default()
    } else {
        url.port() == base.port()
    };
    if url.host_str() != base.host_str() || !same_port {
        return None;
    }
    let rel = url.path().strip_prefix(base.path())?;
    Some(match url.query() {
        Some(q) => format!("{rel}?{q}"),
        None => rel.to_owned(),
    })
}

/// Whether the window's page says the sign-in may have ended: Moodle's session test after the
/// login form, or any page of the site past the sign-in pages (the dashboard, the page the
/// admin was sent to after a second factor or a policy). The login pages themselves, a second
/// factor's pages and sign-in plugins' pages are still the sign-in.
pub fn looks_signed_in(root: &SiteRoot, url: &Url) -> bool {
    let Some(rel) = on_site(root, url) else {
        return false;
    };
    let path = rel.split(['?', '#']).next().unwrap_or_default();
    if path.starts_with("login/") {
        return path == "login/index.php" && rel.contains("testsession=");
    }
    let still_signing_in = ["admin/tool/mfa/", "auth/", "theme/", "lib/"];
    !still_signing_in.iter().any(|p| path.starts_with(p))
}

/// Why a take-over did not work yet while the admin may still be signing in, in the window.
fn still_signing_in(e: &AdminError) -> bool {
    matches!(
        e,
        AdminError::SignIn(
            SignInRefusal::NotSignedIn
                | SignInRefusal::NeedsBrowser { .. }
                | SignInRefusal::MustChangePassword
        )
    )
}

/// The site's root as the window reached it (its scheme, if the site moved the admin to https).
fn root_as_reached(root: &SiteRoot, url: &Url) -> SiteRoot {
    if url.scheme() == root.as_url().scheme() {
        return root.clone();
    }
    let mut moved = root.as_url().clone();
    if moved.set_scheme(url.scheme()).is_err() {
        return root.clone();
    }
    moodle_ws::normalize_site_url(moved.as_str()).unwrap_or_else(|_| root.clone())
}

/// The window's cookies for the site, made into an admin session (which checks that the
/// account is a site administrator).
async fn take_over<R: Runtime>(
    app: &AppHandle<R>,
    label: &str,
    http: reqwest::Client,
    root: SiteRoot,
) -> Result<AdminSession, AdminError> {
    let Some(window) = app.get_webview_window(label) else {
        return Err(AdminError::SignIn(SignInRefusal::NotSignedIn));
    };
    let url = root.endpoint("admin/search.php");
    // Blocks until the window's thread answers: off the async threads.
    let cookies = tokio::task::spawn_blocking(move || window.cookies_for_url(url))
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or_default();
    let jar = CookieJar::from_pairs(
        cookies
            .iter()
            .map(|c| (c.name().to_owned(), c.value().to_owned())),
    );
    AdminSession::from_cookies(http, root, jar).await
}

/// The window reached `url`: when it looks signed in, the session is taken over (one take-over
/// at a time; one more if the window moved on meanwhile and the first was too early).
fn noticed<R: Runtime>(
    app: &AppHandle<R>,
    wait: &Arc<SignInWait>,
    http: &reqwest::Client,
    root: &SiteRoot,
    url: &Url,
) {
    if wait.ended() || !looks_signed_in(root, url) {
        return;
    }
    if !wait.start_trying() {
        wait.seen_again.store(true, Ordering::SeqCst);
        return;
    }
    let (app, wait, http) = (app.clone(), wait.clone(), http.clone());
    let root = root_as_reached(root, url);
    tauri::async_runtime::spawn(async move {
        loop {
            wait.seen_again.store(false, Ordering::SeqCst);
            match take_over(&app, &wait.label, http.clone(), root.clone()).await {
                Ok(session) => {
                    if let Err(SignInEnd::SignedIn(extra)) =
                        wait.end(SignInEnd::SignedIn(Box::new(session)))
                    {
                        let _ = extra.sign_out().await;
                    }
                    break;
                }
                Err(e) if still_signing_in(&e) => {
                    if wait.ended() || !wait.seen_again.load(Ordering::SeqCst) {
                        break;
                    }
                }
                Err(e) => {
                    let _ = wait.end(SignInEnd::Refused(e));
                    break;
                }
            }
        }
        wait.trying.store(false, Ordering::SeqCst);
        if wait.ended() {
            if let Some(w) = app.get_webview_window(&wait.label) {
                let _ = w.close();
            }
        }
    });
}

/// Ends a sign-in window under way as cancelled, and closes every sign-in window.
pub fn cancel<R: Runtime>(app: &AppHandle<R>) {
    if let Some(wait) = app.state::<AppState>().sign_in_wait() {
        let _ = wait.end(SignInEnd::Cancelled);
    }
    for (label, window) in app.webview_windows() {
        if label.starts_with(LABEL_PREFIX) {
            let _ = window.close();
        }
    }
}

/// Opens Moodle's login page in the sign-in window and waits until the admin signed in there
/// (the session, checked to be a site administrator's), closed the window, or Moodle refused.
pub async fn sign_in<R: Runtime>(
    app: &AppHandle<R>,
    root: &SiteRoot,
    title: &str,
) -> AppResult<AdminSession> {
    cancel(app);
    let http = AdminSession::http_client().map_err(AdminError::from)?;
    let label = format!("{LABEL_PREFIX}{}", WINDOWS.fetch_add(1, Ordering::SeqCst));
    let (wait, ended) = SignInWait::new(label.clone());
    let wait = Arc::new(wait);
    let state = app.state::<AppState>();
    state.set_sign_in_wait(wait.clone());

    let login = root.endpoint("login/index.php");
    // A private (incognito) web context, so no session of an earlier sign-in is reused. Under
    // WebDriver (tauri-driver sets TAURI_WEBVIEW_AUTOMATION) WebKitGTK lets automation drive
    // only the webviews of its own context: there the window shares the app's context, and its
    // browsing data is cleared before the login page loads, which comes to the same. The E2E
    // sets PRIVATE_SIGN_IN_VAR to prove the private window too (on a page that signs in alone).
    let automation = std::env::var("TAURI_WEBVIEW_AUTOMATION").as_deref() == Ok("true")
        && std::env::var_os(PRIVATE_SIGN_IN_VAR).is_none();
    let first = if automation {
        "about:blank"
            .parse()
            .map_err(|_| AppError::Window("about:blank".into()))?
    } else {
        login.clone()
    };
    let (nav_app, nav_wait, nav_http, nav_root) =
        (app.clone(), wait.clone(), http.clone(), root.clone());
    let (load_app, load_wait, load_http, load_root) =
        (app.clone(), wait.clone(), http.clone(), root.clone());
    let built = WebviewWindowBuilder::new(app, &label, WebviewUrl::External(first))
        .title(title)
        .inner_size(960.0, 720.0)
        .min_inner_size(480.0, 480.0)
        .incognito(!automation)
        .focused(true)
        .on_navigation(move |url| {
            noticed(&nav_app, &nav_wait, &nav_http, &nav_root, url);
            true
        })
        .on_page_load(move |_window, payload| {
            if payload.event() == PageLoadEvent::Finished {
                noticed(&load_app, &load_wait, &load_http, &load_root, payload.url());
            }
        })
        .build();
    let window = match built {
        Ok(w) => w,
        Err(e) => {
            state.clear_sign_in_wait(&wait);
            return Err(AppError::Window(e.to_string()));
        }
    };
    if automation {
        let opened = window
            .clear_all_browsing_data()
            .and_then(|()| window.navigate(login));
        if let Err(e) = opened {
            state.clear_sign_in_wait(&wait);
            let _ = window.close();
            return Err(AppError::Window(e.to_string()));
        }
    }
    let on_close = wait.clone();
    window.on_window_event(move |event| {
        if matches!(event, WindowEvent::Destroyed) {
            let _ = on_close.end(SignInEnd::Cancelled);
        }
    });

    let end = ended.await.unwrap_or(SignInEnd::Cancelled);
    state.clear_sign_in_wait(&wait);
    if let Some(w) = app.get_webview_window(&label) {
        let _ = w.close();
    }
    if let Some(main) = app.get_webview_window("main") {
        let _ = main.set_focus();
    }
    match end {
        SignInEnd::SignedIn(session) => Ok(*session),
        SignInEnd::Refused(e) => Err(AppError::Admin(e)),
        SignInEnd::Cancelled => Err(AppError::SignInCancelled),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(s: &str) -> SiteRoot {
        moodle_ws::normalize_site_url(s).unwrap()
    }

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn the_sign_in_is_noticed_past_the_login_pages_only() {
        let r = root("https://school.org/moodle");
        let yes = [
            "https://school.org/moodle/login/index.php?testsession=2",
            "https://school.org/moodle/my/",
            "https://school.org/moodle/",
            "https://school.org/moodle/admin/search.php",
            // The site sent the admin from http to https: the same site.
            "http://school.org/moodle/my/",
        ];
        let no = [
            "https://school.org/moodle/login/index.php",
            "https://school.org/moodle/login/index.php?loginredirect=1",
            "https://school.org/moodle/login/logout.php?sesskey=x",
            "https://school.org/moodle/login/change_password.php",
            "https://school.org/moodle/admin/tool/mfa/auth.php",
            "https://school.org/moodle/auth/saml2/login.php",
            "https://idp.school.org/sso/login?return=https://school.org/moodle/my/",
            "https://school.org/other/my/",
            "https://evil.org/moodle/my/",
        ];
        for u in yes {
            assert!(looks_signed_in(&r, &url(u)), "{u}");
        }
        for u in no {
            assert!(!looks_signed_in(&r, &url(u)), "{u}");
        }
    }

    #[test]
    fn a_site_reached_over_https_is_taken_over_there() {
        let r = root("http://127.0.0.1:8080");
        assert_eq!(
            root_as_reached(&r, &url("http://127.0.0.1:8080/my/")).to_string(),
            "http://127.0.0.1:8080"
        );
        let s = root("http://school.org/moodle");
        assert_eq!(
            root_as_reached(&s, &url("https://school.org/moodle/my/")).to_string(),
            "https://school.org/moodle"
        );
    }

    #[test]
    fn only_an_unfinished_sign_in_keeps_the_window_waiting() {
        assert!(still_signing_in(&AdminError::SignIn(
            SignInRefusal::NotSignedIn
        )));
        assert!(still_signing_in(&AdminError::SignIn(
            SignInRefusal::NeedsBrowser {
                why: "the site asks for a second factor".into()
            }
        )));
        assert!(!still_signing_in(&AdminError::SignIn(
            SignInRefusal::NotAdministrator
        )));
        assert!(!still_signing_in(&AdminError::UpgradePending));
    }
}
