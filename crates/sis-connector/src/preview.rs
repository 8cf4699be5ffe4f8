// Owns: the Connect preview — `core_webservice_get_site_info` with the opensis token, exactly the
// call openSIS's "Connect" makes — reduced to what openSIS shows. Must not: write anything.

use moodle_ws::{HttpConfig, MoodleClient, SiteRoot, WsError, WsToken};
use serde::{Deserialize, Serialize};

use crate::error::{redact, SisError};

/// What openSIS shows after "Connect".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectPreview {
    pub site_name: String,
    pub release: String,
    pub version: String,
    /// The site's own address (`wwwroot`).
    pub site_url: String,
}

/// Moodle error codes meaning the token itself is refused.
const TOKEN_REFUSALS: &[&str] = &[
    "invalidtoken",
    "accessexception",
    "servicerequireslogin",
    "usernotfullysetup",
    "wsaccessusersuspended",
    "wsaccessusernologin",
    "wsaccessuserexpired",
    "wsaccessuserdeleted",
    "wsaccessuserunconfirmed",
];

/// Calls `core_webservice_get_site_info` with the opensis token, as openSIS's Connect does.
pub async fn connect_preview(
    http: &reqwest::Client,
    root: &SiteRoot,
    opensis_token: &WsToken,
) -> Result<ConnectPreview, SisError> {
    let client = MoodleClient::new(
        http.clone(),
        root.clone(),
        HttpConfig::default().max_body_bytes,
    );
    match client.site_info(opensis_token).await {
        Ok(info) => Ok(ConnectPreview {
            site_name: info.sitename,
            release: info.release,
            version: info.version,
            site_url: info.siteurl,
        }),
        Err(WsError::Moodle {
            errorcode, message, ..
        }) if TOKEN_REFUSALS.contains(&errorcode.as_str()) => Err(SisError::MoodleTokenRejected {
            errorcode,
            message: redact(&message, &[opensis_token.expose()]),
        }),
        Err(e) => Err(SisError::ConnectPreviewFailed {
            detail: redact(&e.to_string(), &[opensis_token.expose()]),
        }),
    }
}
