// Owns: what the plugins' functions say beyond "installed": openSIS-Web-Services registered but
// its files gone or its upgrade unfinished (RW26), and auth_userkey's version against the
// site's (RW25). Must not: judge the service or the tokens.

use moodle_ws::error::codes;

use super::answers::{branch, opensis_state, OpensisState};
use super::words::describe;
use crate::engine::observations::{Observations, PLUGIN_PROBE_FUNCTION};
use crate::finding::Finding;
use plugin_zip::moodle_version::branch_name;

/// auth_userkey releases and the Moodle branches they declare (`$plugin->supported`).
const USERKEY_RELEASES: &[(&str, u32, u32)] = &[("2022081901", 303, 401)];

/// The local_get_* functions are registered, but Moodle cannot run them.
pub(super) fn web_services_plugin_intact(obs: &Observations) -> Option<Finding> {
    const CHECK: &str = "web_services_plugin_intact";
    let Some(Err(e)) = &obs.plugin_probe else {
        return None;
    };
    let (summary, fix) = match e.errorcode()? {
        codes::CODING_ERROR => (
            "openSIS-Web-Services is registered in Moodle but its files are missing: its functions cannot run.",
            "Install openSIS-Web-Services.zip again (Site administration → Plugins → Install plugins) — the folder local/… must be on the server — and finish \"Upgrade Moodle database now\".",
        ),
        codes::UPGRADE_RUNNING => (
            "Moodle is in the middle of an upgrade: it refuses web-service calls until the upgrade is finished.",
            "Open Site administration → Notifications and finish \"Upgrade Moodle database now\" (or on the server: php admin/cli/upgrade.php).",
        ),
        _ => return None,
    };
    Some(
        Finding::fail(CHECK, 3, summary)
            .evidence(format!(
                "{PLUGIN_PROBE_FUNCTION} called without parameters: {}",
                describe(e)
            ))
            .fix(fix),
    )
}

/// auth_userkey's own version, from the opensis service's function list, against the Moodle
/// branches it declares.
pub(super) fn userkey_version(obs: &Observations) -> Option<Finding> {
    const CHECK: &str = "userkey_plugin_version";
    let OpensisState::Works(info) = opensis_state(obs) else {
        return None;
    };
    let version = info
        .functions
        .iter()
        .find(|f| f.name == "auth_userkey_request_login_url")?
        .version
        .clone();
    let site = branch(obs).0?;
    let Some((_, from, to)) = USERKEY_RELEASES.iter().find(|(v, _, _)| *v == version) else {
        return Some(
            Finding::pass(CHECK, 3, format!("auth_userkey {version} is installed."))
                .evidence("a release this doctor does not know the declared Moodle versions of"),
        );
    };
    let range = format!("Moodle {} to {}", branch_name(*from), branch_name(*to));
    if (*from..=*to).contains(&site) {
        return Some(
            Finding::pass(
                CHECK,
                3,
                format!("auth_userkey {version} is made for this Moodle ({range})."),
            )
            .evidence(format!("the site runs Moodle {}", branch_name(site))),
        );
    }
    Some(
        Finding::warn(
            CHECK,
            3,
            format!(
                "auth_userkey {version} declares {range}; this site runs Moodle {}.",
                branch_name(site)
            ),
        )
        .evidence("the version of auth_userkey_request_login_url in the opensis service's function list")
        .fix("It can still work (it did on the recorded Moodle 4.5 and 5.0 sites), but take the build of openSIS-Moodle-User-Authenticator.zip made for your Moodle version when you next update it (auth_userkey's MOODLE_405_STABLE branch declares 4.5 to 5.0)."),
    )
}
