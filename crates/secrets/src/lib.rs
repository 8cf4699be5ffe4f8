//! Secrets of the set-up: the Moodle tokens and the SIS password, in the system keyring or this
//! session's memory, in a type that never prints.
//! Owns: where tokens and the SIS password live — the OS keyring, or memory for this session
//! only when the admin chose so. Must not: write a secret to a file, or print one.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// The keyring "service" under which every secret of this application is filed.
pub const KEYRING_SERVICE: &str = "sis-moodle-setup";

/// Which secret of a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SecretKind {
    OpensisToken,
    UserkeyToken,
    SisPassword,
    /// The passphrase of openSIS's web UI, used to encrypt the password at login.
    SisPassphrase,
}

impl SecretKind {
    pub const ALL: [SecretKind; 4] = [
        SecretKind::OpensisToken,
        SecretKind::UserkeyToken,
        SecretKind::SisPassword,
        SecretKind::SisPassphrase,
    ];

    fn key(self) -> &'static str {
        match self {
            SecretKind::OpensisToken => "opensis-token",
            SecretKind::UserkeyToken => "userkey-token",
            SecretKind::SisPassword => "sis-password",
            SecretKind::SisPassphrase => "sis-passphrase",
        }
    }
}

/// A secret value. `Debug` and `Display` print `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("the system keyring is not available ({0}); tokens can be kept for this session only")]
    Unavailable(String),
    #[error("the system keyring refused the operation: {0}")]
    Keyring(String),
}

/// A place for secrets, keyed by profile id and kind.
pub trait SecretStore: Send + Sync {
    fn get(&self, profile_id: &str, kind: SecretKind) -> Result<Option<Secret>, SecretError>;
    fn set(&self, profile_id: &str, kind: SecretKind, value: &Secret) -> Result<(), SecretError>;
    fn delete(&self, profile_id: &str, kind: SecretKind) -> Result<(), SecretError>;
    /// True when secrets survive the application (the keyring), false for session-only.
    fn is_persistent(&self) -> bool;

    /// Removes every secret of a profile (when the profile is deleted).
    fn delete_all(&self, profile_id: &str) -> Result<(), SecretError> {
        for kind in SecretKind::ALL {
            self.delete(profile_id, kind)?;
        }
        Ok(())
    }
}

/// The OS keyring: Secret Service on Linux, Keychain on macOS, Credential Manager on Windows.
#[derive(Debug, Clone)]
pub struct KeyringStore {
    service: String,
}

impl Default for KeyringStore {
    fn default() -> Self {
        Self {
            service: KEYRING_SERVICE.to_owned(),
        }
    }
}

fn keyring_error(e: keyring::Error) -> SecretError {
    match e {
        keyring::Error::NoStorageAccess(inner) => SecretError::Unavailable(inner.to_string()),
        keyring::Error::PlatformFailure(inner) => SecretError::Unavailable(inner.to_string()),
        other => SecretError::Keyring(other.to_string()),
    }
}

impl KeyringStore {
    /// A store under another keyring service name (tests use their own).
    pub fn with_service(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    fn entry(&self, profile_id: &str, kind: SecretKind) -> Result<keyring::Entry, SecretError> {
        keyring::Entry::new(&self.service, &format!("{profile_id}/{}", kind.key()))
            .map_err(keyring_error)
    }

    /// Writes, reads back and deletes a probe entry: tells whether the keyring works here.
    pub fn check_available(&self) -> Result<(), SecretError> {
        let probe = Secret::new("probe");
        self.set("availability-check", SecretKind::SisPassword, &probe)?;
        let read = self.get("availability-check", SecretKind::SisPassword)?;
        self.delete("availability-check", SecretKind::SisPassword)?;
        if read.as_ref() == Some(&probe) {
            Ok(())
        } else {
            Err(SecretError::Unavailable(
                "a value written could not be read back".into(),
            ))
        }
    }
}

impl SecretStore for KeyringStore {
    fn get(&self, profile_id: &str, kind: SecretKind) -> Result<Option<Secret>, SecretError> {
        match self.entry(profile_id, kind)?.get_password() {
            Ok(v) => Ok(Some(Secret::new(v))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keyring_error(e)),
        }
    }

    fn set(&self, profile_id: &str, kind: SecretKind, value: &Secret) -> Result<(), SecretError> {
        self.entry(profile_id, kind)?
            .set_password(value.expose())
            .map_err(keyring_error)
    }

    fn delete(&self, profile_id: &str, kind: SecretKind) -> Result<(), SecretError> {
        match self.entry(profile_id, kind)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keyring_error(e)),
        }
    }

    fn is_persistent(&self) -> bool {
        true
    }
}

/// Secrets kept in memory for this session only, when the keyring is unavailable and the
/// admin agreed. Gone when the application closes.
#[derive(Debug, Default)]
pub struct SessionStore {
    values: Mutex<HashMap<(String, SecretKind), Secret>>,
}

impl SessionStore {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<(String, SecretKind), Secret>> {
        self.values.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl SecretStore for SessionStore {
    fn get(&self, profile_id: &str, kind: SecretKind) -> Result<Option<Secret>, SecretError> {
        Ok(self.map().get(&(profile_id.to_owned(), kind)).cloned())
    }

    fn set(&self, profile_id: &str, kind: SecretKind, value: &Secret) -> Result<(), SecretError> {
        self.map()
            .insert((profile_id.to_owned(), kind), value.clone());
        Ok(())
    }

    fn delete(&self, profile_id: &str, kind: SecretKind) -> Result<(), SecretError> {
        self.map().remove(&(profile_id.to_owned(), kind));
        Ok(())
    }

    fn is_persistent(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?} {s}"), "*** ***");
    }

    #[test]
    fn session_store_round_trip_and_delete_all() {
        let store = SessionStore::default();
        store
            .set("p1", SecretKind::OpensisToken, &Secret::new("a"))
            .unwrap();
        store
            .set("p1", SecretKind::UserkeyToken, &Secret::new("b"))
            .unwrap();
        store
            .set("p2", SecretKind::OpensisToken, &Secret::new("c"))
            .unwrap();
        assert_eq!(
            store.get("p1", SecretKind::OpensisToken).unwrap(),
            Some(Secret::new("a"))
        );
        store.delete_all("p1").unwrap();
        assert_eq!(store.get("p1", SecretKind::UserkeyToken).unwrap(), None);
        assert_eq!(
            store.get("p2", SecretKind::OpensisToken).unwrap(),
            Some(Secret::new("c"))
        );
        assert!(!store.is_persistent());
    }

    /// Runs only where a Secret Service answers (CI starts one; see scripts/test.sh).
    #[test]
    fn keyring_round_trip_when_available() {
        if std::env::var_os("SIS_TEST_KEYRING").is_none() {
            return;
        }
        let store = KeyringStore::with_service("sis-moodle-setup-test");
        store
            .check_available()
            .expect("keyring available in this test run");
        let id = format!("test-{}", std::process::id());
        store
            .set(&id, SecretKind::OpensisToken, &Secret::new("0123abcd"))
            .unwrap();
        assert_eq!(
            store.get(&id, SecretKind::OpensisToken).unwrap(),
            Some(Secret::new("0123abcd"))
        );
        store.delete_all(&id).unwrap();
        assert_eq!(store.get(&id, SecretKind::OpensisToken).unwrap(), None);
    }
}
