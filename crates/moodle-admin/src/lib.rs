//! Moodle as its administrator sees it. Owns: signing in as a site administrator (a password, or
//! the cookies of a sign-in done in a browser window), the admin pages read back into settings,
//! and the set-up's changes made through the same forms Moodle's own admin UI posts, with the
//! session key. Must not: keep or log a password, change anything it was not asked to, follow a
//! redirect it did not expect, or decide what a finding means (the diagnosis does).

pub mod apply;
pub mod cookies;
pub mod error;
pub mod page;
pub mod password;
pub mod plan;
pub mod plugin_install;
pub mod record;
pub mod session;
pub mod site_read;
pub mod snapshot;
pub mod undo;

pub use error::{AdminError, SignInRefusal};
pub use page::Page;
pub use password::Password;
pub use session::AdminSession;
