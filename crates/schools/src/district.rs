// Owns: checking several schools at once — each school's input from its profile and the
// keyring, the diagnoses run with bounded concurrency on one shared HTTP client, progress as
// each finishes, and the order that puts failing schools first. Must not: print anything.

use futures::stream::{self, StreamExt};
use moodle_ws::WsToken;

use crate::profile::Profile;
use diagnosis::finding::{Outcome, Report};
use diagnosis::{diagnose_with, DiagnoseInput, DiagnoseOptions};
use secrets::{SecretError, SecretKind, SecretStore};

/// How many schools are checked at the same time by default: a district's schools all at
/// once (each diagnosis mostly waits on the network), with a bound on open connections.
pub const DEFAULT_CONCURRENCY: usize = 64;

/// A school to check.
#[derive(Debug, Clone)]
pub struct School {
    pub id: String,
    pub name: String,
    pub input: DiagnoseInput,
    /// The demo's simulated Moodle on this computer (not being public is expected).
    pub simulated_site: bool,
}

impl School {
    /// A school from its profile, with its tokens from the secret store (as the app keeps
    /// them). A token given here (e.g. from the environment) wins over the stored one.
    pub fn from_profile(
        profile: &Profile,
        secrets: Option<&dyn SecretStore>,
        opensis: Option<WsToken>,
        userkey: Option<WsToken>,
    ) -> Result<Self, SecretError> {
        let stored = |kind| -> Result<Option<WsToken>, SecretError> {
            Ok(match secrets {
                Some(store) => store
                    .get(&profile.id, kind)?
                    .and_then(|s| WsToken::new(s.expose())),
                None => None,
            })
        };
        let opensis = match opensis {
            Some(t) => Some(t),
            None => stored(SecretKind::OpensisToken)?,
        };
        let userkey = match userkey {
            Some(t) => Some(t),
            None => stored(SecretKind::UserkeyToken)?,
        };
        Ok(Self {
            id: profile.id.clone(),
            name: profile.name.clone(),
            simulated_site: false,
            input: DiagnoseInput {
                url: profile.moodle_url.clone(),
                opensis_token: opensis,
                userkey_token: userkey,
                admin_email: profile.admin_email.clone().filter(|e| !e.trim().is_empty()),
            },
        })
    }
}

/// One school's diagnosis, or why it could not run (e.g. no address yet).
#[derive(Debug, Clone)]
pub struct Checked {
    pub id: String,
    pub name: String,
    pub url: String,
    pub report: Result<Report, String>,
}

impl Checked {
    /// Failing schools first, then those that could not be told or checked, then the rest.
    fn rank(&self) -> u8 {
        match &self.report {
            Ok(r) if r.verdict.outcome == Outcome::Failed => 0,
            Err(_) => 1,
            Ok(r) if r.verdict.outcome == Outcome::CouldNotTell => 2,
            Ok(_) => 3,
        }
    }
}

/// Diagnoses every school, at most `concurrency` at a time, calling `progress(done, total,
/// school)` as each finishes; the result puts failing schools first, then by name.
pub async fn check_all(
    http: &reqwest::Client,
    schools: Vec<School>,
    options: &DiagnoseOptions,
    concurrency: usize,
    progress: impl Fn(usize, usize, &Checked),
) -> Vec<Checked> {
    let total = schools.len();
    let mut done = Vec::with_capacity(total);
    let mut runs = stream::iter(schools)
        .map(|school| async move {
            let simulated = DiagnoseOptions {
                simulated_site: true,
                ..options.clone()
            };
            let options = if school.simulated_site {
                &simulated
            } else {
                options
            };
            let report = diagnose_with(http, &school.input, options)
                .await
                .map_err(|e| e.to_string());
            Checked {
                id: school.id,
                name: school.name,
                url: school.input.url,
                report,
            }
        })
        .buffer_unordered(concurrency.max(1));
    while let Some(checked) = runs.next().await {
        done.push(checked);
        if let Some(last) = done.last() {
            progress(done.len(), total, last);
        }
    }
    done.sort_by(|a, b| a.rank().cmp(&b.rank()).then_with(|| a.name.cmp(&b.name)));
    done
}

/// The worst outcome of several schools, as one exit code would say it.
pub fn worst(checked: &[Checked]) -> Outcome {
    let outcomes = checked.iter().map(|c| match &c.report {
        Ok(r) => r.verdict.outcome,
        Err(_) => Outcome::CouldNotTell,
    });
    let mut worst = Outcome::Passed;
    for o in outcomes {
        worst = match (worst, o) {
            (Outcome::Failed, _) | (_, Outcome::Failed) => Outcome::Failed,
            (Outcome::CouldNotTell, _) | (_, Outcome::CouldNotTell) => Outcome::CouldNotTell,
            _ => Outcome::Passed,
        };
    }
    worst
}
