// Owns: the typed web-service functions this project calls and the shapes of their answers.
// Must not: interpret answers for the set-up; unknown fields are ignored, missing ones default.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{client::MoodleClient, error::WsError, token::WsToken};

/// `core_webservice_get_site_info`: what openSIS shows after "Connect".
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct SiteInfo {
    pub sitename: String,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub fullname: String,
    pub userid: i64,
    #[serde(default)]
    pub siteurl: String,
    #[serde(default)]
    pub release: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub functions: Vec<SiteFunction>,
    #[serde(default)]
    pub downloadfiles: i64,
    #[serde(default)]
    pub uploadfiles: i64,
    #[serde(default)]
    pub userissiteadmin: bool,
}

impl SiteInfo {
    pub fn has_function(&self, name: &str) -> bool {
        self.functions.iter().any(|f| f.name == name)
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct SiteFunction {
    pub name: String,
    #[serde(default)]
    pub version: String,
}

/// The fields `core_user_get_users_by_field` is asked by here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserField {
    Id,
    Email,
}

impl UserField {
    pub fn as_str(self) -> &'static str {
        match self {
            UserField::Id => "id",
            UserField::Email => "email",
        }
    }
}

/// `auth_userkey_request_login_url`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct LoginUrl {
    pub loginurl: String,
}

/// One user from `core_user_get_users_by_field`: the fields a diagnosis reads, and those a
/// web-service call could change behind the admin's back.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct UserRecord {
    pub id: i64,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub firstname: String,
    #[serde(default)]
    pub lastname: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub auth: String,
    #[serde(default)]
    pub suspended: bool,
}

impl UserRecord {
    /// The fields that `core_user_update_users` can set, with their values, for comparing an
    /// account before and after a call.
    pub fn settable_fields(&self) -> [(&'static str, String); 6] {
        [
            ("auth", self.auth.clone()),
            ("suspended", u8::from(self.suspended).to_string()),
            ("username", self.username.clone()),
            ("firstname", self.firstname.clone()),
            ("lastname", self.lastname.clone()),
            ("email", self.email.clone()),
        ]
    }
}

/// One warning of a web-service call that reports partial failures this way.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct WsWarning {
    #[serde(default)]
    pub item: String,
    #[serde(default)]
    pub warningcode: String,
    #[serde(default)]
    pub message: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
struct WarningsOnly {
    #[serde(default)]
    warnings: Vec<WsWarning>,
}

impl MoodleClient {
    pub async fn site_info(&self, token: &WsToken) -> Result<SiteInfo, WsError> {
        self.call(token, "core_webservice_get_site_info", &[]).await
    }

    /// Asks auth_userkey for a one-time login URL for the user with this e-mail.
    /// Each call replaces the user's earlier key.
    pub async fn request_login_url(
        &self,
        token: &WsToken,
        email: &str,
    ) -> Result<LoginUrl, WsError> {
        self.call(
            token,
            "auth_userkey_request_login_url",
            &[("user[email]", email.to_owned())],
        )
        .await
    }

    /// `core_user_get_users_by_field` for one value of `id` or `email`: read-only, and it goes
    /// through Moodle's login checks (forced password change, incomplete profile, site policy)
    /// that site info skips.
    pub async fn users_by_field(
        &self,
        token: &WsToken,
        field: UserField,
        value: &str,
    ) -> Result<Vec<UserRecord>, WsError> {
        self.call(
            token,
            "core_user_get_users_by_field",
            &[
                ("field", field.as_str().to_owned()),
                ("values[0]", value.to_owned()),
            ],
        )
        .await
    }

    /// The same with `user[ip]`: where auth_userkey's "IP restriction" is on, the call needs
    /// it (and a login URL made this way opens only from that address).
    pub async fn request_login_url_with_ip(
        &self,
        token: &WsToken,
        email: &str,
        ip: &str,
    ) -> Result<LoginUrl, WsError> {
        self.call(
            token,
            "auth_userkey_request_login_url",
            &[
                ("user[email]", email.to_owned()),
                ("user[ip]", ip.to_owned()),
            ],
        )
        .await
    }

    pub async fn user_by_id(
        &self,
        token: &WsToken,
        userid: i64,
    ) -> Result<Option<UserRecord>, WsError> {
        let users = self
            .users_by_field(token, UserField::Id, &userid.to_string())
            .await?;
        Ok(users.into_iter().next())
    }

    /// `core_user_update_users` for one account: sets exactly these fields. Moodle reports a
    /// refusal for the account as a warning, not as an error: the warnings are returned.
    pub async fn update_user(
        &self,
        token: &WsToken,
        userid: i64,
        fields: &[(&str, String)],
    ) -> Result<Vec<WsWarning>, WsError> {
        let mut params: Vec<(String, String)> = vec![("users[0][id]".into(), userid.to_string())];
        params.extend(
            fields
                .iter()
                .map(|(k, v)| (format!("users[0][{k}]"), v.clone())),
        );
        let borrowed: Vec<(&str, String)> = params
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        let value = self
            .call_value(token, "core_user_update_users", &borrowed)
            .await?;
        decode_update_warnings(&value)
    }
}

/// The warnings of `core_user_update_users`'s answer: `null` before Moodle 3.x, since then
/// `{"warnings": [...]}`.
pub fn decode_update_warnings(value: &Value) -> Result<Vec<WsWarning>, WsError> {
    if value.is_null() {
        return Ok(Vec::new());
    }
    serde_json::from_value::<WarningsOnly>(value.clone())
        .map(|w| w.warnings)
        .map_err(|e| WsError::Protocol {
            reason: format!("the answer of core_user_update_users has an unexpected shape ({e})"),
            body_excerpt: crate::text::excerpt(&value.to_string()),
        })
}
