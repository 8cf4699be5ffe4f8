// Owns: the checks of the `opensis` external service — it exists and the token is for it
// (9), it is enabled, open to the admin and may move files (10), it holds the 31 functions (14).
// Must not: judge the tokens themselves (tokens.rs).

use moodle_ws::error::codes;
use moodle_ws::{SiteInfo, WsError};

use super::{describe, opensis_state, ws_blocker, OpensisState};
use crate::engine::observe::Observations;
use crate::finding::Finding;
use crate::required_functions::{is_web_services_plugin_function, required_functions};
use crate::steps;

pub(super) fn findings(obs: &Observations) -> Vec<Finding> {
    let state = opensis_state(obs);
    vec![
        service_exists(obs, &state),
        service_open(obs, &state),
        service_files(obs, &state),
        functions(obs, &state),
    ]
}

/// A blocked finding naming the first step that must pass before the service can be seen.
fn blocked_by_token(obs: &Observations, check: &str, step: u8) -> Finding {
    Finding::blocked(check, step, ws_blocker(obs).unwrap_or(15))
}

/// The Moodle app's built-in service lists tool_mobile_* functions; opensis never does.
fn is_mobile_service(info: &SiteInfo) -> bool {
    info.functions
        .iter()
        .any(|f| f.name.starts_with("tool_mobile_"))
}

fn service_exists(obs: &Observations, state: &OpensisState) -> Finding {
    const CHECK: &str = "opensis_service_exists";
    match state {
        OpensisState::Works(info) if is_mobile_service(info) => Finding::fail(
            CHECK,
            9,
            "The opensis token belongs to the \"Moodle mobile web service\", not to the opensis service.",
        )
        .evidence(format!("the token's service lists {} functions, including tool_mobile_* ones", info.functions.len()))
        .fix("Create the external service \"opensis\" (if it is missing) and a token for it in Manage tokens."),
        OpensisState::Works(info) => Finding::pass(CHECK, 9, "The opensis token reaches its service.")
            .evidence(format!("the token's service lists {} functions", info.functions.len())),
        _ => blocked_by_token(obs, CHECK, 9),
    }
}

fn service_open(obs: &Observations, state: &OpensisState) -> Finding {
    const CHECK: &str = "opensis_service_open";
    match state {
        OpensisState::Works(info) => Finding::pass(CHECK, 10, "The opensis service is enabled and lets the admin in.")
            .evidence(format!("core_webservice_get_site_info answered for user \"{}\"", info.username)),
        OpensisState::Refused(e) => Finding::fail(
            CHECK,
            10,
            "Moodle knows the opensis token but refuses it: the opensis service is disabled, or \"Authorised users only\" is ticked without the admin listed.",
        )
        .evidence(format!(
            "core_webservice_get_site_info: {} (twice, so the token has not expired)",
            describe(e)
        ))
        .fix("In External services → opensis → Edit: tick \"Enabled\" and untick \"Authorised users only\", then Save changes. If both are right, the token was made for another service: create one for opensis."),
        _ => blocked_by_token(obs, CHECK, 10),
    }
}

fn service_files(obs: &Observations, state: &OpensisState) -> Finding {
    const CHECK: &str = "opensis_service_files";
    let OpensisState::Works(info) = state else {
        return blocked_by_token(obs, CHECK, 10);
    };
    let mut off = Vec::new();
    if info.downloadfiles == 0 {
        off.push("Can download files");
    }
    if info.uploadfiles == 0 {
        off.push("Can upload files");
    }
    let evidence = format!(
        "downloadfiles = {}, uploadfiles = {}",
        info.downloadfiles, info.uploadfiles
    );
    if off.is_empty() {
        Finding::pass(
            CHECK,
            10,
            "The opensis service can download and upload files.",
        )
        .evidence(evidence)
    } else {
        Finding::fail(
            CHECK,
            10,
            format!("The opensis service lacks \"{}\".", off.join("\" and \"")),
        )
        .evidence(evidence)
        .fix(format!(
            "In External services → opensis → Edit (Show more…): tick \"{}\", then Save changes.",
            off.join("\" and \"")
        ))
    }
}

fn functions(obs: &Observations, state: &OpensisState) -> Finding {
    const CHECK: &str = "opensis_functions";
    let OpensisState::Works(info) = state else {
        return blocked_by_token(obs, CHECK, 14);
    };
    let required = required_functions();
    let present = required.iter().filter(|f| info.has_function(f)).count();
    let answer = |name: &str| {
        obs.existence
            .iter()
            .find(|(f, _)| f == name)
            .map(|(_, r)| r)
    };
    let not_installed = |r: &Result<serde_json::Value, WsError>| matches!(r, Err(e) if e.is_errorcode(codes::INVALID_RECORD));
    let mut not_added = Vec::new();
    let mut from_missing_plugin = Vec::new();
    let mut absent_from_moodle = Vec::new();
    for f in required.iter().filter(|f| !info.has_function(f)) {
        match answer(f) {
            Some(r)
                if not_installed(r)
                    && (is_web_services_plugin_function(f) || f.starts_with("auth_userkey_")) =>
            {
                from_missing_plugin.push(*f)
            }
            Some(r) if not_installed(r) => absent_from_moodle.push(*f),
            // Exists on the site (refused as not in the service) or could not be told.
            _ => not_added.push(*f),
        }
    }
    let link = obs.root.endpoint(steps::EXTERNAL_SERVICES).to_string();
    if not_added.is_empty() && from_missing_plugin.is_empty() && absent_from_moodle.is_empty() {
        return Finding::pass(
            CHECK,
            14,
            format!(
                "All {} functions are in the opensis service.",
                required.len()
            ),
        )
        .evidence(format!(
            "{present} of {} listed by core_webservice_get_site_info",
            required.len()
        ));
    }
    let mut evidence = vec![format!(
        "{present} of {} functions in the service",
        required.len()
    )];
    if !not_added.is_empty() {
        evidence.push(format!("not added: {}", not_added.join(", ")));
    }
    if !from_missing_plugin.is_empty() {
        evidence.push(format!(
            "not installed (step 3): {}",
            from_missing_plugin.join(", ")
        ));
    }
    if !absent_from_moodle.is_empty() {
        evidence.push(format!(
            "missing from this Moodle version: {}",
            absent_from_moodle.join(", ")
        ));
    }
    if not_added.is_empty() && absent_from_moodle.is_empty() {
        return Finding::blocked(CHECK, 14, 3)
            .evidence(evidence.join("; "))
            .link(link);
    }
    let count = not_added.len() + absent_from_moodle.len();
    let mut fix = format!(
        "In External services → opensis → Functions → Add functions, add: {}.",
        not_added
            .iter()
            .chain(absent_from_moodle.iter())
            .copied()
            .collect::<Vec<_>>()
            .join(", ")
    );
    if !from_missing_plugin.is_empty() {
        fix.push_str(&format!(
            "\nAfter installing the missing plugin (step 3), also add: {}.",
            from_missing_plugin.join(", ")
        ));
    }
    Finding::fail(
        CHECK,
        14,
        format!(
            "{count} of the {} functions are missing from the opensis service.",
            required.len()
        ),
    )
    .evidence(evidence.join("; "))
    .fix(fix)
    .link(link)
}
