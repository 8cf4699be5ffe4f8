// Owns: the capture set as data — Moodle versions, each one's states, each state's captures
// in the order they were taken, its short answers and its recorded side effect. Must not:
// answer requests (server.rs, replay.rs do).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Serialize;

use crate::capture::{parse, Capture, CaptureError};

/// The order the capture tool sent its probes in (the columns of each `INDEX.md`). Moodle is
/// stateful in two places the replay honours: an expired token is deleted after its first
/// refusal, and a login key exists only once a login URL was asked for.
pub const CAPTURE_ORDER: &[&str] = &[
    "public_config",
    "login_page",
    "simpleserver",
    "site_info_opensis",
    "site_info_userkey",
    "user_by_id_opensis",
    "user_by_email_opensis",
    "exists_enrol_manual_enrol_users",
    "exists_local_get_users_information",
    "login_url",
    "login_url_with_ip",
    "login_url_unknown_email",
    "login_url_with_firstname",
    "follow_login_url",
    "my_page",
    "userkey_bad_key",
    "site_info_wsuser",
    "user_by_id_wsuser",
    "login_url_wsuser",
];

/// The state every version has: the configuration the openSIS guide asks for.
pub const GOOD_STATE: &str = "good";

/// How many files the compiled-in capture set holds.
pub fn file_count() -> usize {
    crate::archive::files().len()
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("{path}: {source}")]
    Capture {
        path: String,
        #[source]
        source: CaptureError,
    },
    #[error("{path}: {reason}")]
    Summary { path: String, reason: String },
    #[error("version {0} has no \"good\" state")]
    NoGoodState(String),
    #[error("no captures found")]
    Empty,
}

/// A change the login-URL probes made to an account, as the site's database showed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SideEffect {
    /// The account's user name (`admin`).
    pub username: String,
    /// `(field, before, after)` for every field that changed.
    pub fields: Vec<(String, String, String)>,
}

/// One state of one site: every probe's exchange.
#[derive(Debug, Clone)]
pub struct StateCaptures {
    pub name: String,
    /// What was changed in Moodle, from `captures/README.md`.
    pub description: String,
    /// The address the probes were sent to (`http://127.0.0.1:8080`).
    pub base: String,
    /// In capture order.
    pub captures: Vec<Capture>,
    /// The capture tool's short answer per probe (`summary.json`), e.g. "200 `invalidtoken`".
    pub summary: BTreeMap<String, String>,
    /// Probes the capture tool did not send in this state, with its reason (a login URL can
    /// only be followed once one was issued).
    pub skipped: Vec<(String, String)>,
    pub side_effect: Option<SideEffect>,
    /// What the database showed around the requests shaped like openSIS's sync
    /// (`sync_side_effects.txt`): `Some(true)` when their users and courses were counted the
    /// same before and after. `None` where none was sent.
    pub sync_created_nothing: Option<bool>,
    /// A state of a first set-up (`state_notes.txt`): the guide's steps done on the site so
    /// far, and the tokens made. `None` for the states of a complete site broken on purpose.
    pub journey: Option<JourneyNotes>,
}

/// What had been done on the site when a journey state was recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JourneyNotes {
    /// The guide's steps done, as recorded (`done: 4 6 7`).
    pub done: Vec<u8>,
    /// The opensis token had been made.
    pub opensis_token: bool,
    /// The user-key token had been made.
    pub userkey_token: bool,
}

impl JourneyNotes {
    /// Reads `done: …`, `tokens: opensis userkey | none` and `wrong: …` (steps done against
    /// the guide, so not done) lines; `None` without a `done:` line.
    pub fn parse(text: &str) -> Option<JourneyNotes> {
        let field = |name: &str| {
            text.lines()
                .find_map(|l| l.trim().strip_prefix(name)?.strip_prefix(':'))
                .map(str::trim)
        };
        let done = field("done")?
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| !w.is_empty())
            .map(|w| w.parse().ok())
            .collect::<Option<Vec<u8>>>()?;
        // `wrong: 10 (why)`: steps the admin did, but not as the guide says — not done.
        let wrong: Vec<u8> = field("wrong")
            .unwrap_or_default()
            .split_whitespace()
            .map_while(|w| w.trim_end_matches(',').parse().ok())
            .collect();
        let done = done.into_iter().filter(|s| !wrong.contains(s)).collect();
        let tokens = field("tokens").unwrap_or("none");
        Some(JourneyNotes {
            done,
            opensis_token: tokens.split_whitespace().any(|t| t == "opensis"),
            userkey_token: tokens.split_whitespace().any(|t| t == "userkey"),
        })
    }
}

impl StateCaptures {
    pub fn capture(&self, probe: &str) -> Option<&Capture> {
        self.captures.iter().find(|c| c.probe == probe)
    }
}

/// One Moodle version's captures.
#[derive(Debug, Clone)]
pub struct VersionCaptures {
    /// The folder name: `4.1`, `4.5`, `4.5-debug`, `5.0`.
    pub id: String,
    /// Moodle's `release` as the good site's site info says it, e.g. "4.5.11+ (Build: 20260501)".
    pub release: String,
    /// The site's own address in the captures (the good state's base).
    pub wwwroot: String,
    pub states: Vec<StateCaptures>,
}

impl VersionCaptures {
    pub fn state(&self, name: &str) -> Option<&StateCaptures> {
        self.states.iter().find(|s| s.name == name)
    }

    /// Whether Moodle's debugging was on for these captures (the `*-debug` folders).
    pub fn debugging(&self) -> bool {
        self.id.ends_with("-debug")
    }
}

/// A state's files: `(file name, text)`.
type Files<'a> = Vec<(&'a str, &'a str)>;

/// Every captured version.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub versions: Vec<VersionCaptures>,
}

impl Catalog {
    /// The captures compiled into this crate.
    pub fn builtin() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            Catalog::from_files(
                crate::archive::files()
                    .iter()
                    .map(|(p, t)| (p.as_str(), t.as_str())),
            )
            .expect("the compiled-in captures are valid (tested)")
        })
    }

    /// Reads a capture folder laid out as `captures/` (see its README).
    pub fn from_dir(dir: &std::path::Path) -> Result<Catalog, CatalogError> {
        let mut files = Vec::new();
        read_dir_into(dir, dir, &mut files).map_err(|e| CatalogError::Summary {
            path: dir.display().to_string(),
            reason: e.to_string(),
        })?;
        Catalog::from_files(files.iter().map(|(p, t)| (p.as_str(), t.as_str())))
    }

    /// Builds the catalog from `(path relative to the captures folder, text)` pairs.
    pub fn from_files<'a>(
        files: impl Iterator<Item = (&'a str, &'a str)>,
    ) -> Result<Catalog, CatalogError> {
        let files: Vec<(&str, &str)> = files.collect();
        let readme = files
            .iter()
            .find(|(p, _)| *p == "README.md")
            .map_or("", |(_, t)| *t);
        let descriptions = state_descriptions(readme);
        let mut versions: BTreeMap<&str, BTreeMap<&str, Files>> = BTreeMap::new();
        for (path, text) in &files {
            let parts: Vec<&str> = path.split('/').collect();
            if let [version, state, file] = parts[..] {
                versions
                    .entry(version)
                    .or_default()
                    .entry(state)
                    .or_default()
                    .push((file, text));
            }
        }
        let mut out = Vec::new();
        for (version, states) in versions {
            let mut list = Vec::new();
            for (state, files) in states {
                let description = descriptions
                    .get(&(version.to_owned(), state.to_owned()))
                    .cloned()
                    .unwrap_or_default();
                list.push(read_state(version, state, &files, description)?);
            }
            let good = list
                .iter()
                .find(|s| s.name == GOOD_STATE)
                .ok_or_else(|| CatalogError::NoGoodState(version.to_owned()))?;
            let release = good
                .capture("site_info_opensis")
                .and_then(|c| serde_json::from_str::<serde_json::Value>(&c.answer.body).ok())
                .and_then(|v| v["release"].as_str().map(str::to_owned))
                .unwrap_or_default();
            out.push(VersionCaptures {
                id: version.to_owned(),
                release,
                wwwroot: good.base.clone(),
                states: list,
            });
        }
        if out.is_empty() {
            return Err(CatalogError::Empty);
        }
        Ok(Catalog { versions: out })
    }

    pub fn version(&self, id: &str) -> Option<&VersionCaptures> {
        self.versions.iter().find(|v| v.id == id)
    }

    /// Every capture file, as `(version, state, capture)`.
    pub fn every_capture(
        &self,
    ) -> impl Iterator<Item = (&VersionCaptures, &StateCaptures, &Capture)> {
        self.versions.iter().flat_map(|v| {
            v.states
                .iter()
                .flat_map(move |s| s.captures.iter().map(move |c| (v, s, c)))
        })
    }
}

fn read_dir_into(
    dir: &std::path::Path,
    root: &std::path::Path,
    out: &mut Vec<(String, String)>,
) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            read_dir_into(&path, root, out)?;
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.push((
                rel.to_string_lossy().replace('\\', "/"),
                std::fs::read_to_string(&path)?,
            ));
        }
    }
    Ok(())
}

fn read_state(
    version: &str,
    state: &str,
    files: &[(&str, &str)],
    description: String,
) -> Result<StateCaptures, CatalogError> {
    let at = |file: &str| format!("{version}/{state}/{file}");
    let mut captures = Vec::new();
    let mut summary = BTreeMap::new();
    let mut base = String::new();
    let mut side_effect = None;
    let mut skipped = Vec::new();
    let mut journey = None;
    let mut sync_created_nothing = None;
    for (file, text) in files {
        if *file == "state_notes.txt" {
            journey = Some(
                JourneyNotes::parse(text).ok_or_else(|| CatalogError::Summary {
                    path: at(file),
                    reason: "no \"done:\" line of step numbers".into(),
                })?,
            );
        } else if let Some(reason) = skip_reason(text) {
            skipped.push((file.trim_end_matches(".txt").to_owned(), reason));
        } else if *file == "sync_side_effects.txt" {
            sync_created_nothing = Some(text.lines().any(|l| l.trim() == "changed: nothing"));
        } else if file.ends_with(".txt") && *file != "side_effects.txt" {
            let capture = parse(text).map_err(|source| CatalogError::Capture {
                path: at(file),
                source,
            })?;
            captures.push(capture);
        } else if *file == "summary.json" {
            let value: serde_json::Value =
                serde_json::from_str(text).map_err(|e| CatalogError::Summary {
                    path: at(file),
                    reason: e.to_string(),
                })?;
            base = value["base"].as_str().unwrap_or_default().to_owned();
            if let Some(probes) = value["probes"].as_object() {
                for (probe, short) in probes {
                    summary.insert(probe.clone(), short.as_str().unwrap_or_default().to_owned());
                }
            }
        } else if *file == "side_effects.txt" {
            side_effect = parse_side_effects(text);
        }
    }
    if base.is_empty() {
        return Err(CatalogError::Summary {
            path: at("summary.json"),
            reason: "no \"base\" address".into(),
        });
    }
    captures.sort_by_key(|c| {
        (
            CAPTURE_ORDER
                .iter()
                .position(|p| *p == c.probe)
                .unwrap_or(CAPTURE_ORDER.len()),
            c.probe.clone(),
        )
    });
    Ok(StateCaptures {
        name: state.to_owned(),
        description,
        base,
        captures,
        summary,
        skipped,
        side_effect,
        sync_created_nothing,
        journey,
    })
}

/// A probe file that records a skip ("SKIPPED: <reason>") instead of an exchange.
fn skip_reason(text: &str) -> Option<String> {
    if text.contains(crate::capture::ANSWER_SEPARATOR) {
        return None;
    }
    text.lines()
        .find_map(|l| l.strip_prefix("SKIPPED:"))
        .map(|r| r.trim().to_owned())
}

/// Reads `side_effects.txt`: the accounts' fields before and after the login-URL probes.
/// `None` when nothing but login keys changed.
pub(crate) fn parse_side_effects(text: &str) -> Option<SideEffect> {
    let mut section = "";
    let mut before: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut after: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for line in text.lines() {
        match line.trim_end() {
            "before:" => section = "before",
            "after:" => section = "after",
            l if l.starts_with("  ") && !section.is_empty() => {
                let Some((who, fields)) = l.trim().split_once(": ") else {
                    continue;
                };
                if who.contains(' ') {
                    continue; // "active users: 3", "userkey login keys: …"
                }
                let fields: Vec<(String, String)> = fields
                    .split_whitespace()
                    .filter_map(|f| f.split_once('='))
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect();
                let target = if section == "before" {
                    &mut before
                } else {
                    &mut after
                };
                target.insert(who.to_owned(), fields);
            }
            _ => section = if line.starts_with(' ') { section } else { "" },
        }
    }
    for (who, old) in &before {
        let Some(new) = after.get(who) else { continue };
        let fields: Vec<(String, String, String)> = old
            .iter()
            .filter_map(|(k, v)| {
                let now = new.iter().find(|(k2, _)| k2 == k)?.1.clone();
                (now != *v).then(|| (k.clone(), v.clone(), now))
            })
            .collect();
        if !fields.is_empty() {
            return Some(SideEffect {
                username: who.clone(),
                fields,
            });
        }
    }
    None
}

/// Reads the "| `state` | what was changed in Moodle |" tables of `captures/README.md`, one per
/// "## <version>" section.
fn state_descriptions(readme: &str) -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    let mut version = String::new();
    for line in readme.lines() {
        if let Some(v) = line.strip_prefix("## ") {
            version = v.trim().to_owned();
            continue;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if let ["", state, description, ""] = cells[..] {
            if let Some(state) = state.strip_prefix('`').and_then(|s| s.strip_suffix('`')) {
                out.insert((version.clone(), state.to_owned()), description.to_owned());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journey_notes_read_the_steps_done_and_the_tokens_made() {
        let notes =
            JourneyNotes::parse("# after the app's page 10\ndone: 4 6 7, 8\ntokens: opensis\n");
        assert_eq!(
            notes,
            Some(JourneyNotes {
                done: vec![4, 6, 7, 8],
                opensis_token: true,
                userkey_token: false,
            })
        );
        let none = JourneyNotes::parse("done:\ntokens: none\n").unwrap();
        assert!(none.done.is_empty() && !none.opensis_token && !none.userkey_token);
        let wrong = JourneyNotes::parse("done: 9 10 14\ntokens: none\nwrong: 10 (restricted)\n");
        assert_eq!(wrong.unwrap().done, vec![9, 14]);
        assert_eq!(JourneyNotes::parse("tokens: opensis userkey\n"), None);
        assert_eq!(JourneyNotes::parse("done: 4 x\n"), None);
    }

    #[test]
    fn side_effects_name_the_changed_fields_only() {
        let text = "# DB read\nbefore:\n  admin: auth=manual suspended=0 firstname=Admin\n  active users: 3\n\
                    after:\n  admin: auth=userkey suspended=0 firstname=Admin\n  active users: 3\n\
                    changed: admin: auth=userkey suspended=0 firstname=Admin\n";
        assert_eq!(
            parse_side_effects(text),
            Some(SideEffect {
                username: "admin".into(),
                fields: vec![("auth".into(), "manual".into(), "userkey".into())],
            })
        );
        let none = text.replace("auth=userkey", "auth=manual");
        assert_eq!(parse_side_effects(&none), None);
    }

    #[test]
    fn the_builtin_catalog_has_every_version_and_state_with_descriptions() {
        let catalog = Catalog::builtin();
        let ids: Vec<&str> = catalog.versions.iter().map(|v| v.id.as_str()).collect();
        assert_eq!(ids, ["4.1", "4.5", "4.5-debug", "5.0"]);
        for v in &catalog.versions {
            assert!(v.state(GOOD_STATE).is_some(), "{}", v.id);
            assert!(!v.release.is_empty(), "{}", v.id);
            for s in &v.states {
                assert!(
                    !s.description.is_empty(),
                    "{}/{} has no description",
                    v.id,
                    s.name
                );
                assert!(
                    s.captures.len() + s.skipped.len() >= 16,
                    "{}/{}",
                    v.id,
                    s.name
                );
                for c in &s.captures {
                    assert!(
                        s.summary.contains_key(&c.probe),
                        "{}/{}/{}",
                        v.id,
                        s.name,
                        c.probe
                    );
                }
                for (probe, _) in &s.skipped {
                    assert!(
                        s.summary[probe].starts_with("skipped"),
                        "{}/{}/{probe}",
                        v.id,
                        s.name
                    );
                }
            }
        }
        assert_eq!(
            catalog.version("4.5").unwrap().release,
            "4.5.11+ (Build: 20260501)"
        );
        assert_eq!(
            catalog.version("4.1").unwrap().wwwroot,
            "http://127.0.0.1:8041"
        );
        let updateuser = catalog
            .version("5.0")
            .unwrap()
            .state("userkey_updateuser")
            .unwrap();
        assert_eq!(
            updateuser.side_effect.as_ref().unwrap().fields[0].2,
            "userkey"
        );
    }
}
