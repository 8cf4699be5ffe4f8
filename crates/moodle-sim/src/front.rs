// Owns: conditions in front of Moodle that the demo can show — a proxy or captive portal
// answering instead of the site. They are not captures: each is marked as such wherever it
// is offered. Must not: pose as an answer of Moodle itself.

use serde::{Deserialize, Serialize};

use crate::replay::Answer;

/// Something between openSIS and Moodle (slowness is [`crate::MoodleSim::set_latency`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Front {
    /// A corporate proxy or captive portal answers every request with its own HTML page.
    ProxyPage,
}

impl Front {
    pub const ALL: [Front; 1] = [Front::ProxyPage];

    /// The stable name used on the command line and in the demo panel.
    pub fn name(self) -> &'static str {
        match self {
            Front::ProxyPage => "proxy_page",
        }
    }

    pub fn from_name(name: &str) -> Option<Front> {
        let name = name.trim().replace('-', "_");
        Front::ALL.into_iter().find(|f| f.name() == name)
    }

    pub fn description(self) -> &'static str {
        match self {
            Front::ProxyPage => {
                "A proxy or captive portal answers with its own sign-in page (made up for the \
                 demo, not a Moodle capture)"
            }
        }
    }

    pub(crate) fn answer(self) -> Answer {
        match self {
            Front::ProxyPage => Answer {
                status: 200,
                headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
                body: "<!DOCTYPE html>\n<html><head><title>Sign in to continue - Network Access</title></head>\
                       <body><h1>Sign in to continue</h1><p>Your network requires you to sign in before \
                       browsing.</p><form method=\"post\" action=\"/portal/login\"><input name=\"user\">\
                       <input name=\"password\" type=\"password\"></form></body></html>\n"
                    .into(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for f in Front::ALL {
            assert_eq!(Front::from_name(f.name()), Some(f));
        }
        assert_eq!(Front::from_name("proxy-page"), Some(Front::ProxyPage));
        assert_eq!(Front::from_name("nope"), None);
    }
}
