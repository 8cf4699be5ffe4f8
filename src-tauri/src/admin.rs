// Owns: the site administrator's session of "Set it up for me", held in memory only from the
// sign-in window to the sign-out, with the plan under review and the ZIP it needs; and the wait
// of a sign-in window under way. Must not: write the session anywhere, or end without a
// sign-out (replacing or dropping a held session signs it out).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use setup_automation::plan::Plan;
use setup_automation::{AdminError, AdminSession};
use tokio::sync::oneshot;

/// A signed-in administrator's session for one school, and what was planned through it.
pub struct AdminHold {
    pub profile_id: String,
    pub session: AdminSession,
    /// The plan shown for review (the one "Make these N changes" applies).
    pub plan: Option<Plan>,
    /// The validated auth_userkey ZIP the plan counted on (file name, bytes).
    pub userkey_zip: Option<(String, Vec<u8>)>,
}

impl std::fmt::Debug for AdminHold {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminHold")
            .field("profile_id", &self.profile_id)
            .field("session", &self.session)
            .field("planned", &self.plan.as_ref().map(|p| p.changes.len()))
            .finish()
    }
}

/// The one held session (at most one: a new sign-in signs the last one out).
#[derive(Default)]
pub struct AdminSlot {
    held: tokio::sync::Mutex<Option<AdminHold>>,
}

impl AdminSlot {
    /// Holds a new session; the one held before is signed out.
    pub async fn hold(&self, hold: AdminHold) {
        let before = self.held.lock().await.replace(hold);
        if let Some(old) = before {
            let _ = old.session.sign_out().await;
        }
    }

    /// The held session of this school, taken out (the caller signs it out or holds it again).
    pub async fn take(&self, profile_id: &str) -> Option<AdminHold> {
        let mut guard = self.held.lock().await;
        if guard.as_ref().is_some_and(|h| h.profile_id == profile_id) {
            guard.take()
        } else {
            None
        }
    }

    /// Holds a session again (after a plan), unless another was signed in meanwhile.
    pub async fn put_back(&self, hold: AdminHold) {
        let mut guard = self.held.lock().await;
        if guard.is_none() {
            *guard = Some(hold);
        } else {
            drop(guard);
            let _ = hold.session.sign_out().await;
        }
    }

    pub async fn is_signed_in(&self, profile_id: &str) -> bool {
        self.held
            .lock()
            .await
            .as_ref()
            .is_some_and(|h| h.profile_id == profile_id)
    }

    /// Signs the held session out (Moodle's own sign-out); whether there was one.
    pub async fn sign_out(&self) -> bool {
        let held = self.held.lock().await.take();
        match held {
            Some(h) => {
                let _ = h.session.sign_out().await;
                true
            }
            None => false,
        }
    }
}

/// How a sign-in window ended.
pub enum SignInEnd {
    SignedIn(Box<AdminSession>),
    /// Moodle said no, or the session could not be taken over.
    Refused(AdminError),
    /// The window was closed, or Cancel was pressed, before the sign-in ended.
    Cancelled,
}

/// The wait of a sign-in window under way: ended once, by whichever comes first.
pub struct SignInWait {
    /// The label of its window (each sign-in has its own window).
    pub label: String,
    tx: Mutex<Option<oneshot::Sender<SignInEnd>>>,
    /// A take-over of the window's session is under way.
    pub trying: AtomicBool,
    /// The window moved on while a take-over was under way (try again if that one was early).
    pub seen_again: AtomicBool,
}

impl SignInWait {
    pub fn new(label: String) -> (Self, oneshot::Receiver<SignInEnd>) {
        let (tx, rx) = oneshot::channel();
        (
            Self {
                label,
                tx: Mutex::new(Some(tx)),
                trying: AtomicBool::new(false),
                seen_again: AtomicBool::new(false),
            },
            rx,
        )
    }

    /// Ends the wait; `Err` gives the end back when it had ended already (a session is then
    /// the caller's to sign out).
    pub fn end(&self, end: SignInEnd) -> Result<(), SignInEnd> {
        let tx = self.tx.lock().unwrap_or_else(|p| p.into_inner()).take();
        match tx {
            Some(tx) => tx.send(end),
            None => Err(end),
        }
    }

    pub fn ended(&self) -> bool {
        self.tx.lock().unwrap_or_else(|p| p.into_inner()).is_none()
    }

    pub fn start_trying(&self) -> bool {
        !self.trying.swap(true, Ordering::SeqCst)
    }
}
