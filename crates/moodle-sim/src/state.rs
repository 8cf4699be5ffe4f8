// Owns: the simulated site's data — users, services, functions, tokens, login keys, faults.
// Must not: know about HTTP; handlers read and change it through these methods.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::{Duration, Instant};

use rand::Rng;

use crate::fault::Fault;

/// The 31 functions of the `opensis` service, shared with the set-up domain.
pub(crate) const REQUIRED_FUNCTIONS: &str =
    include_str!("../../setup-core/data/required-functions.txt");

/// A function that exists on every Moodle but is not part of the `opensis` service.
pub(crate) const CORE_EXTRA_FUNCTION: &str = "core_course_get_categories";

/// The functions a careless admin forgot to add (as on the recorded site).
fn forgotten_functions() -> impl Iterator<Item = &'static str> {
    REQUIRED_FUNCTIONS
        .lines()
        .map(str::trim)
        .filter(|f| f.starts_with("local_") || f.starts_with("auth_userkey_"))
}

/// auth_userkey's "User key life time" as the guide asks for it.
pub(crate) const LOGIN_KEY_LIFETIME: Duration = Duration::from_secs(120);

#[derive(Debug, Clone)]
pub(crate) struct User {
    pub id: i64,
    pub username: &'static str,
    pub firstname: &'static str,
    pub lastname: &'static str,
    pub email: &'static str,
    pub site_admin: bool,
}

pub(crate) const ADMIN: User = User {
    id: 2,
    username: "admin",
    firstname: "Admin",
    lastname: "User",
    email: "admin@example.org",
    site_admin: true,
};

pub(crate) const TEACHER: User = User {
    id: 3,
    username: "teacher",
    firstname: "Terry",
    lastname: "Teacher",
    email: "teacher@example.org",
    site_admin: false,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Service {
    /// The `opensis` external service made in steps 9, 10 and 14.
    Opensis,
    /// auth_userkey's own "User key authentication web service".
    Userkey,
}

pub(crate) struct SimState {
    pub faults: BTreeSet<Fault>,
    pub port: u16,
    pub opensis_token: String,
    pub userkey_token: String,
    /// Tokens Moodle deleted after answering that they had expired.
    pub deleted_tokens: HashSet<String>,
    pub login_keys: HashMap<String, (i64, Instant)>,
    /// How long a login key stays valid ("User key life time").
    pub key_lifetime: Duration,
}

/// What a token stands for, after the faults are applied.
pub(crate) struct TokenInfo {
    pub service: Service,
    pub user: User,
    pub expired: bool,
}

pub(crate) fn random_hex32() -> String {
    let bytes: [u8; 16] = rand::thread_rng().gen();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl SimState {
    pub fn new(faults: impl IntoIterator<Item = Fault>) -> Self {
        Self {
            faults: faults.into_iter().collect(),
            port: 0,
            opensis_token: random_hex32(),
            userkey_token: random_hex32(),
            deleted_tokens: HashSet::new(),
            login_keys: HashMap::new(),
            key_lifetime: LOGIN_KEY_LIFETIME,
        }
    }

    pub fn has(&self, fault: Fault) -> bool {
        self.faults.contains(&fault)
    }

    pub fn set_fault(&mut self, fault: Fault, on: bool) {
        if on {
            self.faults.insert(fault);
        } else {
            self.faults.remove(&fault);
            if fault == Fault::OpensisTokenExpired {
                self.deleted_tokens.clear();
            }
        }
    }

    pub fn wwwroot(&self) -> String {
        if self.has(Fault::WwwrootDiffers) {
            format!("http://localhost:{}", self.port)
        } else {
            format!("http://127.0.0.1:{}", self.port)
        }
    }

    pub fn token(&self, token: &str) -> Option<TokenInfo> {
        if self.deleted_tokens.contains(token) {
            return None;
        }
        if token == self.opensis_token {
            Some(TokenInfo {
                service: Service::Opensis,
                user: if self.has(Fault::OpensisTokenNotAdmin) {
                    TEACHER
                } else {
                    ADMIN
                },
                expired: self.has(Fault::OpensisTokenExpired),
            })
        } else if token == self.userkey_token && !self.has(Fault::UserkeyNotInstalled) {
            Some(TokenInfo {
                service: Service::Userkey,
                user: ADMIN,
                expired: false,
            })
        } else {
            None
        }
    }

    pub fn service_enabled(&self, service: Service) -> bool {
        match service {
            Service::Opensis => !self.has(Fault::ServiceDisabled),
            Service::Userkey => true,
        }
    }

    /// Whether "Authorised users only" keeps this user out of the service.
    pub fn user_refused_by_service(&self, service: Service, user: &User) -> bool {
        match service {
            Service::Opensis => self.has(Fault::AuthorisedUsersOnly),
            Service::Userkey => user.id != ADMIN.id || self.has(Fault::AdminNotAuthorisedOnUserkey),
        }
    }

    /// Whether a function is installed on the site at all.
    pub fn function_exists(&self, name: &str) -> bool {
        if name.starts_with("local_get_") {
            return !self.has(Fault::WebServicesPluginNotInstalled)
                && REQUIRED_FUNCTIONS.lines().any(|l| l.trim() == name);
        }
        if name.starts_with("auth_userkey_") {
            return !self.has(Fault::UserkeyNotInstalled)
                && name == "auth_userkey_request_login_url";
        }
        name == CORE_EXTRA_FUNCTION || REQUIRED_FUNCTIONS.lines().any(|l| l.trim() == name)
    }

    /// The functions of a service that exist on the site, in the order they were added.
    pub fn service_functions(&self, service: Service) -> Vec<&'static str> {
        let names: Vec<&'static str> = match service {
            Service::Opensis => {
                let forgotten: Vec<&str> = if self.has(Fault::FunctionsNotAdded) {
                    forgotten_functions().collect()
                } else {
                    Vec::new()
                };
                REQUIRED_FUNCTIONS
                    .lines()
                    .map(str::trim)
                    .filter(|f| !f.is_empty() && !forgotten.contains(f))
                    .collect()
            }
            Service::Userkey => vec!["auth_userkey_request_login_url"],
        };
        names
            .into_iter()
            .filter(|f| self.function_exists(f))
            .collect()
    }

    pub fn user_by_email(&self, email: &str) -> Option<User> {
        [ADMIN, TEACHER]
            .into_iter()
            .find(|u| u.email.eq_ignore_ascii_case(email.trim()))
    }

    pub fn user_by_id(&self, id: i64) -> Option<User> {
        [ADMIN, TEACHER].into_iter().find(|u| u.id == id)
    }

    /// Issues a new one-time key for a user, replacing the user's earlier one.
    pub fn issue_login_key(&mut self, user_id: i64) -> String {
        self.login_keys.retain(|_, (uid, _)| *uid != user_id);
        let key = random_hex32();
        self.login_keys
            .insert(key.clone(), (user_id, Instant::now()));
        key
    }

    /// Uses a key once: valid and fresh keys log in, and are gone afterwards.
    pub fn redeem_login_key(&mut self, key: &str) -> bool {
        if self.has(Fault::LoginKeyRejected) {
            return false;
        }
        match self.login_keys.remove(key) {
            Some((_, issued)) => issued.elapsed() <= self.key_lifetime,
            None => false,
        }
    }
}
