// Owns: reading the set-up's settings back from Moodle's admin pages — the authentication
// plugins, web services and protocols, the external services with their options, functions and
// authorised users, the tokens, and auth_userkey's settings. Must not: change anything (only
// GET requests), or guess a value a page did not show (absent is `None`).

use serde::{Deserialize, Serialize};

use crate::page::{selector, Page};

/// A query parameter of a link (`auth=userkey` in `auth.php?action=enable&auth=userkey`).
pub(crate) fn query_param(href: &str, name: &str) -> Option<String> {
    let query = href.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or_default();
    url::form_urlencoded::parse(query.replace("&amp;", "&").as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Links of the page whose path contains `script` and whose `action` is `action`, with the value
/// of `param` — e.g. the "Disable" links of the authentication plugins.
fn action_links(page: &Page, script: &str, action: &str, param: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (href, _) in page.links() {
        let path = href.split('?').next().unwrap_or_default();
        if !path.ends_with(script) {
            continue;
        }
        if query_param(&href, "action").as_deref() != Some(action) {
            continue;
        }
        if let Some(v) = query_param(&href, param) {
            if !out.contains(&v) {
                out.push(v);
            }
        }
    }
    out
}

/// Plugins with an "Enable" link and those with a "Disable" link on a management page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Switches {
    pub enabled: Vec<String>,
    pub disabled: Vec<String>,
}

impl Switches {
    pub fn is_enabled(&self, name: &str) -> bool {
        self.enabled.iter().any(|n| n == name)
    }
    pub fn is_known(&self, name: &str) -> bool {
        self.is_enabled(name) || self.disabled.iter().any(|n| n == name)
    }
}

/// Site administration → Plugins → Authentication → Manage authentication.
pub fn auth_plugins(page: &Page) -> Switches {
    Switches {
        enabled: action_links(page, "auth.php", "disable", "auth"),
        disabled: action_links(page, "auth.php", "enable", "auth"),
    }
}

/// Site administration → Server → Web services → Manage protocols.
pub fn protocols(page: &Page) -> Switches {
    Switches {
        enabled: action_links(page, "protocols.php", "disable", "webservice"),
        disabled: action_links(page, "protocols.php", "enable", "webservice"),
    }
}

/// A box of an admin settings page (`s__enablewebservices`): ticked or not, `None` if absent.
pub fn ticked(page: &Page, setting: &str) -> Option<bool> {
    let form = page.form("adminsettings")?;
    form.value(setting).map(|v| v == "1")
}

/// The selected value of a setting of an admin settings page (a list or a text box).
pub fn setting_value(page: &Page, setting: &str) -> Option<String> {
    page.form("adminsettings")?
        .value(setting)
        .map(str::to_string)
}

/// One row of Site administration → Server → Web services → External services.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceRow {
    pub id: u64,
    /// The name as the list shows it.
    pub name: String,
    /// A built-in service (a plugin's); custom services have none.
    pub builtin: bool,
    /// The plugin of a built-in service (`auth_userkey`), as the list's second column shows it.
    pub plugin: Option<String>,
    /// Shown dimmed: the service is disabled.
    pub dimmed: bool,
    /// "Authorised users" link shown: the service is restricted to authorised users.
    pub restricted: bool,
}

/// The services of the external services page, built-in ones first.
pub fn services(page: &Page) -> Vec<ServiceRow> {
    let html = scraper::Html::parse_document(&page.body);
    let rows = selector("table.externalservices tbody tr");
    let cell = selector("td");
    let link = selector("a[href]");
    let mut out = Vec::new();
    for table_row in html.select(&rows) {
        let builtin = table_row
            .ancestors()
            .filter_map(scraper::ElementRef::wrap)
            .any(|t| t.value().attr("id") == Some("builtinservices"));
        let cells: Vec<_> = table_row.select(&cell).collect();
        let Some(first) = cells.first() else { continue };
        let name = first.text().collect::<String>().trim().to_string();
        let dimmed = first.inner_html().contains("dimmed_text");
        let plugin = cells
            .get(1)
            .filter(|_| builtin)
            .map(|c| c.text().collect::<String>().trim().to_string());
        let mut id = None;
        let mut restricted = false;
        for a in table_row.select(&link) {
            let href = a.value().attr("href").unwrap_or_default();
            let path = href.split('?').next().unwrap_or_default();
            if path.ends_with("webservice/service.php") && query_param(href, "action").is_none() {
                id = query_param(href, "id").and_then(|v| v.parse().ok());
            }
            if path.ends_with("webservice/service_users.php") {
                restricted = true;
            }
        }
        if let Some(id) = id {
            out.push(ServiceRow {
                id,
                name,
                builtin,
                plugin,
                dimmed,
                restricted,
            });
        }
    }
    out
}

/// A service's options as its edit form shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceOptions {
    pub id: u64,
    pub name: String,
    pub shortname: String,
    pub enabled: bool,
    pub restricted_users: bool,
    pub download_files: bool,
    pub upload_files: bool,
}

/// The edit form of one external service (`admin/webservice/service.php?id=N`).
pub fn service_options(page: &Page) -> Option<ServiceOptions> {
    let form = page.form("webservice/service.php")?;
    let flag = |name: &str| page.checkbox(name).unwrap_or(false);
    Some(ServiceOptions {
        id: form.value("id")?.parse().ok()?,
        // A built-in service shows its name read-only (disabled): read it from the input itself.
        name: page.input_value("name").unwrap_or_default(),
        // The short name is shown read-only (disabled) once set: read it from the input itself.
        shortname: page.input_value("shortname").unwrap_or_default(),
        enabled: flag("enabled"),
        restricted_users: flag("restrictedusers"),
        download_files: flag("downloadfiles"),
        upload_files: flag("uploadfiles"),
    })
}

/// A function in a service, with the id its "Remove" link carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceFunction {
    pub name: String,
    pub function_id: u64,
}

/// The functions of a service (`admin/webservice/service_functions.php?id=N`).
pub fn service_functions(page: &Page) -> Vec<ServiceFunction> {
    let html = scraper::Html::parse_document(&page.body);
    let rows = selector("table.generaltable tbody tr");
    let first = selector("td.c0");
    let link = selector("a[href]");
    let mut out = Vec::new();
    for row in html.select(&rows) {
        let Some(name) = row.select(&first).next() else {
            continue;
        };
        let name = name.text().collect::<String>().trim().to_string();
        let fid = row.select(&link).find_map(|a| {
            let href = a.value().attr("href")?;
            (query_param(href, "action").as_deref() == Some("delete"))
                .then(|| query_param(href, "fid")?.parse().ok())
                .flatten()
        });
        if let Some(function_id) = fid {
            out.push(ServiceFunction { name, function_id });
        }
    }
    out
}

/// The functions the "Add functions" form offers: the name → id of every function of the site
/// not yet in the service.
pub fn function_choices(page: &Page) -> Vec<ServiceFunction> {
    page.select_options("fids[]")
        .into_iter()
        .chain(page.select_options("fids"))
        .filter_map(|o| {
            let id = o.value.parse().ok()?;
            // The label is "name: description" (or the name alone).
            let name = o
                .label
                .split(':')
                .next()
                .unwrap_or_default()
                .trim()
                .to_string();
            (!name.is_empty()).then_some(ServiceFunction {
                name,
                function_id: id,
            })
        })
        .collect()
}

/// The users authorised on a restricted service (`service_users.php?id=N`), by id.
pub fn authorised_users(page: &Page) -> Vec<u64> {
    page.select_options("removeselect[]")
        .into_iter()
        .filter_map(|o| o.value.parse().ok())
        .collect()
}

/// One token of the token list, as far as the list shows it (never its value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRow {
    pub id: u64,
    /// The user the token belongs to (their profile link's id).
    pub user_id: Option<u64>,
    /// The service's name as the list shows it.
    pub service: String,
    /// "Valid until" as shown.
    pub valid_until: String,
}

impl TokenRow {
    /// No expiry date: Moodle 4.1 leaves the cell empty, later versions say so.
    pub fn never_expires(&self) -> bool {
        let v = self.valid_until.trim();
        v.is_empty() || v.to_ascii_lowercase().contains("no expiry")
    }
}

/// The tokens of Site administration → Server → Web services → Manage tokens, read by the
/// table's column headings ("Service", "Valid until").
pub fn tokens(page: &Page) -> Vec<TokenRow> {
    let html = scraper::Html::parse_document(&page.body);
    let tables = selector("table");
    let heads = selector("thead th");
    let rows = selector("tbody tr");
    let cell = selector("td");
    let link = selector("a[href]");
    let squash = crate::page::text_of;
    let mut out = Vec::new();
    for table in html.select(&tables) {
        let headings: Vec<String> = table.select(&heads).map(squash).collect();
        let column = |word: &str| headings.iter().position(|h| h.starts_with(word));
        let (Some(service_col), valid_col) = (column("Service"), column("Valid until")) else {
            continue;
        };
        for row in table.select(&rows) {
            let id = row.select(&link).find_map(|a| {
                let href = a.value().attr("href")?;
                (href.contains("tokens.php")
                    && query_param(href, "action").as_deref() == Some("delete"))
                .then(|| query_param(href, "tokenid")?.parse().ok())
                .flatten()
            });
            let Some(id) = id else { continue };
            let cells: Vec<scraper::ElementRef<'_>> = row.select(&cell).collect();
            let user_id = row.select(&link).find_map(|a| {
                let href = a.value().attr("href")?;
                href.contains("user/profile.php")
                    .then(|| query_param(href, "id")?.parse().ok())
                    .flatten()
            });
            // The service cell may hold a note below the name (missing capabilities).
            let service = cells
                .get(service_col)
                .and_then(|c| c.text().map(str::trim).find(|t| !t.is_empty()))
                .unwrap_or_default()
                .to_string();
            let valid_until = valid_col
                .and_then(|i| cells.get(i))
                .map(|c| squash(*c))
                .unwrap_or_default();
            out.push(TokenRow {
                id,
                user_id,
                service,
                valid_until,
            });
        }
    }
    out
}

/// The value of token `id` as Moodle 4.1's token list shows it (in its row, to the admin who
/// created it); later versions never list a value.
pub fn token_value_in_list(page: &Page, id: u64) -> Option<String> {
    let html = scraper::Html::parse_document(&page.body);
    let rows = selector("tr");
    let link = selector("a[href]");
    let cell = selector("td");
    let row = html.select(&rows).find(|r| {
        r.select(&link).any(|a| {
            let href = a.value().attr("href").unwrap_or_default();
            href.contains("tokens.php")
                && query_param(href, "tokenid").and_then(|v| v.parse::<u64>().ok()) == Some(id)
        })
    })?;
    row.select(&cell).find_map(|c| {
        let t = c.text().collect::<String>();
        let t = t.trim();
        (t.len() == 32 && t.chars().all(|ch| ch.is_ascii_hexdigit())).then(|| t.to_string())
    })
}

/// The site's release and branch from Site administration → Server → Environment: its
/// version list has the site's branch selected, and the page says "Version 4.5.11+ (Build:
/// 20260501)" (`4.5.11+ (Build: 20260501)`, `4.5`).
pub fn release(page: &Page) -> Option<(String, String)> {
    let chosen = page
        .select_options("version")
        .into_iter()
        .find(|o| o.selected)?;
    let mut parts = chosen.value.split('.');
    let branch = format!("{}.{}", parts.next()?, parts.next()?);
    let text = page.texts("body").into_iter().next().unwrap_or_default();
    let release = text
        .split("Version ")
        .skip(1)
        .find_map(|rest| {
            let end = rest.find(')')?;
            let candidate = &rest[..=end];
            (candidate.starts_with(branch.as_str()) && candidate.contains("(Build: "))
                .then(|| candidate.to_string())
        })
        .unwrap_or(chosen.label);
    Some((release, branch))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(body: &str) -> Page {
        Page::of_html(body)
    }

    #[test]
    fn reads_the_release_from_the_environment_page() {
        // As Moodle 5.0's page shows it: the branch selected in the list, the release in words.
        let p = page(
            r#"<select name="version"><option value="4.5">4.5</option><option  value="5.0" selected>5.0 upwards</option></select>
            <p>version 2.3 is required and you are running 5.0 (Build: 20250414)</p><div>Version 5.0 (Build: 20250414)</div>"#,
        );
        assert_eq!(
            release(&p),
            Some(("5.0 (Build: 20250414)".to_string(), "5.0".to_string()))
        );
        assert_eq!(release(&page("<p>no list</p>")), None);
    }

    #[test]
    fn reads_switches_from_the_enable_and_disable_links() {
        let p = page(
            r#"<a href="auth.php?sesskey=K&amp;action=disable&amp;auth=email">x</a>
            <a href="auth.php?sesskey=K&amp;action=enable&amp;auth=userkey">x</a>
            <a href="auth.php?sesskey=K&amp;action=down&amp;auth=email">x</a>"#,
        );
        let s = auth_plugins(&p);
        assert!(s.is_enabled("email"));
        assert!(!s.is_enabled("userkey") && s.is_known("userkey"));
        assert!(!s.is_known("ldap"));
    }

    #[test]
    fn reads_tokens_by_their_column_headings() {
        // Moodle 4.1: the value in the row (for its creator), an empty "Valid until" = no expiry.
        let p = page(
            r#"<table id="webservicetokens"><thead><tr><th>Token</th><th>User</th><th>Service</th><th>IP restriction</th><th>Valid until</th><th>Operation</th></tr></thead>
            <tbody><tr><td class="cell c0">0123456789abcdef0123456789abcdef</td><td><a href="http://x/user/profile.php?id=2">Admin User</a></td>
            <td><div>opensis</div><div class="small text-muted">opensis</div></td><td></td><td></td>
            <td><a href="http://x/admin/webservice/tokens.php?action=delete&amp;tokenid=7">Delete</a></td></tr></tbody></table>"#,
        );
        let t = tokens(&p);
        assert_eq!(t.len(), 1);
        assert_eq!((t[0].id, t[0].user_id), (7, Some(2)));
        assert_eq!(t[0].service, "opensis");
        assert!(t[0].never_expires());
        assert_eq!(
            token_value_in_list(&p, 7).as_deref(),
            Some("0123456789abcdef0123456789abcdef")
        );
        assert_eq!(token_value_in_list(&p, 8), None);
    }
}
