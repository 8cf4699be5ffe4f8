//! The set-up automation: the set-up's steps done on a Moodle site as its administrator would
//! do them, through Moodle's own admin pages, each change read back, recorded and undoable.
//! Owns: signing in as a site administrator (a password, or the cookies of a sign-in done in a
//! browser window), the admin pages read back into settings, the plan, the changes made through
//! the same forms Moodle's own admin UI posts (with the session key), a run of the plan change
//! by change, and its undo. Must not: keep or log a password, change anything it was not asked
//! to, follow a redirect it did not expect, or decide what a finding means (the diagnosis does).

pub mod apply;
pub mod cookies;
pub mod error;
pub mod page;
pub mod password;
pub mod plan;
pub mod plugin_install;
pub mod record;
pub mod run;
pub mod session;
pub mod site_read;
pub mod snapshot;
pub mod undo;

pub use error::{AdminError, SignInRefusal};
pub use page::Page;
pub use password::Password;
pub use session::AdminSession;
