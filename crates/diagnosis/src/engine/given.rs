// Owns: what the admin gave the probes — the two tokens (one token typed in both fields is used
// once, as the opensis token), the e-mail, and whether a scheme was typed. Must not: send
// anything, or keep a token beyond the diagnosis.

use moodle_ws::WsToken;

use super::input::DiagnoseInput;

/// The tokens the probes use (swapped back when they were given the wrong way round) and the
/// admin's e-mail as given.
pub(super) struct Given {
    pub opensis: Option<WsToken>,
    pub userkey: Option<WsToken>,
    pub same_token_twice: bool,
    pub email: Option<String>,
}

impl Given {
    pub(super) fn from_input(input: &DiagnoseInput) -> Self {
        let same_token_twice =
            input.opensis_token.is_some() && input.opensis_token == input.userkey_token;
        Self {
            opensis: input.opensis_token.clone(),
            userkey: input.userkey_token.clone().filter(|_| !same_token_twice),
            same_token_twice,
            email: input
                .admin_email
                .as_deref()
                .map(str::trim)
                .map(str::to_owned),
        }
    }
}

/// Whether the typed address starts with a scheme of its own.
pub(super) fn scheme_typed(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}
