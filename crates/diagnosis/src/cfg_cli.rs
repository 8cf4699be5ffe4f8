// Owns: the `php admin/cli/cfg.php` lines that make a config-level fix on a self-hosted
// Moodle. Must not: run them; they are text for the admin, shown beside the web-page fix.

/// Run from the Moodle folder as the web server's user, e.g. `sudo -u www-data php …`.
pub fn enable_web_services() -> String {
    "php admin/cli/cfg.php --name=enablewebservices --set=1".into()
}

pub fn enable_rest_protocol() -> String {
    "php admin/cli/cfg.php --name=webserviceprotocols   # shows the enabled list; then:\n\
     php admin/cli/cfg.php --name=webserviceprotocols --set=rest   # add ,soap etc. if they were listed"
        .into()
}

/// `auth` is the comma-separated list of enabled authentication plugins.
pub fn enable_auth_plugin(plugin: &str) -> String {
    format!(
        "php admin/cli/cfg.php --name=auth   # shows the enabled list; then:\n\
         php admin/cli/cfg.php --name=auth --set=<that list>,{plugin}"
    )
}

pub fn userkey_mapping_email() -> String {
    "php admin/cli/cfg.php --component=auth_userkey --name=mappingfield --set=email".into()
}

pub fn userkey_ip_restriction_off() -> String {
    "php admin/cli/cfg.php --component=auth_userkey --name=iprestriction --set=0".into()
}

pub fn userkey_update_user_off() -> String {
    "php admin/cli/cfg.php --component=auth_userkey --name=updateuser --set=0".into()
}

pub fn unique_emails() -> String {
    "php admin/cli/cfg.php --name=allowaccountssameemail --set=0".into()
}

pub fn userkey_lifetime() -> String {
    "php admin/cli/cfg.php --component=auth_userkey --name=keylifetime --set=120".into()
}

pub fn disable_maintenance() -> String {
    "php admin/cli/maintenance.php --disable".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_name_the_settings() {
        assert!(enable_web_services().contains("--name=enablewebservices --set=1"));
        assert!(enable_rest_protocol().contains("--name=webserviceprotocols"));
        assert!(enable_auth_plugin("userkey").ends_with(",userkey"));
        assert!(userkey_mapping_email()
            .contains("--component=auth_userkey --name=mappingfield --set=email"));
        assert!(userkey_lifetime().ends_with("--set=120"));
    }
}
