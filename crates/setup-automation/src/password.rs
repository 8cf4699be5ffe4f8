// Owns: the admin's password while one sign-in uses it. Must not: be printed, logged or kept.

use std::fmt;

/// A password, only in memory and only for the sign-in that uses it. `Debug` prints `***`.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn new(raw: impl Into<String>) -> Self {
        Self(raw.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_password() {
        let p = Password::new("Admin#Lab2024");
        assert_eq!(format!("{p:?}"), "***");
        assert!(!format!("{:?}", Some(p)).contains("Lab"));
    }
}
