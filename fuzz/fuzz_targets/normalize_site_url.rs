// Owns: fuzzing moodle_ws::normalize_site_url with pasted text; checks what a site root
// promises (http(s), a host, no credentials/query/fragment, stable when normalised again). Must not: do I/O.
#![no_main]

use libfuzzer_sys::fuzz_target;
use moodle_ws::{normalize_site_url, same_site};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(root) = normalize_site_url(text) else {
        return;
    };
    let url = root.as_url();
    assert!(matches!(url.scheme(), "http" | "https"));
    assert!(url.host_str().is_some_and(|h| !h.is_empty()));
    assert!(url.username().is_empty() && url.password().is_none());
    assert!(url.query().is_none() && url.fragment().is_none());
    assert!(url.path().ends_with('/'));
    let shown = root.to_string();
    assert_eq!(
        normalize_site_url(&shown).as_ref(),
        Ok(&root),
        "normalising {shown:?} again changed it"
    );
    assert!(same_site(&shown, text));
    let endpoint = root.endpoint("webservice/rest/server.php");
    assert!(
        endpoint.as_str().starts_with(url.as_str()),
        "{endpoint} is not below {url}"
    );
});
