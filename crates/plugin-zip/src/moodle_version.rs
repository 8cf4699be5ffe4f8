// Owns: Moodle version numbers (2024100711.02), branch codes (405) and the site's version.
// Must not: read files or the network; it only parses and compares what it is given.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

/// A Moodle version number such as `2022081901` or `2024100711.02`: an integer with an
/// optional decimal part, compared numerically (`2024100700` equals `2024100700.00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VersionNumber {
    whole: u64,
    /// The decimal part scaled to millionths; Moodle only ever uses two digits.
    millionths: u32,
}

const FRACTION_DIGITS: usize = 6;

impl VersionNumber {
    /// Parses `\d+(\.\d+)?`, the form Moodle's validator accepts in `version.php`.
    pub fn parse(text: &str) -> Option<Self> {
        let (whole, fraction) = match text.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (text, None),
        };
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let whole: u64 = whole.parse().ok()?;
        let millionths = match fraction {
            None => 0,
            Some(f) if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) => return None,
            Some(f) => {
                let mut digits: String = f.chars().take(FRACTION_DIGITS).collect();
                while digits.len() < FRACTION_DIGITS {
                    digits.push('0');
                }
                digits.parse().ok()?
            }
        };
        Some(Self { whole, millionths })
    }

    /// The integer part, e.g. `2024100711` for `2024100711.02`.
    pub fn whole(&self) -> u64 {
        self.whole
    }

    /// The Moodle branch this core version number belongs to, e.g. 405 for `2024100711.02`.
    /// `None` for numbers older than the oldest branch this crate knows.
    pub fn branch(&self) -> Option<u32> {
        BRANCHES
            .iter()
            .rev()
            .find(|(_, base)| self.whole >= *base)
            .map(|(branch, _)| *branch)
    }
}

impl Ord for VersionNumber {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.whole, self.millionths).cmp(&(other.whole, other.millionths))
    }
}

impl PartialOrd for VersionNumber {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for VersionNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.millionths == 0 {
            return write!(f, "{}", self.whole);
        }
        let fraction = format!("{:0width$}", self.millionths, width = FRACTION_DIGITS);
        let fraction = fraction.trim_end_matches('0');
        // Keep at least two decimals, as Moodle writes them (`.02`, `.10`).
        write!(f, "{}.{:0<2}", self.whole, fraction)
    }
}

impl Serialize for VersionNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Branch codes as Moodle writes them (`$plugin->supported`, `$branch`) and the core version
/// number each branch's first release carried. Ordered by version.
const BRANCHES: &[(u32, u64)] = &[
    (30, 2015111600),
    (31, 2016052300),
    (32, 2016120500),
    (33, 2017051500),
    (34, 2017111300),
    (35, 2018051700),
    (36, 2018120300),
    (37, 2019052000),
    (38, 2019111800),
    (39, 2020061500),
    (310, 2020110900),
    (311, 2021051700),
    (400, 2022041900),
    (401, 2022112800),
    (402, 2023042400),
    (403, 2023100900),
    (404, 2024042200),
    (405, 2024100700),
    (500, 2025041400),
    (501, 2025100600),
];

/// The branch code for a release's major and minor numbers: 3.3 → 33, 3.10 → 310, 4.5 → 405.
pub fn branch_code(major: u32, minor: u32) -> u32 {
    if major < 4 && minor < 10 {
        major * 10 + minor
    } else {
        major * 100 + minor
    }
}

/// The release name of a branch code: 33 → "3.3", 310 → "3.10", 405 → "4.5".
pub fn branch_name(branch: u32) -> String {
    if branch < 100 {
        format!("{}.{}", branch / 10, branch % 10)
    } else {
        format!("{}.{}", branch / 100, branch % 100)
    }
}

/// The core version number of a branch's first release, when this crate knows the branch.
pub fn branch_base_version(branch: u32) -> Option<u64> {
    BRANCHES
        .iter()
        .find(|(b, _)| *b == branch)
        .map(|(_, base)| *base)
}

/// The first known branch after `branch`, with its base version.
fn next_branch(branch: u32) -> Option<(u32, u64)> {
    BRANCHES.iter().copied().find(|(b, _)| *b > branch)
}

/// The newest branch this crate knows; anything newer is treated as "newer than that".
fn newest_known_branch() -> (u32, u64) {
    // The table is a non-empty constant.
    BRANCHES.last().copied().unwrap_or((501, 2025100600))
}

/// What is known about the Moodle site a plugin is meant for: its exact version number
/// (from site info or the admin), its release (e.g. "4.5.1+ (Build: 20241011)"), or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SiteVersion {
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub version: Option<VersionNumber>,
    pub release: Option<String>,
    /// The branch code, e.g. 405, from the release or else from the version number.
    pub branch: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "\"{input}\" is neither a Moodle version number (like 2024100711.02) nor a release (like 4.5)"
)]
pub struct SiteVersionError {
    pub input: String,
}

impl SiteVersion {
    /// Parses what an admin types: a version number (`2024100711.02`, ten digits before the
    /// dot) or a release (`4.5`, `4.5.1+`, `4.5.1+ (Build: 20241011)`).
    pub fn parse(input: &str) -> Result<Self, SiteVersionError> {
        let text = input.trim();
        let text = text
            .strip_prefix("Moodle ")
            .or_else(|| text.strip_prefix("moodle "))
            .unwrap_or(text)
            .trim();
        let whole_digits = text.split('.').next().map_or(0, str::len);
        if whole_digits >= 10 {
            if let Some(version) = VersionNumber::parse(text) {
                return Ok(Self {
                    version: Some(version),
                    release: None,
                    branch: version.branch(),
                });
            }
        }
        if let Some(branch) = release_branch(text) {
            return Ok(Self {
                version: None,
                release: Some(text.to_owned()),
                branch: Some(branch),
            });
        }
        Err(SiteVersionError {
            input: input.to_owned(),
        })
    }

    /// Builds from the `version` and `release` fields of `core_webservice_get_site_info`;
    /// either may be empty.
    pub fn from_site_info(version: &str, release: &str) -> Option<Self> {
        let version = VersionNumber::parse(version.trim());
        let release = Some(release.trim().to_owned()).filter(|r| !r.is_empty());
        let branch = release
            .as_deref()
            .and_then(release_branch)
            .or_else(|| version.and_then(|v| v.branch()));
        if version.is_none() && branch.is_none() {
            return None;
        }
        Some(Self {
            version,
            release,
            branch,
        })
    }

    /// How the site is named in messages: "Moodle 4.5 (2024100711.02)".
    pub fn describe(&self) -> String {
        let name = match (&self.release, self.branch) {
            (Some(release), _) => format!("Moodle {release}"),
            (None, Some(branch)) => format!("Moodle {}", branch_name(branch)),
            (None, None) => "Moodle".to_owned(),
        };
        match self.version {
            Some(version) => format!("{name} ({version})"),
            None => name,
        }
    }

    /// Whether a plugin requiring `requires` can install on this site.
    pub fn accepts(&self, requires: VersionNumber) -> RequiresCheck {
        if let Some(version) = self.version {
            return if requires <= version {
                RequiresCheck::Met
            } else {
                RequiresCheck::NotMet
            };
        }
        let Some(branch) = self.branch else {
            return RequiresCheck::Unknown;
        };
        let (newest, newest_base) = newest_known_branch();
        if branch > newest {
            return if requires.whole() <= newest_base {
                RequiresCheck::Met
            } else {
                RequiresCheck::Unknown
            };
        }
        let Some(base) = branch_base_version(branch) else {
            return RequiresCheck::Unknown;
        };
        if requires.whole() <= base {
            return RequiresCheck::Met;
        }
        match next_branch(branch) {
            Some((_, next_base)) if requires.whole() >= next_base => RequiresCheck::NotMet,
            _ => RequiresCheck::MaybeNewerPointRelease,
        }
    }
}

impl FromStr for SiteVersion {
    type Err = SiteVersionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// The outcome of comparing `$plugin->requires` with the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequiresCheck {
    Met,
    NotMet,
    /// Only the site's branch is known and the plugin needs a later point release of it.
    MaybeNewerPointRelease,
    Unknown,
}

/// The branch code of a release string's leading `major.minor`.
fn release_branch(release: &str) -> Option<u32> {
    let mut parts = release.splitn(3, '.');
    let major: u32 = parts.next()?.trim().parse().ok()?;
    let minor_text: String = parts
        .next()?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let minor: u32 = minor_text.parse().ok()?;
    if !(1..=99).contains(&major) || minor > 99 {
        return None;
    }
    Some(branch_code(major, minor))
}

/// The release a core version number first shipped in, for messages: 2022112800 → "4.1".
pub fn release_for_version(version: VersionNumber) -> Option<String> {
    version.branch().map(branch_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> VersionNumber {
        VersionNumber::parse(text).expect("valid version")
    }

    #[test]
    fn version_numbers_compare_numerically() {
        assert!(v("2024100711.02") > v("2024100711"));
        assert!(v("2024100711.02") < v("2024100711.10"));
        assert_eq!(v("2024100700"), v("2024100700.00"));
        assert!(v("2017111300") < v("2024100700"));
        assert_eq!(v("2024100711.02").to_string(), "2024100711.02");
        assert_eq!(v("2024100711.1").to_string(), "2024100711.10");
        assert_eq!(v("2022081901").to_string(), "2022081901");
        assert!(VersionNumber::parse("").is_none());
        assert!(VersionNumber::parse("20x").is_none());
        assert!(VersionNumber::parse("1.").is_none());
        assert!(VersionNumber::parse("-1").is_none());
    }

    #[test]
    fn branches_follow_moodle_numbering() {
        assert_eq!(branch_code(3, 3), 33);
        assert_eq!(branch_code(3, 10), 310);
        assert_eq!(branch_code(4, 0), 400);
        assert_eq!(branch_code(4, 5), 405);
        assert_eq!(branch_name(33), "3.3");
        assert_eq!(branch_name(310), "3.10");
        assert_eq!(branch_name(405), "4.5");
        assert_eq!(v("2024100711.02").branch(), Some(405));
        assert_eq!(v("2022112800").branch(), Some(401));
        assert_eq!(v("2022112799").branch(), Some(400));
        assert_eq!(v("2000010100").branch(), None);
    }

    #[test]
    fn site_version_accepts_numbers_and_releases() {
        let site = SiteVersion::parse("2024100711.02").expect("number");
        assert_eq!(site.branch, Some(405));
        assert_eq!(site.version, Some(v("2024100711.02")));

        let site = SiteVersion::parse("4.5").expect("release");
        assert_eq!(site.branch, Some(405));
        assert_eq!(site.version, None);

        let site = SiteVersion::parse("4.5.1+ (Build: 20241011)").expect("release");
        assert_eq!(site.branch, Some(405));
        assert_eq!(
            SiteVersion::parse("Moodle 3.11").expect("r").branch,
            Some(311)
        );

        assert!(SiteVersion::parse("four point five").is_err());
        assert!(SiteVersion::parse("").is_err());
    }

    #[test]
    fn requires_is_checked_against_number_or_branch() {
        let site = SiteVersion::parse("2024100711.02").expect("number");
        assert_eq!(site.accepts(v("2017111300")), RequiresCheck::Met);
        assert_eq!(site.accepts(v("2024100711.02")), RequiresCheck::Met);
        assert_eq!(site.accepts(v("2025041400")), RequiresCheck::NotMet);

        let site = SiteVersion::parse("4.1").expect("release");
        assert_eq!(site.accepts(v("2017111300")), RequiresCheck::Met);
        assert_eq!(
            site.accepts(v("2022112805")),
            RequiresCheck::MaybeNewerPointRelease
        );
        assert_eq!(site.accepts(v("2024100700")), RequiresCheck::NotMet);

        let future = SiteVersion::parse("9.9").expect("release");
        assert_eq!(future.accepts(v("2017111300")), RequiresCheck::Met);
    }

    #[test]
    fn site_info_fields_combine() {
        let site =
            SiteVersion::from_site_info("2024100711.02", "4.5.1+ (Build: 20241011)").expect("site");
        assert_eq!(site.branch, Some(405));
        assert_eq!(
            site.describe(),
            "Moodle 4.5.1+ (Build: 20241011) (2024100711.02)"
        );
        assert!(SiteVersion::from_site_info("", "").is_none());
    }
}
