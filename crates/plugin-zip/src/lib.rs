//! The two openSIS plugin ZIPs: downloaded, read and judged as Moodle's installer would.
//! Owns: plugin ZIP download and validation (step 3), as Moodle's installer would judge it.
//! Must not: extract outside a temp dir, or know about the CLI or the desktop app.

mod archive;
pub mod download;
pub mod moodle_version;
pub mod validate;
pub mod verdict;
pub mod version_php;

#[cfg(test)]
mod fixtures;

pub use download::{
    download_plugin, filename_from_content_disposition, sanitize_file_name, CancellationToken,
    DownloadError, DownloadOptions, DownloadOutcome, DownloadProgress, DEFAULT_MAX_DOWNLOAD_BYTES,
};
pub use moodle_version::{SiteVersion, SiteVersionError, VersionNumber};
pub use validate::{
    human_size, plugins_check_requires, validate_bytes, validate_path, ArchiveLimits,
    ValidateError, ValidateOptions,
};
pub use verdict::{
    missing_plugins, ExpectedPlugin, PluginVerdict, Problem, ProblemCode, Severity, VerdictStatus,
};
pub use version_php::{parse_version_php, Maturity, VersionPhp};
