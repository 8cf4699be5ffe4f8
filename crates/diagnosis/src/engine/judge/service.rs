// Owns: the checks of the `opensis` external service — it exists and the token is for it
// (9), it is enabled, open to the admin and may move files (10), it holds the 31 functions (14).
// Must not: judge the tokens themselves (tokens.rs).

use moodle_ws::service_gate::WS_PLUGINFILE_ENDPOINT;
use moodle_ws::{ServiceGate, SiteInfo, UserkeyLoginPage};

use super::answers::{opensis_blocker, opensis_state, OpensisState, Refusal};
use super::words::describe;
use crate::engine::observations::{Observations, PLUGIN_PROBE_FUNCTION};
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
    Finding::blocked(check, step, opensis_blocker(obs))
}

/// What webservice/pluginfile.php said of the opensis token, for the evidence.
fn gate_evidence(obs: &Observations) -> String {
    match obs.service_gate.as_ref() {
        Some(answer) => match ServiceGate::read(answer) {
            Some(ServiceGate::Open { errorcode }) => format!("{WS_PLUGINFILE_ENDPOINT} let the token past the service's checks (enabled, open to the token's user, may download files) and only then refused the missing file (\"{errorcode}\")"),
            Some(ServiceGate::Closed) => format!("{WS_PLUGINFILE_ENDPOINT}, which needs no function of the service, refused the token too (accessexception)"),
            None => match answer {
                Err(e) => format!("{WS_PLUGINFILE_ENDPOINT}: {}", describe(e)),
                Ok(_) => format!("{WS_PLUGINFILE_ENDPOINT} answered without an error"),
            },
        },
        None => format!("{WS_PLUGINFILE_ENDPOINT} was not asked"),
    }
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
        OpensisState::Works(info) => Finding::pass(
            CHECK,
            10,
            "The opensis service is enabled and lets the admin in.",
        )
        .evidence(format!(
            "core_webservice_get_site_info answered for user \"{}\"",
            info.username
        )),
        OpensisState::Refused {
            why: Refusal::SiteInfoNotInService,
            ..
        } => Finding::pass(
            CHECK,
            10,
            "The opensis service is enabled and lets the admin in.",
        )
        .evidence(format!(
            "{PLUGIN_PROBE_FUNCTION} got as far as Moodle's parameter check"
        )),
        OpensisState::Refused {
            why: Refusal::NoFunctions,
            ..
        } => Finding::pass(
            CHECK,
            10,
            "The opensis service is enabled and lets the admin in.",
        )
        .evidence(gate_evidence(obs)),
        OpensisState::Refused {
            why: Refusal::Service,
            certain,
        } => {
            let gate = obs.service_gate.as_ref().and_then(ServiceGate::read);
            if gate == Some(ServiceGate::Closed) {
                return Finding::fail(
                    CHECK,
                    10,
                    "The opensis service refuses its token: it is disabled, \"Authorised users only\" is ticked without the admin listed, or \"Can download files\" is off.",
                )
                .evidence(format!("core_webservice_get_site_info: accessexception, twice (so the token has not expired); {}", gate_evidence(obs)))
                .fix("In Site administration → Server → Web services → External services → opensis → Edit: tick \"Enabled\", untick \"Authorised users only\" (or add the admin under Authorised users), and under Show more... tick \"Can download files\" and \"Can upload files\"; then Save changes.");
            }
            let evidence = match &obs.plugin_probe {
                Some(Err(e)) if *certain => format!(
                    "core_webservice_get_site_info: accessexception, twice (so the token has not expired); {PLUGIN_PROBE_FUNCTION}: {} — Moodle looked the function up, so the refusal comes from the service, not from the token's user",
                    describe(e)
                ),
                _ => "core_webservice_get_site_info: accessexception, twice (so the token has not expired); the user-key token of the same admin gets through".to_owned(),
            };
            let mut fix = "In Site administration → Server → Web services → External services → opensis → Edit: tick \"Enabled\" and untick \"Authorised users only\" (or add the admin under Authorised users), then Save changes. If both are right, the service may not have its functions yet: add them (step 14), then check again.".to_owned();
            if !certain {
                fix.push_str(" If the service is right, the token's user may not be a site administrator, or the token may be limited to other IP addresses (Manage tokens shows both).");
            }
            Finding::fail(
                CHECK,
                10,
                "Moodle knows the opensis token but refuses every call of it: the service is disabled, \"Authorised users only\" is ticked without the admin listed, or the service has no functions yet.",
            )
            .evidence(evidence)
            .fix(fix)
        }
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
            "In External services → opensis → Edit (Show more...): tick \"{}\", then Save changes.",
            off.join("\" and \"")
        ))
    }
}

/// Whether a plugin's functions cannot be in the service because the plugin is missing.
fn plugin_missing(obs: &Observations, function: &str) -> bool {
    if is_web_services_plugin_function(function) {
        return matches!(&obs.plugin_probe, Some(Err(e)) if e.is_missing_function());
    }
    if function.starts_with("auth_userkey_") {
        return matches!(
            obs.userkey_page.as_ref().and_then(|p| p.as_ref().ok()),
            Some(UserkeyLoginPage::NotInstalled { .. })
        ) || matches!(
            super::answers::userkey_state(obs),
            super::answers::UserkeyState::FunctionMissing
        );
    }
    false
}

fn functions(obs: &Observations, state: &OpensisState) -> Finding {
    const CHECK: &str = "opensis_functions";
    let link = obs.root.endpoint(steps::EXTERNAL_SERVICES).to_string();
    let required = required_functions();
    if let OpensisState::Refused {
        why: Refusal::NoFunctions,
        certain,
    } = state
    {
        let mut finding = Finding::fail(
            CHECK,
            14,
            "The opensis service does not have its functions yet: the service lets the token in, but Moodle refuses every function it is asked for, core_webservice_get_site_info included.",
        )
        .evidence(gate_evidence(obs))
        .fix(format!("Add the functions (step 14): External services → opensis → Functions → Add functions, all {} of them (core_webservice_get_site_info among them), then check again.", required.len()))
        .link(link);
        if !certain {
            finding.fix.push_str(" If they are all there, the token's user may not use the REST protocol: make the token for a site administrator.");
        }
        return finding;
    }
    if let OpensisState::Refused {
        why: Refusal::SiteInfoNotInService,
        ..
    } = state
    {
        return Finding::fail(
            CHECK,
            14,
            "core_webservice_get_site_info is not in the opensis service (the other functions could not be listed without it).",
        )
        .evidence(format!("core_webservice_get_site_info: accessexception; {PLUGIN_PROBE_FUNCTION}: the service lets it through"))
        .fix("In External services → opensis → Functions → Add functions, add core_webservice_get_site_info (and any of the 31 missing), then run this check again.")
        .link(link);
    }
    let OpensisState::Works(info) = state else {
        return blocked_by_token(obs, CHECK, 14);
    };
    let present = required.iter().filter(|f| info.has_function(f)).count();
    let (from_missing_plugin, not_added): (Vec<&str>, Vec<&str>) = required
        .iter()
        .copied()
        .filter(|f| !info.has_function(f))
        .partition(|f| plugin_missing(obs, f));
    if not_added.is_empty() && from_missing_plugin.is_empty() {
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
            "their plugin is not installed (step 3): {}",
            from_missing_plugin.join(", ")
        ));
    }
    if not_added.is_empty() {
        return Finding::blocked(CHECK, 14, 3)
            .evidence(evidence.join("; "))
            .link(link);
    }
    let mut fix = format!(
        "In External services → opensis → Functions → Add functions, add: {}.",
        not_added.join(", ")
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
            "{} of the {} functions are missing from the opensis service.",
            not_added.len(),
            required.len()
        ),
    )
    .evidence(evidence.join("; "))
    .fix(fix)
    .link(link)
}
