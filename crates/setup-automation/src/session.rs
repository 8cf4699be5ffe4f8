// Owns: one signed-in session of a Moodle site administrator — the sign-in (a password, or the
// cookies of a sign-in done in the app's window), the session key, every page asked through it,
// and the sign-out. Must not: keep the password after the sign-in, follow a redirect off the
// site, or print a cookie or the session key.

use std::fmt;

use moodle_ws::{build_http_client, HttpConfig, SiteRoot, WsError};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};

use crate::cookies::CookieJar;
use crate::error::{AdminError, SignInRefusal};
use crate::page::Page;
use crate::password::Password;

/// A signed-in administrator's session on one Moodle site.
pub struct AdminSession {
    http: reqwest::Client,
    root: SiteRoot,
    jar: CookieJar,
    sesskey: String,
    max_body: usize,
    requests: u32,
}

impl fmt::Debug for AdminSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdminSession")
            .field("root", &self.root)
            .field("cookies", &self.jar)
            .field("sesskey", &"***")
            .field("requests", &self.requests)
            .finish()
    }
}

const MAX_HOPS: usize = 5;

impl AdminSession {
    fn blank(http: reqwest::Client, root: SiteRoot, jar: CookieJar) -> Self {
        Self {
            http,
            root,
            jar,
            sesskey: String::new(),
            max_body: HttpConfig::default().max_body_bytes,
            requests: 0,
        }
    }

    /// A client for admin pages: a plugin upgrade can take a while, so a longer time limit.
    pub fn http_client() -> Result<reqwest::Client, WsError> {
        build_http_client(&HttpConfig {
            request_timeout: std::time::Duration::from_secs(300),
            ..HttpConfig::default()
        })
    }

    /// Signs in with Moodle's login form. The password is sent once, in the form's body, and
    /// not kept.
    pub async fn sign_in(
        http: reqwest::Client,
        root: SiteRoot,
        username: &str,
        password: &Password,
    ) -> Result<Self, AdminError> {
        let mut s = Self::blank(http, root, CookieJar::default());
        let login = s.get_following("login/index.php").await?;
        if !login.has_input("password") || !login.has_input("username") {
            return Err(AdminError::SignIn(SignInRefusal::NeedsBrowser {
                why: "the site's login page has no user name and password form".into(),
            }));
        }
        let mut fields = vec![
            ("anchor".to_string(), String::new()),
            ("username".to_string(), username.to_string()),
            ("password".to_string(), password.expose().to_string()),
        ];
        if let Some(token) = login.input_value("logintoken") {
            fields.push(("logintoken".into(), token));
        }
        let answer = s.post("login/index.php", &fields).await?;
        drop(fields);
        // Signed in, Moodle sends the browser to its session test, then to the dashboard: the
        // test is enough (the dashboard is the heaviest page of all and proves nothing more).
        let landed = match answer.is_redirect() {
            true if answer
                .location
                .as_deref()
                .is_some_and(|l| l.contains("testsession=")) =>
            {
                let next = s.relative_location(&answer)?;
                s.get(&next).await?
            }
            true => s.follow(answer).await?,
            false => answer,
        };
        if let Some(message) = landed.login_error() {
            return Err(AdminError::SignIn(SignInRefusal::Refused { message }));
        }
        if landed.has_input("password") && landed.asked.starts_with("login/index.php") {
            return Err(AdminError::SignIn(SignInRefusal::Refused {
                message: "the login page came back".into(),
            }));
        }
        if let Err(e) = s.confirm_administrator().await {
            s.end_refused_session().await;
            return Err(e);
        }
        Ok(s)
    }

    /// A sign-in that went through but cannot be used (not an administrator, …): its session
    /// is ended at once with Moodle's sign-out, when a page gave its session key.
    async fn end_refused_session(&mut self) {
        if !self.sesskey.is_empty() {
            let key = std::mem::take(&mut self.sesskey);
            let _ = self.get(&format!("login/logout.php?sesskey={key}")).await;
        }
        self.jar.clear();
    }

    /// Takes over the session of a sign-in done in the app's window (its cookies).
    pub async fn from_cookies(
        http: reqwest::Client,
        root: SiteRoot,
        jar: CookieJar,
    ) -> Result<Self, AdminError> {
        if !jar.has_session() {
            return Err(AdminError::SignIn(SignInRefusal::NotSignedIn));
        }
        let mut s = Self::blank(http, root, jar);
        if let Err(e) = s.confirm_administrator().await {
            s.end_refused_session().await;
            return Err(e);
        }
        Ok(s)
    }

    /// The administration search page answers only a site administrator; it also carries the
    /// session key. Where Moodle sends the account instead says why it cannot go on.
    async fn confirm_administrator(&mut self) -> Result<(), AdminError> {
        let page = match self.get_following("admin/search.php").await {
            Ok(page) => page,
            Err(AdminError::SessionEnded { .. }) => {
                return Err(AdminError::SignIn(SignInRefusal::NotSignedIn))
            }
            Err(e) => return Err(e),
        };
        let at = page.asked.as_str();
        if at.starts_with("login/change_password.php") {
            return Err(AdminError::SignIn(SignInRefusal::MustChangePassword));
        }
        if at.starts_with("admin/tool/mfa") {
            return Err(AdminError::SignIn(SignInRefusal::NeedsBrowser {
                why: "the site asks for a second factor".into(),
            }));
        }
        if at.starts_with("user/policy.php") || at.starts_with("admin/tool/policy") {
            return Err(AdminError::SignIn(SignInRefusal::NeedsBrowser {
                why: "the account has a site policy to agree to".into(),
            }));
        }
        if at.starts_with("user/edit.php") || at.starts_with("user/editadvanced.php") {
            return Err(AdminError::SignIn(SignInRefusal::NeedsBrowser {
                why: "Moodle asks the account to complete its profile first".into(),
            }));
        }
        let Some(key) = page.sesskey() else {
            return Err(AdminError::unexpected(&page, "a signed-in admin page"));
        };
        self.sesskey = key;
        if at.starts_with("admin/search.php") && page.form("search.php").is_some() {
            return Ok(());
        }
        if at.starts_with("admin/index.php") {
            // Only an administrator is sent there: to a pending upgrade.
            return Err(AdminError::UpgradePending);
        }
        Err(AdminError::SignIn(SignInRefusal::NotAdministrator))
    }

    pub fn root(&self) -> &SiteRoot {
        &self.root
    }

    /// The session key every change must carry.
    pub fn sesskey(&self) -> &str {
        &self.sesskey
    }

    /// Requests sent through this session so far.
    pub fn requests(&self) -> u32 {
        self.requests
    }

    /// A page of the site, relative to its root (`admin/settings.php?section=…`). A redirect is
    /// returned as it is.
    pub async fn get(&mut self, relative: &str) -> Result<Page, AdminError> {
        self.send(relative, None).await
    }

    /// A form posted to a page of the site, with its fields in order.
    pub async fn post(
        &mut self,
        relative: &str,
        fields: &[(String, String)],
    ) -> Result<Page, AdminError> {
        self.send(relative, Some(fields)).await
    }

    /// A page, following Moodle's redirects inside the site.
    pub async fn get_following(&mut self, relative: &str) -> Result<Page, AdminError> {
        let page = self.get(relative).await?;
        self.follow(page).await
    }

    /// Follows a page's redirects inside the site (at most a few), as a browser would.
    pub async fn follow(&mut self, mut page: Page) -> Result<Page, AdminError> {
        for _ in 0..MAX_HOPS {
            if !page.is_redirect() {
                return Ok(page);
            }
            let next = self.relative_location(&page)?;
            page = self.get(&next).await?;
        }
        Err(AdminError::unexpected(
            &page,
            "a page after a few redirects",
        ))
    }

    /// The `Location` of a redirect as an address relative to the site's root; a redirect off
    /// the site is an error.
    pub fn relative_location(&self, page: &Page) -> Result<String, AdminError> {
        let location = page.location.clone().unwrap_or_default();
        let base = self.root.as_url();
        let target = base
            .join(&location)
            .map_err(|_| AdminError::OffSiteRedirect {
                asked: page.asked.clone(),
                location: location.clone(),
            })?;
        let root = base.as_str();
        target
            .as_str()
            .strip_prefix(root)
            .map(str::to_string)
            .ok_or(AdminError::OffSiteRedirect {
                asked: page.asked.clone(),
                location: moodle_ws::error::shown_location(&location),
            })
    }

    /// A form with one file posted as `multipart/form-data` (what the file picker's upload
    /// sends): the fields in order, then the file. A redirect is returned as it is.
    pub async fn post_multipart(
        &mut self,
        relative: &str,
        fields: &[(String, String)],
        file_field: &str,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<Page, AdminError> {
        let mime = if file_name.to_ascii_lowercase().ends_with(".zip") {
            "application/zip"
        } else {
            "application/octet-stream"
        };
        let file = reqwest::multipart::Part::bytes(bytes.to_vec())
            .file_name(file_name.to_string())
            .mime_str(mime)
            .map_err(|e| WsError::from_reqwest(&e))?;
        let form = fields
            .iter()
            .fold(reqwest::multipart::Form::new(), |f, (n, v)| {
                f.text(n.clone(), v.clone())
            })
            .part(file_field.to_string(), file);
        let request = self.http.post(self.root.endpoint(relative)).multipart(form);
        self.exchange(relative, request).await
    }

    /// A link or form action found on the page `asked`, as an address relative to the site's
    /// root (`service_functions.php` on `admin/webservice/x.php` is `admin/webservice/…`; an
    /// empty action is the page itself, as a browser reads it).
    pub fn resolve(&self, asked: &str, href: &str) -> Result<String, AdminError> {
        let base = self.root.endpoint(asked);
        let href = href.replace("&amp;", "&");
        let target = base.join(&href).map_err(|_| AdminError::OffSiteRedirect {
            asked: asked.into(),
            location: href.clone(),
        })?;
        target
            .as_str()
            .strip_prefix(self.root.as_url().as_str())
            .map(str::to_string)
            .ok_or(AdminError::OffSiteRedirect {
                asked: asked.into(),
                location: moodle_ws::error::shown_location(&href),
            })
    }

    async fn send(
        &mut self,
        relative: &str,
        form: Option<&[(String, String)]>,
    ) -> Result<Page, AdminError> {
        let url = self.root.endpoint(relative);
        let request = match form {
            Some(fields) => {
                let body = serde_urlencoded::to_string(fields).map_err(|e| {
                    AdminError::Http(WsError::Protocol {
                        reason: format!("a form could not be encoded: {e}"),
                        body_excerpt: String::new(),
                    })
                })?;
                self.http
                    .post(url)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .body(body)
            }
            None => self.http.get(url),
        };
        self.exchange(relative, request).await
    }

    /// Sends one request with the session's cookies, keeps the cookies Moodle sets, and reads
    /// the answer (bounded). Sent back to the login page once signed in: the session ended.
    async fn exchange(
        &mut self,
        relative: &str,
        mut request: reqwest::RequestBuilder,
    ) -> Result<Page, AdminError> {
        if let Some(cookie) = self.jar.header() {
            request = request.header(COOKIE, cookie);
        }
        self.requests += 1;
        let response = request
            .send()
            .await
            .map_err(|e| WsError::from_reqwest(&e))?;
        for value in response.headers().get_all(SET_COOKIE) {
            if let Ok(v) = value.to_str() {
                self.jar.absorb(v);
            }
        }
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = moodle_ws::http::read_bounded(response, self.max_body).await?;
        let page = Page {
            asked: relative.trim_start_matches('/').to_string(),
            status,
            location,
            body: String::from_utf8_lossy(&body).into_owned(),
        };
        let signed_in = !self.sesskey.is_empty();
        if signed_in
            && page.is_redirect()
            && !page.asked.starts_with("login/")
            && self
                .relative_location(&page)
                .is_ok_and(|next| next.starts_with("login/index.php"))
        {
            return Err(AdminError::SessionEnded {
                asked: page.asked.split('?').next().unwrap_or_default().into(),
            });
        }
        Ok(page)
    }

    /// Ends the session with Moodle's own sign-out, so no session stays open on the site.
    pub async fn sign_out(mut self) -> Result<(), AdminError> {
        if self.sesskey.is_empty() {
            return Ok(());
        }
        let key = self.sesskey.clone();
        let result = self.get(&format!("login/logout.php?sesskey={key}")).await;
        self.jar.clear();
        result.map(|_| ())
    }
}
