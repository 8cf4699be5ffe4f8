// Owns: fuzzing the version.php reader (and the component finder) on its own. Must not: do
// I/O.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plugin_zip::parse_version_php;
use plugin_zip::version_php::find_component;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parsed = parse_version_php(&text);
    let _ = format!("{parsed:?}");
    if let Some(component) = find_component(&text) {
        assert!(!component.is_empty());
    }
});
