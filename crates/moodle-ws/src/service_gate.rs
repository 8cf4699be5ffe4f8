// Owns: asking webservice/pluginfile.php, with a token and no file, whether the token's
// service lets it in — without any function of the service. Must not: judge what it means,
// put the token anywhere but the POST body, or ask for a real file.

use serde_json::Value;

use crate::{client::MoodleClient, error::WsError, token::WsToken};

pub const WS_PLUGINFILE_ENDPOINT: &str = "webservice/pluginfile.php";

/// Moodle's refusals of the missing file, which come only after the service let the token in.
const FILE_REFUSALS: &[&str] = &["invalidargorconf", "filenotfound", "pathdoesnotstartslash"];

/// What the service's gate said of a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceGate {
    /// Moodle let the token through its service checks (enabled, not "Authorised users only"
    /// or the user listed, "Can download files" on) and then refused the missing file: the
    /// code Moodle gave for that (e.g. `invalidargorconf`).
    Open { errorcode: String },
    /// `accessexception`: the service is disabled, restricted to other users, may not
    /// download files — or the token itself was refused.
    Closed,
}

impl ServiceGate {
    /// Reads the gate's answer: Moodle's error envelope (an AJAX script's exceptions are JSON).
    pub fn read(answer: &Result<Value, WsError>) -> Option<ServiceGate> {
        match answer {
            Err(e) if e.is_errorcode(crate::error::codes::ACCESS_EXCEPTION) => {
                Some(ServiceGate::Closed)
            }
            Err(WsError::Moodle { errorcode, .. })
                if FILE_REFUSALS.contains(&errorcode.as_str()) =>
            {
                Some(ServiceGate::Open {
                    errorcode: errorcode.clone(),
                })
            }
            _ => None,
        }
    }
}

impl MoodleClient {
    /// POSTs the token, and no file, to webservice/pluginfile.php. Moodle runs its service
    /// checks (webservice::authenticate_user) before it looks for the file, and they do not
    /// depend on the functions of the service. Like every web-service call, it sets the
    /// token's "last access" time; nothing else changes.
    pub async fn service_gate(&self, token: &WsToken) -> Result<Value, WsError> {
        let request = self
            .http
            .post(self.root.endpoint(WS_PLUGINFILE_ENDPOINT))
            .form(&[("token", token.expose())]);
        self.send(request).await?.decode()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moodle(code: &str) -> Result<Value, WsError> {
        Err(WsError::Moodle {
            exception: "moodle_exception".into(),
            errorcode: code.into(),
            message: String::new(),
            debuginfo: None,
        })
    }

    #[test]
    fn an_access_exception_closes_the_gate_and_a_refused_file_opens_it() {
        assert_eq!(
            ServiceGate::read(&moodle("accessexception")),
            Some(ServiceGate::Closed)
        );
        assert_eq!(
            ServiceGate::read(&moodle("invalidargorconf")),
            Some(ServiceGate::Open {
                errorcode: "invalidargorconf".into()
            })
        );
        let html = Err(WsError::Http {
            status: 403,
            body_excerpt: String::new(),
            title: None,
            via: None,
            web_server: None,
        });
        assert_eq!(ServiceGate::read(&html), None);
        assert_eq!(ServiceGate::read(&Ok(Value::Null)), None);
        // A refusal of the token itself says nothing of the service.
        assert_eq!(ServiceGate::read(&moodle("invalidtoken")), None);
    }
}
