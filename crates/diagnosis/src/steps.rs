// Owns: the catalog of set-up steps — the 14 seed steps, step 0 (the site) and step 15
// (the tokens and single sign-on) — with Moodle's words and admin page paths, the same in
// Moodle 4.1, 4.5 and 5.0 (read in their source; words that differ are in moodle_texts.rs).
// Must not: probe anything; the engine decides which checks verify which step.

use serde::Serialize;

/// How far a step can be confirmed from outside Moodle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Verification {
    /// Probes confirm it fully.
    Remote,
    /// Probes confirm part of it; the rest needs the admin's tick.
    Partial,
    /// Nothing remote shows it; it is confirmed by a later step or by the admin.
    Manual,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Step {
    pub number: u8,
    pub title: &'static str,
    /// What the admin does, in Moodle's own words.
    pub action: &'static str,
    /// The admin page, relative to the site root, the same on Moodle 4.1, 4.5 and 5.0.
    pub admin_path: Option<&'static str>,
    pub verification: Verification,
    /// For manual steps: the step whose checks also prove this one.
    pub proven_by: Option<u8>,
}

pub const INSTALL_ADDON: &str = "admin/tool/installaddon/index.php";
pub const MANAGE_AUTHS: &str = "admin/settings.php?section=manageauths";
pub const USERKEY_SETTINGS: &str = "admin/settings.php?section=authsettinguserkey";
pub const EXTERNAL_SERVICES: &str = "admin/settings.php?section=externalservices";
pub const OPTIONAL_SUBSYSTEMS: &str = "admin/settings.php?section=optionalsubsystems";
pub const WS_PROTOCOLS: &str = "admin/settings.php?section=webserviceprotocols";
pub const TOKENS: &str = "admin/webservice/tokens.php";
pub const PLUGINS_OVERVIEW: &str = "admin/plugins.php";
pub const MAINTENANCE: &str = "admin/settings.php?section=maintenancemode";
/// Needs the service id, which only the External services page shows.
pub const SERVICE_FUNCTIONS: &str = "admin/webservice/service_functions.php?id=";
pub const SERVICE_USERS: &str = "admin/webservice/service_users.php?id=";

static CATALOG: [Step; 16] = [
    Step {
        number: 0,
        title: "The Moodle site",
        action: "Use the address you open Moodle with. It must be reachable from the internet \
                 (no VPN, no local-only host) and not in maintenance mode.",
        admin_path: None,
        verification: Verification::Partial,
        proven_by: None,
    },
    Step {
        number: 1,
        title: "Log in as a site administrator",
        action: "Log in to Moodle as a site administrator and open Site administration.",
        admin_path: Some("admin/index.php"),
        verification: Verification::Manual,
        proven_by: Some(15),
    },
    Step {
        number: 2,
        title: "Open \"Install plugins\"",
        action: "Site administration → Plugins → Install plugins.",
        admin_path: Some(INSTALL_ADDON),
        verification: Verification::Manual,
        proven_by: Some(3),
    },
    Step {
        number: 3,
        title: "Install the two openSIS plugins",
        action: "Install openSIS-Moodle-User-Authenticator.zip (User key authentication) and \
                 openSIS-Web-Services.zip: after each ZIP's validation, Continue past \"Current release \
                 information\", then \"Upgrade Moodle database now\" on \"Plugins check\".",
        admin_path: Some(INSTALL_ADDON),
        verification: Verification::Remote,
        proven_by: None,
    },
    Step {
        number: 4,
        title: "Upload each ZIP package",
        action:
            "Drag each ZIP into \"ZIP package\" and press \"Install plugin from the ZIP file\".",
        admin_path: Some(INSTALL_ADDON),
        verification: Verification::Manual,
        proven_by: Some(3),
    },
    Step {
        number: 5,
        title: "Open \"Manage authentication\"",
        action: "Site administration → Plugins → Authentication → Manage authentication.",
        admin_path: Some(MANAGE_AUTHS),
        verification: Verification::Manual,
        proven_by: Some(6),
    },
    Step {
        number: 6,
        title: "Enable \"User key authentication\"",
        action: "In Manage authentication, click the eye icon of \"User key authentication\".",
        admin_path: Some(MANAGE_AUTHS),
        verification: Verification::Remote,
        proven_by: None,
    },
    Step {
        number: 7,
        title: "Set up \"User key authentication\"",
        action: "In its Settings, set \"Mapping field\" to \"Email address\" and \"User key life \
                 time\" to 120, then Save changes.",
        admin_path: Some(USERKEY_SETTINGS),
        verification: Verification::Partial,
        proven_by: None,
    },
    Step {
        number: 8,
        title: "Enable \"Web services authentication\"",
        action: "In Manage authentication, click the eye icon of \"Web services authentication\".",
        admin_path: Some(MANAGE_AUTHS),
        verification: Verification::Remote,
        proven_by: None,
    },
    Step {
        number: 9,
        title: "Create the external service \"opensis\"",
        action: "Site administration → Server → Web services → External services → Add; \
                 Name and Short name: opensis.",
        admin_path: Some(EXTERNAL_SERVICES),
        verification: Verification::Remote,
        proven_by: None,
    },
    Step {
        number: 10,
        title: "Set the service's options",
        action: "Tick \"Enabled\", \"Can download files\" and \"Can upload files\"; leave \
                 \"Authorised users only\" unticked.",
        admin_path: Some(EXTERNAL_SERVICES),
        verification: Verification::Partial,
        proven_by: None,
    },
    Step {
        number: 11,
        title: "Enable web services",
        action: "Site administration → General → Advanced features → tick \"Enable web \
                 services\".",
        admin_path: Some(OPTIONAL_SUBSYSTEMS),
        verification: Verification::Remote,
        proven_by: None,
    },
    Step {
        number: 12,
        title: "Authorise the admin on \"User key authentication web service\"",
        action: "External services → \"User key authentication web service\" → Authorised users \
                 → add the site administrator.",
        admin_path: Some(EXTERNAL_SERVICES),
        verification: Verification::Remote,
        proven_by: None,
    },
    Step {
        number: 13,
        title: "Enable the REST protocol",
        action: "Site administration → Server → Web services → Manage protocols → enable REST.",
        admin_path: Some(WS_PROTOCOLS),
        verification: Verification::Remote,
        proven_by: None,
    },
    Step {
        number: 14,
        title: "Add the 31 functions to \"opensis\"",
        action: "External services → opensis → Functions → Add functions: add all 31.",
        admin_path: Some(EXTERNAL_SERVICES),
        verification: Verification::Remote,
        proven_by: None,
    },
    Step {
        number: 15,
        title: "Create the two tokens and prove single sign-on",
        action: "Manage tokens → Create token for the admin: one for \"opensis\", one for \"User \
                 key authentication web service\"; enter both in openSIS LMS Settings.",
        admin_path: Some(TOKENS),
        verification: Verification::Remote,
        proven_by: None,
    },
];

/// Every step, in order.
pub fn catalog() -> &'static [Step] {
    &CATALOG
}

pub fn step(number: u8) -> Option<&'static Step> {
    CATALOG.iter().find(|s| s.number == number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_is_numbered_0_to_15_and_manual_steps_name_their_proof() {
        for (i, s) in catalog().iter().enumerate() {
            assert_eq!(usize::from(s.number), i);
            if s.verification == Verification::Manual {
                let proof = s
                    .proven_by
                    .expect("a manual step names the step that proves it");
                assert_ne!(step(proof).unwrap().verification, Verification::Manual);
            }
        }
        assert_eq!(step(13).unwrap().admin_path, Some(WS_PROTOCOLS));
    }
}
