// Owns: the no-token public-config probe (tool_mobile_get_public_config via service-nologin),
// which proves a URL is a Moodle and gives its canonical wwwroot. Must not: send any token.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{client::MoodleClient, error::WsError, text::excerpt};

/// `lang=en` asks for Moodle's English texts, whatever the site's default language.
pub const PUBLIC_CONFIG_ENDPOINT: &str =
    "lib/ajax/service-nologin.php?info=tool_mobile_get_public_config&lang=en";

/// The fields of Moodle's public configuration this project reads.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct PublicConfig {
    pub wwwroot: String,
    #[serde(default)]
    pub httpswwwroot: Option<String>,
    #[serde(default)]
    pub sitename: String,
    #[serde(default)]
    pub enablewebservices: i64,
    #[serde(default)]
    pub enablemobilewebservice: i64,
    #[serde(default)]
    pub maintenanceenabled: i64,
    #[serde(default)]
    pub maintenancemessage: String,
}

impl MoodleClient {
    pub async fn public_config(&self) -> Result<PublicConfig, WsError> {
        let body = serde_json::json!([
            {"index": 0, "methodname": "tool_mobile_get_public_config", "args": {}}
        ]);
        let request = self
            .http
            .post(self.root.endpoint(PUBLIC_CONFIG_ENDPOINT))
            .json(&body);
        let answer = self.send(request).await?;
        let value = answer.decode()?;
        parse_public_config(value)
    }
}

/// Reads `[{"error": false, "data": {...}}]`, or the ajax error `[{"error": true, "exception": {...}}]`.
pub fn parse_public_config(value: Value) -> Result<PublicConfig, WsError> {
    let first = value
        .as_array()
        .and_then(|a| a.first())
        .cloned()
        .ok_or_else(|| WsError::Protocol {
            reason: "the public configuration answer is not a Moodle ajax list".into(),
            body_excerpt: excerpt(&value.to_string()),
        })?;
    if first.get("error").and_then(Value::as_bool) == Some(true) {
        let exception = first.get("exception").cloned().unwrap_or(Value::Null);
        let text = |key: &str| {
            exception
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        return Err(WsError::Moodle {
            exception: String::new(),
            errorcode: text("errorcode"),
            message: text("message"),
            debuginfo: exception
                .get("debuginfo")
                .and_then(Value::as_str)
                .map(str::to_owned),
        });
    }
    let data = first.get("data").cloned().unwrap_or(Value::Null);
    serde_json::from_value(data).map_err(|e| WsError::Protocol {
        reason: format!("the public configuration has an unexpected shape ({e})"),
        body_excerpt: excerpt(&value.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_data_and_ajax_errors() {
        let ok = serde_json::json!([{"error": false, "data": {
            "wwwroot": "https://m.org", "sitename": "M", "enablewebservices": 1,
            "maintenanceenabled": 0, "extra": [1]}}]);
        let cfg = parse_public_config(ok).unwrap();
        assert_eq!(cfg.wwwroot, "https://m.org");
        assert_eq!(cfg.enablewebservices, 1);
        let err = serde_json::json!([{"error": true, "exception": {
            "message": "Site is undergoing maintenance", "errorcode": "sitemaintenance"}}]);
        assert!(parse_public_config(err)
            .unwrap_err()
            .is_errorcode("sitemaintenance"));
        assert!(matches!(
            parse_public_config(serde_json::json!({"a": 1})),
            Err(WsError::Protocol { .. })
        ));
    }
}
