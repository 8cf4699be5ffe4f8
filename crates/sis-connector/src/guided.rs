// Owns: the guided entry — a step-by-step card for openSIS's LMS Settings page, as data, and
// its non-secret export. Must not: put a token into the export or into `Debug`/`Serialize`.

use moodle_ws::{SiteRoot, WsToken};
use serde::ser::SerializeStruct;
use serde::Serialize;

use crate::config::GuidedLabels;
use crate::preview::ConnectPreview;

/// A value the admin can copy from the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GuideField {
    MoodleUrl,
    OpensisToken,
    UserkeyToken,
}

impl GuideField {
    pub const ALL: [GuideField; 3] = [
        GuideField::MoodleUrl,
        GuideField::OpensisToken,
        GuideField::UserkeyToken,
    ];

    /// `moodle-url`, `opensis-token`, `userkey-token`.
    pub fn name(self) -> &'static str {
        match self {
            GuideField::MoodleUrl => "moodle-url",
            GuideField::OpensisToken => "opensis-token",
            GuideField::UserkeyToken => "userkey-token",
        }
    }

    /// Accepts the name with `-` or `_`, in any case.
    pub fn from_name(name: &str) -> Option<Self> {
        let wanted = name.trim().to_ascii_lowercase().replace('_', "-");
        Self::ALL.into_iter().find(|f| f.name() == wanted)
    }
}

/// The value of a step: text to show, or a token to copy but never show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepValue {
    Text(String),
    Secret(WsToken),
}

impl StepValue {
    /// The value itself, for the clipboard only.
    pub fn expose(&self) -> &str {
        match self {
            StepValue::Text(t) => t,
            StepValue::Secret(s) => s.expose(),
        }
    }

    pub fn is_secret(&self) -> bool {
        matches!(self, StepValue::Secret(_))
    }
}

/// One step of the card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuidedStep {
    pub number: u8,
    /// The field or button of openSIS's page, e.g. "Moodle URL".
    pub label: String,
    pub instruction: String,
    /// Which value this step needs, when it is one the admin types or pastes.
    pub field: Option<GuideField>,
    pub value: Option<StepValue>,
    /// True when the value is a token: shown masked, copied only on request.
    pub secret: bool,
}

impl GuidedStep {
    /// The value as it may be displayed: text, `*** (set)` or `(not set)`.
    pub fn display_value(&self) -> Option<String> {
        match (&self.value, self.secret) {
            (Some(StepValue::Text(t)), _) => Some(t.clone()),
            (Some(StepValue::Secret(_)), _) => Some("*** (set)".into()),
            (None, true) => Some("(not set)".into()),
            (None, false) => None,
        }
    }
}

impl Serialize for GuidedStep {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("GuidedStep", 7)?;
        st.serialize_field("number", &self.number)?;
        st.serialize_field("label", &self.label)?;
        st.serialize_field("instruction", &self.instruction)?;
        st.serialize_field("field", &self.field)?;
        st.serialize_field("secret", &self.secret)?;
        let shown = match &self.value {
            Some(StepValue::Text(t)) => Some(t.as_str()),
            _ => None,
        };
        st.serialize_field("value", &shown)?;
        st.serialize_field("value_set", &self.value.is_some())?;
        st.end()
    }
}

/// The whole card: which value goes in which field of openSIS's LMS Settings, then Connect and
/// Enable Synchronization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GuidedCard {
    pub profile_name: String,
    pub moodle_url: String,
    /// What Connect should show, when the preview ran.
    pub site: Option<ConnectPreview>,
    pub steps: Vec<GuidedStep>,
}

/// The part of the card that may be written to a file or shared: no token, not even masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GuidedExport {
    pub profile_name: String,
    pub moodle_url: String,
    pub site_name: Option<String>,
    pub release: Option<String>,
    pub version: Option<String>,
    /// Step labels and instructions; values only for non-secret steps.
    pub steps: Vec<ExportStep>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportStep {
    pub number: u8,
    pub label: String,
    pub instruction: String,
    pub value: Option<String>,
}

impl GuidedCard {
    pub fn build(
        labels: &GuidedLabels,
        profile_name: &str,
        root: &SiteRoot,
        opensis_token: Option<&WsToken>,
        userkey_token: Option<&WsToken>,
        site: Option<ConnectPreview>,
    ) -> Self {
        let token_step = |number: u8,
                          label: &str,
                          service: &str,
                          field: GuideField,
                          token: Option<&WsToken>| {
            GuidedStep {
            number,
            label: label.to_owned(),
            instruction: match token {
                Some(_) => format!(
                    "In \"{label}\", paste the token of the Moodle service \"{service}\"."
                ),
                None => format!(
                    "In \"{label}\", paste the token of the Moodle service \"{service}\" (not given here: copy it from Moodle's Site administration > Server > Web services > Manage tokens)."
                ),
            },
            field: Some(field),
            value: token.map(|t| StepValue::Secret(t.clone())),
            secret: true,
        }
        };
        let connect_instruction = match &site {
            Some(s) => format!(
                "Click \"{}\". openSIS should show Moodle {} (version {}). If it says \"authentication error\", run `sis-moodle-setup doctor`.",
                labels.connect_button, s.release, s.version
            ),
            None => format!(
                "Click \"{}\". openSIS should show Moodle's release and version. If it says \"authentication error\", run `sis-moodle-setup doctor`.",
                labels.connect_button
            ),
        };
        let steps = vec![
            GuidedStep {
                number: 1,
                label: labels.page.clone(),
                instruction: format!(
                    "Sign in to openSIS as the Super Administrator and open \"{}\" (other roles do not see it).",
                    labels.page
                ),
                field: None,
                value: None,
                secret: false,
            },
            GuidedStep {
                number: 2,
                label: labels.moodle_url.clone(),
                instruction: format!(
                    "In \"{}\", enter the Moodle address exactly as shown.",
                    labels.moodle_url
                ),
                field: Some(GuideField::MoodleUrl),
                value: Some(StepValue::Text(root.to_string())),
                secret: false,
            },
            token_step(
                3,
                &labels.opensis_token,
                "opensis",
                GuideField::OpensisToken,
                opensis_token,
            ),
            token_step(
                4,
                &labels.userkey_token,
                "User key authentication web service",
                GuideField::UserkeyToken,
                userkey_token,
            ),
            GuidedStep {
                number: 5,
                label: labels.connect_button.clone(),
                instruction: connect_instruction,
                field: None,
                value: site
                    .as_ref()
                    .map(|s| StepValue::Text(format!("{} ({})", s.release, s.version))),
                secret: false,
            },
            GuidedStep {
                number: 6,
                label: labels.sync_switch.clone(),
                instruction: format!(
                    "Switch on \"{}\" and save the page.",
                    labels.sync_switch
                ),
                field: None,
                value: None,
                secret: false,
            },
        ];
        Self {
            profile_name: profile_name.to_owned(),
            moodle_url: root.to_string(),
            site,
            steps,
        }
    }

    /// The value of one field, for the clipboard.
    pub fn value(&self, field: GuideField) -> Option<&StepValue> {
        self.steps
            .iter()
            .find(|s| s.field == Some(field))
            .and_then(|s| s.value.as_ref())
    }

    pub fn export(&self) -> GuidedExport {
        GuidedExport {
            profile_name: self.profile_name.clone(),
            moodle_url: self.moodle_url.clone(),
            site_name: self.site.as_ref().map(|s| s.site_name.clone()),
            release: self.site.as_ref().map(|s| s.release.clone()),
            version: self.site.as_ref().map(|s| s.version.clone()),
            steps: self
                .steps
                .iter()
                .map(|s| ExportStep {
                    number: s.number,
                    label: s.label.clone(),
                    instruction: s.instruction.clone(),
                    value: match &s.value {
                        Some(StepValue::Text(t)) if !s.secret => Some(t.clone()),
                        _ => None,
                    },
                })
                .collect(),
        }
    }

    /// The export as pretty JSON.
    pub fn export_json(&self) -> String {
        serde_json::to_string_pretty(&self.export()).unwrap_or_else(|_| "{}".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use moodle_ws::normalize_site_url;

    const OPENSIS: &str = "0123456789abcdef0123456789abcdef";
    const USERKEY: &str = "fedcba9876543210fedcba9876543210";

    fn card(site: Option<ConnectPreview>) -> GuidedCard {
        GuidedCard::build(
            &GuidedLabels::default(),
            "Lincoln High",
            &normalize_site_url("moodle.lincoln.edu/login/index.php").unwrap(),
            WsToken::new(OPENSIS).as_ref(),
            WsToken::new(USERKEY).as_ref(),
            site,
        )
    }

    fn preview() -> ConnectPreview {
        ConnectPreview {
            site_name: "Lincoln Moodle".into(),
            release: "4.5.1+ (Build: 20241213)".into(),
            version: "2024100701.02".into(),
            site_url: "https://moodle.lincoln.edu".into(),
        }
    }

    #[test]
    fn the_card_puts_each_value_in_its_field_in_order() {
        let c = card(Some(preview()));
        let labels: Vec<_> = c.steps.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "LMS Settings",
                "Moodle URL",
                "Moodle Token",
                "User Key Token",
                "Connect",
                "Enable Synchronization"
            ]
        );
        assert_eq!(
            c.value(GuideField::MoodleUrl),
            Some(&StepValue::Text("https://moodle.lincoln.edu".into()))
        );
        assert_eq!(c.value(GuideField::OpensisToken).unwrap().expose(), OPENSIS);
        assert_eq!(c.value(GuideField::UserkeyToken).unwrap().expose(), USERKEY);
        assert!(c.steps[2].secret && c.steps[3].secret && !c.steps[1].secret);
        assert!(c.steps[2].instruction.contains("\"opensis\""));
        assert!(c.steps[3]
            .instruction
            .contains("User key authentication web service"));
        assert!(c.steps[4].instruction.contains("4.5.1+ (Build: 20241213)"));
        assert!(c.steps[4].instruction.contains("2024100701.02"));
        assert!(c.steps[5].instruction.contains("Switch on"));
        assert_eq!(c.steps[2].display_value().unwrap(), "*** (set)");
    }

    #[test]
    fn no_token_in_debug_serialize_or_export() {
        let c = card(Some(preview()));
        let texts = [
            format!("{c:?}"),
            serde_json::to_string(&c).unwrap(),
            c.export_json(),
        ];
        for t in &texts {
            assert!(!t.contains(OPENSIS) && !t.contains(USERKEY), "{t}");
        }
        let export: serde_json::Value = serde_json::from_str(&c.export_json()).unwrap();
        assert_eq!(export["moodle_url"], "https://moodle.lincoln.edu");
        assert_eq!(export["profile_name"], "Lincoln High");
        assert_eq!(export["release"], "4.5.1+ (Build: 20241213)");
        assert_eq!(export["version"], "2024100701.02");
        assert_eq!(export["site_name"], "Lincoln Moodle");
        assert_eq!(export["steps"][2]["value"], serde_json::Value::Null);
        assert_eq!(export["steps"][1]["value"], "https://moodle.lincoln.edu");
    }

    #[test]
    fn missing_tokens_and_preview_are_said_plainly() {
        let c = GuidedCard::build(
            &GuidedLabels::default(),
            "p",
            &normalize_site_url("https://m.org").unwrap(),
            None,
            None,
            None,
        );
        assert_eq!(c.value(GuideField::OpensisToken), None);
        assert_eq!(c.steps[2].display_value().unwrap(), "(not set)");
        assert!(c.steps[2].instruction.contains("Manage tokens"));
        assert!(c.steps[4].instruction.contains("release and version"));
        assert_eq!(c.export().release, None);
        assert_eq!(
            GuideField::from_name("OPENSIS_token"),
            Some(GuideField::OpensisToken)
        );
        assert_eq!(GuideField::from_name("nope"), None);
    }
}
