// Owns: the 31 web-service functions openSIS calls, which the `opensis` service must hold.
// Must not: be edited by hand in code; the list is data (data/required-functions.txt).

const LIST: &str = include_str!("../data/required-functions.txt");

/// The functions of the `opensis` service, in the seed's order.
pub fn required_functions() -> Vec<&'static str> {
    LIST.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
}

/// Functions provided by openSIS-Web-Services.zip rather than by Moodle itself.
pub fn is_web_services_plugin_function(name: &str) -> bool {
    name.starts_with("local_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_has_31_distinct_functions() {
        let list = required_functions();
        assert_eq!(list.len(), 31);
        let mut sorted = list.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 31);
        assert_eq!(
            list.iter()
                .filter(|f| is_web_services_plugin_function(f))
                .count(),
            6
        );
    }

    #[test]
    fn the_list_matches_the_shared_original_when_present() {
        let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/docs/required-functions.txt");
        if let Ok(text) = std::fs::read_to_string(shared) {
            assert_eq!(text, LIST);
        }
    }
}
