// Owns: the list of set-up faults the simulated Moodle can be switched into, with the seed
// step each one breaks. Must not: implement them (rest.rs and pages.rs do).

use serde::{Deserialize, Serialize};

/// One misconfiguration of the simulated site. Several can be on at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// A proxy or captive portal answers every request with its own HTML page.
    NotMoodle,
    /// The site is in maintenance mode.
    Maintenance,
    /// The site's `wwwroot` is another address than the one used to reach it.
    WwwrootDiffers,
    /// openSIS-Moodle-User-Authenticator.zip (auth_userkey) is not installed.
    UserkeyNotInstalled,
    /// openSIS-Web-Services.zip (the local_get_* functions) is not installed.
    WebServicesPluginNotInstalled,
    /// "User key authentication" is installed but not enabled.
    UserkeyDisabled,
    /// auth_userkey's "Mapping field" is not "Email address".
    MappingFieldNotEmail,
    /// "Web services authentication" is not enabled.
    WebserviceAuthDisabled,
    /// The `opensis` external service is not enabled.
    ServiceDisabled,
    /// The `opensis` service has "Authorised users only" on, and the admin is not listed.
    AuthorisedUsersOnly,
    /// The `opensis` service lacks "Can download files".
    DownloadFilesOff,
    /// The `opensis` service lacks "Can upload files".
    UploadFilesOff,
    /// "Enable web services" is off.
    WebServicesDisabled,
    /// The admin is not an authorised user of the "User key authentication web service".
    AdminNotAuthorisedOnUserkey,
    /// The REST protocol is not enabled.
    RestProtocolDisabled,
    /// Some of the 31 functions were not added to the `opensis` service.
    FunctionsNotAdded,
    /// The opensis token has passed its "valid until" date.
    OpensisTokenExpired,
    /// The opensis token was created for a user who is not a site administrator.
    OpensisTokenNotAdmin,
    /// One-time login keys are refused when followed (e.g. an IP restriction on the key).
    LoginKeyRejected,
}

impl Fault {
    pub const ALL: [Fault; 19] = [
        Fault::NotMoodle,
        Fault::Maintenance,
        Fault::WwwrootDiffers,
        Fault::UserkeyNotInstalled,
        Fault::WebServicesPluginNotInstalled,
        Fault::UserkeyDisabled,
        Fault::MappingFieldNotEmail,
        Fault::WebserviceAuthDisabled,
        Fault::ServiceDisabled,
        Fault::AuthorisedUsersOnly,
        Fault::DownloadFilesOff,
        Fault::UploadFilesOff,
        Fault::WebServicesDisabled,
        Fault::AdminNotAuthorisedOnUserkey,
        Fault::RestProtocolDisabled,
        Fault::FunctionsNotAdded,
        Fault::OpensisTokenExpired,
        Fault::OpensisTokenNotAdmin,
        Fault::LoginKeyRejected,
    ];

    /// The seed step whose mistake this fault reproduces (0 = the site, 15 = the tokens).
    pub fn step(self) -> u8 {
        match self {
            Fault::NotMoodle | Fault::Maintenance | Fault::WwwrootDiffers => 0,
            Fault::UserkeyNotInstalled | Fault::WebServicesPluginNotInstalled => 3,
            Fault::UserkeyDisabled => 6,
            Fault::MappingFieldNotEmail => 7,
            Fault::WebserviceAuthDisabled => 8,
            Fault::ServiceDisabled
            | Fault::AuthorisedUsersOnly
            | Fault::DownloadFilesOff
            | Fault::UploadFilesOff => 10,
            Fault::WebServicesDisabled => 11,
            Fault::AdminNotAuthorisedOnUserkey => 12,
            Fault::RestProtocolDisabled => 13,
            Fault::FunctionsNotAdded => 14,
            Fault::OpensisTokenExpired | Fault::OpensisTokenNotAdmin | Fault::LoginKeyRejected => {
                15
            }
        }
    }

    /// The stable name used on the command line and in the demo panel.
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    pub fn from_name(name: &str) -> Option<Fault> {
        Fault::ALL
            .into_iter()
            .find(|f| f.name() == name.trim().replace('-', "_"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for f in Fault::ALL {
            assert_eq!(Fault::from_name(&f.name()), Some(f));
        }
        assert_eq!(
            Fault::from_name("rest-protocol-disabled"),
            Some(Fault::RestProtocolDisabled)
        );
        assert_eq!(Fault::from_name("nope"), None);
    }
}
