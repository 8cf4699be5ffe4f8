// Owns: where the connection is saved — through openSIS's API, or as a guided card — and the
// order of a save: the Connect preview first, then the SIS. Must not: keep the password beyond
// the call that is given it.

use secrets::Secret;

use crate::api::OpenSisApi;
use crate::config::{GuidedLabels, OpenSisApiConfig, SisConfig, SisTargetKind};
use crate::connection::{LmsSettings, ValidatedConnection};
use crate::error::SisError;
use crate::guided::GuidedCard;
use crate::preview::connect_preview;
use crate::save_report::SaveReport;

/// Where the connection is saved.
#[derive(Debug, Clone)]
pub enum SisTarget {
    /// Through openSIS's API, signed in as the Super Administrator.
    OpenSisApi(Box<OpenSisApiConfig>),
    /// A card for the admin to type from; nothing is sent to the SIS.
    Guided(GuidedLabels),
}

/// How a save is run.
#[derive(Debug, Clone, Default)]
pub struct SaveOptions {
    /// The profile's name, printed on the guided card.
    pub profile_name: String,
    /// Skip the Connect preview against Moodle (not recommended).
    pub skip_preview: bool,
}

/// The result of [`SisTarget::save`].
#[derive(Debug, Clone)]
pub enum SaveOutcome {
    Saved(SaveReport),
    Guided(GuidedCard),
}

impl SisTarget {
    pub fn from_config(config: &SisConfig) -> Self {
        match config.target {
            SisTargetKind::OpensisApi => SisTarget::OpenSisApi(Box::new(config.api.clone())),
            SisTargetKind::Guided => SisTarget::Guided(config.guided.clone()),
        }
    }

    /// Previews Connect against Moodle, then saves through the API (password required) or builds
    /// the guided card. Nothing reaches the SIS when the preview fails.
    pub async fn save(
        &self,
        http: &reqwest::Client,
        connection: &ValidatedConnection,
        password: Option<&Secret>,
        options: &SaveOptions,
    ) -> Result<SaveOutcome, SisError> {
        let preview = if options.skip_preview {
            None
        } else {
            Some(connect_preview(http, &connection.root, &connection.opensis_token).await?)
        };
        match self {
            SisTarget::OpenSisApi(config) => {
                let password = password.ok_or(SisError::MissingPassword)?;
                let api = OpenSisApi::new(http.clone(), (**config).clone())?;
                let mut report = api.save(password, connection).await?;
                report.preview = preview;
                Ok(SaveOutcome::Saved(report))
            }
            SisTarget::Guided(labels) => Ok(SaveOutcome::Guided(GuidedCard::build(
                labels,
                &options.profile_name,
                &connection.root,
                Some(&connection.opensis_token),
                Some(&connection.userkey_token),
                preview,
            ))),
        }
    }

    /// What the SIS holds now; `None` for the guided target, which cannot read the SIS.
    pub async fn show(
        &self,
        http: &reqwest::Client,
        password: Option<&Secret>,
    ) -> Result<Option<LmsSettings>, SisError> {
        match self {
            SisTarget::OpenSisApi(config) => {
                let password = password.ok_or(SisError::MissingPassword)?;
                let api = OpenSisApi::new(http.clone(), (**config).clone())?;
                Ok(Some(api.show(password).await?))
            }
            SisTarget::Guided(_) => Ok(None),
        }
    }
}
