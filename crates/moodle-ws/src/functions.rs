// Owns: the typed web-service functions this project calls and the shapes of their answers.
// Must not: interpret answers for the set-up; unknown fields are ignored, missing ones default.

use serde::{Deserialize, Serialize};

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

/// `auth_userkey_request_login_url`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct LoginUrl {
    pub loginurl: String,
}

/// One user from `core_user_get_users_by_field`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct UserRecord {
    pub id: i64,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub auth: String,
    #[serde(default)]
    pub suspended: bool,
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

    pub async fn user_by_id(
        &self,
        token: &WsToken,
        userid: i64,
    ) -> Result<Option<UserRecord>, WsError> {
        let users: Vec<UserRecord> = self
            .call(
                token,
                "core_user_get_users_by_field",
                &[
                    ("field", "id".to_owned()),
                    ("values[0]", userid.to_string()),
                ],
            )
            .await?;
        Ok(users.into_iter().next())
    }
}
