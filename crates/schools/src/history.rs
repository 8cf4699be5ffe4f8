// Owns: each school's history of checks on disk — one JSON file per school beside the
// profiles, the last 200 snapshots, written atomically; a damaged or hand-edited file is set
// aside (renamed, and said), never a crash. Must not: hold a token (snapshots have none).

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::watch::Snapshot;

/// How many checks a school's history keeps.
pub const HISTORY_LIMIT: usize = 200;

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("\"{0}\" is not a school's id")]
    BadId(String),
    #[error("could not write the history {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct HistoryFile {
    version: u32,
    entries: Vec<Snapshot>,
}

/// A school's history as read, and where a damaged file was moved to, if it was.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct HistoryRead {
    pub entries: Vec<Snapshot>,
    /// The damaged file, renamed so that nothing is lost and the history starts again.
    pub set_aside: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct HistoryStore {
    dir: PathBuf,
}

impl HistoryStore {
    /// Histories live in `history/` inside the profiles' folder.
    pub fn beside_profiles(profiles_dir: &Path) -> Self {
        Self {
            dir: profiles_dir.join("history"),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, id: &str) -> Result<PathBuf, HistoryError> {
        let safe = !id.is_empty()
            && id.len() <= 64
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !safe {
            return Err(HistoryError::BadId(id.to_owned()));
        }
        Ok(self.dir.join(format!("{id}.json")))
    }

    /// The school's checks, oldest first. A file that cannot be read as a history is renamed
    /// to `<id>.damaged-<time>.json` and reported.
    pub fn read(&self, id: &str) -> Result<HistoryRead, HistoryError> {
        let path = self.path(id)?;
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(HistoryRead::default()),
            Err(source) => return Err(HistoryError::Io { path, source }),
        };
        match serde_json::from_slice::<HistoryFile>(&bytes) {
            Ok(file) => Ok(HistoryRead {
                entries: file.entries,
                set_aside: None,
            }),
            Err(_) => {
                let stamp = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_millis());
                let aside = self.dir.join(format!("{id}.damaged-{stamp}.json"));
                std::fs::rename(&path, &aside).map_err(|source| HistoryError::Io {
                    path: path.clone(),
                    source,
                })?;
                Ok(HistoryRead {
                    entries: Vec::new(),
                    set_aside: Some(aside),
                })
            }
        }
    }

    /// Adds a check and keeps the last [`HISTORY_LIMIT`]; returns the history as written.
    pub fn append(&self, id: &str, snapshot: Snapshot) -> Result<HistoryRead, HistoryError> {
        let mut read = self.read(id)?;
        read.entries.push(snapshot);
        let excess = read.entries.len().saturating_sub(HISTORY_LIMIT);
        read.entries.drain(..excess);
        self.write(id, &read.entries)?;
        Ok(read)
    }

    /// Removes a school's history (when the school is deleted).
    pub fn remove(&self, id: &str) -> Result<(), HistoryError> {
        let path = self.path(id)?;
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(HistoryError::Io { path, source: e })
            }
            _ => Ok(()),
        }
    }

    /// A temporary file beside the real one, synced, then renamed into place.
    fn write(&self, id: &str, entries: &[Snapshot]) -> Result<(), HistoryError> {
        let path = self.path(id)?;
        let io = |source| HistoryError::Io {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(&self.dir).map_err(io)?;
        let file = HistoryFile {
            version: 1,
            entries: entries.to_vec(),
        };
        let json = serde_json::to_vec(&file).map_err(|e| io(e.into()))?;
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir).map_err(io)?;
        tmp.write_all(&json).map_err(io)?;
        tmp.as_file().sync_all().map_err(io)?;
        tmp.persist(&path).map_err(|e| io(e.error))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diagnosis::finding::Outcome;

    fn snap(at: u64) -> Snapshot {
        Snapshot {
            at,
            outcome: Outcome::Failed,
            headline: "1 step needs you: 13 Enable the REST protocol.".into(),
            failing: vec![13],
            steps: [(13, crate::watch::StepState::Fail)].into_iter().collect(),
        }
    }

    #[test]
    fn keeps_the_last_200_checks_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = HistoryStore::beside_profiles(dir.path());
        for at in 0..205 {
            store.append("abc123", snap(at)).unwrap();
        }
        let read = store.read("abc123").unwrap();
        assert_eq!(read.entries.len(), HISTORY_LIMIT);
        assert_eq!(read.entries.first().unwrap().at, 5);
        assert_eq!(read.entries.last().unwrap().at, 204);
        assert_eq!(read.set_aside, None);
        // Only the history file is left behind: the temporary files were renamed into place.
        let files: Vec<_> = std::fs::read_dir(store.dir()).unwrap().collect();
        assert_eq!(files.len(), 1);
    }

    #[test]
    fn a_damaged_history_is_set_aside_and_said_never_a_crash() {
        let dir = tempfile::tempdir().unwrap();
        let store = HistoryStore::beside_profiles(dir.path());
        std::fs::create_dir_all(store.dir()).unwrap();
        for damaged in [
            &b"{\"version\":1,\"entries\":[{\"at\":\"yesterday\"}]}"[..],
            b"\x00\xff",
            b"",
        ] {
            std::fs::write(store.dir().join("abc123.json"), damaged).unwrap();
            let read = store.read("abc123").unwrap();
            assert!(read.entries.is_empty());
            let aside = read.set_aside.expect("set aside");
            assert_eq!(std::fs::read(&aside).unwrap(), damaged, "nothing lost");
            std::fs::remove_file(aside).unwrap();
        }
        // After setting it aside, the history starts again.
        store.append("abc123", snap(1)).unwrap();
        assert_eq!(store.read("abc123").unwrap().entries.len(), 1);
    }

    #[test]
    fn ids_cannot_leave_the_history_folder() {
        let dir = tempfile::tempdir().unwrap();
        let store = HistoryStore::beside_profiles(dir.path());
        for bad in ["../profiles", "", "a/b", "a.json"] {
            assert!(
                matches!(store.read(bad), Err(HistoryError::BadId(_))),
                "{bad}"
            );
        }
    }
}
