// Owns: fuzzing every decoder of openSIS's API answers (classification of the answer, the
// sign-in's token, name and role, the LMS settings) with raw HTTP answers. Must not: do I/O;
// a secret given to the decoders must never come back in their words.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use sis_connector::api::OpenSisApi;
use sis_connector::config::OpenSisApiConfig;

#[path = "common/raw_answer.rs"]
mod raw_answer;
use raw_answer::RawInput;

static API: LazyLock<OpenSisApi> = LazyLock::new(|| {
    let mut config = OpenSisApiConfig::default();
    config.api_url = "https://sis.example/api/".into();
    config.tenant = "demo".into();
    config.admin_email = "sa@sis.example".into();
    config.password_crypto.passphrase = Some("fuzz-passphrase".into());
    OpenSisApi::new(reqwest::Client::new(), config).expect("a valid configuration")
});

fuzz_target!(|data: &[u8]| {
    let raw = RawInput::parse(data);
    let content_type = raw.header("content-type").unwrap_or_default();
    for said in API.decode_for_fuzzing(raw.status, content_type, raw.body) {
        assert!(
            !said.contains("fuzz-secret-password"),
            "a secret in: {said}"
        );
    }
});
