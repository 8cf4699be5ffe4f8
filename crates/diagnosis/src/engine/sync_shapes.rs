// Owns: the requests shaped like openSIS's sync calls (sync_shapes.json, which the lab's capture
// tool reads too, so that every captured answer is to these very requests) and what each one
// carries. Must not: send them (observe.rs) or judge their answers (judge/sync_requests.rs).

use std::sync::LazyLock;

use serde::Deserialize;

/// The check that judges the answers to these requests (step 0).
pub const SYNC_REQUESTS_CHECK: &str = "site_sync_requests";

/// What a shaped request carries that the doctor's other requests do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carries {
    /// A student's name with accents and an apostrophe (Seán O'Brien-Núñez).
    Names,
    /// A course description written with formatting, a link and a picture.
    CourseHtml,
    /// A batch of 36 students in one request (about 10 KB).
    Batch,
}

/// One request shaped like a call of openSIS's sync, made so that Moodle refuses it at its
/// parameter check (a required field is left out): nothing is created.
#[derive(Debug)]
pub struct SyncShape {
    /// The probe's name, as the captures name their files (`sync_names`).
    pub probe: String,
    pub function: String,
    pub params: Vec<(String, String)>,
    pub carries: Carries,
}

impl SyncShape {
    /// The parameters as the client sends them (after the token and the function).
    pub fn form(&self) -> Vec<(&str, String)> {
        self.params
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect()
    }

    /// The size of the request's form body, without the token (about what openSIS sends).
    pub fn body_bytes(&self) -> usize {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        form.append_pair("wsfunction", &self.function);
        for (k, v) in &self.params {
            form.append_pair(k, v);
        }
        form.finish().len()
    }
}

#[derive(Deserialize)]
struct ShapesFile {
    probes: Vec<RawShape>,
}

#[derive(Deserialize)]
struct RawShape {
    probe: String,
    function: String,
    params: Vec<(String, String)>,
}

static SHAPES: LazyLock<Vec<SyncShape>> = LazyLock::new(|| {
    let file: ShapesFile = serde_json::from_str(include_str!("sync_shapes.json"))
        .expect("sync_shapes.json is valid (checked by a test)");
    file.probes
        .into_iter()
        .map(|raw| SyncShape {
            carries: match raw.probe.as_str() {
                "sync_names" => Carries::Names,
                "sync_course_html" => Carries::CourseHtml,
                "sync_batch" => Carries::Batch,
                other => panic!("sync_shapes.json: unknown probe {other}"),
            },
            probe: raw.probe,
            function: raw.function,
            params: raw.params,
        })
        .collect()
});

/// Every shaped request, in the order they are sent.
pub fn sync_shapes() -> &'static [SyncShape] {
    &SHAPES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_shape_leaves_out_a_field_moodle_requires_and_carries_what_it_says() {
        let shapes = sync_shapes();
        assert_eq!(shapes.len(), 3);
        let has = |s: &SyncShape, key: &str| s.params.iter().any(|(k, _)| k == key);
        for s in shapes {
            match s.function.as_str() {
                // username is required (VALUE_REQUIRED) in every user of core_user_create_users.
                "core_user_create_users" => {
                    assert!(has(s, "users[0][email]"), "{}", s.probe);
                    assert!(
                        !s.params.iter().any(|(k, _)| k.ends_with("[username]")),
                        "{}",
                        s.probe
                    );
                }
                // shortname and categoryid are required in every course.
                "core_course_create_courses" => {
                    assert!(has(s, "courses[0][fullname]"), "{}", s.probe);
                    assert!(!has(s, "courses[0][shortname]") && !has(s, "courses[0][categoryid]"));
                }
                other => panic!("{}: {other} is not a create function", s.probe),
            }
            let text: String = s.params.iter().map(|(_, v)| v.as_str()).collect();
            match s.carries {
                Carries::Names => assert!(!text.is_ascii() && text.contains('\'')),
                Carries::CourseHtml => assert!(text.contains("<a href=") && text.contains("<img ")),
                Carries::Batch => {
                    assert!(text.is_ascii());
                    assert!(s.body_bytes() > 8 * 1024, "{}", s.body_bytes());
                }
            }
            // Each but the batch stays under 1 KB, so a size limit is told from a rule.
            if s.carries != Carries::Batch {
                assert!(
                    s.body_bytes() < 1024 - 64,
                    "{}: {}",
                    s.probe,
                    s.body_bytes()
                );
            }
        }
    }
}
