// Owns: school profiles — Moodle URL, admin e-mail, plugin sources, SIS target settings and
// wizard progress — stored as one JSON file, written atomically. Must not: hold a secret
// (the `secrets` crate keeps those in the keyring under the profile's id).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use rand::Rng;
use serde::{Deserialize, Serialize};

use diagnosis::finding::{Report, Status};
use secrets::{SecretError, SecretStore};

/// Overrides the configuration folder (tests, portable installs).
pub const CONFIG_DIR_VAR: &str = "SIS_MOODLE_SETUP_CONFIG_DIR";
const FILE_NAME: &str = "profiles.json";

/// How far the admin got with one step in the wizard.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StepProgress {
    /// Ticked by hand (steps that cannot be verified remotely).
    #[serde(default)]
    pub ticked: bool,
    /// The last verdict of the step's checks, e.g. "pass".
    #[serde(default)]
    pub last_status: Option<String>,
}

/// Whether the app re-checks a school on its own, and how often.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WatchSettings {
    pub enabled: bool,
    /// Minutes between two checks (30 unless the admin chose otherwise).
    pub interval_minutes: u32,
}

impl Default for WatchSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            interval_minutes: 30,
        }
    }
}

/// One school's connection. No secret in here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Profile {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub moodle_url: String,
    #[serde(default)]
    pub admin_email: Option<String>,
    /// Where the two plugin ZIPs come from (URLs or file paths), as last used.
    #[serde(default)]
    pub plugin_sources: Vec<String>,
    /// The SIS target's non-secret settings (see the `sis` module), kept as given.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub sis: Option<serde_json::Value>,
    /// The step the admin was on.
    #[serde(default)]
    pub current_step: u8,
    #[serde(default)]
    pub progress: BTreeMap<u8, StepProgress>,
    /// When each token was last saved (seconds since 1970), by its kind: shown beside the
    /// masked token. Not a secret.
    #[serde(default)]
    pub tokens_saved_at: BTreeMap<String, u64>,
    /// The wizard page the admin was on, by its key (e.g. `7`, `token-opensis`, `done`).
    #[serde(default)]
    pub current_page: Option<String>,
    /// The checklist items the admin ticked by hand (things no probe can see), by item id.
    #[serde(default)]
    pub ticked_items: BTreeSet<String>,
    /// When the steps' last verdicts (`progress`) were checked (seconds since 1970).
    #[serde(default)]
    pub checked_at: Option<u64>,
    /// "Watch this connection": the app checks it again on its own.
    #[serde(default)]
    pub watch: WatchSettings,
    /// The runs of "Set it up for me" on this school's Moodle, oldest first: every change made
    /// (step, what, before, after, when), for "Put it back". No secret in here.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "unknown[]"))]
    pub setup_runs: Vec<setup_automation::record::ChangeRun>,
}

impl Profile {
    pub fn new(name: impl Into<String>) -> Self {
        let bytes: [u8; 8] = rand::thread_rng().gen();
        Self {
            id: bytes.iter().map(|b| format!("{b:02x}")).collect(),
            name: name.into(),
            moodle_url: String::new(),
            admin_email: None,
            plugin_sources: Vec::new(),
            sis: None,
            current_step: 0,
            progress: BTreeMap::new(),
            tokens_saved_at: BTreeMap::new(),
            current_page: None,
            ticked_items: BTreeSet::new(),
            checked_at: None,
            watch: WatchSettings::default(),
            setup_runs: Vec::new(),
        }
    }

    /// Keeps what a check found: each step's worst verdict (so the wizard's side rail survives
    /// a restart), an e-mail the check looked up, and when it ran.
    pub fn remember_check(&mut self, report: &Report, at: u64) {
        self.remember_verdicts(report);
        self.remember_looked_up_email(report);
        self.checked_at = Some(at);
    }

    /// Keeps each step's worst verdict in the profile.
    pub fn remember_verdicts(&mut self, report: &Report) {
        let mut worst: BTreeMap<u8, Status> = BTreeMap::new();
        for f in &report.checks {
            let rank = |s: Status| match s {
                Status::Pass => 0,
                Status::Skipped | Status::Waiting => 1,
                Status::NotVisible => 2,
                Status::Blocked => 3,
                Status::Warn => 4,
                Status::Unknown => 5,
                Status::Fail => 6,
            };
            let entry = worst.entry(f.step).or_insert(f.status);
            if rank(f.status) > rank(*entry) {
                *entry = f.status;
            }
        }
        for (step, status) in worst {
            let name = serde_json::to_value(status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned));
            self.progress.entry(step).or_default().last_status = name;
        }
    }

    /// Keeps the e-mail a check looked up from the token's owner when none was given, so the
    /// next check starts single sign-on at once. An e-mail the admin typed is never replaced.
    /// Returns whether the profile changed.
    pub fn remember_looked_up_email(&mut self, report: &Report) -> bool {
        let typed = self
            .admin_email
            .as_deref()
            .is_some_and(|e| !e.trim().is_empty());
        let found = report
            .site
            .as_ref()
            .and_then(|s| s.looked_up_email.as_deref())
            .map(str::trim)
            .filter(|e| !e.is_empty());
        match (typed, found) {
            (false, Some(email)) => {
                self.admin_email = Some(email.to_owned());
                true
            }
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct ProfileFile {
    #[serde(default)]
    profiles: Vec<Profile>,
    #[serde(default)]
    last_opened: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("no folder for the settings could be found; set {CONFIG_DIR_VAR}")]
    NoConfigDir,
    #[error("could not read or write the profiles in {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the profiles file {path} is damaged ({reason}); it was left untouched")]
    Damaged { path: PathBuf, reason: String },
    #[error("no profile with id {0}")]
    NotFound(String),
    #[error("a profile needs a name")]
    EmptyName,
    #[error(transparent)]
    Secret(#[from] SecretError),
}

/// The profiles of this computer's user.
#[derive(Debug, Clone)]
pub struct ProfileStore {
    dir: PathBuf,
}

impl ProfileStore {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// `$SIS_MOODLE_SETUP_CONFIG_DIR`, else the OS configuration folder.
    pub fn default_location() -> Result<Self, ProfileError> {
        if let Some(dir) = std::env::var_os(CONFIG_DIR_VAR) {
            return Ok(Self::new(dir));
        }
        dirs::config_dir()
            .map(|d| Self::new(d.join("sis-moodle-setup")))
            .ok_or(ProfileError::NoConfigDir)
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join(FILE_NAME)
    }

    fn io(&self, source: std::io::Error) -> ProfileError {
        ProfileError::Io {
            path: self.path(),
            source,
        }
    }

    fn load(&self) -> Result<ProfileFile, ProfileError> {
        match std::fs::read(self.path()) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| ProfileError::Damaged {
                path: self.path(),
                reason: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ProfileFile::default()),
            Err(e) => Err(self.io(e)),
        }
    }

    /// Writes to a temporary file beside the real one, syncs it, then renames it into place:
    /// a crash leaves either the old file or the new one, never half of one.
    fn save(&self, file: &ProfileFile) -> Result<(), ProfileError> {
        std::fs::create_dir_all(&self.dir).map_err(|e| self.io(e))?;
        let json = serde_json::to_vec_pretty(file).map_err(|e| self.io(e.into()))?;
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir).map_err(|e| self.io(e))?;
        tmp.write_all(&json).map_err(|e| self.io(e))?;
        tmp.as_file().sync_all().map_err(|e| self.io(e))?;
        tmp.persist(self.path()).map_err(|e| self.io(e.error))?;
        Ok(())
    }

    pub fn list(&self) -> Result<Vec<Profile>, ProfileError> {
        Ok(self.load()?.profiles)
    }

    pub fn get(&self, id: &str) -> Result<Profile, ProfileError> {
        self.load()?
            .profiles
            .into_iter()
            .find(|p| p.id == id)
            .ok_or_else(|| ProfileError::NotFound(id.to_owned()))
    }

    pub fn last_opened(&self) -> Result<Option<String>, ProfileError> {
        Ok(self.load()?.last_opened)
    }

    /// Creates or replaces a profile (by id) and remembers it as the last opened.
    pub fn upsert(&self, profile: &Profile) -> Result<(), ProfileError> {
        if profile.name.trim().is_empty() {
            return Err(ProfileError::EmptyName);
        }
        let mut file = self.load()?;
        match file.profiles.iter_mut().find(|p| p.id == profile.id) {
            Some(existing) => *existing = profile.clone(),
            None => file.profiles.push(profile.clone()),
        }
        file.last_opened = Some(profile.id.clone());
        self.save(&file)
    }

    pub fn rename(&self, id: &str, name: &str) -> Result<Profile, ProfileError> {
        let mut profile = self.get(id)?;
        profile.name = name.trim().to_owned();
        self.upsert(&profile)?;
        Ok(profile)
    }

    /// A copy with a new id and no secrets (a second school has its own tokens).
    pub fn duplicate(&self, id: &str) -> Result<Profile, ProfileError> {
        let original = self.get(id)?;
        let mut copy = Profile::new(format!("{} (copy)", original.name));
        copy.moodle_url = original.moodle_url;
        copy.admin_email = original.admin_email;
        copy.plugin_sources = original.plugin_sources;
        copy.sis = original.sis;
        self.upsert(&copy)?;
        Ok(copy)
    }

    /// Deletes a profile and its secrets; the secrets go first so none is left orphaned.
    pub fn delete(&self, id: &str, secrets: &dyn SecretStore) -> Result<(), ProfileError> {
        secrets.delete_all(id)?;
        let mut file = self.load()?;
        let before = file.profiles.len();
        file.profiles.retain(|p| p.id != id);
        if file.profiles.len() == before {
            return Err(ProfileError::NotFound(id.to_owned()));
        }
        if file.last_opened.as_deref() == Some(id) {
            file.last_opened = None;
        }
        self.save(&file)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrets::{Secret, SecretKind, SessionStore};

    #[test]
    fn profiles_round_trip_rename_duplicate_delete() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::new(dir.path());
        assert!(store.list().unwrap().is_empty());
        let mut p = Profile::new("Lincoln High");
        p.moodle_url = "https://moodle.lincoln.edu".into();
        p.progress.insert(
            6,
            StepProgress {
                ticked: true,
                last_status: Some("pass".into()),
            },
        );
        store.upsert(&p).unwrap();
        assert_eq!(store.get(&p.id).unwrap(), p);
        assert_eq!(store.last_opened().unwrap(), Some(p.id.clone()));

        let renamed = store.rename(&p.id, " Lincoln HS ").unwrap();
        assert_eq!(renamed.name, "Lincoln HS");
        let copy = store.duplicate(&p.id).unwrap();
        assert_ne!(copy.id, p.id);
        assert_eq!(copy.moodle_url, p.moodle_url);
        assert!(copy.progress.is_empty());
        assert_eq!(store.list().unwrap().len(), 2);

        let secrets = SessionStore::default();
        secrets
            .set(&p.id, SecretKind::OpensisToken, &Secret::new("t"))
            .unwrap();
        store.delete(&p.id, &secrets).unwrap();
        assert_eq!(secrets.get(&p.id, SecretKind::OpensisToken).unwrap(), None);
        assert_eq!(store.list().unwrap(), vec![copy]);
        assert!(matches!(
            store.delete("nope", &secrets),
            Err(ProfileError::NotFound(_))
        ));
    }

    #[test]
    fn a_looked_up_email_is_kept_but_never_replaces_a_typed_one() {
        use diagnosis::finding::{Report, SiteFacts};
        let report = |email: Option<&str>| {
            Report::new(
                Some(SiteFacts {
                    sitename: "Lab".into(),
                    release: None,
                    version: None,
                    branch: None,
                    wwwroot: "https://m.org".into(),
                    functions: Vec::new(),
                    looked_up_email: email.map(str::to_owned),
                }),
                Vec::new(),
            )
        };
        let mut p = Profile::new("Lab");
        assert!(!p.remember_looked_up_email(&report(None)));
        assert_eq!(p.admin_email, None);
        p.admin_email = Some("  ".into());
        assert!(p.remember_looked_up_email(&report(Some("admin@m.org"))));
        assert_eq!(p.admin_email.as_deref(), Some("admin@m.org"));
        p.admin_email = Some("typed@m.org".into());
        assert!(!p.remember_looked_up_email(&report(Some("other@m.org"))));
        assert_eq!(p.admin_email.as_deref(), Some("typed@m.org"));
        assert!(!p.remember_looked_up_email(&Report::new(None, Vec::new())));
    }

    #[test]
    fn a_check_leaves_each_steps_worst_verdict_and_its_time() {
        use diagnosis::finding::{Finding, Report, Status};
        let finding = |check: &str, step: u8, status: Status| Finding::new(check, step, status, "");
        let report = Report::new(
            None,
            vec![
                finding("rest_protocol_enabled", 13, Status::Pass),
                finding("rest_answers", 13, Status::Fail),
                finding("site_reachable", 0, Status::Pass),
                finding("userkey_token", 15, Status::Blocked),
                finding("sso_round_trip", 15, Status::Warn),
            ],
        );
        let mut p = Profile::new("Lab");
        p.remember_check(&report, 1_795_800_005);
        let status = |step: u8| p.progress.get(&step).and_then(|s| s.last_status.clone());
        assert_eq!(status(13).as_deref(), Some("fail"));
        assert_eq!(status(0).as_deref(), Some("pass"));
        assert_eq!(status(15).as_deref(), Some("warn"));
        assert_eq!(status(7), None);
        assert_eq!(p.checked_at, Some(1_795_800_005));
    }

    #[test]
    fn a_damaged_file_is_reported_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::new(dir.path());
        std::fs::write(store.path(), b"{not json").unwrap();
        assert!(matches!(store.list(), Err(ProfileError::Damaged { .. })));
        assert!(store.upsert(&Profile::new("x")).is_err());
        assert_eq!(std::fs::read(store.path()).unwrap(), b"{not json");
    }

    #[test]
    fn writes_leave_no_temporary_files_and_no_empty_names() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::new(dir.path());
        store.upsert(&Profile::new("A")).unwrap();
        store.upsert(&Profile::new("B")).unwrap();
        let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(files.len(), 1);
        assert!(matches!(
            store.upsert(&Profile::new("  ")),
            Err(ProfileError::EmptyName)
        ));
    }
}
