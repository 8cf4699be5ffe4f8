// Owns: the plan — from a snapshot of the site and what the set-up wants, the list of changes,
// step by step, each with its value now and after, in an order where each can be checked at
// once; and what cannot be done (and why). Must not: send a request, or list a change for a
// value that is already right (a site already right gets an empty plan).

use serde::{Deserialize, Serialize};

use crate::snapshot::{ServiceState, SiteSnapshot};

/// The Moodle branches whose admin pages and forms every change was proven on (real lab sites,
/// recorded in crates/moodle-sim/admin-runs).
pub const PROVEN_BRANCHES: &[&str] = &["4.1", "4.5", "5.0"];

/// The value auth_userkey's settings must have (the openSIS guide's).
pub const MAPPING_FIELD: &str = "email";
pub const KEY_LIFETIME: &str = "120";
/// The functions auth_userkey brings (auth_userkey_request_login_url): on the site once its ZIP
/// is installed.
const USERKEY_FUNCTION_PREFIX: &str = "auth_userkey_";

/// What the set-up wants beyond the fixed values.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Wanted {
    /// The functions openSIS calls (the 31 of the guide).
    pub functions: Vec<String>,
    /// A validated auth_userkey ZIP is at hand (its bytes are given to the apply).
    pub userkey_zip: bool,
    /// A working token is held for this school (its keyring, or given to the doctor and not
    /// refused): opensis, user key. Without one, a token is made.
    pub have_opensis_token: bool,
    pub have_userkey_token: bool,
}

/// Which service a token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenFor {
    Opensis,
    Userkey,
}

/// One change the apply makes, with what it needs to be made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    InstallUserkey,
    EnableAuth {
        plugin: String,
    },
    /// A setting of an admin settings page (`admin/settings.php?section=…`).
    SetSetting {
        section: String,
        setting: String,
        value: String,
    },
    EnableProtocol {
        protocol: String,
    },
    CreateService,
    /// The opensis service's options: enabled, all users, files both ways.
    SetServiceOptions,
    AddFunctions {
        names: Vec<String>,
    },
    AuthoriseAdmin,
    CreateToken {
        service: TokenFor,
    },
}

/// A change as the admin reviews it: "REST protocol: off → on".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedChange {
    /// The guide's step number.
    pub step: u8,
    pub what: String,
    pub before: String,
    pub after: String,
    pub action: Action,
}

/// What the plan cannot do, with the manual way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CannotDo {
    pub step: u8,
    pub why: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Plan {
    pub changes: Vec<PlannedChange>,
    pub cannot: Vec<CannotDo>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

fn on_off(b: bool) -> String {
    if b { "on" } else { "off" }.to_string()
}

fn shown(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "not set".into())
}

fn label(setting: &str, value: &str) -> String {
    match (setting, value) {
        ("mappingfield", "email") => "Email address".into(),
        ("mappingfield", "username") => "Username".into(),
        ("mappingfield", "idnumber") => "ID number".into(),
        ("iprestriction" | "updateuser" | "createuser", "0") => "No".into(),
        ("iprestriction" | "updateuser" | "createuser", "1") => "Yes".into(),
        (_, v) => v.to_string(),
    }
}

/// The plan for a site as the snapshot shows it. On a Moodle version the changes were not
/// proven on, nothing is planned and the plan says why.
pub fn plan(site: &SiteSnapshot, wanted: &Wanted) -> Plan {
    let mut p = Plan::default();
    let proven = site
        .branch
        .as_deref()
        .is_some_and(|b| PROVEN_BRANCHES.contains(&b));
    if !proven {
        p.cannot.push(CannotDo {
            step: 0,
            why: format!(
                "this is Moodle {}: the app has proven its changes on Moodle {} only, so it changes nothing here; follow the guided steps (they name every page and field)",
                site.release.as_deref().unwrap_or("of a version the Environment page did not show"),
                PROVEN_BRANCHES.join(", ")
            ),
        });
        return p;
    }
    let mut add = |step: u8, what: &str, before: String, after: String, action: Action| {
        p.changes.push(PlannedChange {
            step,
            what: what.to_string(),
            before,
            after,
            action,
        })
    };

    // Maintenance mode keeps openSIS out (step 0): off first, when it is on.
    if site.maintenance == Some(true) {
        add(
            0,
            "Maintenance mode",
            "on".into(),
            "off".into(),
            Action::SetSetting {
                section: "maintenancemode".into(),
                setting: "s__maintenance_enabled".into(),
                value: "0".into(),
            },
        );
    }
    // Step 3 (auth_userkey) first: steps 6, 7, 12 and the user-key token need it.
    let userkey_coming = site.userkey_installed || wanted.userkey_zip;
    if !site.userkey_installed && wanted.userkey_zip {
        add(
            3,
            "plugin auth_userkey (openSIS-Moodle-User-Authenticator.zip)",
            "not installed".into(),
            "installed".into(),
            Action::InstallUserkey,
        );
    }
    if userkey_coming && !site.auth.is_enabled("userkey") {
        add(
            6,
            "\"User key authentication\"",
            "off".into(),
            "on".into(),
            Action::EnableAuth {
                plugin: "userkey".into(),
            },
        );
    }
    if userkey_coming {
        let now = site.userkey.clone();
        let wants = [
            ("mappingfield", "Mapping field", MAPPING_FIELD),
            ("keylifetime", "User key life time", KEY_LIFETIME),
            ("iprestriction", "IP restriction", "0"),
            ("updateuser", "Update user", "0"),
            ("createuser", "Create user", "0"),
        ];
        for (setting, what, value) in wants {
            let current = now.as_ref().and_then(|u| match setting {
                "mappingfield" => u.mapping_field.clone(),
                "keylifetime" => u.key_lifetime.clone(),
                "iprestriction" => u.ip_restriction.clone(),
                "createuser" => u.create_user.clone(),
                _ => u.update_user.clone(),
            });
            if current.as_deref() == Some(value) {
                continue;
            }
            // Before the install, the value is the plugin's default, read after the install.
            let before = if site.userkey_installed {
                current
                    .as_deref()
                    .map(|c| label(setting, c))
                    .unwrap_or_else(|| shown(&None))
            } else {
                "the plugin's default".into()
            };
            add(
                7,
                &format!("User key authentication: {what}"),
                before,
                label(setting, value),
                Action::SetSetting {
                    section: "authsettinguserkey".into(),
                    setting: format!("s_auth_userkey_{setting}"),
                    value: value.into(),
                },
            );
        }
    } else {
        p.cannot.push(CannotDo {
            step: 3,
            why: "auth_userkey (openSIS-Moodle-User-Authenticator.zip) is not installed and no ZIP was given: steps 6, 7, 12 and the user-key token wait for it".into(),
        });
    }
    if !site.auth.is_enabled("webservice") {
        add(
            8,
            "\"Web services authentication\"",
            "off".into(),
            "on".into(),
            Action::EnableAuth {
                plugin: "webservice".into(),
            },
        );
    }
    match &site.opensis {
        None => {
            add(
                9,
                "external service opensis",
                "does not exist".into(),
                "created: enabled, all users, can download and upload files".into(),
                Action::CreateService,
            );
        }
        Some(service) => {
            let o = &service.options;
            let mut before = Vec::new();
            let mut after = Vec::new();
            let mut diff = |name: &str, now: bool, want: bool| {
                if now != want {
                    before.push(format!("{name} {}", on_off(now)));
                    after.push(format!("{name} {}", on_off(want)));
                }
            };
            diff("Enabled", o.enabled, true);
            diff("Authorised users only", o.restricted_users, false);
            diff("Can download files", o.download_files, true);
            diff("Can upload files", o.upload_files, true);
            if !before.is_empty() {
                add(
                    10,
                    "service opensis",
                    before.join(", "),
                    after.join(", "),
                    Action::SetServiceOptions,
                );
            }
        }
    }
    if site.webservices_enabled != Some(true) {
        add(
            11,
            "Enable web services",
            site.webservices_enabled
                .map(on_off)
                .unwrap_or_else(|| "not shown".into()),
            "on".into(),
            Action::SetSetting {
                section: "optionalsubsystems".into(),
                setting: "s__enablewebservices".into(),
                value: "1".into(),
            },
        );
    }
    if !site.protocols.is_enabled("rest") {
        add(
            13,
            "REST protocol",
            "off".into(),
            "on".into(),
            Action::EnableProtocol {
                protocol: "rest".into(),
            },
        );
    }
    let mut missing = missing_functions(site.opensis.as_ref(), &wanted.functions);
    // With the service there, its "Add functions" form tells which the site has at all; the
    // auth_userkey ZIP the plan installs brings its own function (added after the install).
    let installs_userkey = !site.userkey_installed && wanted.userkey_zip;
    if let Some(addable) = &site.addable_functions {
        let (on_site, absent): (Vec<String>, Vec<String>) = missing.into_iter().partition(|f| {
            addable.contains(f) || (installs_userkey && f.starts_with(USERKEY_FUNCTION_PREFIX))
        });
        missing = on_site;
        if !absent.is_empty() {
            p.cannot.push(CannotDo {
                step: 3,
                why: format!(
                    "{} of the 31 functions are not on this site (their plugin, step 3, is not installed): {}",
                    absent.len(),
                    absent.join(", ")
                ),
            });
        }
    }
    if !missing.is_empty() {
        add(
            14,
            &format!(
                "{} function{} to add to opensis",
                missing.len(),
                if missing.len() == 1 { "" } else { "s" }
            ),
            format!(
                "{} of {}",
                wanted.functions.len() - missing.len(),
                wanted.functions.len()
            ),
            missing.join(", "),
            Action::AddFunctions { names: missing },
        );
    }
    // A token is made when the set-up holds none that works for this site, or when the admin
    // has no token of the service without an expiry (the guide's token): a value Moodle
    // showed once to someone else cannot be read back.
    // "none" when Moodle lists none; else the school holds none, or one Moodle refused.
    let token_before = |listed: bool| {
        if listed {
            "none that works in the keyring".to_string()
        } else {
            "none".to_string()
        }
    };
    let opensis_tokens = site.admin_tokens_of(site.opensis.as_ref());
    if opensis_tokens.is_empty() || !wanted.have_opensis_token {
        add(
            15,
            "token for opensis (the admin, no expiry)",
            token_before(!opensis_tokens.is_empty()),
            "created, kept in the keyring".into(),
            Action::CreateToken {
                service: TokenFor::Opensis,
            },
        );
    }
    if userkey_coming {
        let authorised = site.userkey_service.as_ref().is_some_and(|s| {
            !s.options.restricted_users || s.authorised.contains(&site.admin_user_id)
        });
        if !authorised {
            add(
                12,
                "authorised users of \"User key authentication web service\"",
                "the admin is not one".into(),
                "the admin added".into(),
                Action::AuthoriseAdmin,
            );
        }
        let userkey_tokens = site.admin_tokens_of(site.userkey_service.as_ref());
        if userkey_tokens.is_empty() || !wanted.have_userkey_token {
            add(
                15,
                "token for User key authentication web service (the admin, no expiry)",
                token_before(!userkey_tokens.is_empty()),
                "created, kept in the keyring".into(),
                Action::CreateToken {
                    service: TokenFor::Userkey,
                },
            );
        }
    }
    p
}

/// The wanted functions the service does not have yet (all of them when it does not exist).
pub fn missing_functions(service: Option<&ServiceState>, wanted: &[String]) -> Vec<String> {
    wanted
        .iter()
        .filter(|w| !service.is_some_and(|s| s.functions.iter().any(|f| &f.name == *w)))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site_read::{ServiceFunction, ServiceOptions, ServiceRow, Switches, TokenRow};
    use crate::snapshot::UserkeySettings;

    const ADMIN: u64 = 2;

    fn service(id: u64, name: &str, builtin: bool, functions: &[&str]) -> ServiceState {
        ServiceState {
            row: ServiceRow {
                id,
                name: name.into(),
                builtin,
                plugin: builtin.then(|| "auth_userkey".into()),
                dimmed: false,
                restricted: builtin,
            },
            options: ServiceOptions {
                id,
                name: name.into(),
                shortname: if builtin { "" } else { "opensis" }.into(),
                enabled: true,
                restricted_users: builtin,
                download_files: !builtin,
                upload_files: !builtin,
            },
            functions: functions
                .iter()
                .enumerate()
                .map(|(i, f)| ServiceFunction {
                    name: f.to_string(),
                    function_id: i as u64 + 1,
                })
                .collect(),
            authorised: if builtin { vec![ADMIN] } else { vec![] },
        }
    }

    fn token(id: u64, service: &str, valid_until: &str) -> TokenRow {
        TokenRow {
            id,
            user_id: Some(ADMIN),
            service: service.into(),
            valid_until: valid_until.into(),
        }
    }

    const FUNCTIONS: &[&str] = &["core_webservice_get_site_info", "core_user_get_users"];

    fn good() -> SiteSnapshot {
        SiteSnapshot {
            admin_user_id: ADMIN,
            release: Some("4.5.11+ (Build: 20260501)".into()),
            branch: Some("4.5".into()),
            auth: Switches {
                enabled: vec!["email".into(), "userkey".into(), "webservice".into()],
                disabled: vec!["ldap".into()],
            },
            userkey_installed: true,
            userkey: Some(UserkeySettings {
                mapping_field: Some("email".into()),
                key_lifetime: Some("120".into()),
                ip_restriction: Some("0".into()),
                update_user: Some("0".into()),
                create_user: Some("0".into()),
            }),
            webservices_enabled: Some(true),
            maintenance: Some(false),
            protocols: Switches {
                enabled: vec!["rest".into()],
                disabled: vec!["soap".into()],
            },
            services: vec![],
            opensis: Some(service(3, "opensis", false, FUNCTIONS)),
            userkey_service: Some(service(2, "User key authentication web service", true, &[])),
            tokens: vec![
                token(1, "opensis", "This token has no expiry date."),
                token(2, "User key authentication web service", ""),
            ],
            addable_functions: Some(vec![]),
        }
    }

    fn wanted() -> Wanted {
        Wanted {
            functions: FUNCTIONS.iter().map(|f| f.to_string()).collect(),
            have_opensis_token: true,
            have_userkey_token: true,
            ..Wanted::default()
        }
    }

    #[test]
    fn an_unproven_version_gets_no_change_and_says_why() {
        let mut site = good();
        site.protocols.enabled.clear();
        site.release = Some("5.1.6 (Build: 20260810)".into());
        site.branch = Some("5.1".into());
        let p = plan(&site, &wanted());
        assert!(p.is_empty());
        assert!(p.cannot[0].why.contains("Moodle 5.1.6"), "{:?}", p.cannot);
    }

    #[test]
    fn a_token_is_made_when_none_that_works_is_held() {
        let lost = Wanted {
            have_opensis_token: false,
            ..wanted()
        };
        let p = plan(&good(), &lost);
        assert_eq!(
            p.changes.iter().map(|c| &c.action).collect::<Vec<_>>(),
            vec![&Action::CreateToken {
                service: TokenFor::Opensis
            }]
        );
        // Moodle lists the admin's token, but the school holds none that works.
        assert_eq!(p.changes[0].before, "none that works in the keyring");
    }

    fn lines(p: &Plan) -> Vec<String> {
        p.changes
            .iter()
            .map(|c| format!("{} {}: {} → {}", c.step, c.what, c.before, c.after))
            .collect()
    }

    #[test]
    fn a_site_already_right_gets_an_empty_plan() {
        let p = plan(&good(), &wanted());
        assert!(p.is_empty(), "{:?}", lines(&p));
        assert!(p.cannot.is_empty());
    }

    #[test]
    fn each_wrong_setting_is_one_change_with_its_values_now_and_after() {
        let mut site = good();
        site.protocols.enabled.clear();
        site.userkey.as_mut().unwrap().key_lifetime = Some("60".into());
        site.opensis.as_mut().unwrap().options.restricted_users = true;
        site.maintenance = Some(true);
        let p = plan(&site, &wanted());
        assert_eq!(
            lines(&p),
            vec![
                "0 Maintenance mode: on → off",
                "7 User key authentication: User key life time: 60 → 120",
                "10 service opensis: Authorised users only on → Authorised users only off",
                "13 REST protocol: off → on",
            ]
        );
    }

    #[test]
    fn a_token_with_an_expiry_is_not_the_set_ups_token() {
        let mut site = good();
        site.tokens[0].valid_until = "Tuesday, 1 December 2026, 12:00 AM".into();
        let p = plan(&site, &wanted());
        assert_eq!(p.changes.len(), 1);
        assert_eq!(
            p.changes[0].action,
            Action::CreateToken {
                service: TokenFor::Opensis
            }
        );
    }

    #[test]
    fn a_fresh_site_gets_every_step_in_an_order_each_can_be_checked() {
        let site = SiteSnapshot {
            auth: Switches {
                enabled: vec!["email".into()],
                disabled: vec!["webservice".into()],
            },
            userkey_installed: false,
            userkey: None,
            webservices_enabled: Some(false),
            protocols: Switches::default(),
            opensis: None,
            userkey_service: None,
            tokens: vec![],
            addable_functions: None,
            ..good()
        };
        let with_zip = Wanted {
            userkey_zip: true,
            ..wanted()
        };
        let steps: Vec<u8> = plan(&site, &with_zip)
            .changes
            .iter()
            .map(|c| c.step)
            .collect();
        assert_eq!(
            steps,
            vec![3, 6, 7, 7, 7, 7, 7, 8, 9, 11, 13, 14, 15, 12, 15]
        );
        // Without the ZIP, what needs auth_userkey waits and says why.
        let p = plan(&site, &wanted());
        assert!(p.changes.iter().all(|c| ![3, 6, 7, 12].contains(&c.step)));
        assert_eq!(p.cannot.len(), 1);
        assert_eq!(p.cannot[0].step, 3);
    }

    #[test]
    fn functions_the_site_does_not_have_are_named_for_step_3() {
        let mut site = good();
        site.opensis.as_mut().unwrap().functions.clear();
        site.addable_functions = Some(vec!["core_user_get_users".into()]);
        let p = plan(&site, &wanted());
        assert_eq!(
            p.changes[0].action,
            Action::AddFunctions {
                names: vec!["core_user_get_users".into()]
            }
        );
        assert!(p.cannot[0].why.contains("core_webservice_get_site_info"));
    }

    #[test]
    fn the_function_of_the_auth_userkey_zip_being_installed_is_added_after_it() {
        // auth_userkey uninstalled: its function is gone from the site and from the service.
        let mut site = good();
        site.userkey_installed = false;
        site.userkey = None;
        site.userkey_service = None;
        let service = site.opensis.as_mut().unwrap();
        service
            .functions
            .retain(|f| f.name != "auth_userkey_request_login_url");
        site.addable_functions = Some(vec!["core_user_get_users".into()]);
        let mut without_zip = wanted();
        without_zip
            .functions
            .push("auth_userkey_request_login_url".into());
        let with_zip = Wanted {
            userkey_zip: true,
            ..without_zip.clone()
        };
        let p = plan(&site, &with_zip);
        let adds = p.changes.iter().find_map(|c| match &c.action {
            Action::AddFunctions { names } => Some(names.clone()),
            _ => None,
        });
        assert_eq!(adds, Some(vec!["auth_userkey_request_login_url".into()]));
        assert!(p.cannot.is_empty(), "{:?}", p.cannot);
        // Without the ZIP it is named for step 3 instead.
        let p = plan(&site, &without_zip);
        assert!(p
            .cannot
            .iter()
            .any(|c| c.why.contains("auth_userkey_request_login_url")));
    }
}
