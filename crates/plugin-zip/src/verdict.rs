// Owns: the verdict on one plugin ZIP (status, problems with stable codes) and which of the
// two openSIS plugins a set of verdicts still lacks. Must not: read files or print anything.

use serde::Serialize;

use super::moodle_version::VersionNumber;
use super::version_php::Maturity;

/// The two plugins openSIS offers on its LMS Settings page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ExpectedPlugin {
    /// `openSIS-Moodle-User-Authenticator.zip`, component `auth_userkey`.
    UserAuthenticator,
    /// `openSIS-Web-Services.zip`, a `local_*` plugin with the `local_get_*` functions.
    WebServices,
}

impl ExpectedPlugin {
    pub const ALL: [ExpectedPlugin; 2] = [Self::UserAuthenticator, Self::WebServices];

    /// The name openSIS gives the plugin, e.g. "openSIS-Moodle-User-Authenticator".
    pub fn display_name(self) -> &'static str {
        match self {
            Self::UserAuthenticator => "openSIS-Moodle-User-Authenticator",
            Self::WebServices => "openSIS-Web-Services",
        }
    }

    /// The file name openSIS offers for download.
    pub fn zip_name(self) -> &'static str {
        match self {
            Self::UserAuthenticator => "openSIS-Moodle-User-Authenticator.zip",
            Self::WebServices => "openSIS-Web-Services.zip",
        }
    }

    /// The component as it can be described before seeing the file.
    pub fn component_hint(self) -> &'static str {
        match self {
            Self::UserAuthenticator => "auth_userkey",
            Self::WebServices => "local_…",
        }
    }

    /// Which expected plugin a component is, if any.
    pub fn for_component(component: &str) -> Option<Self> {
        match component.split_once('_') {
            _ if component == "auth_userkey" => Some(Self::UserAuthenticator),
            Some(("local", name)) if !name.is_empty() => Some(Self::WebServices),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

/// Stable identifiers of the problems found in a plugin ZIP (snake_case in JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ProblemCode {
    // The file itself.
    EmptyFile,
    NotAZip,
    HtmlInsteadOfZip,
    Truncated,
    CorruptZip,
    DamagedEntry,
    UnsupportedCompression,
    // Hostile or unsafe entries.
    ZipSlip,
    AbsolutePath,
    BackslashPath,
    BadEntryName,
    Symlink,
    Encrypted,
    DuplicateEntry,
    ZipBomb,
    TooLargeUncompressed,
    TooManyEntries,
    // Layout, as the installer checks it.
    TwoRootFolders,
    MacosxFolder,
    NoRootFolder,
    TooFewFiles,
    MissingVersionPhp,
    VersionPhpTooLarge,
    MissingVersion,
    OldModuleSyntax,
    MissingComponent,
    InvalidComponent,
    ComponentMismatchType,
    RootFolderRenamed,
    MissingLangFile,
    // Against the site and the set-up.
    RequiresNewerMoodle,
    MayRequireNewerMoodle,
    OutsideSupportedRange,
    MaturityNotStable,
    WrongPlugin,
    NoWebServiceFunctions,
    // How it was obtained.
    InsecureDownload,
}

impl ProblemCode {
    /// The snake_case code, as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EmptyFile => "empty_file",
            Self::NotAZip => "not_a_zip",
            Self::HtmlInsteadOfZip => "html_instead_of_zip",
            Self::Truncated => "truncated",
            Self::CorruptZip => "corrupt_zip",
            Self::DamagedEntry => "damaged_entry",
            Self::UnsupportedCompression => "unsupported_compression",
            Self::ZipSlip => "zip_slip",
            Self::AbsolutePath => "absolute_path",
            Self::BackslashPath => "backslash_path",
            Self::BadEntryName => "bad_entry_name",
            Self::Symlink => "symlink",
            Self::Encrypted => "encrypted",
            Self::DuplicateEntry => "duplicate_entry",
            Self::ZipBomb => "zip_bomb",
            Self::TooLargeUncompressed => "too_large_uncompressed",
            Self::TooManyEntries => "too_many_entries",
            Self::TwoRootFolders => "two_root_folders",
            Self::MacosxFolder => "macosx_folder",
            Self::NoRootFolder => "no_root_folder",
            Self::TooFewFiles => "too_few_files",
            Self::MissingVersionPhp => "missing_version_php",
            Self::VersionPhpTooLarge => "version_php_too_large",
            Self::MissingVersion => "missing_version",
            Self::OldModuleSyntax => "old_module_syntax",
            Self::MissingComponent => "missing_component",
            Self::InvalidComponent => "invalid_component",
            Self::ComponentMismatchType => "component_mismatch_type",
            Self::RootFolderRenamed => "root_folder_renamed",
            Self::MissingLangFile => "missing_lang_file",
            Self::RequiresNewerMoodle => "requires_newer_moodle",
            Self::MayRequireNewerMoodle => "may_require_newer_moodle",
            Self::OutsideSupportedRange => "outside_supported_range",
            Self::MaturityNotStable => "maturity_not_stable",
            Self::WrongPlugin => "wrong_plugin",
            Self::NoWebServiceFunctions => "no_web_service_functions",
            Self::InsecureDownload => "insecure_download",
        }
    }
}

impl std::fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing wrong with a file, in words for a school admin, saying what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Problem {
    pub severity: Severity,
    pub code: ProblemCode,
    pub message: String,
}

impl Problem {
    pub fn error(code: ProblemCode, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            code,
            message: message.into(),
        }
    }

    pub fn warning(code: ProblemCode, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            code,
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum VerdictStatus {
    Valid,
    ValidWithWarnings,
    Refused,
}

/// The verdict on one plugin ZIP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PluginVerdict {
    /// The file's name (no directory).
    pub file: String,
    /// Lower-case hex SHA-256 of the whole file.
    pub sha256: String,
    pub size: u64,
    /// The single folder at the top of the ZIP, when there is one to speak of.
    pub root_folder: Option<String>,
    /// `$plugin->component`, e.g. `auth_userkey`.
    pub component: Option<String>,
    /// Which of the two openSIS plugins this is; `None` for anything else.
    pub expected: Option<ExpectedPlugin>,
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub version: Option<VersionNumber>,
    pub release: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub requires: Option<VersionNumber>,
    /// `$plugin->supported`, the lowest and highest branch codes.
    pub supported: Option<(u32, u32)>,
    /// The Moodle versions `supported` declares, in words, and where the site stands: set
    /// when `supported` is declared and no `outside_supported_range` warning says it already.
    pub supported_note: Option<String>,
    pub maturity: Option<Maturity>,
    pub status: VerdictStatus,
    pub problems: Vec<Problem>,
}

impl PluginVerdict {
    pub(crate) fn new(file: String, sha256: String, size: u64) -> Self {
        Self {
            file,
            sha256,
            size,
            root_folder: None,
            component: None,
            expected: None,
            version: None,
            release: None,
            requires: None,
            supported: None,
            supported_note: None,
            maturity: None,
            status: VerdictStatus::Valid,
            problems: Vec::new(),
        }
    }

    /// Adds a problem and updates the status.
    pub fn push(&mut self, problem: Problem) {
        self.problems.push(problem);
        self.status = status_of(&self.problems);
    }

    /// Whether the file can be uploaded to Moodle (possibly with warnings).
    pub fn is_valid(&self) -> bool {
        self.status != VerdictStatus::Refused
    }

    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Problem> {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Warning)
    }

    pub fn has(&self, code: ProblemCode) -> bool {
        self.problems.iter().any(|p| p.code == code)
    }
}

fn status_of(problems: &[Problem]) -> VerdictStatus {
    if problems.iter().any(|p| p.severity == Severity::Error) {
        VerdictStatus::Refused
    } else if problems.is_empty() {
        VerdictStatus::Valid
    } else {
        VerdictStatus::ValidWithWarnings
    }
}

/// The expected plugins for which no accepted (valid, possibly with warnings) file is among
/// `verdicts`, in the order of [`ExpectedPlugin::ALL`].
pub fn missing_plugins(verdicts: &[PluginVerdict]) -> Vec<ExpectedPlugin> {
    ExpectedPlugin::ALL
        .into_iter()
        .filter(|wanted| {
            !verdicts
                .iter()
                .any(|v| v.is_valid() && v.expected == Some(*wanted))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(expected: Option<ExpectedPlugin>, refused: bool) -> PluginVerdict {
        let mut v = PluginVerdict::new("x.zip".into(), String::new(), 1);
        v.expected = expected;
        if refused {
            v.push(Problem::error(ProblemCode::TwoRootFolders, "two roots"));
        }
        v
    }

    #[test]
    fn components_map_to_expected_plugins() {
        assert_eq!(
            ExpectedPlugin::for_component("auth_userkey"),
            Some(ExpectedPlugin::UserAuthenticator)
        );
        assert_eq!(
            ExpectedPlugin::for_component("local_opensis"),
            Some(ExpectedPlugin::WebServices)
        );
        assert_eq!(ExpectedPlugin::for_component("auth_manual"), None);
        assert_eq!(ExpectedPlugin::for_component("mod_forum"), None);
        assert_eq!(ExpectedPlugin::for_component("local_"), None);
    }

    #[test]
    fn missing_plugins_ignores_refused_files() {
        assert_eq!(missing_plugins(&[]), ExpectedPlugin::ALL.to_vec());
        let found = [verdict(Some(ExpectedPlugin::UserAuthenticator), false)];
        assert_eq!(missing_plugins(&found), vec![ExpectedPlugin::WebServices]);
        let refused = [verdict(Some(ExpectedPlugin::WebServices), true)];
        assert_eq!(missing_plugins(&refused), ExpectedPlugin::ALL.to_vec());
        let both = [
            verdict(Some(ExpectedPlugin::WebServices), false),
            verdict(None, true),
            verdict(Some(ExpectedPlugin::UserAuthenticator), false),
        ];
        assert!(missing_plugins(&both).is_empty());
    }

    #[test]
    fn status_follows_severity_and_codes_serialize_snake_case() {
        let mut v = verdict(None, false);
        assert_eq!(v.status, VerdictStatus::Valid);
        v.push(Problem::warning(ProblemCode::RootFolderRenamed, "renamed"));
        assert_eq!(v.status, VerdictStatus::ValidWithWarnings);
        v.push(Problem::error(ProblemCode::ZipSlip, "slip"));
        assert_eq!(v.status, VerdictStatus::Refused);
        let json = serde_json::to_value(&v).expect("serializes");
        assert_eq!(json["status"], "refused");
        assert_eq!(json["problems"][1]["code"], "zip_slip");
        assert_eq!(json["problems"][1]["severity"], "error");
        for code in [
            ProblemCode::HtmlInsteadOfZip,
            ProblemCode::TwoRootFolders,
            ProblemCode::OutsideSupportedRange,
        ] {
            let serialized = serde_json::to_value(code).expect("serializes");
            assert_eq!(serialized, code.as_str());
        }
    }
}
