// Owns: the site as the set-up needs to know it, read in one pass through the admin pages (only
// GET requests): who is signed in, the authentication plugins, auth_userkey's settings, web
// services and REST, the two services with their options, functions and users, and the tokens.
// Must not: change anything, or fill in a value a page did not show.

use serde::{Deserialize, Serialize};

use crate::error::AdminError;
use crate::session::AdminSession;
use crate::site_read::{self, ServiceFunction, ServiceOptions, ServiceRow, Switches, TokenRow};

/// The short name of the service openSIS uses.
pub const OPENSIS_SERVICE: &str = "opensis";
/// auth_userkey's built-in service, as its plugin column names it.
pub const USERKEY_COMPONENT: &str = "auth_userkey";

/// auth_userkey's settings that the set-up sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserkeySettings {
    pub mapping_field: Option<String>,
    pub key_lifetime: Option<String>,
    pub ip_restriction: Option<String>,
    pub update_user: Option<String>,
    pub create_user: Option<String>,
}

/// A service with what its own pages show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceState {
    pub row: ServiceRow,
    pub options: ServiceOptions,
    pub functions: Vec<ServiceFunction>,
    /// Users authorised on it (only read when it is restricted).
    pub authorised: Vec<u64>,
}

/// What the admin pages show of the set-up, read just now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteSnapshot {
    pub admin_user_id: u64,
    /// The release the Environment page shows (`4.5.11+ (Build: 20260501)`) and its branch.
    pub release: Option<String>,
    pub branch: Option<String>,
    pub auth: Switches,
    pub userkey_installed: bool,
    pub userkey: Option<UserkeySettings>,
    pub webservices_enabled: Option<bool>,
    /// Site administration → Server → Maintenance mode (`None` when the page did not show it).
    pub maintenance: Option<bool>,
    pub protocols: Switches,
    pub services: Vec<ServiceRow>,
    pub opensis: Option<ServiceState>,
    pub userkey_service: Option<ServiceState>,
    pub tokens: Vec<TokenRow>,
    /// The functions the opensis service's "Add functions" form offers (on the site, not yet in
    /// the service); `None` when there is no such service to ask.
    pub addable_functions: Option<Vec<String>>,
}

impl SiteSnapshot {
    /// The admin's tokens of a service (by the name the token list shows).
    pub fn admin_tokens_of(&self, service: Option<&ServiceState>) -> Vec<&TokenRow> {
        let Some(service) = service else {
            return Vec::new();
        };
        self.tokens
            .iter()
            .filter(|t| {
                t.user_id == Some(self.admin_user_id)
                    && t.service == service.row.name
                    && t.never_expires()
            })
            .collect()
    }
}

pub(crate) const ENVIRONMENT: &str = "admin/environment.php";
pub(crate) const MANAGE_AUTHS: &str = "admin/settings.php?section=manageauths";
pub(crate) const USERKEY_SETTINGS: &str = "admin/settings.php?section=authsettinguserkey";
pub(crate) const OPTIONAL_SUBSYSTEMS: &str = "admin/settings.php?section=optionalsubsystems";
pub(crate) const MAINTENANCE: &str = "admin/settings.php?section=maintenancemode";
pub(crate) const PROTOCOLS: &str = "admin/settings.php?section=webserviceprotocols";
pub(crate) const SERVICES: &str = "admin/settings.php?section=externalservices";
pub(crate) const TOKENS: &str = "admin/webservice/tokens.php";

/// Reads the site through the admin pages: about ten GET requests.
pub async fn read_snapshot(session: &mut AdminSession) -> Result<SiteSnapshot, AdminError> {
    let auth_page = session.get_following(MANAGE_AUTHS).await?;
    let admin_user_id = auth_page
        .user_id()
        .ok_or_else(|| AdminError::unexpected(&auth_page, "a page of the signed-in admin"))?;
    let auth = site_read::auth_plugins(&auth_page);
    let environment = session.get_following(ENVIRONMENT).await?;
    let (release, branch) = site_read::release(&environment).unzip();
    if auth.enabled.is_empty() && auth.disabled.is_empty() {
        return Err(AdminError::unexpected(&auth_page, "Manage authentication"));
    }
    let userkey_installed = auth.is_known("userkey");
    let userkey = if userkey_installed {
        let page = session.get_following(USERKEY_SETTINGS).await?;
        let v = |s: &str| site_read::setting_value(&page, &format!("s_auth_userkey_{s}"));
        Some(UserkeySettings {
            mapping_field: v("mappingfield"),
            key_lifetime: v("keylifetime"),
            ip_restriction: v("iprestriction"),
            update_user: v("updateuser"),
            create_user: v("createuser"),
        })
    } else {
        None
    };
    let subsystems = session.get_following(OPTIONAL_SUBSYSTEMS).await?;
    let webservices_enabled = site_read::ticked(&subsystems, "s__enablewebservices");
    let maintenance = site_read::setting_value(
        &session.get_following(MAINTENANCE).await?,
        "s__maintenance_enabled",
    )
    .map(|v| v == "1");
    let protocols = site_read::protocols(&session.get_following(PROTOCOLS).await?);
    let services = site_read::services(&session.get_following(SERVICES).await?);

    let opensis = find_opensis(session, &services).await?;
    let userkey_row = services
        .iter()
        .find(|s| s.plugin.as_deref() == Some(USERKEY_COMPONENT));
    let userkey_service = match userkey_row {
        Some(row) => Some(read_service(session, row).await?),
        None => None,
    };
    let tokens = site_read::tokens(&session.get_following(TOKENS).await?);
    let addable_functions = match &opensis {
        Some(service) => {
            let key = session.sesskey().to_string();
            let page = session
                .get_following(&format!(
                    "admin/webservice/service_functions.php?sesskey={key}&id={}&action=add",
                    service.options.id
                ))
                .await?;
            Some(
                site_read::function_choices(&page)
                    .into_iter()
                    .map(|f| f.name)
                    .collect(),
            )
        }
        None => None,
    };
    Ok(SiteSnapshot {
        admin_user_id,
        release,
        branch,
        auth,
        userkey_installed,
        userkey,
        webservices_enabled,
        maintenance,
        protocols,
        services,
        opensis,
        userkey_service,
        tokens,
        addable_functions,
    })
}

/// The service openSIS uses: the custom service named opensis, else the one whose short name
/// is opensis (found by its edit form).
pub(crate) async fn find_opensis(
    session: &mut AdminSession,
    services: &[ServiceRow],
) -> Result<Option<ServiceState>, AdminError> {
    let named = services
        .iter()
        .find(|s| !s.builtin && s.name.trim().eq_ignore_ascii_case(OPENSIS_SERVICE));
    match named {
        Some(row) => Ok(Some(read_service(session, row).await?)),
        None => find_by_shortname(session, services).await,
    }
}

async fn find_by_shortname(
    session: &mut AdminSession,
    services: &[ServiceRow],
) -> Result<Option<ServiceState>, AdminError> {
    for row in services.iter().filter(|s| !s.builtin) {
        let page = session
            .get_following(&format!("admin/webservice/service.php?id={}", row.id))
            .await?;
        if site_read::service_options(&page)
            .is_some_and(|o| o.shortname.eq_ignore_ascii_case(OPENSIS_SERVICE))
        {
            return Ok(Some(read_service(session, row).await?));
        }
    }
    Ok(None)
}

pub(crate) async fn read_service(
    session: &mut AdminSession,
    row: &ServiceRow,
) -> Result<ServiceState, AdminError> {
    let page = session
        .get_following(&format!("admin/webservice/service.php?id={}", row.id))
        .await?;
    let options = site_read::service_options(&page)
        .ok_or_else(|| AdminError::unexpected(&page, "the service's edit form"))?;
    let functions = site_read::service_functions(
        &session
            .get_following(&format!(
                "admin/webservice/service_functions.php?id={}",
                row.id
            ))
            .await?,
    );
    let authorised = if options.restricted_users {
        site_read::authorised_users(
            &session
                .get_following(&format!("admin/webservice/service_users.php?id={}", row.id))
                .await?,
        )
    } else {
        Vec::new()
    };
    Ok(ServiceState {
        row: row.clone(),
        options,
        functions,
        authorised,
    })
}
