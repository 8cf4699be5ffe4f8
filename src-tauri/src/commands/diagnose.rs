// Owns: the diagnosis commands — a profile's checks (as the wizard runs them, with tokens not
// asked for yet waited for, or as the doctor runs them), the 65-second key life-time proof
// (kept across later checks until what it depends on changes), the address preview and the
// Markdown report. Must not: judge.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use ::secrets::SecretKind;
use diagnosis::{
    diagnose_with, DiagnoseInput, DiagnoseOptions, Report, Status, Verdict, KEY_LIFETIME_CHECK_AGE,
};
use moodle_ws::{normalize_site_url, WsToken};
use serde::Serialize;
use tauri::State;

use crate::error::AppResult;
use crate::state::{AppState, KeyProof, DEMO_PROFILE_ID};

/// The address the checks will use, as the engine reads what was typed.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct AddressPreview {
    /// The site root the checks will use, e.g. `https://moodle.school.org`.
    pub url: Option<String>,
    /// Why the typed text is not an address, in a sentence.
    pub error: Option<String>,
}

/// What the address field shows while the admin types.
#[tauri::command]
pub fn normalize_url(input: String) -> AddressPreview {
    match normalize_site_url(&input) {
        Ok(root) => AddressPreview {
            url: Some(root.to_string()),
            error: None,
        },
        Err(e) => {
            let text = e.to_string();
            let mut chars = text.chars();
            let sentence = chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default();
            AddressPreview {
                url: None,
                error: Some(format!("{sentence}.")),
            }
        }
    }
}

/// Every check for a profile, with its tokens from the keyring. `wizard`: the set-up is under
/// way, so a token not given yet is waited for (its checks say which page asks for it), not
/// failed.
#[tauri::command]
pub async fn diagnose_profile(
    state: State<'_, AppState>,
    profile_id: String,
    wizard: Option<bool>,
) -> AppResult<Report> {
    run(&state, &profile_id, wizard.unwrap_or(false), None).await
}

/// The checks with the key life-time proof: a login key opened 65 s after it was issued.
#[tauri::command]
pub async fn prove_key_lifetime(
    state: State<'_, AppState>,
    profile_id: String,
) -> AppResult<Report> {
    run(&state, &profile_id, true, Some(KEY_LIFETIME_CHECK_AGE)).await
}

async fn run(
    state: &AppState,
    profile_id: &str,
    wizard: bool,
    key_lifetime_check: Option<std::time::Duration>,
) -> AppResult<Report> {
    let mut profile = state.profile(profile_id).await?;
    let secrets = state.secrets_for(profile_id).await?;
    let token = |kind| -> AppResult<Option<WsToken>> {
        Ok(secrets
            .get(profile_id, kind)?
            .and_then(|s| WsToken::new(s.expose())))
    };
    let userkey = secrets.get(profile_id, SecretKind::UserkeyToken)?;
    let userkey_print = userkey.as_ref().map(|s| fingerprint(s.expose().trim()));
    let input = DiagnoseInput {
        url: profile.moodle_url.clone(),
        opensis_token: token(SecretKind::OpensisToken)?,
        userkey_token: userkey.and_then(|s| WsToken::new(s.expose())),
        admin_email: profile.admin_email.clone().filter(|e| !e.trim().is_empty()),
    };
    let options = DiagnoseOptions {
        tokens_pending: wizard,
        simulated_site: profile_id == DEMO_PROFILE_ID,
        key_lifetime_check,
        ..DiagnoseOptions::default()
    };
    let at = diagnosis::clock::now_secs();
    let report = diagnose_with(&state.http, &input, &options).await?;
    let report = keep_key_proof(
        &mut state.key_proofs(),
        profile_id,
        &input.url,
        userkey_print,
        key_lifetime_check.is_some(),
        report,
    );
    // The tokens "Fix it" makes again: refused, expired or another account's.
    let (keep_opensis, keep_userkey) = diagnosis::fixable::tokens_kept_after(
        &report,
        input.opensis_token.is_some(),
        input.userkey_token.is_some(),
    );
    let refused = [
        (keep_opensis, &input.opensis_token),
        (keep_userkey, &input.userkey_token),
    ]
    .into_iter()
    .filter(|(keep, _)| !keep)
    .filter_map(|(_, token)| token.as_ref().map(|t| fingerprint(t.expose().trim())))
    .collect();
    state.set_refused_tokens(profile_id, refused);
    // Reread: the admin may have ticked something while the checks ran.
    if let Ok(fresh) = state.profile(profile_id).await {
        profile = fresh;
    }
    profile.remember_check(&report, at);
    let name = profile.name.clone();
    state.save_profile(profile).await?;
    // A full check (not one with tokens still to come) is a check of the school's history.
    if !wizard {
        state
            .record_check(profile_id, &name, &report, at, false)
            .await;
    }
    Ok(report)
}

const KEY_LIFETIME: &str = "userkey_lifetime";

/// A token's fingerprint, in memory only, to notice that it changed (never shown or stored).
pub(crate) fn fingerprint(token: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    token.hash(&mut h);
    h.finish()
}

/// The 65-s proof of "User key life time" is slow and no other check can see the setting, so
/// a passed proof is kept for the school and put back into later reports (which only say
/// "check it in Moodle") — until what it depends on changes: the address, the user-key token,
/// or step 7's other checks no longer passing. A proof that just ran, passed or not, replaces
/// the kept one. The verdict is made again from the findings.
pub(crate) fn keep_key_proof(
    proofs: &mut HashMap<String, KeyProof>,
    profile_id: &str,
    url: &str,
    userkey: Option<u64>,
    proving: bool,
    mut report: Report,
) -> Report {
    let now = report.finding(KEY_LIFETIME).cloned();
    if proving {
        match (now, userkey) {
            (Some(finding), Some(token)) if finding.status == Status::Pass => {
                proofs.insert(
                    profile_id.to_owned(),
                    KeyProof {
                        finding,
                        url: url.to_owned(),
                        token,
                    },
                );
            }
            _ => {
                proofs.remove(profile_id);
            }
        }
        return report;
    }
    let Some(kept) = proofs.get(profile_id) else {
        return report;
    };
    let step7_passes = report
        .checks
        .iter()
        .filter(|f| f.step == 7 && f.check != KEY_LIFETIME)
        .all(|f| matches!(f.status, Status::Pass | Status::Warn));
    let holds = kept.url == url && Some(kept.token) == userkey && step7_passes;
    match now.map(|f| f.status) {
        Some(Status::NotVisible) if holds => {
            let mut finding = kept.finding.clone();
            finding.evidence = format!(
                "{} (the 65-s proof, kept: the address, the user-key token and step 7's other checks have not changed since)",
                finding.evidence
            );
            if let Some(slot) = report.checks.iter_mut().find(|f| f.check == KEY_LIFETIME) {
                *slot = finding;
            }
            report.verdict = Verdict::of(&report.checks);
        }
        // Passed again on its own: nothing to put back.
        Some(Status::Pass) if holds => {}
        _ => {
            proofs.remove(profile_id);
        }
    }
    report
}

#[tauri::command]
pub fn report_markdown(report: Report, title: String, generated_at: String) -> String {
    diagnosis::report_markdown::report_markdown(&report, &title, &generated_at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use diagnosis::Finding;

    fn finding(check: &str, step: u8, status: Status) -> Finding {
        Finding {
            check: check.into(),
            step,
            status,
            summary: format!("{check} summary"),
            evidence: format!("{check} seen"),
            fix: String::new(),
            link: None,
            blocked_by: None,
        }
    }

    fn report(lifetime: Status, mapping: Status) -> Report {
        Report::new(
            None,
            vec![
                finding("userkey_mapping_email", 7, mapping),
                finding(KEY_LIFETIME, 7, lifetime),
            ],
        )
    }

    const URL: &str = "https://moodle.school.org";

    fn lifetime(r: &Report) -> Status {
        r.finding(KEY_LIFETIME).unwrap().status
    }

    #[test]
    fn a_passed_key_proof_is_kept_until_what_it_depends_on_changes() {
        let mut proofs = HashMap::new();
        let keep = |proofs: &mut HashMap<String, KeyProof>, url: &str, token, proving, r| {
            keep_key_proof(proofs, "s1", url, token, proving, r)
        };
        // The proof passes; the next check (which cannot see the setting) keeps it.
        let proved = keep(
            &mut proofs,
            URL,
            Some(7),
            true,
            report(Status::Pass, Status::Pass),
        );
        assert_eq!(lifetime(&proved), Status::Pass);
        let later = keep(
            &mut proofs,
            URL,
            Some(7),
            false,
            report(Status::NotVisible, Status::Pass),
        );
        assert_eq!(lifetime(&later), Status::Pass);
        assert!(later
            .finding(KEY_LIFETIME)
            .unwrap()
            .evidence
            .contains("kept"));
        assert_eq!(later.verdict, Verdict::of(&later.checks));
        assert!(
            !later.verdict.headline.contains("userkey_lifetime"),
            "{}",
            later.verdict.headline
        );
        // Another address, another token, or step 7 failing: gone, and it stays gone.
        for (url, token, mapping) in [
            ("https://other.org", Some(7), Status::Pass),
            (URL, Some(8), Status::Pass),
            (URL, None, Status::Pass),
            (URL, Some(7), Status::Fail),
        ] {
            let mut proofs = proofs.clone();
            let r = keep(
                &mut proofs,
                url,
                token,
                false,
                report(Status::NotVisible, mapping),
            );
            assert_eq!(
                lifetime(&r),
                Status::NotVisible,
                "{url} {token:?} {mapping:?}"
            );
            let again = keep(
                &mut proofs,
                URL,
                Some(7),
                false,
                report(Status::NotVisible, Status::Pass),
            );
            assert_eq!(lifetime(&again), Status::NotVisible);
        }
        // A proof that fails replaces the kept one.
        keep(
            &mut proofs,
            URL,
            Some(7),
            true,
            report(Status::Fail, Status::Pass),
        );
        let r = keep(
            &mut proofs,
            URL,
            Some(7),
            false,
            report(Status::NotVisible, Status::Pass),
        );
        assert_eq!(lifetime(&r), Status::NotVisible);
    }

    #[test]
    fn addresses_are_previewed_as_the_engine_reads_them() {
        let bare = normalize_url("moodle.school.org".into());
        assert_eq!(bare.url.as_deref(), Some("https://moodle.school.org"));
        let login = normalize_url("https://school.org/moodle/login/index.php".into());
        assert_eq!(login.url.as_deref(), Some("https://school.org/moodle"));
        let empty = normalize_url("   ".into());
        assert!(empty.url.is_none());
        let error = empty.error.unwrap();
        assert!(error.starts_with("The Moodle address is empty"), "{error}");
        assert!(normalize_url("ftp://x.org".into()).error.is_some());
    }
}
