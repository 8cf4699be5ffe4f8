// Owns: the probes that need no token — the auth_userkey login page, the simpleserver
// web-service-authentication probe — and the no-redirect follow of an SSO login URL.
// Must not: follow redirects, keep cookies, or print the login URL's key.

use rand::Rng;
use serde::Serialize;
use serde_json::Value;
use url::Url;

use crate::{client::MoodleClient, error::WsError, text::excerpt};

pub const USERKEY_LOGIN_ENDPOINT: &str = "auth/userkey/login.php";
pub const LOGIN_PAGE_ENDPOINT: &str = "login/index.php";
pub const DASHBOARD_ENDPOINT: &str = "my/";
pub const SIMPLESERVER_ENDPOINT: &str = "webservice/rest/simpleserver.php";

/// What `auth/userkey/login.php?key=<nonsense>` says about the auth_userkey plugin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum UserkeyLoginPage {
    /// A Moodle error page saying "Incorrect key": installed and enabled.
    Enabled { status: u16 },
    /// "The userkey authentication plugin is disabled.": installed, not enabled.
    Disabled { status: u16 },
    /// A plain 404 with no Moodle error page: the plugin's files are not there.
    NotInstalled { status: u16 },
    /// Anything else (a login wall, a proxy page, a server error).
    Unexpected { status: u16, excerpt: String },
}

/// A `MoodleSession` cookie value: a live admin session. Never printed or serialised.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionCookie(String);

impl SessionCookie {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SessionCookie {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionCookie(***)")
    }
}

/// The result of following a one-time login URL without following its redirect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoginFollow {
    pub status: u16,
    pub location: Option<String>,
    pub sets_moodle_session: bool,
    /// The session the login opened, to look at the page it lands on (never serialised).
    #[serde(skip)]
    pub session: Option<SessionCookie>,
    pub body_excerpt: String,
    /// auth_userkey's reason for refusing the key, when its error page gives one: "Expired
    /// key", "Incorrect key" or "The userkey authentication plugin is disabled."
    pub refusal: Option<String>,
}

/// A page fetched without following its redirect: where it sends the browser, and who said so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageAnswer {
    pub status: u16,
    pub location: Option<String>,
    /// `X-Redirect-By: Moodle`: Moodle itself redirected.
    pub by_moodle: bool,
    pub title: Option<String>,
}

impl MoodleClient {
    /// Moodle's login page, not followed: a site reached at an address that is not its
    /// `wwwroot` answers with a redirect to the login page at its `wwwroot`.
    pub async fn login_page(&self) -> Result<PageAnswer, WsError> {
        let answer = self
            .send(self.http.get(self.root.endpoint(LOGIN_PAGE_ENDPOINT)))
            .await?;
        Ok(PageAnswer::of(&answer))
    }

    pub async fn userkey_login_page(&self) -> Result<UserkeyLoginPage, WsError> {
        let mut url = self.root.endpoint(USERKEY_LOGIN_ENDPOINT);
        url.query_pairs_mut()
            .append_pair("key", "sismoodlesetupprobe");
        let answer = self.send(self.http.get(url)).await?;
        Ok(classify_userkey_login_page(
            answer.status,
            &String::from_utf8_lossy(&answer.body),
        ))
    }

    /// Calls simpleserver.php with a random user name: `wrongusernamepassword` means the
    /// "Web services authentication" plugin is enabled, `accessexception` that it is not.
    /// Moodle logs one failed login for it.
    pub async fn simpleserver_probe(&self) -> Result<Value, WsError> {
        let suffix: u32 = rand::thread_rng().gen();
        let mut url = self.root.endpoint(SIMPLESERVER_ENDPOINT);
        url.query_pairs_mut()
            .append_pair(
                "wsusername",
                &format!("sis-moodle-setup-probe-{suffix:08x}"),
            )
            .append_pair("wspassword", "x")
            .append_pair("wsfunction", "core_webservice_get_site_info")
            .append_pair("moodlewsrestformat", "json");
        self.send(self.http.get(url)).await?.decode()
    }

    /// Opens a login URL the way a browser's first request would, without cookies and without
    /// following the redirect: a working SSO answers 303 with a MoodleSession cookie.
    pub async fn follow_login_url(&self, login_url: &str) -> Result<LoginFollow, WsError> {
        let url = Url::parse(login_url).map_err(|e| WsError::Protocol {
            reason: format!("the login URL Moodle returned is not a URL ({e})"),
            body_excerpt: String::new(),
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(WsError::Protocol {
                reason: "the login URL Moodle returned is not an http(s) address".into(),
                body_excerpt: String::new(),
            });
        }
        let answer = self.send(self.http.get(url)).await?;
        let body = String::from_utf8_lossy(&answer.body);
        let session = answer.set_cookie.iter().find_map(|c| {
            let value = c.trim_start().strip_prefix("MoodleSession=")?;
            let value = value.split(';').next().unwrap_or_default().trim();
            (!value.is_empty() && value != "deleted").then(|| SessionCookie(value.to_owned()))
        });
        Ok(LoginFollow {
            status: answer.status,
            location: answer.location,
            sets_moodle_session: session.is_some(),
            session,
            body_excerpt: excerpt(&body),
            refusal: key_refusal(&body),
        })
    }

    /// The dashboard (`/my/`) with a session, without following a redirect: where Moodle
    /// sends a user who just signed in (a forced password change, an incomplete profile, the
    /// site policy).
    pub async fn dashboard(&self, session: &SessionCookie) -> Result<PageAnswer, WsError> {
        let request = self
            .http
            .get(self.root.endpoint(DASHBOARD_ENDPOINT))
            .header(
                reqwest::header::COOKIE,
                format!("MoodleSession={}", session.expose()),
            );
        let answer = self.send(request).await?;
        Ok(PageAnswer::of(&answer))
    }
}

impl PageAnswer {
    fn of(answer: &crate::client::RawAnswer) -> Self {
        Self {
            status: answer.status,
            location: answer.location.clone(),
            by_moodle: matches!(
                answer.redirect(),
                Some(WsError::Redirect {
                    by_moodle: true,
                    ..
                })
            ),
            title: crate::text::html_title(&String::from_utf8_lossy(&answer.body)),
        }
    }
}

/// The reason auth_userkey's error page gives for refusing a key, in its own words.
pub fn key_refusal(body: &str) -> Option<String> {
    let lower = body.to_ascii_lowercase();
    [
        ("expired key", "Expired key"),
        ("incorrect key", "Incorrect key"),
        (
            "userkey authentication plugin is disabled",
            "The userkey authentication plugin is disabled.",
        ),
    ]
    .into_iter()
    .find(|(needle, _)| lower.contains(needle))
    .map(|(_, words)| words.to_owned())
}

pub fn classify_userkey_login_page(status: u16, body: &str) -> UserkeyLoginPage {
    let lower = body.to_ascii_lowercase();
    if lower.contains("userkey authentication plugin is disabled") {
        UserkeyLoginPage::Disabled { status }
    } else if lower.contains("incorrect key") {
        UserkeyLoginPage::Enabled { status }
    } else if status == 404 {
        UserkeyLoginPage::NotInstalled { status }
    } else {
        UserkeyLoginPage::Unexpected {
            status,
            excerpt: excerpt(body),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_page_classification() {
        assert_eq!(
            classify_userkey_login_page(404, "<html>... Incorrect key ...</html>"),
            UserkeyLoginPage::Enabled { status: 404 }
        );
        assert_eq!(
            classify_userkey_login_page(
                500,
                "<p>The userkey authentication plugin is disabled.</p>"
            ),
            UserkeyLoginPage::Disabled { status: 500 }
        );
        assert_eq!(
            classify_userkey_login_page(404, "<h1>Not Found</h1>"),
            UserkeyLoginPage::NotInstalled { status: 404 }
        );
        assert!(matches!(
            classify_userkey_login_page(200, "<title>Log in</title>"),
            UserkeyLoginPage::Unexpected { status: 200, .. }
        ));
    }
}
