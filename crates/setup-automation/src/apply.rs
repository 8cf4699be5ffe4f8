// Owns: making one planned change through the admin page and form Moodle's own UI uses (with
// the session key), reading the page back to prove Moodle kept it, and what puts it back.
// Must not: change anything the change does not name, or print a token it created.

use moodle_ws::WsToken;

use crate::error::AdminError;
use crate::page::Page;
use crate::plan::{Action, PlannedChange, TokenFor};
use crate::record::{now_secs, ChangeRecord, Undo};
use crate::session::AdminSession;
use crate::site_read::{self, ServiceRow};
use crate::snapshot::{self, ServiceState, OPENSIS_SERVICE, USERKEY_COMPONENT};

/// What one change left: its record (for the profile and the undo), a token it created (for
/// the keyring, never printed), and the functions the site does not have.
#[derive(Debug, Default)]
pub struct Applied {
    pub record: Option<ChangeRecord>,
    pub token: Option<(TokenFor, WsToken)>,
    pub not_on_site: Vec<String>,
}

/// What the apply needs besides the session.
#[derive(Debug, Default, Clone)]
pub struct ApplyInput {
    /// The validated auth_userkey ZIP, with its file name.
    pub userkey_zip: Option<(String, Vec<u8>)>,
}

fn record(change: &PlannedChange, proof: String, undo: Undo) -> ChangeRecord {
    ChangeRecord {
        step: change.step,
        what: change.what.clone(),
        before: change.before.clone(),
        after: change.after.clone(),
        at: now_secs(),
        proof,
        undo,
    }
}

/// Makes one planned change and proves it from Moodle's own page.
pub async fn apply_change(
    session: &mut AdminSession,
    change: &PlannedChange,
    input: &ApplyInput,
) -> Result<Applied, AdminError> {
    match &change.action {
        Action::InstallUserkey => {
            let Some((name, zip)) = &input.userkey_zip else {
                return Err(AdminError::NotKept {
                    what: change.what.clone(),
                    shown: "no ZIP was given".into(),
                });
            };
            let proof = install_userkey(session, zip, name).await?;
            Ok(Applied {
                record: Some(record(
                    change,
                    proof,
                    Undo::LeaveInstalled {
                        component: USERKEY_COMPONENT.into(),
                    },
                )),
                ..Applied::default()
            })
        }
        Action::EnableAuth { plugin } => {
            switch_auth(session, plugin, "enable").await?;
            prove_auth(session, plugin, true, &change.what).await?;
            Ok(Applied {
                record: Some(record(
                    change,
                    format!("Manage authentication shows {plugin} enabled"),
                    Undo::DisableAuth {
                        plugin: plugin.clone(),
                    },
                )),
                ..Applied::default()
            })
        }
        Action::SetSetting {
            section,
            setting,
            value,
        } => {
            let before = read_setting(session, section, setting).await?;
            write_setting(session, section, setting, value).await?;
            let now = read_setting(session, section, setting).await?;
            if now.as_deref() != Some(value.as_str()) {
                return Err(AdminError::NotKept {
                    what: change.what.clone(),
                    shown: now.unwrap_or_else(|| "no value".into()),
                });
            }
            Ok(Applied {
                record: Some(record(
                    change,
                    format!("{section} shows {setting} = {value}"),
                    Undo::SetSetting {
                        section: section.clone(),
                        setting: setting.clone(),
                        value: before.unwrap_or_default(),
                    },
                )),
                ..Applied::default()
            })
        }
        Action::EnableProtocol { protocol } => {
            switch_protocol(session, protocol, "enable").await?;
            let page = session.get_following(snapshot::PROTOCOLS).await?;
            if !site_read::protocols(&page).is_enabled(protocol) {
                return Err(AdminError::NotKept {
                    what: change.what.clone(),
                    shown: "the protocol still off".into(),
                });
            }
            Ok(Applied {
                record: Some(record(
                    change,
                    format!("Manage protocols shows {protocol} enabled"),
                    Undo::DisableProtocol {
                        protocol: protocol.clone(),
                    },
                )),
                ..Applied::default()
            })
        }
        Action::CreateService => {
            let id = create_service(session).await?;
            let state = service_by_id(session, id).await?;
            prove_options(&state, &change.what)?;
            Ok(Applied {
                record: Some(record(
                    change,
                    format!(
                        "service {} (id {id}) shows enabled, all users, files both ways",
                        state.options.name
                    ),
                    Undo::DeleteService { service_id: id },
                )),
                ..Applied::default()
            })
        }
        Action::SetServiceOptions => {
            let before = opensis(session).await?;
            let o = &before.options;
            post_service_form(session, o.id, &o.name, None, true, false, true, true).await?;
            let after = service_by_id(session, o.id).await?;
            prove_options(&after, &change.what)?;
            Ok(Applied {
                record: Some(record(
                    change,
                    "the service's edit form shows enabled, all users, files both ways".into(),
                    Undo::SetServiceOptions {
                        service_id: o.id,
                        enabled: o.enabled,
                        restricted_users: o.restricted_users,
                        download_files: o.download_files,
                        upload_files: o.upload_files,
                    },
                )),
                ..Applied::default()
            })
        }
        Action::AddFunctions { names } => {
            let service = opensis(session).await?;
            let (added, not_on_site) = add_functions(session, service.options.id, names).await?;
            let after = service_by_id(session, service.options.id).await?;
            let absent: Vec<_> = added
                .iter()
                .filter(|f| {
                    !after
                        .functions
                        .iter()
                        .any(|g| g.function_id == f.function_id)
                })
                .map(|f| f.name.clone())
                .collect();
            if !absent.is_empty() {
                return Err(AdminError::NotKept {
                    what: change.what.clone(),
                    shown: format!("the service without {}", absent.join(", ")),
                });
            }
            let proof = format!(
                "the service's functions page lists the {} added",
                added.len()
            );
            Ok(Applied {
                record: (!added.is_empty()).then(|| {
                    let mut r = record(
                        change,
                        proof,
                        Undo::RemoveFunctions {
                            service_id: service.options.id,
                            function_ids: added.iter().map(|f| f.function_id).collect(),
                        },
                    );
                    r.what = format!("functions of service opensis ({} added)", added.len());
                    r.before = format!("without {}", added.len());
                    r.after = added
                        .iter()
                        .map(|f| f.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ");
                    r
                }),
                not_on_site,
                ..Applied::default()
            })
        }
        Action::AuthoriseAdmin => {
            let service = userkey_service(session).await?;
            let admin = admin_id(session).await?;
            authorise(session, service.options.id, admin, true).await?;
            let page = session
                .get_following(&format!(
                    "admin/webservice/service_users.php?id={}",
                    service.options.id
                ))
                .await?;
            if !site_read::authorised_users(&page).contains(&admin) {
                return Err(AdminError::NotKept {
                    what: change.what.clone(),
                    shown: "the admin not among the authorised users".into(),
                });
            }
            Ok(Applied {
                record: Some(record(
                    change,
                    "the service's authorised users list the admin".into(),
                    Undo::UnauthoriseUser {
                        service_id: service.options.id,
                        user_id: admin,
                    },
                )),
                ..Applied::default()
            })
        }
        Action::CreateToken { service } => {
            let state = match service {
                TokenFor::Opensis => opensis(session).await?,
                TokenFor::Userkey => userkey_service(session).await?,
            };
            let admin = admin_id(session).await?;
            let (token_id, token) = create_token(session, &state, admin).await?;
            Ok(Applied {
                record: Some(record(
                    change,
                    format!(
                        "Manage tokens lists a new token (id {token_id}) of the admin for {}",
                        state.row.name
                    ),
                    Undo::DeleteToken {
                        token_id,
                        service: *service,
                    },
                )),
                token: Some((*service, token)),
                ..Applied::default()
            })
        }
    }
}

pub(crate) async fn switch_auth(
    session: &mut AdminSession,
    plugin: &str,
    action: &str,
) -> Result<(), AdminError> {
    let key = session.sesskey().to_string();
    let page = session
        .get(&format!(
            "admin/auth.php?sesskey={key}&action={action}&auth={plugin}"
        ))
        .await?;
    expect_redirect_or_refusal(&page)
}

async fn prove_auth(
    session: &mut AdminSession,
    plugin: &str,
    enabled: bool,
    what: &str,
) -> Result<(), AdminError> {
    let page = session.get_following(snapshot::MANAGE_AUTHS).await?;
    if site_read::auth_plugins(&page).is_enabled(plugin) != enabled {
        return Err(AdminError::NotKept {
            what: what.into(),
            shown: format!(
                "{plugin} {} (when config.php sets $CFG->auth, the enabled plugins are fixed there: change that line on the server)",
                if enabled { "still off" } else { "still on" }
            ),
        });
    }
    Ok(())
}

pub(crate) async fn switch_protocol(
    session: &mut AdminSession,
    protocol: &str,
    action: &str,
) -> Result<(), AdminError> {
    let key = session.sesskey().to_string();
    let page = session
        .get(&format!(
            "admin/webservice/protocols.php?sesskey={key}&action={action}&webservice={protocol}"
        ))
        .await?;
    expect_redirect_or_refusal(&page)
}

/// A change Moodle accepted answers with a redirect back to its list; an error page is a refusal.
fn expect_redirect_or_refusal(page: &Page) -> Result<(), AdminError> {
    if page.is_redirect() {
        return Ok(());
    }
    if let Some(message) = page.error_box() {
        return Err(AdminError::Refused {
            asked: page.asked.split('?').next().unwrap_or_default().into(),
            message,
        });
    }
    Err(AdminError::unexpected(page, "a change being saved"))
}

pub(crate) async fn read_setting(
    session: &mut AdminSession,
    section: &str,
    setting: &str,
) -> Result<Option<String>, AdminError> {
    let page = session
        .get_following(&format!("admin/settings.php?section={section}"))
        .await?;
    if page.form("adminsettings").is_none() {
        return Err(AdminError::unexpected(&page, "the settings page"));
    }
    Ok(site_read::setting_value(&page, setting))
}

/// Posts one setting of an admin settings page, and only it: Moodle writes the settings the
/// form sends, so the others of the page stay as they are.
pub(crate) async fn write_setting(
    session: &mut AdminSession,
    section: &str,
    setting: &str,
    value: &str,
) -> Result<(), AdminError> {
    let key = session.sesskey().to_string();
    let fields = vec![
        ("section".to_string(), section.to_string()),
        ("action".into(), "save-settings".into()),
        ("sesskey".into(), key),
        ("return".into(), String::new()),
        (setting.to_string(), value.to_string()),
    ];
    let page = session
        .post(&format!("admin/settings.php?section={section}"), &fields)
        .await?;
    if page.is_redirect() {
        return Ok(());
    }
    // Saved without a redirect, or refused with the setting's error beside it.
    let errors: Vec<_> = page
        .texts(".form-item .error, .adminerror, div.alert-danger")
        .into_iter()
        .filter(|t| !t.is_empty())
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AdminError::Refused {
            asked: format!("admin/settings.php?section={section}"),
            message: errors.join(" "),
        })
    }
}

async fn services(session: &mut AdminSession) -> Result<Vec<ServiceRow>, AdminError> {
    let page = session.get_following(snapshot::SERVICES).await?;
    Ok(site_read::services(&page))
}

pub(crate) async fn opensis(session: &mut AdminSession) -> Result<ServiceState, AdminError> {
    let rows = services(session).await?;
    snapshot::find_opensis(session, &rows)
        .await?
        .ok_or(AdminError::NotKept {
            what: "external service opensis".into(),
            shown: "no such service".into(),
        })
}

pub(crate) async fn userkey_service(
    session: &mut AdminSession,
) -> Result<ServiceState, AdminError> {
    let rows = services(session).await?;
    let row = rows
        .iter()
        .find(|r| r.plugin.as_deref() == Some(USERKEY_COMPONENT))
        .cloned()
        .ok_or(AdminError::NotKept {
            what: "User key authentication web service".into(),
            shown: "no such service (is auth_userkey installed?)".into(),
        })?;
    snapshot::read_service(session, &row).await
}

async fn service_by_id(session: &mut AdminSession, id: u64) -> Result<ServiceState, AdminError> {
    let rows = services(session).await?;
    let row = rows
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(AdminError::NotKept {
            what: format!("service {id}"),
            shown: "no such service in the list".into(),
        })?;
    snapshot::read_service(session, &row).await
}

async fn admin_id(session: &mut AdminSession) -> Result<u64, AdminError> {
    let page = session.get_following(snapshot::SERVICES).await?;
    page.user_id()
        .ok_or_else(|| AdminError::unexpected(&page, "a page of the signed-in admin"))
}

fn prove_options(state: &ServiceState, what: &str) -> Result<(), AdminError> {
    let o = &state.options;
    if o.enabled && !o.restricted_users && o.download_files && o.upload_files {
        return Ok(());
    }
    Err(AdminError::NotKept {
        what: what.into(),
        shown: format!(
            "enabled {}, authorised users only {}, download {}, upload {}",
            o.enabled, o.restricted_users, o.download_files, o.upload_files
        ),
    })
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn post_service_form(
    session: &mut AdminSession,
    id: u64,
    name: &str,
    shortname: Option<&str>,
    enabled: bool,
    restricted: bool,
    download: bool,
    upload: bool,
) -> Result<Page, AdminError> {
    let page = session
        .get_following(&format!("admin/webservice/service.php?id={id}"))
        .await?;
    let mut form = page
        .form("webservice/service.php")
        .ok_or_else(|| AdminError::unexpected(&page, "the service's edit form"))?;
    let flag = |b: bool| if b { "1" } else { "0" };
    form.set("name", name);
    if let Some(short) = shortname {
        form.set("shortname", short);
    }
    form.set("enabled", flag(enabled));
    form.set("restrictedusers", flag(restricted));
    form.set("downloadfiles", flag(download));
    form.set("uploadfiles", flag(upload));
    form.set("submitbutton", "Save changes");
    let answer = session
        .post("admin/webservice/service.php", &form.fields)
        .await?;
    if answer.is_redirect() {
        return Ok(answer);
    }
    Err(match answer.error_box() {
        Some(message) => AdminError::Refused {
            asked: "admin/webservice/service.php".into(),
            message,
        },
        None => {
            let errors = answer.texts(".invalid-feedback, .error");
            let errors: Vec<_> = errors.into_iter().filter(|t| !t.is_empty()).collect();
            if errors.is_empty() {
                AdminError::unexpected(&answer, "the service saved")
            } else {
                AdminError::Refused {
                    asked: "admin/webservice/service.php".into(),
                    message: errors.join(" "),
                }
            }
        }
    })
}

/// Creates the service opensis; its id comes back in the redirect to its functions page.
async fn create_service(session: &mut AdminSession) -> Result<u64, AdminError> {
    let answer = post_service_form(
        session,
        0,
        OPENSIS_SERVICE,
        Some(OPENSIS_SERVICE),
        true,
        false,
        true,
        true,
    )
    .await?;
    let next = session.relative_location(&answer)?;
    if let Some(id) = site_read::query_param(&next, "id").and_then(|v| v.parse().ok()) {
        return Ok(id);
    }
    let rows = services(session).await?;
    rows.iter()
        .find(|r| !r.builtin && r.name == OPENSIS_SERVICE)
        .map(|r| r.id)
        .ok_or(AdminError::NotKept {
            what: "external service opensis".into(),
            shown: "no such service after it was created".into(),
        })
}

/// Adds the named functions the site has; returns those added and those the site lacks.
async fn add_functions(
    session: &mut AdminSession,
    service_id: u64,
    names: &[String],
) -> Result<(Vec<site_read::ServiceFunction>, Vec<String>), AdminError> {
    let key = session.sesskey().to_string();
    let add_url =
        format!("admin/webservice/service_functions.php?sesskey={key}&id={service_id}&action=add");
    let page = session.get_following(&add_url).await?;
    let mut form = page
        .form("service_functions.php")
        .ok_or_else(|| AdminError::unexpected(&page, "the Add functions form"))?;
    let choices = site_read::function_choices(&page);
    let mut added = Vec::new();
    let mut absent = Vec::new();
    for name in names {
        match choices.iter().find(|c| &c.name == name) {
            Some(c) => added.push(c.clone()),
            None => absent.push(name.clone()),
        }
    }
    // Already in the service: not offered, and not missing either.
    let current = session
        .get_following(&format!(
            "admin/webservice/service_functions.php?id={service_id}"
        ))
        .await?;
    let present = site_read::service_functions(&current);
    absent.retain(|n| !present.iter().any(|p| &p.name == n));
    if added.is_empty() {
        return Ok((added, absent));
    }
    form.remove("fids[]");
    form.remove("fids");
    for f in &added {
        form.fields
            .push(("fids[]".to_string(), f.function_id.to_string()));
    }
    form.set("submitbutton", "Add functions");
    let action = session.resolve(&add_url, &form.action)?;
    let answer = session.post(&action, &form.fields).await?;
    if !answer.is_redirect() {
        return Err(AdminError::unexpected(&answer, "the functions added"));
    }
    Ok((added, absent))
}

/// Adds (or removes) a user on a restricted service's authorised users.
pub(crate) async fn authorise(
    session: &mut AdminSession,
    service_id: u64,
    user_id: u64,
    add: bool,
) -> Result<(), AdminError> {
    let key = session.sesskey().to_string();
    let url = format!("admin/webservice/service_users.php?id={service_id}");
    let (select, button, label) = if add {
        ("addselect[]", "add", "◀ Add")
    } else {
        ("removeselect[]", "remove", "▶ Remove")
    };
    let fields = vec![
        ("sesskey".to_string(), key),
        (select.to_string(), user_id.to_string()),
        (button.to_string(), label.to_string()),
    ];
    let answer = session.post(&url, &fields).await?;
    if answer.status == 200 || answer.is_redirect() {
        return Ok(());
    }
    Err(AdminError::unexpected(
        &answer,
        "the authorised users saved",
    ))
}

/// Creates a token of the admin for a service, with no expiry and no IP restriction; Moodle
/// shows its value once, on the token list it sends the admin back to.
async fn create_token(
    session: &mut AdminSession,
    service: &ServiceState,
    admin: u64,
) -> Result<(u64, WsToken), AdminError> {
    let before: Vec<u64> = site_read::tokens(&session.get_following(snapshot::TOKENS).await?)
        .iter()
        .map(|t| t.id)
        .collect();
    let page = session
        .get_following("admin/webservice/tokens.php?action=create")
        .await?;
    let mut form = page
        .form("webservice/tokens.php")
        .ok_or_else(|| AdminError::unexpected(&page, "the Create token form"))?;
    form.set("user", admin.to_string());
    form.set("service", service.options.id.to_string());
    form.set("iprestriction", "");
    form.remove("validuntil[enabled]");
    form.set("submitbutton", "Save changes");
    let answer = session
        .post("admin/webservice/tokens.php", &form.fields)
        .await?;
    let shown = if answer.is_redirect() {
        session.follow(answer).await?
    } else {
        answer
    };
    let refused = |page: &Page| match page.error_box().or_else(|| {
        page.texts("div.alert-danger")
            .into_iter()
            .find(|t| !t.is_empty())
    }) {
        Some(message) => AdminError::Refused {
            asked: "admin/webservice/tokens.php".into(),
            message,
        },
        None => AdminError::unexpected(page, "the new token shown"),
    };
    // The list Moodle sends the admin back to: the new row, and the value (shown once above
    // the list from 4.3, in the new row itself on 4.1).
    let after = site_read::tokens(&shown);
    let created = after
        .iter()
        .find(|t| !before.contains(&t.id) && t.user_id == Some(admin))
        .ok_or_else(|| refused(&shown))?;
    let token = shown_token(&shown)
        .or_else(|| {
            site_read::token_value_in_list(&shown, created.id).and_then(|v| WsToken::new(&v))
        })
        .ok_or_else(|| refused(&shown))?;
    Ok((created.id, token))
}

/// The token Moodle shows once after creating it.
fn shown_token(page: &Page) -> Option<WsToken> {
    page.texts("#copytoclipboardtoken")
        .into_iter()
        .find_map(|t| WsToken::new(t.trim()))
}

/// Installs auth_userkey from its ZIP through Moodle's Install plugins page.
async fn install_userkey(
    session: &mut AdminSession,
    zip: &[u8],
    name: &str,
) -> Result<String, AdminError> {
    match crate::plugin_install::install_plugin_zip(session, zip, name, USERKEY_COMPONENT).await {
        Ok(installed) => Ok(installed.to_string()),
        Err(crate::plugin_install::InstallError::Admin(e)) => Err(e),
        Err(crate::plugin_install::InstallError::Refused(refusal)) => Err(AdminError::Refused {
            asked: "Site administration → Plugins → Install plugins".into(),
            message: refusal.to_string(),
        }),
    }
}
