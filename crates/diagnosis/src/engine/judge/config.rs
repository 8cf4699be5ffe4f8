// Owns: the site-configuration checks — the two plugins (3), User key authentication
// enabled (6) and set up (7, including that the check changed nothing), Web services
// authentication (8), web services (11), REST (13). Must not: judge the service or tokens.

use moodle_ws::error::codes;
use moodle_ws::{UserkeyLoginPage, WsError};

use super::answers::{
    branch, opensis_blocker, opensis_state, rest_answers, userkey_blocker, userkey_state,
    ws_blocker, OpensisState, UserkeyState,
};
use super::words::describe;
use crate::cfg_cli;
use crate::engine::observations::{EmailSource, Observations, PLUGIN_PROBE_FUNCTION};
use crate::engine::sso::NotRun;
use crate::finding::Finding;
use crate::moodle_texts::missing_function_code;
use crate::required_functions::{is_web_services_plugin_function, required_functions};

pub(super) fn findings(obs: &Observations) -> Vec<Finding> {
    let mut out = vec![
        userkey_installed(obs),
        web_services_plugin_installed(obs),
        userkey_enabled(obs),
        mapping_field(obs),
        ip_restriction(obs),
        update_user(obs),
        key_lifetime(obs),
        webservice_auth(obs),
        web_services_enabled(obs),
        rest_protocol(obs),
    ];
    out.extend(super::plugins_extra::web_services_plugin_intact(obs));
    out.extend(super::plugins_extra::userkey_version(obs));
    out
}

fn userkey_installed(obs: &Observations) -> Finding {
    const CHECK: &str = "userkey_plugin_installed";
    if !obs.moodle_answers() {
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
        .evidence(format!("auth_userkey_request_login_url: Moodle error \"{}\"", missing_function_code(branch(obs))))
        .fix("Install openSIS-Moodle-User-Authenticator.zip and finish \"Upgrade Moodle database now\" (Site administration → Notifications)."),
        Some(Ok(UserkeyLoginPage::Unexpected { status, excerpt })) => Finding::unknown(
            CHECK,
            3,
            "Could not tell whether auth_userkey is installed.",
        )
        .evidence(format!("auth/userkey/login.php answered HTTP {status}: {excerpt}")),
        Some(Err(e)) => Finding::unknown(CHECK, 3, "Could not tell whether auth_userkey is installed.")
            .evidence(describe(e)),
        _ => Finding::blocked(CHECK, 3, 0),
    }
}

fn web_services_plugin_installed(obs: &Observations) -> Finding {
    const CHECK: &str = "web_services_plugin_installed";
    let state = opensis_state(obs);
    if let OpensisState::Works(info) = &state {
        let listed = info
            .functions
            .iter()
            .filter(|f| is_web_services_plugin_function(&f.name))
            .count();
        let wanted = required_functions()
            .into_iter()
            .filter(|f| is_web_services_plugin_function(f))
            .count();
        if listed == wanted {
            return Finding::pass(
                CHECK,
                3,
                "openSIS-Web-Services (the local_get_* functions) is installed.",
            )
            .evidence(format!(
                "all {wanted} local_get_* functions are in the opensis service"
            ));
        }
    }
    match &obs.plugin_probe {
        Some(Err(e)) if e.is_missing_function() => Finding::fail(
            CHECK,
            3,
            "openSIS-Web-Services.zip is not installed: its functions do not exist on the site.",
        )
        .evidence(format!("{PLUGIN_PROBE_FUNCTION} called without parameters: {}", describe(e)))
        .fix("Install openSIS-Web-Services.zip in Site administration → Plugins → Install plugins, finish \"Upgrade Moodle database now\", then add its functions to the opensis service (step 14)."),
        Some(Err(e)) if e.is_errorcode(codes::INVALID_PARAMETER) => Finding::pass(
            CHECK,
            3,
            "openSIS-Web-Services (the local_get_* functions) is installed.",
        )
        .evidence(format!("{PLUGIN_PROBE_FUNCTION} exists and is in the opensis service (Moodle checked its parameters)")),
        Some(Err(e))
            if e.is_errorcode(codes::ACCESS_EXCEPTION)
                && matches!(state, OpensisState::Works(_)) =>
        {
            Finding::pass(CHECK, 3, "openSIS-Web-Services (the local_get_* functions) is installed.")
                .evidence(format!("{PLUGIN_PROBE_FUNCTION} exists on the site but is not in the opensis service (see step 14)"))
        }
        _ => Finding::blocked(CHECK, 3, opensis_blocker(obs))
            .evidence("needs a working opensis token to ask Moodle whether the functions exist"),
    }
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
            "In Site administration → Plugins → Authentication → Manage authentication, click the eye icon of \"User key authentication\".\nIf it is enabled there already, config.php decides: a line $CFG->auth = '…'; overrides the page — add userkey to it, or remove the line.\nOn the server: {}",
            cfg_cli::enable_auth_plugin("userkey")
        )),
        Some(Ok(UserkeyLoginPage::NotInstalled { .. })) => Finding::blocked(CHECK, 6, 3),
        Some(_) => match userkey_state(obs) {
            UserkeyState::Reached | UserkeyState::NotAdmin => Finding::pass(CHECK, 6, "\"User key authentication\" is enabled.")
                .evidence("auth_userkey_request_login_url accepted the call"),
            _ => Finding::unknown(CHECK, 6, "Could not tell whether \"User key authentication\" is enabled."),
        },
    }
}

/// Why a check needing the admin's login URL did not run: skipped, or blocked by a step.
fn sso_not_run(obs: &Observations, check: &str, step: u8) -> Finding {
    match &obs.sso.not_run {
        Some(NotRun::Requested) => Finding::skipped(check, step),
        Some(NotRun::NoGuard) if super::answers::account_read_by_web_server(obs) => {
            Finding::blocked(check, step, 0)
        }
        Some(NotRun::NoAccount | NotRun::EmailRefused(_)) => Finding::blocked(check, step, 15),
        Some(NotRun::NoGuard) if matches!(opensis_state(obs), OpensisState::Works(_)) => {
            Finding::blocked(check, step, 15).evidence(
                "the admin's account could not be read first, so the single sign-on probe (which can change it) was not sent",
            )
        }
        Some(NotRun::NoUserkeyToken | NotRun::NotAdmin) => Finding::blocked(check, step, 15),
        Some(NotRun::NoGuard | NotRun::NoEmail) | None => {
            match (opensis_state(obs), userkey_state(obs)) {
                (OpensisState::Works(_), _) => Finding::blocked(check, step, 15),
                (_, UserkeyState::Reached) => Finding::blocked(check, step, opensis_blocker(obs))
                    .evidence("the single sign-on probe is sent only once the admin's account could be read (with the opensis token), so that a change it makes can be seen and undone"),
                _ => Finding::blocked(check, step, userkey_blocker(obs)),
            }
        }
    }
}

/// The login URL with `user[ip]` worked where the one without was refused.
fn ip_restriction_on(obs: &Observations) -> bool {
    matches!(&obs.sso.login_url_with_ip, Some(Ok(_)))
}

fn mapping_field(obs: &Observations) -> Finding {
    const CHECK: &str = "userkey_mapping_email";
    let email = obs.sso.email.as_deref().unwrap_or("the admin's e-mail");
    match obs.login_url() {
        Some(Ok(_)) => Finding::pass(CHECK, 7, "\"Mapping field\" is \"Email address\".")
            .evidence(format!("a login URL was issued for {email}")),
        Some(Err(_)) if ip_restriction_on(obs) => Finding::pass(
            CHECK,
            7,
            "\"Mapping field\" is \"Email address\".",
        )
        .evidence(format!("a login URL was issued for {email} once an IP address was given (see \"IP restriction\")")),
        Some(Err(e)) if e.is_errorcode(codes::INVALID_PARAMETER) => {
            let whose = match &obs.admin_email {
                Some(EmailSource::Given(_)) => "the account with this e-mail exists",
                _ => "it is the e-mail of the token's own account",
            };
            Finding::fail(
                CHECK,
                7,
                "\"Mapping field\" of User key authentication is not \"Email address\".",
            )
            .evidence(format!(
                "Moodle rejects {email} as the user key although {whose}, with and without an IP address: {}",
                describe(e)
            ))
            .fix(format!(
                "In User key authentication's settings set \"Mapping field\" to \"Email address\" and Save changes.\nOn the server: {}",
                cfg_cli::userkey_mapping_email()
            ))
        }
        Some(Err(_)) => Finding::blocked(CHECK, 7, userkey_blocker(obs)),
        None => sso_not_run(obs, CHECK, 7),
    }
}

/// auth_userkey's "IP restriction" makes `user[ip]` a required parameter: openSIS sends only
/// the e-mail, so every single sign-on is refused with the same answer as a wrong mapping
/// field. A second login URL with an address tells the two apart.
fn ip_restriction(obs: &Observations) -> Finding {
    const CHECK: &str = "userkey_ip_restriction_off";
    match (obs.login_url(), &obs.sso.login_url_with_ip) {
        (Some(Ok(_)), _) => Finding::pass(CHECK, 7, "\"IP restriction\" of User key authentication is off.")
            .evidence("a login URL was issued for the e-mail alone"),
        (Some(Err(e)), Some(Ok(_))) => Finding::fail(
            CHECK,
            7,
            "\"IP restriction\" of User key authentication is on: openSIS sends only the e-mail, so Moodle refuses every single sign-on.",
        )
        .evidence(format!(
            "the e-mail alone: {}; the same with user[ip]={}: a login URL (a key for an address no computer has, never opened)",
            describe(e),
            crate::engine::sso::UNUSABLE_IP
        ))
        .fix(format!(
            "In User key authentication's settings set \"IP restriction\" to No and Save changes.\nOn the server: {}",
            cfg_cli::userkey_ip_restriction_off()
        )),
        (Some(Err(e)), Some(Err(_))) if e.is_errorcode(codes::INVALID_PARAMETER) => Finding::blocked(CHECK, 7, 7),
        (Some(Err(_)), _) => Finding::blocked(CHECK, 7, userkey_blocker(obs)),
        (None, _) => sso_not_run(obs, CHECK, 7),
    }
}

/// auth_userkey's "Update user" rewrites the account a login URL is asked for (its login
/// method becomes "userkey", so the admin's password stops working): the check reads the
/// account before and after, and puts back what changed.
fn update_user(obs: &Observations) -> Finding {
    const CHECK: &str = "userkey_update_user_off";
    let sso = &obs.sso;
    if !sso.changes.is_empty() {
        let list: Vec<String> = sso
            .changes
            .iter()
            .map(|c| {
                format!(
                    "{} of \"{}\": {} → {}",
                    c.field, c.username, c.before, c.after
                )
            })
            .collect();
        let what = if sso.changes.iter().any(|c| c.field == "auth") {
            "it rewrote the admin's login method"
        } else {
            "it rewrote the admin's account"
        };
        let turn_off = format!(
            "In User key authentication's settings set \"Update user?\" to No (and \"Create user?\" to No), then Save changes: openSIS's single sign-on would rewrite every account it signs in.\nOn the server: {}",
            cfg_cli::userkey_update_user_off()
        );
        let finding = if sso.restored() {
            Finding::fail(
                CHECK,
                7,
                format!("\"Update user?\" is on — {what}; it has been restored; turn it off."),
            )
            .evidence(format!(
                "the single sign-on check changed {}; core_user_update_users put the old values back and a new read confirmed them",
                list.join(", ")
            ))
            .fix(turn_off.clone())
        } else {
            let why = match &sso.restore {
                Some(Err(e)) => describe(e),
                Some(Ok(w)) if !w.is_empty() => w
                    .iter()
                    .map(|w| format!("{}: {}", w.warningcode, w.message))
                    .collect::<Vec<_>>()
                    .join("; "),
                _ => "a new read did not show the old values".to_owned(),
            };
            let by_hand: Vec<String> = sso
                .changes
                .iter()
                .map(|c| match c.field {
                    "auth" => format!(
                        "\"Choose an authentication method\" of \"{}\" back to {}",
                        c.username,
                        auth_label(&c.before)
                    ),
                    other => format!("{other} of \"{}\" back to \"{}\"", c.username, c.before),
                })
                .collect();
            Finding::fail(
                CHECK,
                7,
                format!("\"Update user?\" is on — {what}, and putting it back failed: set it back by hand, then set \"Update user?\" to No."),
            )
            .evidence(format!("the single sign-on check changed {}; restoring it failed: {why}", list.join(", ")))
            .fix(format!(
                "Another site administrator opens Site administration → Users → Browse list of users → the account → Edit profile and sets {} (Moodle does not let you change your own). {turn_off}",
                by_hand.join("; ")
            ))
        };
        return finding;
    }
    match (obs.login_url(), &sso.after) {
        (Some(Ok(_)), Some(Ok(_))) => Finding::pass(
            CHECK,
            7,
            "The single sign-on check changed nothing on the admin's account (\"Update user?\" is No).",
        )
        .evidence("the account read before and after the login URL shows the same login method, name, e-mail and status"),
        (Some(Ok(_)), Some(Err(e))) => Finding::unknown(
            CHECK,
            7,
            "Could not read the admin's account again after the single sign-on check: check in Moodle that its authentication method is still the same, and that \"Update user?\" is No.",
        )
        .evidence(describe(e)),
        (Some(Ok(_)), None) => Finding::unknown(CHECK, 7, "The admin's account was not read again after the single sign-on check."),
        (Some(Err(_)), _) => Finding::blocked(CHECK, 7, match userkey_state(obs) {
            UserkeyState::Reached => 7,
            _ => userkey_blocker(obs),
        }),
        (None, _) => sso_not_run(obs, CHECK, 7),
    }
}

/// How Moodle's user form names an authentication plugin.
fn auth_label(auth: &str) -> String {
    match auth {
        "manual" => "\"Manual accounts\"".to_owned(),
        "email" => "\"Email-based self-registration\"".to_owned(),
        "nologin" => "\"No login\"".to_owned(),
        other => format!("\"{other}\""),
    }
}

fn key_lifetime(obs: &Observations) -> Finding {
    const CHECK: &str = "userkey_lifetime";
    let fix = format!(
        "In User key authentication's settings set \"User key life time\" to 120 and Save changes.\nOn the server: {}",
        cfg_cli::userkey_lifetime()
    );
    if !obs.moodle_answers() {
        return Finding::blocked(CHECK, 7, 0);
    }
    let Some((age, follow)) = &obs.aged_follow else {
        return Finding::not_visible(
            CHECK,
            7,
            "\"User key life time\" cannot be read from outside Moodle: check that it says 120 (the default is 60), or prove it with the check that opens a login key 65 s after it was issued.",
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
        Ok(f) if key_refused(f) => Finding::fail(
            CHECK,
            7,
            format!("\"User key life time\" is {secs:.0} s or less: a key that old no longer signs in, so slow single sign-on from openSIS fails."),
        )
        .evidence(format!(
            "a login key opened {secs:.0} s after it was issued answered HTTP {}: \"{}\"",
            f.status,
            f.refusal.as_deref().unwrap_or_default()
        ))
        .fix(fix),
        Ok(f) => Finding::unknown(
            CHECK,
            7,
            "Opening the aged login key gave an answer that says nothing about \"User key life time\".",
        )
        .evidence(format!("HTTP {}: {}", f.status, f.body_excerpt)),
        Err(e) => Finding::unknown(
            CHECK,
            7,
            "Could not open the aged login key to check \"User key life time\".",
        )
        .evidence(describe(e)),
    }
}

/// auth_userkey's refusal of a key: its error page (HTTP 404) saying "Expired key" or
/// "Incorrect key" (a key past its life time is deleted by the next request).
fn key_refused(f: &moodle_ws::LoginFollow) -> bool {
    f.status == 404 && matches!(f.refusal.as_deref(), Some("Expired key" | "Incorrect key"))
}

fn webservice_auth(obs: &Observations) -> Finding {
    const CHECK: &str = "webservice_auth_enabled";
    if !obs.moodle_answers() {
        return Finding::blocked(CHECK, 8, 0);
    }
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
        None if obs.no_sso => Finding::skipped(CHECK, 8),
        // Refused by the web server itself: Moodle never saw it (nor logged a failed login).
        Some(Err(e)) if super::answers::by_web_server(e) => Finding::blocked(CHECK, 8, 0),
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
        Some(Err(e)) => Finding::unknown(CHECK, 8, "Could not tell whether \"Web services authentication\" is enabled.")
            .evidence(evidence(e)),
        Some(Ok(_)) | None => Finding::unknown(CHECK, 8, "Could not tell whether \"Web services authentication\" is enabled."),
    }
}

fn web_services_enabled(obs: &Observations) -> Finding {
    const CHECK: &str = "web_services_enabled";
    match obs.config() {
        Some(cfg) if cfg.enablewebservices == 1 => {
            Finding::pass(CHECK, 11, "Web services are enabled.").evidence("public configuration: enablewebservices = 1")
        }
        Some(_) => Finding::fail(CHECK, 11, "Web services are not enabled: openSIS cannot call Moodle at all.")
            .evidence("public configuration: enablewebservices = 0; webservice/rest/server.php answers HTTP 403 with an empty body")
            .fix(format!(
                "Tick \"Enable web services\" in Site administration → General → Advanced features and Save changes.\nOn the server: {}",
                cfg_cli::enable_web_services()
            )),
        None => Finding::blocked(CHECK, 11, 0),
    }
}

fn rest_protocol(obs: &Observations) -> Finding {
    const CHECK: &str = "rest_protocol_enabled";
    let Some(cfg) = obs.config() else {
        return Finding::blocked(CHECK, 13, 0);
    };
    if cfg.enablewebservices != 1 {
        return Finding::blocked(CHECK, 13, 11);
    }
    match rest_answers(obs) {
        Some(true) => Finding::pass(CHECK, 13, "The REST protocol is enabled.")
            .evidence("webservice/rest/*.php answers with Moodle JSON"),
        Some(false) => Finding::fail(CHECK, 13, "The REST protocol is not enabled.")
            .evidence("web services are on (enablewebservices = 1), yet webservice/rest/server.php answers HTTP 403 with an empty body and simpleserver.php an empty page")
            .fix(format!(
                "Enable REST in Site administration → Server → Web services → Manage protocols (the eye icon).\nOn the server: {}",
                cfg_cli::enable_rest_protocol()
            )),
        // The web server refused the calls with its own page: Moodle was not asked (step 0).
        None if ws_blocker(obs) == Some(0) => Finding::blocked(CHECK, 13, 0),
        None => Finding::unknown(CHECK, 13, "Could not tell whether the REST protocol is enabled.")
            .evidence(obs.simpleserver.as_ref().and_then(|r| r.as_ref().err()).map(describe).unwrap_or_else(|| "no web-service call could be made (no token, and the probe with a made-up user was skipped)".to_owned())),
    }
}
