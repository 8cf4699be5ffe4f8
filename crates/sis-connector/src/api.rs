// Owns: the openSIS .NET API client — sign-in with the encrypted password, JWT renewal, reading
// and saving the LMS settings, and turning every `_failure` into a clear error. Must not: keep the
// password beyond one call, follow redirects, or put a secret anywhere but a POST body.

use std::time::{Duration, Instant};

use moodle_ws::text::html_title;
use moodle_ws::WsToken;
use serde_json::{Map, Value};
use url::Url;

use crate::config::{FailureMessages, OpenSisApiConfig};
use crate::crypto::encrypt_password;
use crate::error::{redact, PreviousState, SisError};
use crate::{LmsSettings, SaveReport, ValidatedConnection};
use secrets::Secret;

/// Largest answer read from openSIS; a settings answer is a few hundred bytes.
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A signed-in session. Lives for one operation; `Debug` shows no secret.
pub struct Session<'p> {
    jwt: Secret,
    user_name: String,
    role: Option<String>,
    since: Instant,
    /// Kept only for this operation, to sign in again when the JWT cannot be renewed.
    password: &'p Secret,
    renewals: u32,
    log: Vec<String>,
}

impl std::fmt::Debug for Session<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("jwt", &"***")
            .field("user_name", &self.user_name)
            .field("role", &self.role)
            .field("renewals", &self.renewals)
            .finish()
    }
}

impl Session<'_> {
    /// How often the JWT was renewed (refresh or a new sign-in).
    pub fn renewals(&self) -> u32 {
        self.renewals
    }

    /// What was done, one line per step, without any secret.
    pub fn log(&self) -> &[String] {
        &self.log
    }

    /// The role openSIS reported at sign-in, e.g. "Super Administrator".
    pub fn role(&self) -> Option<&str> {
        self.role.as_deref()
    }
}

/// One answer of the API, after HTTP-level checks.
enum Reply {
    Ok(Map<String, Value>),
    /// `_failure: true` with this (redacted) message.
    Failure(String),
    /// HTTP 401: the JWT was refused.
    Unauthorized,
}

/// The openSIS API of one tenant.
#[derive(Debug, Clone)]
pub struct OpenSisApi {
    http: reqwest::Client,
    config: OpenSisApiConfig,
    /// `{api_url}/{tenant}/`.
    base: Url,
}

impl OpenSisApi {
    /// Checks the configuration; takes the caller's HTTP client (redirects must be off).
    pub fn new(http: reqwest::Client, config: OpenSisApiConfig) -> Result<Self, SisError> {
        let api = config.check()?;
        let mut base = api.clone();
        base.path_segments_mut()
            .map_err(|()| SisError::ConfigInvalid {
                reason: "api_url cannot have a path below it".into(),
            })?
            .pop_if_empty()
            .push(config.tenant.trim())
            .push("");
        Ok(Self { http, config, base })
    }

    pub fn config(&self) -> &OpenSisApiConfig {
        &self.config
    }

    /// The full address of a route, e.g. `https://api.school.org/api/tenant/User/ValidateLogin`.
    pub fn endpoint(&self, path: &str) -> Url {
        self.base
            .join(path.trim().trim_start_matches('/'))
            .unwrap_or_else(|_| self.base.clone())
    }

    fn email(&self) -> String {
        self.config.admin_email.trim().to_owned()
    }

    /// Signs in as the configured administrator; refuses anyone but the Super Administrator.
    pub async fn sign_in<'p>(&self, password: &'p Secret) -> Result<Session<'p>, SisError> {
        let (jwt, user_name, role) = self.login(password).await?;
        let mut log = vec![format!(
            "signed in to openSIS as {}{}",
            self.email(),
            role.as_ref().map(|r| format!(" ({r})")).unwrap_or_default()
        )];
        if role.is_none() {
            log.push(format!(
                "openSIS did not say the role of {}; the settings call will show whether it is the Super Administrator",
                self.email()
            ));
        }
        Ok(Session {
            jwt,
            user_name,
            role,
            since: Instant::now(),
            password,
            renewals: 0,
            log,
        })
    }

    async fn login(&self, password: &Secret) -> Result<(Secret, String, Option<String>), SisError> {
        let c = &self.config;
        let encrypted = encrypt_password(password, &c.password_crypto)?;
        let mut body = Map::new();
        body.insert(c.login_email_field.clone(), Value::from(self.email()));
        body.insert(
            c.login_password_field.clone(),
            Value::from(encrypted.expose()),
        );
        if let Some(id) = c.tenant_id.as_deref().filter(|s| !s.trim().is_empty()) {
            body.insert(c.login_tenant_id_field.clone(), Value::from(id.trim()));
        }
        body.insert(c.tenant_name_field.clone(), Value::from(c.tenant.trim()));
        let secrets = [password.expose(), encrypted.expose()];
        let reply = self
            .post(&c.login_path, "the sign-in", "login_path", body, &secrets)
            .await?;
        let obj = match reply {
            Reply::Ok(obj) => obj,
            Reply::Unauthorized => {
                return Err(SisError::LoginRefused {
                    email: self.email(),
                    message: "HTTP 401".into(),
                })
            }
            Reply::Failure(message) => {
                let m = &c.messages;
                return Err(if FailureMessages::matches(&m.account_locked, &message) {
                    SisError::AccountLocked {
                        email: self.email(),
                        message,
                    }
                } else if FailureMessages::matches(&m.wrong_password, &message) {
                    SisError::WrongPassword {
                        email: self.email(),
                        message,
                    }
                } else {
                    SisError::LoginRefused {
                        email: self.email(),
                        message,
                    }
                });
            }
        };
        self.read_login(&obj, &secrets)
    }

    /// The JWT, the user's name and role from a successful sign-in's answer.
    fn read_login(
        &self,
        obj: &Map<String, Value>,
        secrets: &[&str],
    ) -> Result<(Secret, String, Option<String>), SisError> {
        let c = &self.config;
        let jwt = text_field(obj, &c.token_field).ok_or(SisError::Protocol {
            what: "the sign-in",
            reason: format!("the answer has no `{}`", c.token_field),
        })?;
        let role = text_field(obj, &c.login_role_field);
        if let Some(role) = &role {
            if !role.trim().eq_ignore_ascii_case(c.super_admin_role.trim()) {
                return Err(SisError::NotSuperAdmin {
                    email: self.email(),
                    role: redact(role, secrets),
                });
            }
        }
        let user_name = text_field(obj, &c.login_name_field).unwrap_or_else(|| self.email());
        Ok((Secret::new(jwt), user_name, role))
    }

    /// Every decoder of openSIS's answers on one answer, as the fuzz target calls them: the
    /// classification, then the sign-in's fields and the LMS settings from a success. Returns
    /// the errors' texts (which must carry no secret).
    #[doc(hidden)]
    pub fn decode_for_fuzzing(&self, status: u16, content_type: &str, body: &[u8]) -> Vec<String> {
        let secret = "fuzz-secret-password";
        let mut said = Vec::new();
        match self.classify(
            status,
            content_type,
            body,
            "the sign-in",
            "login_path",
            "https://sis.example/api/",
            &[secret],
        ) {
            Ok(Reply::Ok(obj)) => {
                if let Err(e) = self.read_login(&obj, &[secret]) {
                    said.push(e.to_string());
                }
                match self.parse_settings(&obj) {
                    Ok(settings) => said.push(format!("{:?}", settings.sync_enabled)),
                    Err(e) => said.push(e.to_string()),
                }
            }
            Ok(Reply::Failure(message)) => said.push(message),
            Ok(Reply::Unauthorized) => {}
            Err(e) => said.push(e.to_string()),
        }
        said
    }

    /// Renews the JWT: `RefreshToken` first, a new sign-in when openSIS will not refresh it
    /// (openSIS.Net refuses to refresh a JWT that has already expired).
    async fn renew(&self, s: &mut Session<'_>, why: &str) -> Result<(), SisError> {
        let c = &self.config;
        let mut body = Map::new();
        self.add_session_fields(&mut body, s);
        let secrets = [s.jwt.expose(), s.password.expose()];
        let refreshed = match self
            .post(
                &c.refresh_path,
                "the token renewal",
                "refresh_path",
                body,
                &secrets,
            )
            .await
        {
            Ok(Reply::Ok(obj)) => text_field(&obj, &c.token_field),
            _ => None,
        };
        s.renewals += 1;
        s.since = Instant::now();
        match refreshed {
            Some(jwt) => {
                s.jwt = Secret::new(jwt);
                s.log.push(format!("sign-in renewed ({why})"));
            }
            None => {
                let (jwt, user_name, role) = self.login(s.password).await?;
                s.jwt = jwt;
                s.user_name = user_name;
                s.role = role.or(s.role.take());
                s.log.push(format!(
                    "signed in again ({why}; openSIS would not renew the sign-in)"
                ));
            }
        }
        Ok(())
    }

    fn add_session_fields(&self, body: &mut Map<String, Value>, s: &Session<'_>) {
        let c = &self.config;
        body.insert(c.tenant_name_field.clone(), Value::from(c.tenant.trim()));
        body.insert(c.user_name_field.clone(), Value::from(s.user_name.clone()));
        body.insert(c.token_field.clone(), Value::from(s.jwt.expose()));
    }

    fn needs_proactive_renewal(&self, s: &Session<'_>) -> bool {
        let c = &self.config;
        let renew_after = c.token_lifetime_secs.saturating_sub(c.refresh_margin_secs);
        s.since.elapsed() >= Duration::from_secs(renew_after)
    }

    /// A signed-in call: renews the JWT before it expires, and once more when openSIS says it
    /// expired; any other `_failure` becomes an error naming `action`.
    async fn call(
        &self,
        s: &mut Session<'_>,
        path: &str,
        action: &'static str,
        setting: &'static str,
        fields: &Map<String, Value>,
        extra_secrets: &[&str],
    ) -> Result<Map<String, Value>, SisError> {
        if self.needs_proactive_renewal(s) {
            self.renew(s, "it was about to expire").await?;
        }
        let mut renewed_after_refusal = false;
        loop {
            let mut body = fields.clone();
            self.add_session_fields(&mut body, s);
            let mut secrets = vec![s.jwt.expose(), s.password.expose()];
            secrets.extend_from_slice(extra_secrets);
            let reply = self.post(path, action, setting, body, &secrets).await?;
            let expired_message = match reply {
                Reply::Ok(obj) => return Ok(obj),
                Reply::Unauthorized => "HTTP 401".to_owned(),
                Reply::Failure(message)
                    if FailureMessages::matches(&self.config.messages.token_expired, &message) =>
                {
                    message
                }
                Reply::Failure(message)
                    if FailureMessages::matches(
                        &self.config.messages.permission_denied,
                        &message,
                    ) =>
                {
                    return Err(SisError::NotSuperAdmin {
                        email: self.email(),
                        role: s
                            .role
                            .clone()
                            .unwrap_or_else(|| format!("user without that right: {message}")),
                    })
                }
                Reply::Failure(message) => return Err(SisError::Refused { action, message }),
            };
            if renewed_after_refusal {
                return Err(SisError::TokenExpired {
                    message: expired_message,
                });
            }
            renewed_after_refusal = true;
            self.renew(s, "openSIS said it expired").await?;
        }
    }

    /// Reads the LMS settings the SIS holds now.
    pub async fn read_settings(&self, s: &mut Session<'_>) -> Result<LmsSettings, SisError> {
        let c = &self.config;
        let fields = self.wrap(Map::new());
        let obj = self
            .call(
                s,
                &c.settings_read_path,
                "read the LMS settings",
                "settings_read_path",
                &fields,
                &[],
            )
            .await?;
        let settings = self.parse_settings(&obj)?;
        s.log.push("read the LMS settings".into());
        Ok(settings)
    }

    /// Writes the LMS settings (after [`validate`](crate::validate) passed).
    pub async fn write_settings(
        &self,
        s: &mut Session<'_>,
        connection: &ValidatedConnection,
    ) -> Result<(), SisError> {
        let c = &self.config;
        let mut inner = Map::new();
        inner.insert(
            c.moodle_url_field.clone(),
            Value::from(connection.root.to_string()),
        );
        inner.insert(
            c.opensis_token_field.clone(),
            Value::from(connection.opensis_token.expose()),
        );
        inner.insert(
            c.userkey_token_field.clone(),
            Value::from(connection.userkey_token.expose()),
        );
        inner.insert(c.sync_field.clone(), Value::from(connection.enable_sync));
        let fields = self.wrap(inner);
        self.call(
            s,
            &c.settings_save_path,
            "save the LMS settings",
            "settings_save_path",
            &fields,
            &[
                connection.opensis_token.expose(),
                connection.userkey_token.expose(),
            ],
        )
        .await?;
        s.log.push("saved the LMS settings".into());
        Ok(())
    }

    /// Signs in and reads the settings.
    pub async fn show(&self, password: &Secret) -> Result<LmsSettings, SisError> {
        let mut s = self.sign_in(password).await?;
        self.read_settings(&mut s).await
    }

    /// Signs in, reads the current settings, writes the new ones and reads them back. When the
    /// write fails, reads again to tell whether the previous settings are unchanged.
    pub async fn save(
        &self,
        password: &Secret,
        connection: &ValidatedConnection,
    ) -> Result<SaveReport, SisError> {
        let mut s = self.sign_in(password).await?;
        let before = self.read_settings(&mut s).await?;
        if let Err(cause) = self.write_settings(&mut s, connection).await {
            let previous = match self.read_settings(&mut s).await {
                Ok(now) => {
                    let changed = before.differences(&now, true);
                    if changed.is_empty() {
                        PreviousState::Unchanged
                    } else {
                        PreviousState::Changed(changed)
                    }
                }
                Err(e) => PreviousState::Unknown(e.to_string()),
            };
            return Err(SisError::SaveFailed {
                cause: Box::new(cause),
                previous,
            });
        }
        let after = self
            .read_settings(&mut s)
            .await
            .map_err(|e| SisError::ReadBackFailed { cause: Box::new(e) })?;
        let fields = connection
            .as_settings()
            .differences(&after, self.config.compare_tokens_on_read_back);
        if !fields.is_empty() {
            return Err(SisError::ReadBackMismatch { fields });
        }
        s.log
            .push("the read-back matches what was saved".to_owned());
        Ok(SaveReport {
            before: before.view(),
            after: after.view(),
            preview: None,
            renewals: s.renewals,
            warnings: connection.warnings.clone(),
            log: s.log.clone(),
        })
    }

    /// Puts the fields inside `settings_object` (when configured) with the extra fields.
    fn wrap(&self, mut inner: Map<String, Value>) -> Map<String, Value> {
        for (k, v) in &self.config.extra_settings_fields {
            inner.entry(k.clone()).or_insert_with(|| v.clone());
        }
        let object = self.config.settings_object.trim();
        if object.is_empty() {
            inner
        } else {
            let mut outer = Map::new();
            outer.insert(object.to_owned(), Value::Object(inner));
            outer
        }
    }

    fn parse_settings(&self, obj: &Map<String, Value>) -> Result<LmsSettings, SisError> {
        let c = &self.config;
        let object = c.settings_object.trim();
        let inner = if object.is_empty() {
            Some(obj)
        } else {
            match obj.get(object) {
                Some(Value::Object(inner)) => Some(inner),
                None | Some(Value::Null) => None,
                Some(_) => {
                    return Err(SisError::Protocol {
                        what: "reading the LMS settings",
                        reason: format!("`{object}` is not an object"),
                    })
                }
            }
        };
        let Some(inner) = inner else {
            return Ok(LmsSettings::default());
        };
        Ok(LmsSettings {
            moodle_url: text_field(inner, &c.moodle_url_field),
            opensis_token: text_field(inner, &c.opensis_token_field).and_then(|t| WsToken::new(&t)),
            userkey_token: text_field(inner, &c.userkey_token_field).and_then(|t| WsToken::new(&t)),
            sync_enabled: inner.get(&c.sync_field).is_some_and(truthy),
        })
    }

    /// POSTs a JSON body and classifies the answer: unreachable, missing endpoint (404, an HTML
    /// page), HTTP error, not JSON, 401, `_failure`, or success.
    async fn post(
        &self,
        path: &str,
        what: &'static str,
        setting: &'static str,
        body: Map<String, Value>,
        secrets: &[&str],
    ) -> Result<Reply, SisError> {
        let url = self.endpoint(path);
        let shown_url = url.to_string();
        let response = self
            .http
            .post(url)
            .timeout(Duration::from_secs(self.config.request_timeout_secs.max(1)))
            .json(&Value::Object(body))
            .send()
            .await
            .map_err(|e| SisError::Unreachable {
                url: shown_url.clone(),
                detail: redact(&transport_detail(&e), secrets),
            })?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let bytes = read_bounded(response)
            .await
            .map_err(|detail| SisError::Unreachable {
                url: shown_url.clone(),
                detail: redact(&detail, secrets),
            })?;
        self.classify(
            status,
            &content_type,
            &bytes,
            what,
            setting,
            &shown_url,
            secrets,
        )
    }

    /// Classifies an answer: missing endpoint (404, an HTML page), HTTP error, not JSON, 401,
    /// `_failure`, or success. Pure: the fuzz target drives it with hostile bytes.
    #[allow(clippy::too_many_arguments)]
    fn classify(
        &self,
        status: u16,
        content_type: &str,
        bytes: &[u8],
        what: &'static str,
        setting: &'static str,
        shown_url: &str,
        secrets: &[&str],
    ) -> Result<Reply, SisError> {
        let text = String::from_utf8_lossy(bytes);
        let trimmed = text.trim();
        let missing = |evidence: String| SisError::EndpointMissing {
            what,
            url: shown_url.to_owned(),
            evidence,
            setting,
        };
        if status == 404 || status == 405 {
            return Err(missing(format!("HTTP {status}")));
        }
        if status == 401 {
            return Ok(Reply::Unauthorized);
        }
        let looks_html = content_type.contains("html")
            || trimmed.starts_with('<')
            || trimmed
                .get(..15)
                .is_some_and(|s| s.eq_ignore_ascii_case("<!doctype html"));
        if looks_html && (200..300).contains(&status) {
            let page = match html_title(trimmed) {
                Some(title) => format!("an HTML page titled \"{}\"", redact(&title, secrets)),
                None => "an HTML page".to_owned(),
            };
            return Err(missing(format!("{page} instead of the API's JSON")));
        }
        if (300..400).contains(&status) {
            return Err(SisError::Http { status, what });
        }
        let parsed: Result<Value, _> = serde_json::from_str(trimmed);
        let obj = match parsed {
            Ok(Value::Object(obj)) => obj,
            _ if !(200..300).contains(&status) => return Err(SisError::Http { status, what }),
            Ok(_) => {
                return Err(SisError::Protocol {
                    what,
                    reason: "JSON that is not an object".into(),
                })
            }
            Err(_) if trimmed.is_empty() => {
                return Err(SisError::Protocol {
                    what,
                    reason: "an empty answer".into(),
                })
            }
            Err(_) => {
                return Err(SisError::Protocol {
                    what,
                    reason: "text that is not JSON".into(),
                })
            }
        };
        if obj.get(&self.config.failure_field).is_some_and(truthy) {
            let message = text_field(&obj, &self.config.message_field).unwrap_or_default();
            return Ok(Reply::Failure(redact(&message, secrets)));
        }
        if !(200..300).contains(&status) {
            return Err(SisError::Http { status, what });
        }
        Ok(Reply::Ok(obj))
    }
}

fn text_field(obj: &Map<String, Value>, key: &str) -> Option<String> {
    match obj.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        _ => None,
    }
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_i64() == Some(1),
        Value::String(s) => matches!(s.trim().to_ascii_lowercase().as_str(), "true" | "1" | "yes"),
        _ => false,
    }
}

/// The error chain of a failed request, without any query string.
fn transport_detail(err: &reqwest::Error) -> String {
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    format!("{kind}: {}", moodle_ws::error::request_error_detail(err))
}

async fn read_bounded(mut response: reqwest::Response) -> Result<Vec<u8>, String> {
    if response
        .content_length()
        .is_some_and(|l| l > MAX_BODY_BYTES as u64)
    {
        return Err(format!("the answer is larger than {MAX_BODY_BYTES} bytes"));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| transport_detail(&e))? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(format!("the answer is larger than {MAX_BODY_BYTES} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(api_url: &str, tenant: &str) -> OpenSisApi {
        OpenSisApi::new(
            reqwest::Client::new(),
            OpenSisApiConfig {
                api_url: api_url.into(),
                tenant: tenant.into(),
                admin_email: "a@b.org".into(),
                password_crypto: crate::PasswordCryptoConfig {
                    passphrase: Some("p".into()),
                    ..Default::default()
                },
                ..OpenSisApiConfig::default()
            },
        )
        .unwrap()
    }

    #[test]
    fn routes_are_api_tenant_controller_action() {
        assert_eq!(
            api("https://api.school.org/api", "lincoln")
                .endpoint("User/ValidateLogin")
                .as_str(),
            "https://api.school.org/api/lincoln/User/ValidateLogin"
        );
        assert_eq!(
            api("https://api.school.org/", "two words")
                .endpoint("/LmsSettings/viewLmsSettings")
                .as_str(),
            "https://api.school.org/two%20words/LmsSettings/viewLmsSettings"
        );
    }

    #[test]
    fn failure_flags_and_switches_are_read_leniently() {
        for yes in [
            serde_json::json!(true),
            serde_json::json!("True"),
            serde_json::json!(1),
        ] {
            assert!(truthy(&yes));
        }
        for no in [
            serde_json::json!(false),
            serde_json::json!(null),
            serde_json::json!("false"),
            serde_json::json!(0),
        ] {
            assert!(!truthy(&no));
        }
    }
}
