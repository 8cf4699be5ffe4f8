// Owns: fuzzing the decoders of Moodle's answers added since the first round: user lists,
// login URLs, update warnings, site info, the user-key login page, key refusals, HTML error
// pages (title and error code), redirects and what answers in front of Moodle. Input: raw
// HTTP answers shaped like the captures. Must not: do I/O.
#![no_main]

use libfuzzer_sys::fuzz_target;
use moodle_ws::anon_probes::{classify_userkey_login_page, key_refusal};
use moodle_ws::client::RawAnswer;
use moodle_ws::envelope::preamble;
use moodle_ws::text::html_title;
use moodle_ws::envelope::decode_answer;
use moodle_ws::functions::decode_update_warnings;
use moodle_ws::{LoginUrl, SiteInfo, UserRecord, WsError};

#[path = "common/raw_answer.rs"]
mod raw_answer;
use raw_answer::RawInput;

/// What an admin reads of an error stays a sentence, whatever the answer held.
fn bounded(e: &WsError) {
    let text = e.to_string();
    assert!(
        text.chars().count() < 1000,
        "an error of {} chars",
        text.len()
    );
}

fuzz_target!(|data: &[u8]| {
    let raw = RawInput::parse(data);
    let (status, body) = (raw.status, raw.body);
    let answer = RawAnswer {
        status,
        content_type: raw.header("content-type").map(str::to_owned),
        location: raw.header("location").map(str::to_owned),
        redirect_by: raw.header("x-redirect-by").map(str::to_owned),
        via: raw.header("server").map(str::to_owned),
        server: raw.header("server").map(str::to_owned),
        www_authenticate: raw.header("www-authenticate").map(str::to_owned),
        set_cookie: raw.headers("set-cookie").map(str::to_owned).collect(),
        body: body.to_vec(),
    };
    let _ = answer.preamble();
    let _ = preamble(body);
    match answer.decode() {
        Ok(value) => {
            let errors = [
                decode_answer::<Vec<UserRecord>>("core_user_get_users_by_field", &value).err(),
                decode_answer::<LoginUrl>("auth_userkey_request_login_url", &value).err(),
                decode_answer::<SiteInfo>("core_webservice_get_site_info", &value).err(),
                decode_update_warnings(&value).err(),
            ];
            errors.iter().flatten().for_each(bounded);
        }
        Err(e) => {
            let _ = e.errorcode();
            bounded(&e);
        }
    }
    let text = String::from_utf8_lossy(body);
    let _ = classify_userkey_login_page(status, &text);
    let _ = key_refusal(&text);
    if let Some(title) = html_title(&text) {
        assert!(!title.contains('\n'));
    }
});
