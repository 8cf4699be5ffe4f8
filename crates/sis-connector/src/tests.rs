//! Both SIS targets end to end: the openSIS API client against the fake openSIS, the Connect
//! preview and the guided card against the simulated Moodle.

use std::time::Duration;

use moodle_sim::MoodleSim;
use moodle_ws::{build_http_client, normalize_site_url, HttpConfig, MoodleClient, WsToken};
use serde_json::{json, Value};

use super::fake::{self, FakeOpenSis, FakeOptions};
use super::*;
use secrets::Secret;

const PREVIOUS_OPENSIS: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const PREVIOUS_USERKEY: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

fn http() -> reqwest::Client {
    build_http_client(&HttpConfig::default()).unwrap()
}

fn admin_password() -> Secret {
    Secret::new(fake::ADMIN_PASSWORD)
}

fn previous_settings() -> Value {
    json!({
        "moodleUrl": "https://old-moodle.school.org",
        "moodleToken": PREVIOUS_OPENSIS,
        "moodleUserKeyToken": PREVIOUS_USERKEY,
        "enableSynchronization": false
    })
}

async fn fake_with_previous() -> FakeOpenSis {
    FakeOpenSis::start(FakeOptions {
        initial_settings: previous_settings(),
        ..FakeOptions::default()
    })
    .await
    .unwrap()
}

fn connection(sim: &MoodleSim) -> ValidatedConnection {
    validate(&ConnectionInput {
        moodle_url: format!("{}/login/index.php", sim.url()),
        opensis_token: WsToken::new(&sim.opensis_token()),
        userkey_token: WsToken::new(&sim.userkey_token()),
        enable_sync: true,
    })
    .unwrap()
}

fn routes(fake: &FakeOpenSis) -> Vec<String> {
    fake.requests()
        .iter()
        .map(|r| format!("{}{}", r.route, if r.failed { " (failed)" } else { "" }))
        .collect()
}

const LOGIN: &str = "User/ValidateLogin";
const REFRESH: &str = "User/RefreshToken";
const VIEW: &str = "LmsSettings/viewLmsSettings";
const UPDATE: &str = "LmsSettings/updateLmsSettings";

async fn save_api(
    fake: &FakeOpenSis,
    config: OpenSisApiConfig,
    password: &Secret,
    conn: &ValidatedConnection,
) -> Result<SaveReport, SisError> {
    let _ = fake;
    match SisTarget::OpenSisApi(Box::new(config))
        .save(&http(), conn, Some(password), &SaveOptions::default())
        .await?
    {
        SaveOutcome::Saved(report) => Ok(report),
        SaveOutcome::Guided(_) => panic!("the API target returned a guided card"),
    }
}

#[tokio::test]
async fn happy_save_reads_back_what_was_written_and_shows_it() {
    let sim = MoodleSim::start_good().await.unwrap();
    let fake = fake_with_previous().await;
    let conn = connection(&sim);
    let report = save_api(&fake, fake.client_config(), &admin_password(), &conn)
        .await
        .unwrap();

    assert_eq!(
        fake.settings(),
        json!({
            "moodleUrl": sim.url(),
            "moodleToken": sim.opensis_token(),
            "moodleUserKeyToken": sim.userkey_token(),
            "enableSynchronization": true
        })
    );
    assert_eq!(routes(&fake), [LOGIN, VIEW, UPDATE, VIEW]);
    assert_eq!(
        report.before.moodle_url.as_deref(),
        Some("https://old-moodle.school.org")
    );
    assert!(!report.before.sync_enabled);
    assert_eq!(report.after.moodle_url, Some(sim.url()));
    assert!(report.after.opensis_token_set && report.after.userkey_token_set);
    assert!(report.after.sync_enabled);
    assert_eq!(report.renewals, 0);
    assert!(report.warnings.iter().any(|w| w.contains("not https")));
    assert!(report.log[0].contains("Super Administrator"));

    let preview = report.preview.expect("the Connect preview ran");
    let info = MoodleClient::new(http(), conn.root.clone(), 1 << 20)
        .site_info(&conn.opensis_token)
        .await
        .unwrap();
    assert_eq!(preview.release, info.release);
    assert_eq!(preview.version, info.version);
    assert!(!preview.release.is_empty() && !preview.version.is_empty());

    let shown = SisTarget::OpenSisApi(Box::new(fake.client_config()))
        .show(&http(), Some(&admin_password()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(shown, conn.as_settings());
}

#[tokio::test]
async fn a_wrong_password_is_named_and_nothing_is_written() {
    let sim = MoodleSim::start_good().await.unwrap();
    let fake = fake_with_previous().await;
    let err = save_api(
        &fake,
        fake.client_config(),
        &Secret::new("Wrong-Horse-8"),
        &connection(&sim),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "wrong_password", "{err}");
    assert!(err.to_string().contains(fake::ADMIN_EMAIL));
    assert!(err.to_string().contains(fake::WRONG_PASSWORD_MESSAGE));
    assert!(!err.to_string().contains("Wrong-Horse-8"));
    assert_eq!(routes(&fake), [format!("{LOGIN} (failed)")]);
    assert_eq!(fake.settings(), previous_settings());
}

#[tokio::test]
async fn a_user_who_is_not_super_administrator_is_refused_before_any_settings_call() {
    let sim = MoodleSim::start_good().await.unwrap();
    let fake = fake_with_previous().await;
    let config = OpenSisApiConfig {
        admin_email: fake::TEACHER_EMAIL.into(),
        ..fake.client_config()
    };
    let err = save_api(
        &fake,
        config,
        &Secret::new(fake::TEACHER_PASSWORD),
        &connection(&sim),
    )
    .await
    .unwrap_err();
    assert_eq!(
        err,
        SisError::NotSuperAdmin {
            email: fake::TEACHER_EMAIL.into(),
            role: "Teacher".into()
        }
    );
    assert_eq!(routes(&fake), [LOGIN]);
    assert_eq!(fake.settings(), previous_settings());
}

#[tokio::test]
async fn when_login_does_not_tell_the_role_the_settings_refusal_is_recognised() {
    let sim = MoodleSim::start_good().await.unwrap();
    let fake = fake_with_previous().await;
    let config = OpenSisApiConfig {
        admin_email: fake::TEACHER_EMAIL.into(),
        login_role_field: "roleNotSent".into(),
        ..fake.client_config()
    };
    let err = save_api(
        &fake,
        config,
        &Secret::new(fake::TEACHER_PASSWORD),
        &connection(&sim),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "not_super_admin", "{err}");
    assert_eq!(
        routes(&fake),
        [LOGIN.to_owned(), format!("{VIEW} (failed)")]
    );
    assert_eq!(fake.settings(), previous_settings());
}

#[tokio::test]
async fn a_jwt_expiring_mid_save_is_renewed_by_signing_in_again() {
    let sim = MoodleSim::start_good().await.unwrap();
    let fake = fake_with_previous().await;
    fake.expire_tokens_on_next(UPDATE);
    let conn = connection(&sim);
    let report = save_api(&fake, fake.client_config(), &admin_password(), &conn)
        .await
        .unwrap();
    // openSIS.Net will not refresh an expired JWT (it answers no token), so the client signs
    // in again with the password it was given for this save.
    assert_eq!(
        routes(&fake),
        [
            LOGIN.to_owned(),
            VIEW.to_owned(),
            format!("{UPDATE} (failed)"),
            REFRESH.to_owned(),
            LOGIN.to_owned(),
            UPDATE.to_owned(),
            VIEW.to_owned()
        ]
    );
    assert_eq!(report.renewals, 1);
    assert!(report.log.iter().any(|l| l.contains("signed in again")));
    assert_eq!(fake.settings()["moodleToken"], sim.opensis_token());
}

#[tokio::test]
async fn a_jwt_expiring_mid_save_is_refreshed_when_opensis_allows_it() {
    let sim = MoodleSim::start_good().await.unwrap();
    let fake = fake_with_previous().await;
    fake.set_refresh_accepts_expired(true);
    fake.expire_tokens_on_next(UPDATE);
    let report = save_api(
        &fake,
        fake.client_config(),
        &admin_password(),
        &connection(&sim),
    )
    .await
    .unwrap();
    assert_eq!(
        routes(&fake),
        [
            LOGIN.to_owned(),
            VIEW.to_owned(),
            format!("{UPDATE} (failed)"),
            REFRESH.to_owned(),
            UPDATE.to_owned(),
            VIEW.to_owned()
        ]
    );
    assert_eq!(report.renewals, 1);
    assert!(report.log.iter().any(|l| l.contains("sign-in renewed")));
    assert_eq!(fake.settings()["enableSynchronization"], true);
}

#[tokio::test]
async fn the_jwt_is_renewed_before_it_expires() {
    let fake = fake_with_previous().await;
    let config = OpenSisApiConfig {
        token_lifetime_secs: 1,
        refresh_margin_secs: 0,
        ..fake.client_config()
    };
    let api = OpenSisApi::new(http(), config).unwrap();
    let password = admin_password();
    let mut session = api.sign_in(&password).await.unwrap();
    api.read_settings(&mut session).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    api.read_settings(&mut session).await.unwrap();
    assert_eq!(routes(&fake), [LOGIN, VIEW, REFRESH, VIEW]);
    assert_eq!(session.renewals(), 1);
}

#[tokio::test]
async fn a_jwt_that_cannot_be_renewed_ends_with_token_expired_not_a_loop() {
    let sim = MoodleSim::start_good().await.unwrap();
    let fake = fake_with_previous().await;
    fake.set_token_lifetime(Duration::ZERO);
    let err = save_api(
        &fake,
        fake.client_config(),
        &admin_password(),
        &connection(&sim),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "token_expired", "{err}");
    assert!(err.to_string().contains(fake::TOKEN_NOT_VALID));
    assert_eq!(
        routes(&fake),
        [
            LOGIN.to_owned(),
            format!("{VIEW} (failed)"),
            REFRESH.to_owned(),
            LOGIN.to_owned(),
            format!("{VIEW} (failed)")
        ]
    );
    assert_eq!(fake.settings(), previous_settings());
}

#[tokio::test]
async fn a_missing_settings_endpoint_is_named_with_its_setting_and_nothing_is_written() {
    let sim = MoodleSim::start_good().await.unwrap();
    let fake = fake_with_previous().await;
    fake.set_missing(VIEW, true);
    let err = save_api(
        &fake,
        fake.client_config(),
        &admin_password(),
        &connection(&sim),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "endpoint_missing", "{err}");
    let text = err.to_string();
    assert!(text.contains("HTTP 404"), "{text}");
    assert!(text.contains("`settings_read_path`"), "{text}");
    assert!(text.contains(&format!("{}demo-school/{VIEW}", fake.api_url())));
    assert!(!routes(&fake).iter().any(|r| r.starts_with(UPDATE)));
    assert_eq!(fake.settings(), previous_settings());
}

#[tokio::test]
async fn an_html_page_instead_of_the_api_is_a_missing_endpoint() {
    let sim = MoodleSim::start_good().await.unwrap();
    let fake = fake_with_previous().await;
    fake.set_html(LOGIN, true);
    let err = save_api(
        &fake,
        fake.client_config(),
        &admin_password(),
        &connection(&sim),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "endpoint_missing", "{err}");
    assert!(err.to_string().contains("HTML page titled \"openSIS\""));
    assert!(err.to_string().contains("`login_path`"));
}

#[tokio::test]
async fn a_missing_save_endpoint_reports_the_previous_settings_unchanged() {
    let sim = MoodleSim::start_good().await.unwrap();
    let fake = fake_with_previous().await;
    fake.set_missing(UPDATE, true);
    let err = save_api(
        &fake,
        fake.client_config(),
        &admin_password(),
        &connection(&sim),
    )
    .await
    .unwrap_err();
    match &err {
        SisError::SaveFailed { cause, previous } => {
            assert_eq!(cause.code(), "endpoint_missing");
            assert_eq!(previous, &PreviousState::Unchanged);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("`settings_save_path`"));
    assert!(err
        .to_string()
        .contains("your previous settings are unchanged"));
}

#[tokio::test]
async fn a_failure_on_save_leaves_the_previous_settings_intact_and_says_so() {
    let sim = MoodleSim::start_good().await.unwrap();
    let fake = fake_with_previous().await;
    fake.fail_next_save("Database is read-only");
    let err = save_api(
        &fake,
        fake.client_config(),
        &admin_password(),
        &connection(&sim),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "save_failed");
    assert_eq!(
        err.to_json()["message"],
        "openSIS did not save the LMS settings (openSIS refused to save the LMS settings: Database is read-only); your previous settings are unchanged (checked by reading them back)"
    );
    assert_eq!(fake.settings(), previous_settings());
    assert_eq!(
        routes(&fake),
        [
            LOGIN.to_owned(),
            VIEW.to_owned(),
            format!("{UPDATE} (failed)"),
            VIEW.to_owned()
        ]
    );
}

#[tokio::test]
async fn a_failure_after_a_partial_write_does_not_claim_nothing_changed() {
    let sim = MoodleSim::start_good().await.unwrap();
    let fake = fake_with_previous().await;
    fake.fail_next_save_after_partial_write("Timeout expired");
    let err = save_api(
        &fake,
        fake.client_config(),
        &admin_password(),
        &connection(&sim),
    )
    .await
    .unwrap_err();
    match &err {
        SisError::SaveFailed { previous, .. } => {
            assert_eq!(
                previous,
                &PreviousState::Changed(vec![field_names::MOODLE_URL])
            )
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(!err.to_string().contains("unchanged"));
    assert!(err.to_string().contains("check every field"));
}

#[tokio::test]
async fn a_save_that_did_not_take_is_caught_by_the_read_back() {
    let sim = MoodleSim::start_good().await.unwrap();
    let fake = fake_with_previous().await;
    fake.ignore_field_on_next_save("moodleUserKeyToken");
    let err = save_api(
        &fake,
        fake.client_config(),
        &admin_password(),
        &connection(&sim),
    )
    .await
    .unwrap_err();
    assert_eq!(
        err,
        SisError::ReadBackMismatch {
            fields: vec![field_names::USERKEY_TOKEN]
        }
    );
    assert!(err.to_string().contains("user key token"));
    assert_eq!(fake.settings()["moodleUserKeyToken"], PREVIOUS_USERKEY);
}

#[tokio::test]
async fn an_opensis_that_masks_tokens_on_read_needs_presence_only_comparison() {
    let sim = MoodleSim::start_good().await.unwrap();
    let fake = fake_with_previous().await;
    fake.set_mask_tokens_on_read(true);
    let err = save_api(
        &fake,
        fake.client_config(),
        &admin_password(),
        &connection(&sim),
    )
    .await
    .unwrap_err();
    assert_eq!(
        err,
        SisError::ReadBackMismatch {
            fields: vec![field_names::OPENSIS_TOKEN, field_names::USERKEY_TOKEN]
        }
    );
    let config = OpenSisApiConfig {
        compare_tokens_on_read_back: false,
        ..fake.client_config()
    };
    let report = save_api(&fake, config, &admin_password(), &connection(&sim))
        .await
        .unwrap();
    assert!(report.after.opensis_token_set && report.after.userkey_token_set);
    assert_eq!(fake.settings()["moodleToken"], sim.opensis_token());
}

#[tokio::test]
async fn a_wrong_passphrase_is_refused_at_sign_in() {
    let sim = MoodleSim::start_good().await.unwrap();
    let fake = fake_with_previous().await;
    let mut config = fake.client_config();
    config.password_crypto.passphrase = Some("not-the-ui-passphrase".into());
    let err = save_api(&fake, config, &admin_password(), &connection(&sim))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "login_refused", "{err}");
    assert!(err.to_string().contains("Padding is invalid"));
}

#[tokio::test]
async fn every_path_and_field_name_comes_from_the_configuration() {
    let sim = MoodleSim::start_good().await.unwrap();
    let api = OpenSisApiConfig {
        tenant: "lincoln".into(),
        tenant_id: None,
        admin_email: fake::ADMIN_EMAIL.into(),
        login_path: "Account/SignIn".into(),
        refresh_path: "Account/Renew".into(),
        settings_read_path: "Integration/getMoodle".into(),
        settings_save_path: "Integration/setMoodle".into(),
        settings_object: String::new(),
        moodle_url_field: "lmsUrl".into(),
        opensis_token_field: "lmsToken".into(),
        userkey_token_field: "lmsKeyToken".into(),
        sync_field: "syncOn".into(),
        extra_settings_fields: [("schoolId".to_owned(), json!(7))].into_iter().collect(),
        password_crypto: PasswordCryptoConfig {
            passphrase: Some("lincoln-ui".into()),
            prf: Pbkdf2Prf::HmacSha256,
            iterations: 1000,
            salt_len: 16,
        },
        ..OpenSisApiConfig::default()
    };
    let fake = FakeOpenSis::start(FakeOptions {
        api: api.clone(),
        ..FakeOptions::default()
    })
    .await
    .unwrap();
    save_api(
        &fake,
        fake.client_config(),
        &admin_password(),
        &connection(&sim),
    )
    .await
    .unwrap();
    assert_eq!(
        fake.settings(),
        json!({"lmsUrl": sim.url(), "lmsToken": sim.opensis_token(),
               "lmsKeyToken": sim.userkey_token(), "syncOn": true})
    );
    let reqs = fake.requests();
    assert!(reqs[0].uri.ends_with("/api/lincoln/Account/SignIn"));
    let save: Value = serde_json::from_str(&reqs[2].body).unwrap();
    assert_eq!(save["schoolId"], 7);
    assert_eq!(save["_tenantName"], "lincoln");
    assert_eq!(save["_userName"], fake::ADMIN_NAME);
}

#[tokio::test]
async fn no_secret_in_urls_logs_errors_reports_or_exports() {
    let sim = MoodleSim::start_good().await.unwrap();
    let fake = fake_with_previous().await;
    fake.expire_tokens_on_next(UPDATE);
    let conn = connection(&sim);
    let password = admin_password();
    let report = save_api(&fake, fake.client_config(), &password, &conn)
        .await
        .unwrap();
    fake.fail_next_save(&format!("rejected token {} for x", sim.opensis_token()));
    let err = save_api(&fake, fake.client_config(), &password, &conn)
        .await
        .unwrap_err();

    let opensis = sim.opensis_token();
    let userkey = sim.userkey_token();
    let secrets = [fake::ADMIN_PASSWORD, opensis.as_str(), userkey.as_str()];
    for req in fake.requests() {
        for s in secrets {
            assert!(!req.uri.contains(s), "secret in URL {}", req.uri);
        }
        assert!(!req.uri.contains("eyJ"), "JWT in URL {}", req.uri);
        assert!(!req.uri.contains('?'), "query in URL {}", req.uri);
        assert!(
            !req.body.contains(fake::ADMIN_PASSWORD),
            "the password travels encrypted only"
        );
        let has_tokens = req.body.contains(&opensis) || req.body.contains(&userkey);
        assert_eq!(
            has_tokens,
            req.route == UPDATE,
            "tokens only in the bodies of saves: {} {}",
            req.route,
            req.body
        );
    }
    for req in sim.requests() {
        assert!(!req.uri.contains(&opensis) && !req.uri.contains(&userkey));
    }
    let texts = [
        format!("{report:?}"),
        serde_json::to_string(&report).unwrap(),
        report.log.join("\n"),
        format!("{err:?}"),
        err.to_string(),
        err.to_json().to_string(),
        format!("{conn:?}"),
    ];
    for text in &texts {
        for s in secrets {
            assert!(!text.contains(s), "secret in {text}");
        }
        assert!(!text.contains("eyJ"), "JWT in {text}");
    }
    assert!(
        err.to_string().contains("rejected token *** for x"),
        "{err}"
    );

    let card = match SisTarget::Guided(GuidedLabels::default())
        .save(&http(), &conn, None, &SaveOptions::default())
        .await
        .unwrap()
    {
        SaveOutcome::Guided(card) => card,
        SaveOutcome::Saved(_) => panic!("guided target saved"),
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.json");
    std::fs::write(&file, card.export_json()).unwrap();
    let exported = std::fs::read_to_string(&file).unwrap();
    for s in secrets {
        assert!(!exported.contains(s), "secret in export");
    }
    assert!(exported.contains(&sim.url()));
}

#[tokio::test]
async fn the_guided_target_builds_the_card_from_the_connect_preview_and_sends_nothing_to_a_sis() {
    let sim = MoodleSim::start_good().await.unwrap();
    let conn = connection(&sim);
    let outcome = SisTarget::from_config(&SisConfig::default())
        .save(
            &http(),
            &conn,
            None,
            &SaveOptions {
                profile_name: "Lincoln High".into(),
                skip_preview: false,
            },
        )
        .await
        .unwrap();
    let SaveOutcome::Guided(card) = outcome else {
        panic!("the default target is guided");
    };
    let site = card.site.clone().unwrap();
    assert_eq!(card.profile_name, "Lincoln High");
    assert_eq!(card.moodle_url, sim.url());
    assert_eq!(
        card.value(GuideField::MoodleUrl),
        Some(&StepValue::Text(sim.url()))
    );
    assert_eq!(
        card.value(GuideField::OpensisToken).unwrap().expose(),
        sim.opensis_token()
    );
    assert_eq!(
        card.value(GuideField::UserkeyToken).unwrap().expose(),
        sim.userkey_token()
    );
    assert!(card.steps[4].instruction.contains(&site.release));
    assert!(card.steps[4].instruction.contains(&site.version));
    let export: Value = serde_json::from_str(&card.export_json()).unwrap();
    assert_eq!(export["release"], site.release.as_str());
    assert_eq!(export["version"], site.version.as_str());
    assert_eq!(export["profile_name"], "Lincoln High");

    let calls: Vec<_> = sim
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect();
    assert_eq!(calls.len(), 1, "only the Connect preview");
    assert!(calls[0]
        .body
        .contains("wsfunction=core_webservice_get_site_info"));
    assert!(
        SisTarget::from_config(&SisConfig::default())
            .show(&http(), None)
            .await
            .unwrap()
            .is_none(),
        "the guided target cannot read the SIS"
    );
}

#[tokio::test]
async fn the_connect_preview_calls_site_info_like_opensis_and_a_bad_token_stops_the_save() {
    let sim = MoodleSim::start_good().await.unwrap();
    let root = normalize_site_url(&sim.url()).unwrap();
    let token = WsToken::new(&sim.opensis_token()).unwrap();
    let preview = connect_preview(&http(), &root, &token).await.unwrap();
    let info = MoodleClient::new(http(), root.clone(), 1 << 20)
        .site_info(&token)
        .await
        .unwrap();
    assert_eq!(
        preview,
        ConnectPreview {
            site_name: info.sitename,
            release: info.release,
            version: info.version,
            site_url: info.siteurl,
        }
    );
    let first = &sim.requests()[0];
    assert_eq!(first.method, "POST");
    assert_eq!(first.uri, "/webservice/rest/server.php");
    assert!(first
        .body
        .contains(&format!("wstoken={}", sim.opensis_token())));

    let fake = fake_with_previous().await;
    // The captured state whose opensis token Moodle no longer knows.
    sim.set_site("4.5", "opensis_token_invalid").unwrap();
    let conn = connection(&sim);
    let err = save_api(&fake, fake.client_config(), &admin_password(), &conn)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "moodle_token_rejected", "{err}");
    assert!(err.to_string().contains("invalidtoken"));
    assert!(fake.requests().is_empty(), "nothing sent to the SIS");
}

#[test]
fn validation_refuses_bad_input_before_anything_is_sent() {
    let ok = |url: &str, a: &str, b: &str| {
        validate(&ConnectionInput {
            moodle_url: url.into(),
            opensis_token: WsToken::new(a),
            userkey_token: WsToken::new(b),
            enable_sync: true,
        })
    };
    let a = "0123456789abcdef0123456789abcdef";
    let b = "fedcba9876543210fedcba9876543210";
    let v = ok("https://moodle.school.org/my/", a, b).unwrap();
    assert_eq!(v.root.to_string(), "https://moodle.school.org");
    assert!(v.warnings.is_empty());
    assert_eq!(ok("", a, b).unwrap_err().code(), "invalid_url");
    assert_eq!(ok("ftp://x.org", a, b).unwrap_err().code(), "invalid_url");
    assert_eq!(ok("m.org", " ", b).unwrap_err().code(), "missing_token");
    assert_eq!(ok("m.org", a, "").unwrap_err().code(), "missing_token");
    assert_eq!(ok("m.org", a, a).unwrap_err(), SisError::SameTokenTwice);
    let w = ok("m.org", "short-token", b).unwrap();
    assert_eq!(w.warnings.len(), 1);
    assert!(w.warnings[0].contains("32 hexadecimal"));
}

#[test]
fn settings_compare_urls_as_sites_and_tokens_exactly_or_by_presence() {
    let t = |s: &str| WsToken::new(s);
    let a = LmsSettings {
        moodle_url: Some("https://M.org/".into()),
        opensis_token: t("x1x1"),
        userkey_token: t("y1y1"),
        sync_enabled: true,
    };
    let mut b = LmsSettings {
        moodle_url: Some("https://m.org".into()),
        ..a.clone()
    };
    assert!(a.differences(&b, true).is_empty());
    b.opensis_token = t("other");
    assert_eq!(a.differences(&b, true), [field_names::OPENSIS_TOKEN]);
    assert!(a.differences(&b, false).is_empty());
    b.sync_enabled = false;
    b.userkey_token = None;
    assert_eq!(
        a.differences(&b, false),
        [field_names::USERKEY_TOKEN, field_names::SYNC]
    );
    let view = a.view();
    assert!(!format!("{view:?}").contains("x1x1"));
    assert_eq!(LmsSettingsView::mask(true), "*** (set)");
    assert_eq!(LmsSettingsView::mask(false), "(not set)");
}
