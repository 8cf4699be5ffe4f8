// Owns: the simulated webservice/rest/server.php and simpleserver.php, checking in Moodle's
// order: web services and protocol, maintenance, token, service, user, function, parameters.
// Must not: answer differently from the recorded captures where a capture exists.

use serde_json::{json, Value};

use crate::capture::capture;
use crate::fault::Fault;
use crate::pages::{relocate, ws_error, Answer};
use crate::state::{Service, SimState, User};

type Params = [(String, String)];

fn param<'a>(params: &'a Params, key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// `POST webservice/rest/server.php`.
pub(crate) fn server(state: &mut SimState, params: &Params) -> Answer {
    let w = state.wwwroot();
    if state.has(Fault::WebServicesDisabled) || state.has(Fault::RestProtocolDisabled) {
        return ws_error::forbidden(&w);
    }
    if state.has(Fault::Maintenance) {
        return ws_error::moodle_exception(
            "sitemaintenance",
            "The site is undergoing maintenance and is currently not available",
        );
    }
    let token = param(params, "wstoken").unwrap_or_default().to_owned();
    let Some(info) = state.token(&token) else {
        return ws_error::invalid_token(&w);
    };
    if info.expired {
        // Moodle deletes an expired token after refusing it once.
        state.deleted_tokens.insert(token);
        return ws_error::access_exception(&w);
    }
    if !state.service_enabled(info.service)
        || state.user_refused_by_service(info.service, &info.user)
    {
        return ws_error::access_exception(&w);
    }
    let function = param(params, "wsfunction").unwrap_or_default();
    if !state.function_exists(function) {
        return ws_error::invalid_record(&w);
    }
    if !state.service_functions(info.service).contains(&function) {
        return ws_error::access_exception(&w);
    }
    match function {
        "core_webservice_get_site_info" => site_info(state, info.service, &info.user),
        "auth_userkey_request_login_url" => request_login_url(state, params),
        "core_user_get_users_by_field" => users_by_field(state, params),
        // Every other function needs parameters this simulation does not model: Moodle
        // refuses the call before running it.
        _ => ws_error::invalid_parameter(&w),
    }
}

fn site_info(state: &SimState, service: Service, user: &User) -> Answer {
    let w = state.wwwroot();
    let recorded = capture("ok_site_info_opensis");
    let mut info: Value = serde_json::from_str(&relocate(recorded.body, &w)).unwrap_or(json!({}));
    let version = info["version"].as_str().unwrap_or_default().to_owned();
    let functions: Vec<Value> = state
        .service_functions(service)
        .into_iter()
        .map(|name| {
            let v = if name.starts_with("core_") || name.starts_with("local_") {
                version.clone()
            } else {
                "2024100700".to_owned()
            };
            json!({"name": name, "version": v})
        })
        .collect();
    info["functions"] = Value::Array(functions);
    info["downloadfiles"] = json!(i32::from(!state.has(Fault::DownloadFilesOff)));
    info["uploadfiles"] = json!(i32::from(!state.has(Fault::UploadFilesOff)));
    info["userid"] = json!(user.id);
    info["username"] = json!(user.username);
    info["firstname"] = json!(user.firstname);
    info["lastname"] = json!(user.lastname);
    info["fullname"] = json!(format!("{} {}", user.firstname, user.lastname));
    info["userissiteadmin"] = json!(user.site_admin);
    Answer::json(info.to_string().replace('/', "\\/"))
}

fn request_login_url(state: &mut SimState, params: &Params) -> Answer {
    let w = state.wwwroot();
    let Some(email) = param(params, "user[email]") else {
        return ws_error::invalid_parameter(&w);
    };
    if state.has(Fault::UserkeyDisabled) {
        return Answer::from_capture("userkey_auth_disabled", &w);
    }
    if state.has(Fault::MappingFieldNotEmail) {
        return Answer::from_capture("mapping_field_mismatch", &w);
    }
    let Some(user) = state.user_by_email(email) else {
        return Answer::from_capture("user_not_found", &w);
    };
    let key = state.issue_login_key(user.id);
    let recorded = Answer::from_capture("ok_request_login_url", &w);
    Answer {
        body: recorded.body.replace("LOGINKEY", &key),
        ..recorded
    }
}

fn users_by_field(state: &SimState, params: &Params) -> Answer {
    let w = state.wwwroot();
    let field = param(params, "field").unwrap_or_default();
    let values: Vec<&str> = params
        .iter()
        .filter(|(k, _)| k.starts_with("values["))
        .map(|(_, v)| v.as_str())
        .collect();
    if values.is_empty() {
        return ws_error::invalid_parameter(&w);
    }
    let users: Vec<Value> = values
        .iter()
        .filter_map(|v| match field {
            "id" => v.parse().ok().and_then(|id| state.user_by_id(id)),
            "email" => state.user_by_email(v),
            _ => None,
        })
        .map(|u| {
            json!({"id": u.id, "username": u.username, "firstname": u.firstname,
                   "lastname": u.lastname, "fullname": format!("{} {}", u.firstname, u.lastname),
                   "email": u.email, "auth": "manual", "suspended": false, "confirmed": true})
        })
        .collect();
    Answer::json(Value::Array(users).to_string())
}

/// `GET webservice/rest/simpleserver.php?wsusername=…&wspassword=…`: the user name/password
/// form of the web services, allowed only with the "Web services authentication" plugin.
pub(crate) fn simpleserver(state: &SimState) -> Answer {
    let w = state.wwwroot();
    if state.has(Fault::WebServicesDisabled) || state.has(Fault::RestProtocolDisabled) {
        return ws_error::forbidden(&w);
    }
    if state.has(Fault::Maintenance) {
        return ws_error::moodle_exception(
            "sitemaintenance",
            "The site is undergoing maintenance and is currently not available",
        );
    }
    if state.has(Fault::WebserviceAuthDisabled) {
        return ws_error::access_exception(&w);
    }
    ws_error::moodle_exception("wrongusernamepassword", "Wrong username or password")
}
