// Owns: fuzzing the plugin ZIP reader and validator with whole files (central directory,
// entries, version.php and language files inside). Must not: do I/O.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plugin_zip::{validate_bytes, ValidateOptions, VerdictStatus};

fuzz_target!(|data: &[u8]| {
    let verdict = validate_bytes(
        "openSIS-Moodle-User-Authenticator.zip",
        data,
        &ValidateOptions::default(),
    );
    assert_eq!(verdict.size, data.len() as u64);
    // A file is never accepted with an error among its problems.
    let errors = verdict
        .problems
        .iter()
        .filter(|p| p.severity == plugin_zip::Severity::Error)
        .count();
    assert!(
        errors == 0 || verdict.status == VerdictStatus::Refused,
        "{verdict:?}"
    );
    for p in &verdict.problems {
        assert!(!p.message.is_empty());
    }
});
