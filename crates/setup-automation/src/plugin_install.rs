// Owns: installing a plugin ZIP through Site administration → Plugins → Install plugins, as an
// admin does it in the browser (upload, validation, the database upgrade, the new settings).
// Must not: install anything but the ZIP it was given, or go on past a page it does not know.

use std::fmt;

use scraper::Html;

use crate::error::AdminError;
use crate::page::{selector, text_of, Form, Page};
use crate::session::AdminSession;

/// What the installation did, read back from the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    /// The plugin, as Moodle names it (`auth_userkey`).
    pub component: String,
    /// The version Moodle's plugins overview shows for it now (`2022081901`).
    pub version: String,
    /// It was installed before this ran: nothing was uploaded or changed.
    pub already_installed: bool,
    /// The plugin's new settings, saved as the new-settings page showed them (name, value).
    pub settings_saved: Vec<(String, String)>,
    /// New settings of other parts of Moodle on the same page, left as they were for the admin
    /// (they were waiting before this ran, e.g. `noreplyaddress` on a site installed from the CLI).
    pub settings_left: Vec<String>,
    /// Requests sent to the site for this installation.
    pub requests: u32,
}

impl fmt::Display for Installed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.already_installed {
            write!(
                f,
                "{} is already installed (version {}); nothing was uploaded or changed",
                self.component, self.version
            )
        } else {
            write!(
                f,
                "{} version {} installed through Site administration → Plugins → Install plugins ({} requests)",
                self.component, self.version, self.requests
            )
        }
    }
}

/// How far an installation had gone when it stopped: what the admin finds on the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Nothing installed (at most a draft upload and Moodle's temporary copy of the ZIP).
    NothingInstalled,
    /// The plugin's files are in Moodle's code folder; its database upgrade has not run.
    FilesCopied,
    /// The plugin is installed; its new settings were not saved.
    Installed,
}

impl Stage {
    fn sentence(self, component: &str) -> String {
        match self {
            Self::NothingInstalled => "Nothing was installed.".into(),
            Self::FilesCopied => format!(
                "{component}'s files are already in Moodle's code folder but its database tables are not: open Site administration → Notifications in a browser to finish the installation (or cancel it there)."
            ),
            Self::Installed => format!(
                "{component} is installed; open Site administration → Notifications in a browser to review and save its new settings."
            ),
        }
    }
}

/// Why the installation did not go on. Each says what is left on the site and the manual way.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InstallRefusal {
    #[error("this Moodle does not allow installing plugins from its admin pages ($CFG->disableupdateautodeploy is set in config.php), so {component} was not installed. Nothing was changed. Remove that line from config.php and run this again, or install it by hand: {}.", manual(component))]
    AutoDeployDisabled { component: String },
    #[error("Moodle has an upgrade waiting (Site administration → Notifications shows it), so {component} was not installed: installing now would run that upgrade too. Nothing was changed. Finish or cancel the waiting upgrade in a browser first, then run this again.")]
    PendingUpgrade { component: String },
    #[error("the site is in maintenance mode{}, so {component} was not installed: someone may be working on it. Nothing was changed. Run this again when maintenance mode is off, or install it by hand: {}.", if *cli { " from the command line (admin/cli/maintenance.php --enable)" } else { " (Site administration → Server → Maintenance mode)" }, manual(component))]
    MaintenanceMode { component: String, cli: bool },
    #[error("the file picker of this Moodle has no \"Upload a file\" repository, so {file_name} could not be uploaded. Nothing was changed. Enable \"Upload a file\" under Site administration → Plugins → Repositories → Manage repositories, or install it by hand: {}.", manual(component))]
    UploadDisabled {
        component: String,
        file_name: String,
    },
    #[error("Moodle's file picker refused {file_name}: \"{message}\". Nothing was installed. Fix what it says (for a site administrator the size limit is the web server's PHP upload_max_filesize and post_max_size), or install it by hand: {}.", manual(component))]
    UploadRefused {
        component: String,
        file_name: String,
        message: String,
    },
    #[error("Moodle says {file_name} is not a plugin package it can install: \"{message}\". Nothing was installed. Use the plugin's ZIP as it is distributed: one folder named after the plugin, with version.php inside.")]
    NotAPluginZip { file_name: String, message: String },
    #[error("{file_name} holds the plugin {found}, not {expected}; nothing was installed. Check that it is the right ZIP.")]
    OtherPlugin {
        file_name: String,
        expected: String,
        found: String,
    },
    #[error("the web server cannot write to {folder} (Moodle's check: \"{check}\"), so Moodle cannot put {component} there. Nothing was installed. Let the web server's user write to that folder for the installation and take it back afterwards, or install it by hand: {}.", manual(component))]
    NotWritable {
        component: String,
        folder: String,
        check: String,
    },
    #[error("Moodle's validation of {file_name} failed (\"{report}\"), so {component} was not installed. Nothing was installed. Use a package of the plugin that passes these checks (for instance its release for this Moodle version).")]
    ValidationFailed {
        component: String,
        file_name: String,
        report: String,
    },
    #[error("Moodle's server checks before the upgrade failed ({}), so the database upgrade was not started. {}", problems.join("; "), Stage::FilesCopied.sentence(component))]
    EnvironmentFailed {
        component: String,
        problems: Vec<String>,
    },
    #[error("Moodle's plugins check says {component} needs plugins this site does not have ({}), so the database upgrade was not started. Install those first. {}", missing.join(", "), Stage::FilesCopied.sentence(component))]
    MissingDependencies {
        component: String,
        missing: Vec<String>,
    },
    #[error("Moodle's plugins check lists more than {component} to install or upgrade ({}), so the database upgrade was not started. {}", others.join(", "), Stage::FilesCopied.sentence(component))]
    OtherPluginsPending {
        component: String,
        others: Vec<String>,
    },
    #[error("the database upgrade for {component} did not finish: \"{message}\". Open Site administration → Notifications in a browser to see where it stopped and run it again.")]
    UpgradeFailed { component: String, message: String },
    #[error("Moodle did not save {component}'s new settings with the values it showed ({}). {}", errors.join("; "), Stage::Installed.sentence(component))]
    SettingsNotSaved {
        component: String,
        errors: Vec<String>,
    },
    #[error("Moodle went through the installation pages but its plugins overview does not list {component}; check Site administration → Plugins → Plugins overview in a browser.")]
    NotListedAfter { component: String },
    #[error("{0}")]
    UnexpectedPage(Box<UnknownPage>),
}

/// A page the installer does not know: where it stopped, and what the admin finds on the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownPage {
    pub component: String,
    /// The step it was at ("validating the ZIP").
    pub step: String,
    /// The address asked, without its query (which may hold the session key).
    pub asked: String,
    pub status: u16,
    pub title: Option<String>,
    /// Moodle's own message on the page (an error box), if it has one.
    pub said: Option<String>,
    pub stage: Stage,
}

impl fmt::Display for UnknownPage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: Moodle answered with a page this installer does not know ({}, HTTP {}",
            self.step, self.asked, self.status
        )?;
        if let Some(t) = &self.title {
            write!(f, ", page \"{t}\"")?;
        }
        if let Some(t) = &self.said {
            write!(f, ", saying \"{t}\"")?;
        }
        write!(
            f,
            "), so it stopped there and did not guess. {}",
            self.stage.sentence(&self.component)
        )
    }
}

/// The installation either was refused (a page said why) or the session failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InstallError {
    #[error(transparent)]
    Refused(#[from] InstallRefusal),
    #[error(transparent)]
    Admin(#[from] AdminError),
}

/// The manual way: the ZIP unpacked into the plugin type's folder, then the upgrade.
fn manual(component: &str) -> String {
    let (kind, name) = component.split_once('_').unwrap_or((component, ""));
    let folder = match kind {
        "auth" | "local" | "mod" | "enrol" | "filter" | "repository" | "theme" | "report"
        | "portfolio" | "plagiarism" | "dataformat" | "webservice" => kind.to_string(),
        "block" => "blocks".into(),
        "tool" => "admin/tool".into(),
        "format" => "course/format".into(),
        "qtype" => "question/type".into(),
        "qbehaviour" => "question/behaviour".into(),
        "qformat" => "question/format".into(),
        "atto" => "lib/editor/atto/plugins".into(),
        "tiny" => "lib/editor/tiny/plugins".into(),
        "editor" => "lib/editor".into(),
        "message" => "message/output".into(),
        "logstore" => "admin/tool/log/store".into(),
        "availability" => "availability/condition".into(),
        "profilefield" => "user/profile/field".into(),
        "customfield" => "customfield/field".into(),
        "gradereport" => "grade/report".into(),
        "gradeexport" => "grade/export".into(),
        "gradeimport" => "grade/import".into(),
        "quizaccess" => "mod/quiz/accessrule".into(),
        "assignsubmission" => "mod/assign/submission".into(),
        "assignfeedback" => "mod/assign/feedback".into(),
        "paygw" => "payment/gateway".into(),
        _ => return format!("unzip the ZIP on the server into the folder Moodle keeps {kind} plugins in, then open Site administration → Notifications and click \"Upgrade Moodle database now\""),
    };
    format!("unzip the ZIP on the server into {folder}/ of the Moodle code (so that {folder}/{name}/version.php exists; under public/ from Moodle 5.1), then open Site administration → Notifications and click \"Upgrade Moodle database now\"")
}

/// Installs `component` from `zip` through Moodle's own pages, as an administrator would in a
/// browser: the plugin overview first (already installed: nothing is done), the upload to the
/// file picker, the install form, the validation, the database upgrade, then the plugin's new
/// settings saved as the page shows them. It stops at the first page it does not expect.
pub async fn install_plugin_zip(
    session: &mut AdminSession,
    zip: &[u8],
    file_name: &str,
    component: &str,
) -> Result<Installed, InstallError> {
    let first = session.requests();
    let root = session.root().as_url().clone();
    let mut run = Run {
        component,
        stage: Stage::NothingInstalled,
    };

    // Before anything: no upgrade waiting, no maintenance, not installed yet.
    let search = session.get("admin/search.php").await?;
    run.site_answers(&search)?;
    if search.is_redirect() {
        if session
            .relative_location(&search)?
            .starts_with("admin/index.php")
        {
            return Err(InstallRefusal::PendingUpgrade {
                component: component.into(),
            }
            .into());
        }
        return Err(run.unexpected("checking for a waiting upgrade", &search, None));
    }
    let maintenance = session
        .get("admin/settings.php?section=maintenancemode")
        .await?;
    run.site_answers(&maintenance)?;
    match maintenance_enabled(&maintenance) {
        Some(false) => {}
        Some(true) => {
            return Err(InstallRefusal::MaintenanceMode {
                component: component.into(),
                cli: false,
            }
            .into())
        }
        None => return Err(run.unexpected("reading maintenance mode", &maintenance, None)),
    }
    let overview = session.get("admin/plugins.php").await?;
    run.site_answers(&overview)?;
    if !is_plugins_overview(&overview) {
        return Err(run.unexpected("reading the plugins overview", &overview, None));
    }
    if let Some(version) = installed_version(&overview, component) {
        return Ok(Installed {
            component: component.into(),
            version,
            already_installed: true,
            settings_saved: Vec::new(),
            settings_left: Vec::new(),
            requests: session.requests() - first,
        });
    }

    // The install page: its form and the file picker of its ZIP field.
    let page = session.get("admin/tool/installaddon/index.php").await?;
    run.site_answers(&page)?;
    if is_section_error(&page) {
        return Err(InstallRefusal::AutoDeployDisabled {
            component: component.into(),
        }
        .into());
    }
    let (Some(form), Some(picker)) = (install_form(&page), file_picker(&page, "id_zipfile")) else {
        return Err(run.unexpected("opening Install plugins", &page, None));
    };
    let Some(repo_id) = picker.upload_repository.clone() else {
        return Err(InstallRefusal::UploadDisabled {
            component: component.into(),
            file_name: file_name.into(),
        }
        .into());
    };
    if form.value("zipfile") != Some(picker.itemid.as_str()) {
        return Err(run.unexpected("opening Install plugins", &page, None));
    }

    // The file picker's "Upload a file": the ZIP into the form's draft area.
    let fields = picker.upload_fields(&repo_id, session.sesskey());
    let upload = session
        .post_multipart(
            "repository/repository_ajax.php?action=upload",
            &fields,
            "repo_upload_file",
            file_name,
            zip,
        )
        .await?;
    match upload_answer(&upload) {
        Some(UploadAnswer::Stored) => {}
        Some(UploadAnswer::Refused(message)) => {
            return Err(InstallRefusal::UploadRefused {
                component: component.into(),
                file_name: file_name.into(),
                message,
            }
            .into())
        }
        None => return Err(run.unexpected("uploading the ZIP", &upload, None)),
    }

    // The install form, plugin type left to detection ("Install plugin from the ZIP file").
    let mut fields = form.fields.clone();
    if let Some((name, value)) = submit_button(&page, "_qf__tool_installaddon_installfromzip_form")
    {
        fields.push((name, value));
    }
    let action = relative_action(&root, &page, &form.action)?;
    let submitted = session.post(&action, &fields).await?;
    run.site_answers(&submitted)?;
    if !submitted.is_redirect() {
        if let Some(message) = zip_refusal(&submitted) {
            return Err(InstallRefusal::NotAPluginZip {
                file_name: file_name.into(),
                message,
            }
            .into());
        }
        return Err(run.unexpected("submitting the install form", &submitted, None));
    }
    let validation_at = session.relative_location(&submitted)?;
    match detected_component(&validation_at) {
        Some(found) if found == component => {}
        Some(found) => {
            return Err(InstallRefusal::OtherPlugin {
                file_name: file_name.into(),
                expected: component.into(),
                found,
            }
            .into())
        }
        None => return Err(run.unexpected("submitting the install form", &submitted, None)),
    }

    // The validation page: "Validation successful, installation can continue" → Continue.
    let validation = session.get(&validation_at).await?;
    run.site_answers(&validation)?;
    let console = install_console(&validation);
    let Some(confirm) = form_with(&validation, "installzipconfirm") else {
        let Some(console) = console else {
            return Err(run.unexpected("validating the ZIP", &validation, None));
        };
        if let Some((folder, check)) = console.unwritable_folder() {
            return Err(InstallRefusal::NotWritable {
                component: component.into(),
                folder,
                check,
            }
            .into());
        }
        return Err(InstallRefusal::ValidationFailed {
            component: component.into(),
            file_name: file_name.into(),
            report: console.text,
        }
        .into());
    };
    let action = relative_action(&root, &validation, &confirm.action)?;
    let confirmed = session.post(&action, &confirm.fields).await?;
    run.stage = Stage::FilesCopied;
    run.site_answers(&confirmed)?;
    if !confirmed.is_redirect() {
        let said = confirmed.error_box();
        return Err(run.unexpected("copying the plugin into place", &confirmed, said));
    }
    let mut at = session.relative_location(&confirmed)?;
    if !at.starts_with("admin/index.php") {
        return Err(run.unexpected("copying the plugin into place", &confirmed, None));
    }

    // admin/index.php: release and server checks → plugins check → the database upgrade.
    let mut upgraded = None;
    for _ in 0..4 {
        let page = session.get_following(&at).await?;
        run.site_answers(&page)?;
        match upgrade_step(&page, component) {
            UpgradeStep::Release(Some(next)) => at = get_url(&root, &page, &next)?,
            UpgradeStep::Release(None) => {
                return Err(InstallRefusal::EnvironmentFailed {
                    component: component.into(),
                    problems: environment_problems(&page),
                }
                .into())
            }
            UpgradeStep::PluginsCheck {
                others,
                missing,
                next,
            } => {
                if !missing.is_empty() {
                    return Err(InstallRefusal::MissingDependencies {
                        component: component.into(),
                        missing,
                    }
                    .into());
                }
                if !others.is_empty() {
                    return Err(InstallRefusal::OtherPluginsPending {
                        component: component.into(),
                        others,
                    }
                    .into());
                }
                let Some(next) = next else {
                    return Err(run.unexpected("the plugins check", &page, None));
                };
                at = get_url(&root, &page, &next)?;
            }
            UpgradeStep::Done(next) => {
                upgraded = Some(get_url(&root, &page, &next)?);
                break;
            }
            UpgradeStep::Failed(message) => {
                return Err(InstallRefusal::UpgradeFailed {
                    component: component.into(),
                    message,
                }
                .into())
            }
            UpgradeStep::Unknown => {
                return Err(run.unexpected("the database upgrade", &page, page.error_box()))
            }
        }
    }
    let Some(settings_at) = upgraded else {
        return Err(run.unexpected_at("the database upgrade", &at));
    };
    run.stage = Stage::Installed;

    // The new settings page: the plugin's settings saved as shown; others left for the admin.
    let settings = session.get(&settings_at).await?;
    run.site_answers(&settings)?;
    let mut saved = Vec::new();
    let mut left = Vec::new();
    if settings.is_redirect() {
        // No new settings: Moodle sends the admin on to admin/index.php.
        if !session
            .relative_location(&settings)?
            .starts_with("admin/index.php")
        {
            return Err(run.unexpected("the new settings", &settings, None));
        }
    } else {
        let Some(form) = settings.form("adminsettings") else {
            return Err(run.unexpected("the new settings", &settings, None));
        };
        let (mine, others) = split_settings(&form, component);
        left = others;
        if !mine.is_empty() {
            let mut fields: Vec<(String, String)> = form
                .fields
                .iter()
                .filter(|(n, _)| !n.starts_with("s_"))
                .cloned()
                .collect();
            fields.extend(mine.iter().cloned());
            let action = relative_action(&root, &settings, &form.action)?;
            let answer = session.post(&action, &fields).await?;
            run.site_answers(&answer)?;
            if !answer.is_redirect() {
                let Some(again) = answer.form("adminsettings") else {
                    return Err(run.unexpected("saving the new settings", &answer, None));
                };
                let (still, others) = split_settings(&again, component);
                if !still.is_empty() {
                    return Err(InstallRefusal::SettingsNotSaved {
                        component: component.into(),
                        errors: setting_errors(&answer),
                    }
                    .into());
                }
                left = others;
            }
            saved = mine
                .into_iter()
                .map(|(n, v)| (setting_name(&n, component), v))
                .collect();
        }
    }

    // Read back what Moodle now says is installed.
    let overview = session.get("admin/plugins.php").await?;
    let Some(version) = installed_version(&overview, component) else {
        return Err(InstallRefusal::NotListedAfter {
            component: component.into(),
        }
        .into());
    };
    Ok(Installed {
        component: component.into(),
        version,
        already_installed: false,
        settings_saved: saved,
        settings_left: left.iter().map(|n| setting_name(n, component)).collect(),
        requests: session.requests() - first,
    })
}

/// The installation under way, for the refusals' wording.
struct Run<'a> {
    component: &'a str,
    stage: Stage,
}

impl Run<'_> {
    /// A page every step can get: the site's CLI maintenance page (HTTP 503).
    fn site_answers(&self, page: &Page) -> Result<(), InstallError> {
        if is_cli_maintenance(page) {
            if self.stage == Stage::NothingInstalled {
                return Err(InstallRefusal::MaintenanceMode {
                    component: self.component.into(),
                    cli: true,
                }
                .into());
            }
            return Err(self.unexpected("the site went into maintenance", page, None));
        }
        Ok(())
    }

    fn unexpected(&self, step: &str, page: &Page, said: Option<String>) -> InstallError {
        InstallRefusal::UnexpectedPage(Box::new(UnknownPage {
            component: self.component.into(),
            step: step.into(),
            asked: bare(&page.asked),
            status: page.status,
            title: page.title(),
            said,
            stage: self.stage,
        }))
        .into()
    }

    fn unexpected_at(&self, step: &str, asked: &str) -> InstallError {
        InstallRefusal::UnexpectedPage(Box::new(UnknownPage {
            component: self.component.into(),
            step: step.into(),
            asked: bare(asked),
            status: 200,
            title: None,
            said: Some("the upgrade pages went on longer than Moodle's usual three".into()),
            stage: self.stage,
        }))
        .into()
    }
}

/// Moodle's CLI maintenance page (admin/cli/maintenance.php --enable): HTTP 503, the site's
/// name "under maintenance" in one red box.
fn is_cli_maintenance(page: &Page) -> bool {
    page.status == 503 && !page.texts("#region-main .alert-danger").is_empty()
}

/// An address without its query (which may hold the session key).
fn bare(asked: &str) -> String {
    asked.split('?').next().unwrap_or_default().to_string()
}

/// The first form that sends a field named `field`.
fn form_with(page: &Page, field: &str) -> Option<Form> {
    page.forms()
        .into_iter()
        .find(|f| f.fields.iter().any(|(n, _)| n == field))
}

/// A form's action (absolute, or relative to the page) as an address relative to the site.
fn relative_action(root: &url::Url, page: &Page, action: &str) -> Result<String, AdminError> {
    let off_site = || AdminError::OffSiteRedirect {
        asked: bare(&page.asked),
        location: bare(action),
    };
    let here = root.join(&page.asked).map_err(|_| off_site())?;
    let target = here.join(action).map_err(|_| off_site())?;
    target
        .as_str()
        .strip_prefix(root.as_str())
        .map(str::to_string)
        .ok_or_else(off_site)
}

/// The address a GET form goes to, its fields in the query.
fn get_url(root: &url::Url, page: &Page, form: &Form) -> Result<String, AdminError> {
    let action = relative_action(root, page, &form.action)?;
    let query = serde_urlencoded::to_string(&form.fields).unwrap_or_default();
    let base = action.split('?').next().unwrap_or_default();
    Ok(if query.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{query}")
    })
}

/// The value of Site administration → Server → Maintenance mode.
fn maintenance_enabled(page: &Page) -> Option<bool> {
    let options = page.select_options("s__maintenance_enabled");
    if options.is_empty() {
        return None;
    }
    let chosen = options
        .iter()
        .find(|o| o.selected)
        .or(options.first())
        .map(|o| o.value.as_str());
    Some(chosen != Some("0"))
}

fn is_plugins_overview(page: &Page) -> bool {
    page.status == 200 && page.body.contains("id=\"plugins-control-panel\"")
}

fn valid_component(component: &str) -> bool {
    !component.is_empty()
        && component
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The version the plugins overview shows for `component`, if it lists it.
fn installed_version(page: &Page, component: &str) -> Option<String> {
    if !valid_component(component) {
        return None;
    }
    let html = Html::parse_document(&page.body);
    let row = html
        .select(&selector(&format!("tr.name-{component}")))
        .next()?;
    let version = row
        .select(&selector(".versionnumber"))
        .next()
        .map(text_of)
        .unwrap_or_default();
    let version: String = version
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string();
    (!version.is_empty()).then_some(version)
}

/// The admin page does not exist: what Install plugins answers when config.php sets
/// `$CFG->disableupdateautodeploy` (its page is then not in the admin tree).
fn is_section_error(page: &Page) -> bool {
    page.status == 404
        && page.error_box().is_some()
        && page
            .links()
            .iter()
            .any(|(href, _)| href.ends_with("/error/admin/sectionerror"))
}

/// The install-from-ZIP form.
fn install_form(page: &Page) -> Option<Form> {
    form_with(page, "_qf__tool_installaddon_installfromzip_form")
        .filter(|f| f.method == "post" && f.value("zipfile").is_some())
}

/// The named submit button of the form that sends `marker` (the browser sends the one clicked).
fn submit_button(page: &Page, marker: &str) -> Option<(String, String)> {
    let html = Html::parse_document(&page.body);
    let form = html.select(&selector("form")).find(|f| {
        f.select(&selector("input"))
            .any(|i| i.value().attr("name") == Some(marker))
    })?;
    let found = form
        .select(&selector(
            "input[type=\"submit\"][name], button[type=\"submit\"][name]",
        ))
        .next()
        .map(|b| {
            let v = b.value();
            let value = v
                .attr("value")
                .map(str::to_string)
                .unwrap_or_else(|| text_of(b));
            (v.attr("name").unwrap_or_default().to_string(), value)
        });
    found
}

/// What the page's `M.form_filepicker.init` gives the file picker of one form field.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FilePicker {
    itemid: String,
    client_id: String,
    context_id: String,
    env: String,
    author: String,
    license: String,
    maxbytes: String,
    accepted_types: Vec<String>,
    /// The id of the "Upload a file" repository, if the picker offers it.
    upload_repository: Option<String>,
}

impl FilePicker {
    /// The fields the picker's upload form sends (its own inputs, then the request's).
    fn upload_fields(&self, repo_id: &str, sesskey: &str) -> Vec<(String, String)> {
        let mut f: Vec<(String, String)> = vec![
            ("title".into(), String::new()),
            ("author".into(), self.author.clone()),
            ("license".into(), self.license.clone()),
            ("itemid".into(), self.itemid.clone()),
        ];
        for t in &self.accepted_types {
            f.push(("accepted_types[]".into(), t.clone()));
        }
        f.extend([
            ("repo_id".into(), repo_id.to_string()),
            ("p".into(), String::new()),
            ("page".into(), String::new()),
            ("env".into(), self.env.clone()),
            ("sesskey".into(), sesskey.to_string()),
            ("client_id".into(), self.client_id.clone()),
            ("itemid".into(), self.itemid.clone()),
            ("maxbytes".into(), self.maxbytes.clone()),
            ("areamaxbytes".into(), "-1".into()),
            ("ctx_id".into(), self.context_id.clone()),
            ("savepath".into(), "/".into()),
        ]);
        f
    }
}

fn json_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The options of the file picker whose hidden field has the id `element_id`.
fn file_picker(page: &Page, element_id: &str) -> Option<FilePicker> {
    const CALL: &str = "M.form_filepicker.init(Y, ";
    page.body.match_indices(CALL).find_map(|(at, _)| {
        let rest = &page.body[at + CALL.len()..];
        let options: serde_json::Value = serde_json::Deserializer::from_str(rest)
            .into_iter()
            .next()?
            .ok()?;
        if options.get("elementid")?.as_str()? != element_id {
            return None;
        }
        let upload_repository = options
            .get("repositories")
            .and_then(|r| r.as_object())
            .and_then(|repos| {
                repos
                    .values()
                    .find(|r| r.get("type").and_then(|t| t.as_str()) == Some("upload"))
            })
            .and_then(|r| r.get("id"))
            .and_then(json_text);
        let recent = options
            .pointer("/userprefs/recentlicense")
            .and_then(json_text)
            .filter(|l| !l.is_empty());
        let remember = options
            .get("rememberuserlicensepref")
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        let license = recent
            .filter(|_| remember)
            .or_else(|| options.get("defaultlicense").and_then(json_text))
            .unwrap_or_default();
        Some(FilePicker {
            itemid: options.get("itemid").and_then(json_text)?,
            client_id: options.get("client_id").and_then(json_text)?,
            context_id: options.pointer("/context/id").and_then(json_text)?,
            env: options
                .get("env")
                .and_then(json_text)
                .unwrap_or_else(|| "filepicker".into()),
            author: options
                .get("author")
                .and_then(json_text)
                .unwrap_or_default(),
            license,
            maxbytes: options
                .get("maxbytes")
                .and_then(json_text)
                .filter(|m| m != "0")
                .unwrap_or_else(|| "-1".into()),
            accepted_types: options
                .get("accepted_types")
                .and_then(|t| t.as_array())
                .map(|a| a.iter().filter_map(json_text).collect())
                .unwrap_or_default(),
            upload_repository,
        })
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum UploadAnswer {
    Stored,
    Refused(String),
}

/// The upload's JSON answer: the stored draft file, or Moodle's error.
fn upload_answer(page: &Page) -> Option<UploadAnswer> {
    if page.status != 200 {
        return None;
    }
    let v: serde_json::Value = serde_json::from_str(page.body.trim()).ok()?;
    if let Some(error) = v.get("error").and_then(json_text) {
        return Some(UploadAnswer::Refused(error));
    }
    if v.get("event").is_some() {
        // "fileexists": a file of that name is in the draft area already (a fresh one is empty).
        return None;
    }
    (v.get("file").is_some() && v.get("url").is_some()).then_some(UploadAnswer::Stored)
}

/// Why the install form came back instead of going on: Moodle's notice ("not a valid plugin
/// ZIP package") or the form's error ("Unable to detect the plugin type").
fn zip_refusal(page: &Page) -> Option<String> {
    if page.status != 200 {
        return None;
    }
    let notice = page.texts("#notice").into_iter().find(|t| !t.is_empty());
    notice.or_else(|| {
        install_form(page)?;
        page.texts("form.mform span.error")
            .into_iter()
            .find(|t| !t.is_empty())
    })
}

/// The component Moodle detected in the ZIP, from the address of its validation page.
fn detected_component(location: &str) -> Option<String> {
    if !location.starts_with("admin/tool/installaddon/index.php?") {
        return None;
    }
    let query = location.split_once('?')?.1;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).ok()?;
    pairs
        .into_iter()
        .find(|(n, _)| n == "installzipcomponent")
        .map(|(_, v)| v)
}

/// The validation's console (`pre.plugin-install-console`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Console {
    /// Its text, lines joined.
    text: String,
    /// Its error lines (a warning is set in bold, an error is not).
    errors: Vec<String>,
}

impl Console {
    /// A failed write-access check: the folder in its brackets, and the line.
    fn unwritable_folder(&self) -> Option<(String, String)> {
        self.errors.iter().find_map(|line| {
            let start = line.rfind('[')?;
            let folder = line[start + 1..].trim_end().strip_suffix(']')?.trim();
            let absolute = folder.starts_with('/')
                || folder.chars().nth(1) == Some(':') && folder.contains('\\');
            absolute.then(|| (folder.to_string(), line.trim().to_string()))
        })
    }
}

fn install_console(page: &Page) -> Option<Console> {
    let html = Html::parse_document(&page.body);
    let pre = html
        .select(&selector("pre.plugin-install-console"))
        .next()?;
    let inner = pre.inner_html();
    let errors = inner
        .lines()
        .filter(|l| l.starts_with("  [") && !l.contains("<strong>"))
        .map(|l| unescape(l).trim().to_string())
        .collect();
    let text = pre
        .text()
        .collect::<String>()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" / ");
    Some(Console { text, errors })
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#039;", "'")
        .replace("&amp;", "&")
}

/// One page of admin/index.php on the way to the upgrade.
#[derive(Debug, Clone, PartialEq, Eq)]
enum UpgradeStep {
    /// "Current release information" with the server checks; its Continue (none: a check failed).
    Release(Option<Form>),
    /// "Plugins check" (or "Plugin dependencies check"): the other plugins it lists, the
    /// plugin's requirements it marks failed, and "Upgrade Moodle database now".
    PluginsCheck {
        others: Vec<String>,
        missing: Vec<String>,
        next: Option<Form>,
    },
    /// The upgrade ran: its Continue to the new settings.
    Done(Form),
    /// The upgrade page shows an error.
    Failed(String),
    Unknown,
}

fn upgrade_step(page: &Page, component: &str) -> UpgradeStep {
    if page.status != 200 {
        return UpgradeStep::Unknown;
    }
    let forms = page.forms();
    let get_form_with = |field: &str, value: &str| {
        forms
            .iter()
            .find(|f| f.method == "get" && f.value(field) == Some(value))
            .cloned()
    };
    if page.body.contains("id=\"plugins-check\"") {
        let rows = plugins_check_rows(page);
        let others = rows
            .iter()
            .filter(|r| r.component != component)
            .map(|r| format!("{} ({})", r.component, r.status))
            .collect();
        let missing = rows
            .into_iter()
            .filter(|r| r.component == component)
            .flat_map(|r| r.failed_requirements)
            .collect();
        return UpgradeStep::PluginsCheck {
            others,
            missing,
            next: get_form_with("confirmplugincheck", "1"),
        };
    }
    if page.body.contains("id=\"serverstatus\"") {
        return UpgradeStep::Release(get_form_with("confirmrelease", "1"));
    }
    if let Some(done) = forms
        .iter()
        .find(|f| f.method == "get" && f.action.ends_with("upgradesettings.php"))
    {
        if let Some(error) = page.error_box() {
            return UpgradeStep::Failed(error);
        }
        return UpgradeStep::Done(done.clone());
    }
    if let Some(error) = page.error_box() {
        return UpgradeStep::Failed(error);
    }
    UpgradeStep::Unknown
}

/// One plugin the plugins check lists.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CheckRow {
    component: String,
    /// From the row's class: `new`, `upgrade`, `missing`, `downgrade`, …
    status: String,
    /// The requirements it marks failed (`mod_labmissing`).
    failed_requirements: Vec<String>,
}

/// The plugins the plugins check lists, from their rows' classes
/// (`name-auth_userkey status-new`) and their failed requirements (`li.requires-failed`).
fn plugins_check_rows(page: &Page) -> Vec<CheckRow> {
    let html = Html::parse_document(&page.body);
    let rows = html
        .select(&selector("table#plugins-check tr"))
        .filter_map(|tr| {
            let classes: Vec<&str> = tr.value().classes().collect();
            let name = classes.iter().find_map(|c| c.strip_prefix("name-"))?;
            let status = classes
                .iter()
                .find_map(|c| c.strip_prefix("status-"))
                .unwrap_or("listed");
            let failed_requirements = tr
                .select(&selector("li.requires-failed .dep"))
                .map(text_of)
                .filter(|t| !t.is_empty())
                .collect();
            Some(CheckRow {
                component: name.to_string(),
                status: status.to_string(),
                failed_requirements,
            })
        })
        .collect();
    rows
}

/// The failed rows of the server checks (their text), or Moodle's notice if none is marked.
fn environment_problems(page: &Page) -> Vec<String> {
    let html = Html::parse_document(&page.body);
    let rows: Vec<String> = html
        .select(&selector("table#serverstatus tr"))
        .filter(|tr| {
            tr.select(&selector(
                ".badge.bg-danger, .badge-danger, .statuserror, .label-important",
            ))
            .next()
            .is_some()
        })
        .map(text_of)
        .collect();
    if rows.is_empty() {
        page.notices()
    } else {
        rows
    }
}

/// The new-settings form's settings split: this plugin's (name, value as shown), the others' names.
fn split_settings(form: &Form, component: &str) -> (Vec<(String, String)>, Vec<String>) {
    let mine_prefix = format!("s_{component}_");
    let mut mine = Vec::new();
    let mut others = Vec::new();
    for (name, value) in &form.fields {
        if name.starts_with(&mine_prefix) {
            mine.push((name.clone(), value.clone()));
        } else if name.starts_with("s_") && !others.contains(name) {
            others.push(name.clone());
        }
    }
    (mine, others)
}

/// `s_auth_userkey_mappingfield` → `mappingfield`; `s__noreplyaddress` → `noreplyaddress`.
fn setting_name(field: &str, component: &str) -> String {
    let mine = format!("s_{component}_");
    field
        .strip_prefix(&mine)
        .or_else(|| field.strip_prefix("s__"))
        .or_else(|| field.strip_prefix("s_"))
        .unwrap_or(field)
        .to_string()
}

/// The errors the new-settings page shows, each with its setting's short name.
fn setting_errors(page: &Page) -> Vec<String> {
    let html = Html::parse_document(&page.body);
    let errors: Vec<String> = html
        .select(&selector("#adminsettings .form-item"))
        .filter_map(|item| {
            let error = item
                .select(&selector("span.error"))
                .next()
                .map(text_of)
                .filter(|t| !t.is_empty())?;
            let name = item
                .value()
                .attr("id")
                .and_then(|id| id.strip_prefix("admin-"))
                .unwrap_or("a setting");
            Some(format!("{name}: {error}"))
        })
        .collect();
    if errors.is_empty() {
        vec!["the page came back without saying why".into()]
    } else {
        errors
    }
}

#[cfg(test)]
mod tests {
    //! Every page here is an excerpt of what a real Moodle 4.5 (4.1 where named) answered during
    //! the installation of auth_userkey from its ZIP, trimmed to what the readers look at.

    use super::*;

    fn page(asked: &str, status: u16, body: &str) -> Page {
        Page {
            asked: asked.into(),
            status,
            location: None,
            body: body.into(),
        }
    }

    fn root() -> url::Url {
        url::Url::parse("http://127.0.0.1:8245/").unwrap()
    }

    const OVERVIEW: &str = r#"<table class="generaltable" id="plugins-control-panel"><tbody>
<tr class="type-auth name-auth_userkey status-uptodate disabled additional">
<td class="pluginname cell c0" style=""><div class="displayname">User key authentication</div><div class="componentname">auth_userkey</div></td>
<td class="version cell c1" style=""><div class="release">2022081901</div><div class="versionnumber">2022081901</div></td>
<td class="availability cell c2" style="">Disabled</td>
</tr></tbody></table>"#;

    #[test]
    fn reads_the_installed_version_from_the_plugins_overview() {
        let p = page("admin/plugins.php", 200, OVERVIEW);
        assert!(is_plugins_overview(&p));
        assert_eq!(
            installed_version(&p, "auth_userkey").as_deref(),
            Some("2022081901")
        );
        assert_eq!(installed_version(&p, "auth_user"), None);
        assert_eq!(installed_version(&p, "auth_userkey\"]"), None);
    }

    #[test]
    fn reads_maintenance_mode() {
        let off = r#"<select  id="id_s__maintenance_enabled" name="s__maintenance_enabled" class="custom-select">
            <option value="0" selected>Disable</option>
            <option value="1" >Enable</option>
    </select>"#;
        let on = r#"<select  id="id_s__maintenance_enabled" name="s__maintenance_enabled" class="custom-select">
            <option value="0" >Disable</option>
            <option value="1" selected>Enable</option>
    </select>"#;
        let at = "admin/settings.php?section=maintenancemode";
        assert_eq!(maintenance_enabled(&page(at, 200, off)), Some(false));
        assert_eq!(maintenance_enabled(&page(at, 200, on)), Some(true));
        assert_eq!(maintenance_enabled(&page(at, 200, "<p>other</p>")), None);
    }

    #[test]
    fn knows_cli_maintenance_by_its_503_page() {
        let body = r#"<html><head><title>SIS Lab Moodle 4.5 under maintenance</title></head><body>
        <div id="page"><div id="region-main"><h1>SIS Lab Moodle 4.5 under maintenance</h1>
        <div class='alert-danger'>The site is undergoing maintenance and is currently not available</div></div></div></body></html>"#;
        assert!(is_cli_maintenance(&page("admin/search.php", 503, body)));
        assert!(!is_cli_maintenance(&page(
            "admin/search.php",
            503,
            "<p>proxy</p>"
        )));
        assert!(!is_cli_maintenance(&page("admin/search.php", 200, body)));
    }

    #[test]
    fn knows_the_install_page_is_gone_when_auto_deploy_is_off() {
        let body = r#"<div role="main"><span id="maincontent"></span><div data-rel="fatalerror" class="box py-3 errorbox alert alert-danger"><p class="errormessage">Section error!</p><p class="errorcode"><a href="https://docs.moodle.org/405/en/error/admin/sectionerror">More information about this error</a></p></div></div>"#;
        let at = "admin/tool/installaddon/index.php";
        assert!(is_section_error(&page(at, 404, body)));
        assert!(!is_section_error(&page(at, 200, INSTALL_PAGE)));
    }

    // The install page: the form (plugin type list cut to two) and the file picker's options
    // (licences and repositories cut).
    const INSTALL_PAGE: &str = r#"<form autocomplete="off" action="http://127.0.0.1:8245/admin/tool/installaddon/index.php" method="post" accept-charset="utf-8" id="mform1_6ZErYtKEKO3gpEY" class="mform">
	<div style="display: none;"><input name="sesskey" type="hidden" value="2biANNgawH" />
<input name="_qf__tool_installaddon_installfromzip_form" type="hidden" value="1" />
<input name="mform_showmore_id_general" type="hidden" value="0" />
<input name="mform_isexpanded_id_general" type="hidden" value="1" />
</div>
<input type="button" class="btn btn-secondary fp-btn-choose" id="filepicker-button-6b11a4ae678ff" value="Choose a file..." name="zipfilechoose"/>
<input type="hidden" name="zipfile" id="id_zipfile" value="638455681" class="filepickerhidden"/>
<select class="custom-select" name="plugintype" id="tool_installaddon_installfromzip_plugintype">
<option value="">Choose...</option>
<option value="auth">Authentication method (auth)</option>
</select>
<input type="text" class="form-control " name="rootdir" id="id_rootdir" value="" >
<input type="submit" class="btn btn-primary" name="submitbutton" id="id_submitbutton" value="Install plugin from the ZIP file" >
</form>
<script>
M.util.js_pending('random6b11a40a7717811'); Y.on('domready', function() {  M.util.js_pending('random6b11a40a7717811'); Y.use('form_filepicker', function(Y) { M.form_filepicker.init(Y, {"defaultlicense":"unknown","licenses":{"unknown":{"id":"1","shortname":"unknown","fullname":"Licence not specified","source":"","enabled":"1","version":"2010033100","custom":"0","sortorder":"1"}},"author":"Admin User","repositories":{"3":{"id":"3","name":"Server files","type":"local","icon":"http:\/\/127.0.0.1:8245\/theme\/image.php\/boost\/repository_local\/1796318356\/icon","supported_types":[],"return_types":6,"defaultreturntype":2,"sortorder":3},"5":{"id":"5","name":"Upload a file","type":"upload","icon":"http:\/\/127.0.0.1:8245\/theme\/image.php\/boost\/repository_upload\/1796318356\/icon","supported_types":[],"return_types":2,"defaultreturntype":2,"sortorder":5}},"externallink":true,"rememberuserlicensepref":true,"userprefs":{"recentrepository":"","recentlicense":"","recentviewmode":""},"accepted_types":[".zip"],"return_types":2,"itemid":638455681,"maxbytes":-1,"context":{"id":1,"contextlevel":10,"instanceid":0,"path":"\/1","depth":1,"locked":false},"buttonname":"zipfilechoose","elementid":"id_zipfile","env":"filepicker","client_id":"6b11a4ae678ff","maxfiles":1,"currentfile":""});  M.util.js_complete('random6b11a40a7717811'); }); });
</script>"#;

    #[test]
    fn reads_the_install_form_as_the_browser_sends_it() {
        let p = page("admin/tool/installaddon/index.php", 200, INSTALL_PAGE);
        let form = install_form(&p).expect("the form");
        assert_eq!(
            form.fields,
            vec![
                ("sesskey".to_string(), "2biANNgawH".to_string()),
                (
                    "_qf__tool_installaddon_installfromzip_form".into(),
                    "1".into()
                ),
                ("mform_showmore_id_general".into(), "0".into()),
                ("mform_isexpanded_id_general".into(), "1".into()),
                ("zipfile".into(), "638455681".into()),
                ("plugintype".into(), String::new()),
                ("rootdir".into(), String::new()),
            ]
        );
        assert_eq!(
            submit_button(&p, "_qf__tool_installaddon_installfromzip_form"),
            Some((
                "submitbutton".to_string(),
                "Install plugin from the ZIP file".to_string()
            ))
        );
        assert_eq!(
            relative_action(&root(), &p, &form.action).unwrap(),
            "admin/tool/installaddon/index.php"
        );
    }

    #[test]
    fn reads_the_file_picker_and_builds_its_upload() {
        let p = page("admin/tool/installaddon/index.php", 200, INSTALL_PAGE);
        let picker = file_picker(&p, "id_zipfile").expect("the picker");
        assert_eq!(picker.itemid, "638455681");
        assert_eq!(picker.client_id, "6b11a4ae678ff");
        assert_eq!(picker.context_id, "1");
        assert_eq!(picker.license, "unknown");
        assert_eq!(picker.upload_repository.as_deref(), Some("5"));
        assert!(file_picker(&p, "id_other").is_none());
        let fields = picker.upload_fields("5", "2biANNgawH");
        let get = |n: &str| {
            fields
                .iter()
                .filter(|(k, _)| k == n)
                .map(|(_, v)| v.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(get("repo_id"), ["5"]);
        assert_eq!(get("itemid"), ["638455681", "638455681"]);
        assert_eq!(get("accepted_types[]"), [".zip"]);
        assert_eq!(get("author"), ["Admin User"]);
        assert_eq!(get("maxbytes"), ["-1"]);
        assert_eq!(get("ctx_id"), ["1"]);
        assert_eq!(get("savepath"), ["/"]);
        assert_eq!(get("env"), ["filepicker"]);
        // Without the "Upload a file" repository, the picker has no way to upload.
        let no_upload = INSTALL_PAGE.replace(r#""type":"upload""#, r#""type":"gone""#);
        let p = page("admin/tool/installaddon/index.php", 200, &no_upload);
        assert_eq!(
            file_picker(&p, "id_zipfile").unwrap().upload_repository,
            None
        );
    }

    #[test]
    fn reads_the_upload_answer() {
        let at = "repository/repository_ajax.php?action=upload";
        let stored = r#"{"url":"http:\/\/127.0.0.1:8245\/draftfile.php\/5\/user\/draft\/638455681\/userkey.zip","id":638455681,"file":"userkey.zip"}"#;
        assert_eq!(
            upload_answer(&page(at, 200, stored)),
            Some(UploadAnswer::Stored)
        );
        let too_big = r#"{"error":"The file is larger than the maximum size allowed.","errorcode":"upload_error_ini_size","stacktrace":null,"debuginfo":null,"reproductionlink":null}"#;
        assert_eq!(
            upload_answer(&page(at, 200, too_big)),
            Some(UploadAnswer::Refused(
                "The file is larger than the maximum size allowed.".into()
            ))
        );
        assert_eq!(upload_answer(&page(at, 200, "<html>")), None);
    }

    #[test]
    fn reads_why_the_zip_is_not_a_plugin() {
        let at = "admin/tool/installaddon/index.php";
        let not_zip = r#"<div role="main"><span id="maincontent"></span><h2>Install plugin from ZIP file</h2><div id="notice" class="box py-3 generalbox">The plugin ZIP package must contain just one directory, named to match the plugin name. The file provided is not a valid plugin ZIP package.</div></div>"#;
        assert_eq!(
            zip_refusal(&page(at, 200, not_zip)).as_deref(),
            Some("The plugin ZIP package must contain just one directory, named to match the plugin name. The file provided is not a valid plugin ZIP package.")
        );
        let no_type = INSTALL_PAGE.replace(
            "<input type=\"text\" class=\"form-control \" name=\"rootdir\"",
            r#"<div id="fitem_id_typedetectionfailed" class="mb-3 row  fitem femptylabel   " >
    <div class="col-md-9 d-flex flex-wrap align-items-start felement" data-fieldtype="static">
        <div class="form-control-static " data-name="typedetectionfailed">
        <span class="error">Unable to detect the plugin type. Please choose the plugin type manually.</span>
        </div></div></div>
<input type="text" class="form-control " name="rootdir""#,
        );
        assert_eq!(
            zip_refusal(&page(at, 200, &no_type)).as_deref(),
            Some("Unable to detect the plugin type. Please choose the plugin type manually.")
        );
        assert_eq!(zip_refusal(&page(at, 200, INSTALL_PAGE)), None);
    }

    #[test]
    fn reads_the_component_moodle_detected() {
        assert_eq!(
            detected_component("admin/tool/installaddon/index.php?installzipcomponent=auth_userkey&installzipstorage=6b11a4ae97b0e&sesskey=2biANNgawH").as_deref(),
            Some("auth_userkey")
        );
        assert_eq!(
            detected_component("admin/tool/installaddon/index.php?installzipcomponent=local_labother&installzipstorage=6b11a5578219a&sesskey=xXr14TVLjS").as_deref(),
            Some("local_labother")
        );
        assert_eq!(detected_component("admin/index.php?cache=0"), None);
    }

    const VALIDATED: &str = r#"<div role="main"><span id="maincontent"></span><h3>Install plugin from ZIP file</h3><pre class="plugin-install-console">Validating auth_userkey ... OK

Validation successful, installation can continue
</pre><div class="plugins-management-confirm-buttons"><div class="continue">
    <form method="post" action="http://127.0.0.1:8245/admin/tool/installaddon/index.php" >
            <input type="hidden" name="installzipcomponent" value="auth_userkey">
            <input type="hidden" name="installzipstorage" value="6b11a41c3cbf1">
            <input type="hidden" name="installzipconfirm" value="1">
            <input type="hidden" name="sesskey" value="5F9X7MVC1Z">
        <button type="submit" class="btn btn-secondary" id="single_button6b11a41eaac6f3">Continue</button>
    </form>
</div><div class="cancel"><a href="http://127.0.0.1:8245/admin/tool/installaddon/index.php">Cancel</a></div></div></div>"#;

    #[test]
    fn reads_the_validation_page() {
        let at = "admin/tool/installaddon/index.php?installzipcomponent=auth_userkey&installzipstorage=6b11a41c3cbf1&sesskey=5F9X7MVC1Z";
        let ok = page(at, 200, VALIDATED);
        let confirm = form_with(&ok, "installzipconfirm").expect("Continue");
        assert_eq!(confirm.method, "post");
        assert_eq!(confirm.value("installzipstorage"), Some("6b11a41c3cbf1"));
        let console = install_console(&ok).unwrap();
        assert!(console.errors.is_empty());
        assert_eq!(console.unwritable_folder(), None);

        let unwritable = page(
            at,
            200,
            r#"<div role="main"><span id="maincontent"></span><h3>Install plugin from ZIP file</h3><pre class="plugin-install-console">Validating auth_userkey ... Error
  [Error] Write access check [/var/www/moodle/auth] 
Installation aborted due to validation failure
</pre><div class="plugins-management-confirm-buttons"><div class="cancel"><a href="http://127.0.0.1:8245/admin/tool/installaddon/index.php">Cancel</a></div></div></div>"#,
        );
        assert!(form_with(&unwritable, "installzipconfirm").is_none());
        let console = install_console(&unwritable).unwrap();
        assert_eq!(
            console.unwritable_folder(),
            Some((
                "/var/www/moodle/auth".to_string(),
                "[Error] Write access check [/var/www/moodle/auth]".to_string()
            ))
        );

        let too_new = page(
            at,
            200,
            r#"<div role="main"><span id="maincontent"></span><h3>Install plugin from ZIP file</h3><pre class="plugin-install-console">Validating auth_userkey ... Error
  [Error] Required Moodle version [2099010100] 
Installation aborted due to validation failure
</pre><div class="plugins-management-confirm-buttons"><div class="cancel"><a href="http://127.0.0.1:8245/admin/tool/installaddon/index.php">Cancel</a></div></div></div>"#,
        );
        let console = install_console(&too_new).unwrap();
        assert_eq!(console.unwritable_folder(), None);
        assert_eq!(
            console.text,
            "Validating auth_userkey ... Error / [Error] Required Moodle version [2099010100] / Installation aborted due to validation failure"
        );
    }

    #[test]
    fn goes_from_the_release_page_to_the_plugins_check() {
        let p = page(
            "admin/index.php?cache=0&confirmplugincheck=0",
            200,
            r#"<div role="main"><h2>Moodle 4.5.11+ (Build: 20260501)</h2><h2>Server checks</h2><div class="table-responsive"><table class="admintable environmenttable generaltable table-sm" id="serverstatus">
<tbody><tr class="">
<td class="centeralign name cell c0" style="">php</td>
<td class="centeralign status cell c4 lastcol" style=""><span class="badge bg-success text-white">OK</span></td>
</tr></tbody></table></div><div class="alert alert-success alert-block fade in  alert-dismissible"  role="alert" data-aria-autofocus="true">
    Your server environment meets all minimum requirements.</div><div class="continuebutton">
    <form method="get" action="http://127.0.0.1:8245/admin/index.php" >
            <input type="hidden" name="cache" value="0">
            <input type="hidden" name="confirmrelease" value="1">
            <input type="hidden" name="confirmplugincheck" value="0">
            <input type="hidden" name="confirmupgrade" value="1">
        <button type="submit" class="btn btn-primary" id="single_button6b11a422c85df2">Continue</button>
    </form>
</div></div>"#,
        );
        let UpgradeStep::Release(Some(next)) = upgrade_step(&p, "auth_userkey") else {
            panic!("the release page");
        };
        assert_eq!(
            get_url(&root(), &p, &next).unwrap(),
            "admin/index.php?cache=0&confirmrelease=1&confirmplugincheck=0&confirmupgrade=1"
        );
    }

    const PLUGINS_CHECK: &str = r#"<div role="main"><div id="plugins-check-page" class="box py-3 generalbox"><div class="checkforupdates mb-4"><div class="singlebutton">
    <form method="post" action="http://127.0.0.1:8245/admin/index.php" >
            <input type="hidden" name="cache" value="0">
            <input type="hidden" name="confirmrelease" value="1">
            <input type="hidden" name="confirmplugincheck" value="0">
            <input type="hidden" name="fetchupdates" value="1">
            <input type="hidden" name="sesskey" value="5F9X7MVC1Z">
        <button type="submit" class="btn btn-secondary" id="single_button6b11a42d2e1fa2">Check for available updates</button>
    </form>
</div></div><div class="table-responsive"><table class="generaltable" id="plugins-check">
<tbody><tr class="plugintypeheader type-auth">
<th class="displayname cell c0 lastcol" style="" colspan="5" scope="row">Authentication methods</th>
</tr>
<tr class="type-auth name-auth_userkey extension status-new lastrow">
<td class="displayname cell c0" style=""><span class="pluginname">User key authentication</span><div class="plugindir text-muted small">/auth/userkey</div></td>
<td class="versiondb cell c1" style=""></td>
<td class="versiondisk cell c2" style="">2022081901</td>
<td class="requires cell c3" style=""><ul class="m-0"><li class="requires-ok text-muted"><span class="dep dep-core">Moodle 33 - 401</span> </li></ul></td>
<td class="status cell c4 lastcol" style=""><span class="sourcetext badge bg-info text-white">Additional</span> <span class="statustext badge bg-success text-white">To be installed</span></td>
</tr>
</tbody>
</table>
</div></div><br /><div class="continuebutton">
    <form method="get" action="http://127.0.0.1:8245/admin/index.php" >
            <input type="hidden" name="cache" value="0">
            <input type="hidden" name="confirmrelease" value="1">
            <input type="hidden" name="confirmplugincheck" value="1">
        <button type="submit" class="btn btn-primary" id="single_button6b11a42d2e1fa5">Upgrade Moodle database now</button>
    </form>
</div></div>"#;

    #[test]
    fn reads_the_plugins_check() {
        let p = page(
            "admin/index.php?cache=0&confirmrelease=1&confirmplugincheck=0&confirmupgrade=1",
            200,
            PLUGINS_CHECK,
        );
        let UpgradeStep::PluginsCheck {
            others,
            missing,
            next: Some(next),
        } = upgrade_step(&p, "auth_userkey")
        else {
            panic!("the plugins check");
        };
        assert!(others.is_empty());
        assert!(missing.is_empty());
        assert_eq!(
            get_url(&root(), &p, &next).unwrap(),
            "admin/index.php?cache=0&confirmrelease=1&confirmplugincheck=1"
        );
        // Asked about another plugin, this one is listed as another to install.
        let UpgradeStep::PluginsCheck { others, .. } = upgrade_step(&p, "local_other") else {
            panic!("the plugins check");
        };
        assert_eq!(others, ["auth_userkey (new)"]);
    }

    #[test]
    fn reads_a_missing_dependency_on_the_plugins_check() {
        let row = r#"<tr class="type-local name-local_labneedsdep extension status-new lastrow">
<td class="displayname cell c0" style=""><span class="pluginname">Lab needs dep</span><div class="plugindir text-muted small">/local/labneedsdep</div></td>
<td class="versiondb cell c1" style=""></td>
<td class="versiondisk cell c2" style="">2024010100</td>
<td class="requires cell c3" style=""><ul class="m-0"><li class="requires-ok text-muted"><span class="dep dep-core">Moodle 2022112800</span> </li>
<li class="requires-failed requires-missing requires-unavailable"><span class="dep dep-plugin">mod_labmissing</span> <span class="badge bg-danger text-white">Missing</span> <span class="badge bg-danger text-white">Unavailable</span> <span class="actions"></span></li></ul><div class="dependencyuploadmissing"><a class="btn btn-secondary btn-sm m-1" href="http://127.0.0.1:8245/admin/tool/installaddon/">Upload ZIP files</a></div></td>
<td class="status cell c4 lastcol" style=""><span class="sourcetext badge bg-info text-white">Additional</span> <span class="statustext badge bg-warning text-dark">To be installed</span></td>
</tr>"#;
        let start = PLUGINS_CHECK.find("<tr class=\"type-auth").unwrap();
        let end = PLUGINS_CHECK[start..].find("</tr>").unwrap() + start + 5;
        let body = format!("{}{row}{}", &PLUGINS_CHECK[..start], &PLUGINS_CHECK[end..]);
        let p = page("admin/index.php", 200, &body);
        let UpgradeStep::PluginsCheck {
            others, missing, ..
        } = upgrade_step(&p, "local_labneedsdep")
        else {
            panic!("the plugins check");
        };
        assert!(others.is_empty());
        assert_eq!(missing, ["mod_labmissing"]);
    }

    #[test]
    fn reads_the_end_of_the_upgrade() {
        let p = page(
            "admin/index.php?cache=0&confirmrelease=1&confirmplugincheck=1",
            200,
            r#"<div role="main"><span id="maincontent"></span><h2>auth_userkey</h2><div class="alert alert-success alert-block fade in  "  role="alert" data-aria-autofocus="true">
    Success (0.05 seconds)
</div><hr /><div class="continuebutton">
    <form method="get" action="upgradesettings.php" >
        <button type="submit" class="btn btn-primary" id="single_button6b11a4b1b2aae3">Continue</button>
    </form>
</div></div>"#,
        );
        let UpgradeStep::Done(next) = upgrade_step(&p, "auth_userkey") else {
            panic!("the end of the upgrade");
        };
        assert_eq!(
            get_url(&root(), &p, &next).unwrap(),
            "admin/upgradesettings.php"
        );
        assert_eq!(
            upgrade_step(
                &page("admin/index.php", 200, "<p>other</p>"),
                "auth_userkey"
            ),
            UpgradeStep::Unknown
        );
    }

    const NEW_SETTINGS: &str = r#"<form action="upgradesettings.php" method="post" id="adminsettings"><div><input type="hidden" name="sesskey" value="2biANNgawH" /><input type="hidden" name="return" value="" /><fieldset><div class="clearer"><!-- --></div><h2 class="main">New settings - User key authentication</h2><fieldset class="adminsettings">
<div class="form-item row" id="admin-mappingfield">
    <div class="form-setting col-sm-9">
        <div class="form-select defaultsnext">
    <select  id="id_s_auth_userkey_mappingfield" name="s_auth_userkey_mappingfield" class="custom-select">
            <option value="username" >Username</option>
            <option value="email" >Email address</option>
            <option value="idnumber" >ID number</option>
    </select>
</div></div></div>
<div class="form-item row" id="admin-keylifetime">
    <div class="form-setting col-sm-9">
        <div class="form-text defaultsnext">
    <input type="text" name="s_auth_userkey_keylifetime" value="60" size="5" id="id_s_auth_userkey_keylifetime" class="form-control text-ltr"  >
</div></div></div>
<div class="form-item row" id="admin-iprestriction">
    <div class="form-setting col-sm-9">
        <div class="form-select defaultsnext">
    <select  id="id_s_auth_userkey_iprestriction" name="s_auth_userkey_iprestriction" class="custom-select">
            <option value="0" selected>No</option>
            <option value="1" >Yes</option>
    </select>
</div></div></div>
</fieldset><h2 class="main">New settings - Outgoing mail configuration</h2><fieldset class="adminsettings">
<div class="form-item row" id="admin-noreplyaddress">
    <div class="form-setting col-sm-9">
        <div class="form-text defaultsnext">
    <input type="text" name="s__noreplyaddress" value="" size="30" id="id_s__noreplyaddress" class="form-control text-ltr"  >
</div></div></div></fieldset></fieldset><div class="form-buttons"><input class="form-submit btn btn-primary" type="submit" value="Save changes" /></div></div></form>"#;

    #[test]
    fn splits_the_new_settings_into_the_plugin_s_and_the_others() {
        let p = page("admin/upgradesettings.php", 200, NEW_SETTINGS);
        let form = p.form("adminsettings").expect("the form");
        let (mine, others) = split_settings(&form, "auth_userkey");
        // A select with nothing selected sends its first option, as the browser does.
        assert_eq!(
            mine,
            vec![
                (
                    "s_auth_userkey_mappingfield".to_string(),
                    "username".to_string()
                ),
                ("s_auth_userkey_keylifetime".into(), "60".into()),
                ("s_auth_userkey_iprestriction".into(), "0".into()),
            ]
        );
        assert_eq!(others, ["s__noreplyaddress"]);
        assert_eq!(
            setting_name("s_auth_userkey_mappingfield", "auth_userkey"),
            "mappingfield"
        );
        assert_eq!(
            setting_name("s__noreplyaddress", "auth_userkey"),
            "noreplyaddress"
        );
        assert_eq!(
            relative_action(&root(), &p, &form.action).unwrap(),
            "admin/upgradesettings.php"
        );
    }

    #[test]
    fn reads_the_errors_of_the_new_settings_page() {
        // Moodle 4.1, its default no-reply address for a site at 127.0.0.1 posted back.
        let p = page(
            "admin/upgradesettings.php",
            200,
            r#"<form action="upgradesettings.php" method="post" id="adminsettings"><div><input type="hidden" name="sesskey" value="CPMvnk827b" /><input type="hidden" name="return" value="" /><fieldset><h2 class="main">New settings - Outgoing mail configuration</h2><fieldset class="adminsettings">
<div class="form-item row" id="admin-noreplyaddress">
    <div class="form-setting col-sm-9">
            <div><span class="error">This value is not valid</span></div>
        <div class="form-text defaultsnext">
    <input type="text" name="s__noreplyaddress" value="noreply@127.0.0.1" size="30" id="id_s__noreplyaddress" class="form-control text-ltr" >
</div>
            <div class="form-defaultinfo text-muted text-ltr">Default: noreply@127.0.0.1</div>
    </div>
</div></fieldset></fieldset></div></form>"#,
        );
        assert_eq!(
            setting_errors(&p),
            ["noreplyaddress: This value is not valid"]
        );
    }

    #[test]
    fn a_refusal_says_what_is_left_and_never_the_session_key() {
        let p = page(
            "admin/tool/installaddon/index.php?installzipcomponent=auth_userkey&installzipstorage=6b11a41c3cbf1&sesskey=5F9X7MVC1Z",
            200,
            "<html><head><title>Install plugins</title></head></html>",
        );
        let run = Run {
            component: "auth_userkey",
            stage: Stage::NothingInstalled,
        };
        let text = run.unexpected("validating the ZIP", &p, None).to_string();
        assert!(!text.contains("5F9X7MVC1Z"), "{text}");
        assert!(text.contains("Nothing was installed."), "{text}");
        let run = Run {
            component: "auth_userkey",
            stage: Stage::FilesCopied,
        };
        let text = run.unexpected("the database upgrade", &p, None).to_string();
        assert!(
            text.contains("Site administration → Notifications"),
            "{text}"
        );
        let text = InstallRefusal::AutoDeployDisabled {
            component: "auth_userkey".into(),
        }
        .to_string();
        assert!(text.contains("$CFG->disableupdateautodeploy"), "{text}");
        assert!(text.contains("auth/userkey/version.php"), "{text}");
        assert!(manual("block_foo").contains("blocks/foo/version.php"));
    }

    #[test]
    fn says_what_was_installed() {
        let done = Installed {
            component: "auth_userkey".into(),
            version: "2022081901".into(),
            already_installed: false,
            settings_saved: vec![("keylifetime".into(), "60".into())],
            settings_left: vec!["noreplyaddress".into()],
            requests: 14,
        };
        assert_eq!(
            done.to_string(),
            "auth_userkey version 2022081901 installed through Site administration → Plugins → Install plugins (14 requests)"
        );
        let before = Installed {
            already_installed: true,
            ..done
        };
        assert!(before.to_string().contains("already installed"));
    }
}
