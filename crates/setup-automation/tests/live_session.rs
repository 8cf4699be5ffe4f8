//! Against a real lab site only: runs when `SIS_LAB_URL` names one (with `SIS_LAB_ADMIN` and
//! `SIS_LAB_PASSWORD`, defaults of moodle-lab's build.sh), and says so when skipped.

use setup_automation::{AdminError, AdminSession, Password, SignInRefusal};

fn lab() -> Option<(moodle_ws::SiteRoot, String, Password)> {
    let Ok(url) = std::env::var("SIS_LAB_URL") else {
        eprintln!("skipped: set SIS_LAB_URL to a moodle-lab site to run this test");
        return None;
    };
    let user = std::env::var("SIS_LAB_ADMIN").unwrap_or_else(|_| "admin".into());
    let pass = std::env::var("SIS_LAB_PASSWORD").unwrap_or_else(|_| "Admin#Lab2024".into());
    Some((
        moodle_ws::normalize_site_url(&url).expect("a site address"),
        user,
        Password::new(pass),
    ))
}

#[tokio::test]
async fn signs_in_reads_the_site_and_signs_out() {
    let Some((root, user, password)) = lab() else {
        return;
    };
    let http = AdminSession::http_client().unwrap();
    let mut session = AdminSession::sign_in(http, root, &user, &password)
        .await
        .expect("the lab's admin signs in");
    assert!(!session.sesskey().is_empty());
    let snapshot = setup_automation::snapshot::read_snapshot(&mut session)
        .await
        .expect("the admin pages read");
    println!("{}", serde_json::to_string_pretty(&snapshot).unwrap());
    assert!(snapshot.admin_user_id > 0);
    assert!(snapshot.auth.is_known("email"));
    println!("{} requests", session.requests());
    session.sign_out().await.expect("signed out");
}

#[tokio::test]
async fn a_wrong_password_is_refused_in_moodle_s_words() {
    let Some((root, user, _)) = lab() else {
        return;
    };
    let http = AdminSession::http_client().unwrap();
    let err = AdminSession::sign_in(http, root, &user, &Password::new("not the password"))
        .await
        .expect_err("refused");
    match err {
        AdminError::SignIn(SignInRefusal::Refused { message }) => {
            assert!(message.contains("Invalid login"), "{message}")
        }
        other => panic!("unexpected: {other:?}"),
    }
}
