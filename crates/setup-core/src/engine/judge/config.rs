// Owns: the site-configuration checks — the two plugins (3), User key authentication
// enabled (6) and set up (7), Web services authentication (8), web services (11), REST (13).
// Must not: judge the service or the tokens (service.rs, tokens.rs).

use moodle_ws::error::codes;
use moodle_ws::{UserkeyLoginPage, WsError};

use super::{describe, opensis_state, rest_answers, userkey_state, ws_blocker};
use super::{OpensisState, UserkeyState};
use crate::cfg_cli;
use crate::engine::observe::{EmailSource, Observations};
use crate::finding::Finding;
use crate::required_functions::is_web_services_plugin_function;

pub(super) fn findings(obs: &Observations) -> Vec<Finding> {
    vec![
        userkey_installed(obs),
        web_services_plugin_installed(obs),
        userkey_enabled(obs),
        mapping_field(obs),
        key_lifetime(obs),
        webservice_auth(obs),
        web_services_enabled(obs),
        rest_protocol(obs),
    ]
}

fn userkey_installed(obs: &Observations) -> Finding {
    const CHECK: &str = "userkey_plugin_installed";
    if !obs.site_ok() {
        return Finding::blocked(CHECK, 3, 0);
    }
    let missing_function = matches!(userkey_state(obs), UserkeyState::FunctionMissing);
    match &obs.userkey_page {
        Some(Ok(UserkeyLoginPage::Enabled { .. } | UserkeyLoginPage::Disabled { .. }))
            if !missing_function =>
        {
            Finding::pass(CHECK, 3, "openSIS-Moodle-User-Authenticator (auth_userkey) is installed.")
                .evidence("auth/userkey/login.php answers with a Moodle page")
        }
        Some(Ok(UserkeyLoginPage::NotInstalled { status })) => Finding::fail(
            CHECK,
            3,
            "openSIS-Moodle-User-Authenticator.zip (auth_userkey) is not installed.",
        )
        .evidence(format!("auth/userkey/login.php answers HTTP {status} without a Moodle page"))
        .fix("Install openSIS-Moodle-User-Authenticator.zip in Site administration → Plugins → Install plugins, then finish \"Upgrade Moodle database now\"."),
        _ if missing_function => Finding::fail(
            CHECK,
            3,
            "auth_userkey's web-service function does not exist: the plugin is not installed (or its upgrade was not finished).",
        )
        .evidence("auth_userkey_request_login_url: Moodle error \"invalidrecord\"")
        .fix("Install openSIS-Moodle-User-Authenticator.zip and finish \"Upgrade Moodle database now\" (Site administration → Notifications)."),
        Some(Ok(UserkeyLoginPage::Unexpected { status, excerpt })) => Finding::new(
            CHECK,
            3,
            crate::finding::Status::Unknown,
            "Could not tell whether auth_userkey is installed.",
        )
        .evidence(format!("auth/userkey/login.php answered HTTP {status}: {excerpt}")),
        Some(Err(e)) => Finding::new(
            CHECK,
            3,
            crate::finding::Status::Unknown,
            "Could not tell whether auth_userkey is installed.",
        )
        .evidence(describe(e)),
        _ => Finding::blocked(CHECK, 3, 0),
    }
}

fn web_services_plugin_installed(obs: &Observations) -> Finding {
    const CHECK: &str = "web_services_plugin_installed";
    let info = match opensis_state(obs) {
        OpensisState::Works(info) => info,
        OpensisState::Forbidden => {
            return Finding::blocked(CHECK, 3, ws_blocker(obs).unwrap_or(13))
        }
        _ if !obs.site_ok() => return Finding::blocked(CHECK, 3, 0),
        _ => {
            return Finding::blocked(CHECK, 3, 15)
                .evidence("needs a working opensis token to ask Moodle which functions exist")
        }
    };
    let not_installed: Vec<&str> = obs
        .existence
        .iter()
        .filter(|(f, r)| {
            is_web_services_plugin_function(f)
                && matches!(r, Err(e) if e.is_errorcode(codes::INVALID_RECORD))
        })
        .map(|(f, _)| f.as_str())
        .collect();
    if not_installed.is_empty() {
        let listed = info
            .functions
            .iter()
            .filter(|f| is_web_services_plugin_function(&f.name))
            .count();
        return Finding::pass(
            CHECK,
            3,
            "openSIS-Web-Services (the local_get_* functions) is installed.",
        )
        .evidence(format!(
            "{listed} local_* functions in the service; the others exist on the site"
        ));
    }
    Finding::fail(CHECK, 3, "openSIS-Web-Services.zip is not installed: its functions do not exist on the site.")
        .evidence(format!("Moodle error \"invalidrecord\" for {}", not_installed.join(", ")))
        .fix("Install openSIS-Web-Services.zip in Site administration → Plugins → Install plugins, finish \"Upgrade Moodle database now\", then add its functions to the opensis service (step 14).")
}

fn userkey_enabled(obs: &Observations) -> Finding {
    const CHECK: &str = "userkey_enabled";
    match &obs.userkey_page {
        None => Finding::blocked(CHECK, 6, 0),
        Some(Ok(UserkeyLoginPage::Enabled { .. })) => {
            Finding::pass(CHECK, 6, "\"User key authentication\" is enabled.")
                .evidence("auth/userkey/login.php says \"Incorrect key\" to a made-up key")
        }
        Some(Ok(UserkeyLoginPage::Disabled { .. })) => Finding::fail(
            CHECK,
            6,
            "\"User key authentication\" is installed but not enabled.",
        )
        .evidence("auth/userkey/login.php says \"The userkey authentication plugin is disabled.\"")
        .fix(format!(
            "In Site administration → Plugins → Authentication → Manage authentication, click the eye icon of \"User key authentication\".\nOn the server: {}",
            cfg_cli::enable_auth_plugin("userkey")
        )),
        Some(Ok(UserkeyLoginPage::NotInstalled { .. })) => Finding::blocked(CHECK, 6, 3),
        Some(_) => match userkey_state(obs) {
            UserkeyState::Reached => Finding::pass(CHECK, 6, "\"User key authentication\" is enabled.")
                .evidence("auth_userkey_request_login_url accepted the call"),
            _ => Finding::new(CHECK, 6, crate::finding::Status::Unknown, "Could not tell whether \"User key authentication\" is enabled."),
        },
    }
}

fn mapping_field(obs: &Observations) -> Finding {
    const CHECK: &str = "userkey_mapping_email";
    let email = obs.admin_email.as_ref();
    match &obs.login_url {
        Some(Ok(_)) => Finding::pass(CHECK, 7, "\"Mapping field\" is \"Email address\".").evidence(format!(
            "a login URL was issued for {}",
            email.map_or("the admin", EmailSource::email)
        )),
        Some(Err(e)) if e.is_errorcode(codes::INVALID_PARAMETER) => {
            let (summary, evidence) = match email {
                Some(EmailSource::LookedUp(addr)) => (
                    "\"Mapping field\" of User key authentication is not \"Email address\".".to_owned(),
                    format!("{addr} is the admin's e-mail in Moodle, yet Moodle rejects it as the user key: {}", describe(e)),
                ),
                Some(EmailSource::Given(addr)) => (
                    format!("Moodle rejects {addr}: \"Mapping field\" is not \"Email address\", or no Moodle user has this e-mail."),
                    describe(e),
                ),
                None => ("\"Mapping field\" is not \"Email address\".".to_owned(), describe(e)),
            };
            Finding::fail(CHECK, 7, summary).evidence(evidence).fix(format!(
                "In User key authentication's settings set \"Mapping field\" to \"Email address\" and Save changes.\nOn the server: {}",
                cfg_cli::userkey_mapping_email()
            ))
        }
        _ => match userkey_state(obs) {
            UserkeyState::Refused(_) | UserkeyState::FunctionMissing => {
                let page_disabled = matches!(&obs.userkey_page, Some(Ok(UserkeyLoginPage::Disabled { .. } | UserkeyLoginPage::NotInstalled { .. })));
                Finding::blocked(CHECK, 7, if page_disabled { 6 } else { 12 })
            }
            UserkeyState::NoEmail => Finding::blocked(CHECK, 7, 15).evidence(
                obs.email_lookup_error.as_ref().map_or_else(
                    || "the admin's e-mail is not known: give it, or a working opensis token to look it up".to_owned(),
                    |e| format!("looking up the admin's e-mail failed: {}", describe(e)),
                ),
            ),
            _ if !obs.site_ok() => Finding::blocked(CHECK, 7, 0),
            _ => Finding::blocked(CHECK, 7, 15),
        },
    }
}

fn key_lifetime(obs: &Observations) -> Finding {
    const CHECK: &str = "userkey_lifetime";
    let fix = format!(
        "In User key authentication's settings set \"User key life time\" to 120 and Save changes.\nOn the server: {}",
        cfg_cli::userkey_lifetime()
    );
    let Some((age, follow)) = &obs.aged_follow else {
        return Finding::new(
            CHECK,
            7,
            crate::finding::Status::Unknown,
            "\"User key life time\" cannot be read from outside Moodle: check that it says 120 (the default is 60), or run the check that waits 65 s (doctor --check-key-lifetime).",
        )
        .fix(format!("On the server: {}", cfg_cli::userkey_lifetime()));
    };
    let secs = age.as_secs_f64();
    match follow {
        Ok(f) if (300..400).contains(&f.status) && f.sets_moodle_session => Finding::pass(
            CHECK,
            7,
            format!("\"User key life time\" is longer than {secs:.0} s: a key that old still signs in."),
        )
        .evidence(format!("a login key opened {secs:.0} s after it was issued answered HTTP {}", f.status)),
        Ok(f) => Finding::fail(
            CHECK,
            7,
            format!("\"User key life time\" is {secs:.0} s or less: a key that old no longer signs in, so slow single sign-on from openSIS fails."),
        )
        .evidence(format!(
            "a login key opened {secs:.0} s after it was issued answered HTTP {}: {}",
            f.status, f.body_excerpt
        ))
        .fix(fix),
        Err(e) => Finding::new(
            CHECK,
            7,
            crate::finding::Status::Unknown,
            "Could not open the aged login key to check \"User key life time\".",
        )
        .evidence(describe(e)),
    }
}

fn webservice_auth(obs: &Observations) -> Finding {
    const CHECK: &str = "webservice_auth_enabled";
    if let Some(step) = ws_blocker(obs) {
        return Finding::blocked(CHECK, 8, step);
    }
    let evidence = |e: &WsError| {
        format!(
            "webservice/rest/simpleserver.php with a made-up user: {} (Moodle logs this as one failed login)",
            describe(e)
        )
    };
    match &obs.simpleserver {
        Some(Err(e)) if e.is_errorcode(codes::WRONG_USERNAME_PASSWORD) => {
            Finding::pass(CHECK, 8, "\"Web services authentication\" is enabled.").evidence(evidence(e))
        }
        Some(Err(e)) if e.is_errorcode(codes::ACCESS_EXCEPTION) => Finding::fail(
            CHECK,
            8,
            "\"Web services authentication\" is not enabled.",
        )
        .evidence(evidence(e))
        .fix(format!(
            "In Manage authentication, click the eye icon of \"Web services authentication\".\nOn the server: {}",
            cfg_cli::enable_auth_plugin("webservice")
        )),
        Some(Err(e)) => Finding::new(CHECK, 8, crate::finding::Status::Unknown, "Could not tell whether \"Web services authentication\" is enabled.")
            .evidence(evidence(e)),
        Some(Ok(_)) | None => Finding::new(CHECK, 8, crate::finding::Status::Unknown, "Could not tell whether \"Web services authentication\" is enabled."),
    }
}

fn web_services_enabled(obs: &Observations) -> Finding {
    const CHECK: &str = "web_services_enabled";
    match &obs.public_config {
        Ok(cfg) if cfg.enablewebservices == 1 => {
            Finding::pass(CHECK, 11, "Web services are enabled.").evidence("public configuration: enablewebservices = 1")
        }
        Ok(_) => Finding::fail(CHECK, 11, "Web services are not enabled: openSIS cannot call Moodle at all.")
            .evidence("public configuration: enablewebservices = 0; webservice/rest/server.php answers HTTP 403 with an empty body")
            .fix(format!(
                "Tick \"Enable web services\" in Site administration → Advanced features and Save changes.\nOn the server: {}",
                cfg_cli::enable_web_services()
            )),
        Err(_) => Finding::blocked(CHECK, 11, 0),
    }
}

fn rest_protocol(obs: &Observations) -> Finding {
    const CHECK: &str = "rest_protocol_enabled";
    if !obs.site_ok() {
        return Finding::blocked(CHECK, 13, 0);
    }
    if matches!(&obs.public_config, Ok(cfg) if cfg.enablewebservices != 1) {
        return Finding::blocked(CHECK, 13, 11);
    }
    match rest_answers(obs) {
        Some(true) => Finding::pass(CHECK, 13, "The REST protocol is enabled.")
            .evidence("webservice/rest/*.php answers with Moodle JSON"),
        Some(false) => Finding::fail(CHECK, 13, "The REST protocol is not enabled.")
            .evidence("web services are on (enablewebservices = 1) but webservice/rest/*.php answers HTTP 403 with an empty body")
            .fix(format!(
                "Enable REST in Site administration → Server → Web services → Manage protocols.\nOn the server: {}",
                cfg_cli::enable_rest_protocol()
            )),
        None => Finding::new(CHECK, 13, crate::finding::Status::Unknown, "Could not tell whether the REST protocol is enabled.")
            .evidence(obs.simpleserver.as_ref().and_then(|r| r.as_ref().err()).map(describe).unwrap_or_default()),
    }
}
