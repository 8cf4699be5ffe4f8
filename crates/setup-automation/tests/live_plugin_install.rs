//! Against a real lab site only: installs a plugin ZIP through Moodle's Install plugins pages.
//! Runs when `SIS_LAB_URL` names a site and `SIS_LAB_ZIP` a plugin ZIP (with `SIS_LAB_ADMIN`,
//! `SIS_LAB_PASSWORD`, defaults of moodle-lab's build.sh; `SIS_LAB_COMPONENT`, default
//! `auth_userkey`), and says so when skipped. `SIS_LAB_EXPECT` names what the site should
//! answer: `installed` (the default: installed now or before, then found installed on a second
//! run) or the name of a refusal (`AutoDeployDisabled`, `NotWritable`, `MaintenanceMode`, …)
//! for a site prepared to refuse. `SIS_LAB_AFTER_SIGN_IN`, if set, is a shell command run after
//! the sign-in and before the installation: a change made under a session already open (an
//! upgrade waiting, CLI maintenance), which the sign-in itself would refuse.

use std::time::Instant;

use setup_automation::plugin_install::{install_plugin_zip, InstallError, InstallRefusal};
use setup_automation::{AdminSession, Password};

struct Lab {
    root: moodle_ws::SiteRoot,
    user: String,
    password: Password,
    zip: std::path::PathBuf,
    component: String,
    expect: String,
}

fn lab() -> Option<Lab> {
    let (Ok(url), Ok(zip)) = (std::env::var("SIS_LAB_URL"), std::env::var("SIS_LAB_ZIP")) else {
        eprintln!(
            "skipped: set SIS_LAB_URL to a moodle-lab site and SIS_LAB_ZIP to a plugin ZIP to run this test"
        );
        return None;
    };
    Some(Lab {
        root: moodle_ws::normalize_site_url(&url).expect("a site address"),
        user: std::env::var("SIS_LAB_ADMIN").unwrap_or_else(|_| "admin".into()),
        password: Password::new(
            std::env::var("SIS_LAB_PASSWORD").unwrap_or_else(|_| "Admin#Lab2024".into()),
        ),
        zip: zip.into(),
        component: std::env::var("SIS_LAB_COMPONENT").unwrap_or_else(|_| "auth_userkey".into()),
        expect: std::env::var("SIS_LAB_EXPECT").unwrap_or_else(|_| "installed".into()),
    })
}

fn variant(refusal: &InstallRefusal) -> &'static str {
    match refusal {
        InstallRefusal::AutoDeployDisabled { .. } => "AutoDeployDisabled",
        InstallRefusal::PendingUpgrade { .. } => "PendingUpgrade",
        InstallRefusal::MaintenanceMode { .. } => "MaintenanceMode",
        InstallRefusal::UploadDisabled { .. } => "UploadDisabled",
        InstallRefusal::UploadRefused { .. } => "UploadRefused",
        InstallRefusal::NotAPluginZip { .. } => "NotAPluginZip",
        InstallRefusal::OtherPlugin { .. } => "OtherPlugin",
        InstallRefusal::NotWritable { .. } => "NotWritable",
        InstallRefusal::ValidationFailed { .. } => "ValidationFailed",
        InstallRefusal::EnvironmentFailed { .. } => "EnvironmentFailed",
        InstallRefusal::MissingDependencies { .. } => "MissingDependencies",
        InstallRefusal::OtherPluginsPending { .. } => "OtherPluginsPending",
        InstallRefusal::UpgradeFailed { .. } => "UpgradeFailed",
        InstallRefusal::SettingsNotSaved { .. } => "SettingsNotSaved",
        InstallRefusal::NotListedAfter { .. } => "NotListedAfter",
        InstallRefusal::UnexpectedPage { .. } => "UnexpectedPage",
    }
}

#[tokio::test]
async fn installs_the_zip_through_moodle_s_own_pages() {
    let Some(lab) = lab() else {
        return;
    };
    let zip = std::fs::read(&lab.zip).expect("the ZIP reads");
    let file_name = lab
        .zip
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("plugin.zip")
        .to_string();
    let http = AdminSession::http_client().unwrap();
    let mut session = AdminSession::sign_in(http, lab.root.clone(), &lab.user, &lab.password)
        .await
        .expect("the lab's admin signs in");
    let signed_in = session.requests();
    if let Ok(command) = std::env::var("SIS_LAB_AFTER_SIGN_IN") {
        let status = std::process::Command::new("sh")
            .args(["-c", &command])
            .status()
            .expect("the command runs");
        assert!(status.success(), "{command}: {status}");
    }
    let started = Instant::now();
    let result = install_plugin_zip(&mut session, &zip, &file_name, &lab.component).await;
    let took = started.elapsed();
    match (&result, lab.expect.as_str()) {
        (Ok(done), "installed") => {
            println!("{done}");
            let saved: Vec<String> = done
                .settings_saved
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect();
            println!("settings saved: {}", saved.join(" "));
            println!("settings left for the admin: {:?}", done.settings_left);
            println!(
                "took {:.1} s, {} requests after the sign-in ({} for the sign-in)",
                took.as_secs_f64(),
                done.requests,
                signed_in
            );
            assert_eq!(done.component, lab.component);
            assert!(!done.version.is_empty());
            // A second run finds it installed and does nothing.
            let again = install_plugin_zip(&mut session, &zip, &file_name, &lab.component)
                .await
                .expect("the second run answers");
            println!("second run: {again}");
            assert!(again.already_installed);
            assert_eq!(again.version, done.version);
        }
        (Err(InstallError::Refused(refusal)), expected) if variant(refusal) == expected => {
            println!("refused as expected ({expected}): {refusal}");
            println!("{refusal:#?}");
            println!("took {:.1} s", took.as_secs_f64());
        }
        (other, expected) => panic!("expected {expected}, got {other:#?}"),
    }
    session.sign_out().await.expect("signed out");
}
