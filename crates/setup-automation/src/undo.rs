// Owns: putting a run's changes back, newest first, each through the same admin page it was
// made on, and proving each from the page. Must not: touch anything the run did not change, or
// uninstall a plugin (its data would go with it): a plugin the run installed is named instead.

use crate::apply;
use crate::error::AdminError;
use crate::page::Page;
use crate::record::{ChangeRecord, Undo};
use crate::session::AdminSession;
use crate::site_read;
use crate::snapshot;

/// What putting one change back did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Restored {
    /// Put back, with what the page shows now.
    Done { proof: String },
    /// Left as it is, with why (a plugin stays installed).
    Left { why: String },
}

/// Puts one change back.
pub async fn undo_change(
    session: &mut AdminSession,
    change: &ChangeRecord,
) -> Result<Restored, AdminError> {
    match &change.undo {
        Undo::LeaveInstalled { component } => Ok(Restored::Left {
            why: format!(
                "{component} stays installed (uninstalling it would delete its data): Site administration → Plugins → Plugins overview → Uninstall removes it"
            ),
        }),
        Undo::DisableAuth { plugin } => {
            let page = session.get_following(snapshot::MANAGE_AUTHS).await?;
            if !site_read::auth_plugins(&page).is_enabled(plugin) {
                return Ok(already());
            }
            apply::switch_auth(session, plugin, "disable").await?;
            let page = session.get_following(snapshot::MANAGE_AUTHS).await?;
            not_kept_if(site_read::auth_plugins(&page).is_enabled(plugin), change, "still on")?;
            Ok(done(format!("{plugin} disabled")))
        }
        Undo::SetSetting {
            section,
            setting,
            value,
        } => {
            if apply::read_setting(session, section, setting).await?.as_deref()
                == Some(value.as_str())
            {
                return Ok(already());
            }
            apply::write_setting(session, section, setting, value).await?;
            let now = apply::read_setting(session, section, setting).await?;
            not_kept_if(now.as_deref() != Some(value.as_str()), change, "another value")?;
            Ok(done(format!("{setting} = {value}")))
        }
        Undo::DisableProtocol { protocol } => {
            let page = session.get_following(snapshot::PROTOCOLS).await?;
            if !site_read::protocols(&page).is_enabled(protocol) {
                return Ok(already());
            }
            apply::switch_protocol(session, protocol, "disable").await?;
            let page = session.get_following(snapshot::PROTOCOLS).await?;
            not_kept_if(site_read::protocols(&page).is_enabled(protocol), change, "still on")?;
            Ok(done(format!("{protocol} disabled")))
        }
        Undo::DeleteService { service_id } => {
            let page = session.get_following(snapshot::SERVICES).await?;
            if !site_read::services(&page).iter().any(|s| s.id == *service_id) {
                return Ok(already());
            }
            let key = session.sesskey().to_string();
            confirm(
                session,
                &format!("admin/webservice/service.php?id={service_id}&action=delete&sesskey={key}"),
            )
            .await?;
            let page = session.get_following(snapshot::SERVICES).await?;
            not_kept_if(
                site_read::services(&page).iter().any(|s| s.id == *service_id),
                change,
                "the service still listed",
            )?;
            Ok(done(format!("service {service_id} deleted")))
        }
        Undo::SetServiceOptions {
            service_id,
            enabled,
            restricted_users,
            download_files,
            upload_files,
        } => {
            let page = session
                .get_following(&format!("admin/webservice/service.php?id={service_id}"))
                .await?;
            let name = site_read::service_options(&page)
                .map(|o| o.name)
                .ok_or_else(|| AdminError::unexpected(&page, "the service's edit form"))?;
            apply::post_service_form(
                session,
                *service_id,
                &name,
                None,
                *enabled,
                *restricted_users,
                *download_files,
                *upload_files,
            )
            .await?;
            Ok(done("the service's options as they were".into()))
        }
        Undo::RemoveFunctions {
            service_id,
            function_ids,
        } => {
            let page = session
                .get_following(&format!(
                    "admin/webservice/service_functions.php?id={service_id}"
                ))
                .await?;
            let present: Vec<u64> = site_read::service_functions(&page)
                .iter()
                .map(|f| f.function_id)
                .filter(|id| function_ids.contains(id))
                .collect();
            if present.is_empty() {
                return Ok(already());
            }
            for fid in &present {
                let key = session.sesskey().to_string();
                confirm(
                    session,
                    &format!(
                        "admin/webservice/service_functions.php?sesskey={key}&fid={fid}&id={service_id}&action=delete"
                    ),
                )
                .await?;
            }
            let page = session
                .get_following(&format!(
                    "admin/webservice/service_functions.php?id={service_id}"
                ))
                .await?;
            let left = site_read::service_functions(&page)
                .iter()
                .filter(|f| function_ids.contains(&f.function_id))
                .count();
            not_kept_if(left > 0, change, "functions still in the service")?;
            Ok(done(format!("{} functions removed", function_ids.len())))
        }
        Undo::UnauthoriseUser {
            service_id,
            user_id,
        } => {
            let page = session
                .get_following(&format!("admin/webservice/service_users.php?id={service_id}"))
                .await?;
            if !site_read::authorised_users(&page).contains(user_id) {
                return Ok(already());
            }
            apply::authorise(session, *service_id, *user_id, false).await?;
            let page = session
                .get_following(&format!("admin/webservice/service_users.php?id={service_id}"))
                .await?;
            not_kept_if(
                site_read::authorised_users(&page).contains(user_id),
                change,
                "the user still authorised",
            )?;
            Ok(done("the admin no longer authorised".into()))
        }
        Undo::DeleteToken { token_id, .. } => {
            let page = session.get_following(snapshot::TOKENS).await?;
            if !site_read::tokens(&page).iter().any(|t| t.id == *token_id) {
                return Ok(already());
            }
            confirm(
                session,
                &format!("admin/webservice/tokens.php?action=delete&tokenid={token_id}"),
            )
            .await?;
            let page = session.get_following(snapshot::TOKENS).await?;
            not_kept_if(
                site_read::tokens(&page).iter().any(|t| t.id == *token_id),
                change,
                "the token still listed",
            )?;
            Ok(done(format!("token {token_id} deleted")))
        }
    }
}

/// Found as it was before the run (put back by an earlier, interrupted undo, or by hand).
fn already() -> Restored {
    Restored::Done {
        proof: "already as it was".into(),
    }
}

fn done(proof: String) -> Restored {
    Restored::Done { proof }
}

fn not_kept_if(bad: bool, change: &ChangeRecord, shown: &str) -> Result<(), AdminError> {
    if bad {
        return Err(AdminError::NotKept {
            what: format!("putting back {}", change.what),
            shown: shown.into(),
        });
    }
    Ok(())
}

/// Moodle's delete links show a confirmation page whose form posts `confirm=1`; this asks the
/// page and posts that form as it is.
async fn confirm(session: &mut AdminSession, url: &str) -> Result<(), AdminError> {
    let page = session.get(url).await?;
    if page.is_redirect() {
        return Ok(());
    }
    let form = confirmation_form(&page)
        .ok_or_else(|| AdminError::unexpected(&page, "a confirmation page"))?;
    let action = session.resolve(url, &form.action)?;
    let answer = if form.method == "get" {
        let query = serde_urlencoded::to_string(&form.fields).unwrap_or_default();
        let sep = if action.contains('?') { '&' } else { '?' };
        session.get(&format!("{action}{sep}{query}")).await?
    } else {
        session.post(&action, &form.fields).await?
    };
    if answer.is_redirect() || answer.status == 200 {
        return Ok(());
    }
    Err(AdminError::unexpected(&answer, "the deletion confirmed"))
}

fn confirmation_form(page: &Page) -> Option<crate::page::Form> {
    page.forms()
        .into_iter()
        .find(|form| form.value("confirm") == Some("1"))
}
