// Owns: judging a plugin ZIP from its bytes or a file, as Moodle's installer would, and why.
// Must not: extract anything to disk, use the network, or print.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::archive::{self, Captured, OpenError, RawEntry};
use super::moodle_version::{branch_name, release_for_version, RequiresCheck, SiteVersion};
use super::verdict::{ExpectedPlugin, PluginVerdict, Problem, ProblemCode};
use super::version_php::{parse_version_php, Maturity};

/// Bounds on what an archive may claim before it is treated as hostile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// Sum of the entries' uncompressed sizes.
    pub max_uncompressed_total: u64,
    /// An entry larger than `ratio_min_size` compressing better than this is a bomb.
    pub max_ratio: u64,
    pub ratio_min_size: u64,
    /// Most bytes read into memory from `version.php`.
    pub max_text_entry: u64,
    pub max_entries: usize,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        Self {
            max_uncompressed_total: 100 * 1024 * 1024,
            max_ratio: 100,
            ratio_min_size: 1024 * 1024,
            max_text_entry: 256 * 1024,
            max_entries: 10_000,
        }
    }
}

/// What a verdict is judged against.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidateOptions {
    /// The Moodle site the plugin is for; without it `requires` and `supported` go unchecked.
    pub site: Option<SiteVersion>,
    pub limits: ArchiveLimits,
}

#[derive(Debug, thiserror::Error)]
pub enum ValidateError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
}

/// Judges a ZIP held in memory; `file_name` is how the file is named in the verdict.
pub fn validate_bytes(file_name: &str, bytes: &[u8], options: &ValidateOptions) -> PluginVerdict {
    let sha256 = hex::encode(Sha256::digest(bytes));
    validate_reader(
        Cursor::new(bytes),
        file_name,
        bytes.len() as u64,
        sha256,
        options,
    )
}

/// Judges a ZIP file on disk without extracting it. Only a failure to read the file is an
/// error; everything wrong with its content is in the verdict.
pub fn validate_path(
    path: &Path,
    options: &ValidateOptions,
) -> Result<PluginVerdict, ValidateError> {
    let read_error = |source| ValidateError::Read {
        path: path.to_owned(),
        source,
    };
    let mut file = BufReader::new(File::open(path).map_err(read_error)?);
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buffer).map_err(read_error)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        size += n as u64;
    }
    file.seek(SeekFrom::Start(0)).map_err(read_error)?;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok(validate_reader(
        file,
        &name,
        size,
        hex::encode(hasher.finalize()),
        options,
    ))
}

/// Judges `size` bytes from `reader` whose SHA-256 is already known.
pub(crate) fn validate_reader<R: Read + Seek>(
    mut reader: R,
    file_name: &str,
    size: u64,
    sha256: String,
    options: &ValidateOptions,
) -> PluginVerdict {
    let mut verdict = PluginVerdict::new(file_name.to_owned(), sha256, size);
    let limits = &options.limits;
    let entries = match archive::read_central_directory(&mut reader, size, limits.max_entries) {
        Ok(entries) => entries,
        Err(error) => {
            verdict.push(open_problem(error));
            return verdict;
        }
    };
    let safety = check_entries(&entries, limits);
    let contents_are_bounded = safety.bounded;
    for problem in safety.problems {
        verdict.push(problem);
    }

    let layout = Layout::of(&entries, &safety.unsafe_entries);
    for problem in layout.problems(entries.len()) {
        verdict.push(problem);
    }
    let Some(root) = layout.root.clone() else {
        return verdict;
    };
    verdict.root_folder = Some(root.clone());

    let readable = |i: &usize| {
        let entry = &entries[*i];
        !safety.unsafe_entries.contains(i)
            && !entry.is_dir()
            && !entry.is_symlink()
            && !entry.is_encrypted()
            && entry.has_common_compression()
    };
    if verdict.has(ProblemCode::DuplicateEntry) {
        // Which of the duplicates an extractor would keep is undefined: read nothing.
        return verdict;
    }
    let version_php = layout.find(&format!("{root}/version.php"));
    let check: Vec<usize> = if contents_are_bounded {
        (0..entries.len()).filter(|i| readable(i)).collect()
    } else {
        Vec::new()
    };
    let capture: Vec<usize> = version_php.into_iter().filter(|i| readable(i)).collect();
    let scan =
        match archive::scan_contents(reader, &entries, &check, &capture, limits.max_text_entry) {
            Ok(scan) => scan,
            Err(reason) => {
                verdict.push(Problem::error(
                    ProblemCode::CorruptZip,
                    format!("The ZIP's contents cannot be read ({reason}). Download it again."),
                ));
                return verdict;
            }
        };
    if !scan.unsupported.is_empty() {
        verdict.push(Problem::error(
            ProblemCode::UnsupportedCompression,
            format!(
                "Some files are compressed with an unusual method that Moodle's server may not \
                 unpack ({}). Use the original download from openSIS, or re-create the ZIP with \
                 standard compression.",
                quote_names(&scan.unsupported)
            ),
        ));
    }
    if !scan.damaged.is_empty() {
        let described: Vec<String> = scan
            .damaged
            .iter()
            .map(|(name, reason)| format!("{name}: {reason}"))
            .collect();
        verdict.push(Problem::error(
            ProblemCode::DamagedEntry,
            format!(
                "Some files in the ZIP are damaged ({}). The file is corrupted; download it again.",
                quote_names(&described)
            ),
        ));
    }

    let Some(version_php) = version_php else {
        verdict.push(missing_version_php(&root, &layout));
        return verdict;
    };
    let source = match scan.captured.get(&version_php) {
        Some(Captured::Bytes(bytes)) => String::from_utf8_lossy(bytes).into_owned(),
        Some(Captured::TooLarge) => {
            verdict.push(Problem::error(
                ProblemCode::VersionPhpTooLarge,
                format!(
                    "{root}/version.php is larger than {} KiB; a real version.php is a few \
                     lines. This is not a normal Moodle plugin.",
                    limits.max_text_entry / 1024
                ),
            ));
            return verdict;
        }
        // Unreadable (encrypted, damaged): already reported.
        None => return verdict,
    };
    judge_version_php(&mut verdict, &source, &root, &layout, options);
    verdict
}

fn open_problem(error: OpenError) -> Problem {
    match error {
        OpenError::Empty => Problem::error(
            ProblemCode::EmptyFile,
            "The file is empty (0 bytes): the download did not complete. Download it again.",
        ),
        OpenError::Html { title } => {
            let titled = title.map_or_else(String::new, |t| format!(" titled “{t}”"));
            Problem::error(
                ProblemCode::HtmlInsteadOfZip,
                format!(
                    "This is a web page (HTML){titled} saved with a .zip name, not a ZIP. That \
                     happens when a login or error page is served instead of the plugin. Sign \
                     in to openSIS, open its LMS Settings page and download the plugin again."
                ),
            )
        }
        OpenError::NotZip { looks_like } => Problem::error(
            ProblemCode::NotAZip,
            format!(
                "This is not a ZIP file; it looks like {looks_like}. Download the plugin ZIP \
                 from openSIS's LMS Settings page."
            ),
        ),
        OpenError::Truncated => Problem::error(
            ProblemCode::Truncated,
            "The ZIP is cut short (its end is missing): the download did not finish. Download \
             it again.",
        ),
        OpenError::Corrupt(reason) => Problem::error(
            ProblemCode::CorruptZip,
            format!("The ZIP is damaged: {reason}. Download it again."),
        ),
        OpenError::TooManyEntries { count, limit } => Problem::error(
            ProblemCode::TooManyEntries,
            format!(
                "The ZIP holds {count} entries, more than the {limit} a plugin could need. Check \
                 that you picked the right file."
            ),
        ),
        OpenError::Io(error) => Problem::error(
            ProblemCode::CorruptZip,
            format!("The ZIP could not be read ({error}). Download it again."),
        ),
    }
}

/// Problems of individual entries and which entries are unsafe to look at further.
struct Safety {
    problems: Vec<Problem>,
    unsafe_entries: HashSet<usize>,
    /// Whether the declared sizes are small and plausible enough to unpack every entry.
    bounded: bool,
}

fn check_entries(entries: &[RawEntry], limits: &ArchiveLimits) -> Safety {
    let mut found: Vec<(ProblemCode, Vec<String>)> = Vec::new();
    let mut note = |code: ProblemCode, name: &str| {
        let shown = shorten(name);
        match found.iter_mut().find(|(c, _)| *c == code) {
            Some((_, names)) => names.push(shown),
            None => found.push((code, vec![shown])),
        }
    };
    let mut unsafe_entries = HashSet::new();
    let mut seen = HashSet::new();
    let mut total: u64 = 0;
    for (index, entry) in entries.iter().enumerate() {
        for name in entry.names() {
            for code in name_problems(name) {
                note(code, name);
                unsafe_entries.insert(index);
            }
        }
        if entry.is_symlink() {
            note(ProblemCode::Symlink, &entry.name);
            unsafe_entries.insert(index);
        }
        if entry.is_encrypted() {
            note(ProblemCode::Encrypted, &entry.name);
        }
        if !entry.is_dir() && !entry.has_common_compression() {
            note(ProblemCode::UnsupportedCompression, &entry.name);
        }
        if !seen.insert(entry.name.as_str()) {
            note(ProblemCode::DuplicateEntry, &entry.name);
            unsafe_entries.insert(index);
        }
        let size = entry.uncompressed_size;
        if !entry.is_dir()
            && size > limits.ratio_min_size
            && size / entry.compressed_size.max(1) > limits.max_ratio
        {
            note(
                ProblemCode::ZipBomb,
                &format!(
                    "{} ({} from {})",
                    entry.name,
                    human_size(size),
                    human_size(entry.compressed_size)
                ),
            );
        }
        total = total.saturating_add(size);
    }
    let mut problems: Vec<Problem> = found
        .into_iter()
        .map(|(code, names)| entry_problem(code, &names, limits))
        .collect();
    if total > limits.max_uncompressed_total {
        problems.push(Problem::error(
            ProblemCode::TooLargeUncompressed,
            format!(
                "The ZIP unpacks to {}, more than the {} a plugin could need. Check that you \
                 picked the right file.",
                human_size(total),
                human_size(limits.max_uncompressed_total)
            ),
        ));
    }
    let bounded = !problems.iter().any(|p| {
        matches!(
            p.code,
            ProblemCode::ZipBomb | ProblemCode::TooLargeUncompressed
        )
    });
    Safety {
        problems,
        unsafe_entries,
        bounded,
    }
}

/// What is wrong with an entry's path, as an extractor on Linux or Windows would take it.
fn name_problems(name: &str) -> Vec<ProblemCode> {
    let mut problems = Vec::new();
    if name.is_empty() || name.chars().any(char::is_control) {
        problems.push(ProblemCode::BadEntryName);
    }
    if name.contains('\\') {
        problems.push(ProblemCode::BackslashPath);
    }
    let bytes = name.as_bytes();
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    if name.starts_with('/') || name.starts_with('\\') || drive {
        problems.push(ProblemCode::AbsolutePath);
    }
    if name.split(['/', '\\']).any(|part| part == "..") {
        problems.push(ProblemCode::ZipSlip);
    }
    problems
}

fn entry_problem(code: ProblemCode, names: &[String], limits: &ArchiveLimits) -> Problem {
    let names = quote_names(names);
    let message = match code {
        ProblemCode::ZipSlip => format!(
            "The ZIP contains paths that climb out of the plugin folder ({names}). A real plugin \
             never does this; the file may have been tampered with. Do not upload it: download \
             the plugin again from openSIS."
        ),
        ProblemCode::AbsolutePath => format!(
            "The ZIP contains absolute paths or drive letters ({names}), which would write \
             outside the plugin folder. Do not upload it: download the plugin again from openSIS."
        ),
        ProblemCode::BackslashPath => format!(
            "The ZIP uses backslashes as folder separators ({names}), which Moodle's server \
             does not unpack into folders. Some Windows tools (older PowerShell \
             Compress-Archive) write ZIPs like this. Upload the original download from openSIS, \
             or re-create the ZIP with 7-Zip."
        ),
        ProblemCode::BadEntryName => format!(
            "The ZIP contains entries with empty names or control characters ({names}). The \
             file is damaged or tampered with: download it again."
        ),
        ProblemCode::Symlink => format!(
            "The ZIP contains symbolic links ({names}). Moodle plugins never need them and they \
             can expose files on the server. Upload the original download from openSIS."
        ),
        ProblemCode::Encrypted => format!(
            "Files in the ZIP are password-protected ({names}); Moodle cannot unpack them. \
             Upload the original, unencrypted download from openSIS."
        ),
        ProblemCode::DuplicateEntry => format!(
            "The ZIP lists the same file more than once ({names}), so which copy gets installed \
             is anyone's guess. The file is damaged or tampered with: download it again."
        ),
        ProblemCode::UnsupportedCompression => format!(
            "Some files are compressed with an unusual method that Moodle's server may not \
             unpack ({names}). Use the original download from openSIS, or re-create the ZIP \
             with standard compression."
        ),
        ProblemCode::ZipBomb => format!(
            "Files in the ZIP compress more than {}:1 ({names}). That is how a \"ZIP bomb\" \
             looks; no real plugin compresses like this. Do not upload it.",
            limits.max_ratio
        ),
        other => format!("Problem {other} with {names}."),
    };
    Problem::error(code, message)
}

/// The folders and files at the top of the archive, and the plugin folder if there is one.
struct Layout {
    /// Names of the safe entries, with their central-directory index.
    names: Vec<(usize, String, bool)>,
    folders: Vec<String>,
    top_files: Vec<String>,
    macos_junk: Vec<String>,
    root: Option<String>,
}

const MACOS_JUNK: [&str; 2] = ["__MACOSX", ".DS_Store"];

impl Layout {
    fn of(entries: &[RawEntry], unsafe_entries: &HashSet<usize>) -> Self {
        let mut layout = Layout {
            names: Vec::new(),
            folders: Vec::new(),
            top_files: Vec::new(),
            macos_junk: Vec::new(),
            root: None,
        };
        for (index, entry) in entries.iter().enumerate() {
            if unsafe_entries.contains(&index) {
                continue;
            }
            layout
                .names
                .push((index, entry.name.clone(), entry.is_dir()));
            let (top, is_folder) = match entry.name.split_once('/') {
                Some((top, _)) => (top.to_owned(), true),
                None => (entry.name.clone(), false),
            };
            let list = if MACOS_JUNK.contains(&top.as_str()) {
                &mut layout.macos_junk
            } else if is_folder {
                &mut layout.folders
            } else {
                &mut layout.top_files
            };
            if !list.contains(&top) {
                list.push(top);
            }
        }
        layout.root = match (layout.folders.as_slice(), layout.top_files.is_empty()) {
            ([only], true) => Some(only.clone()),
            ([], _) => None,
            // Several things at the top: go on with the one folder holding a version.php.
            (folders, _) => {
                let with_version: Vec<&String> = folders
                    .iter()
                    .filter(|f| layout.find(&format!("{f}/version.php")).is_some())
                    .collect();
                match with_version.as_slice() {
                    [only] => Some((*only).clone()),
                    _ => None,
                }
            }
        };
        layout
    }

    /// The index of the safe file entry with exactly this name.
    fn find(&self, name: &str) -> Option<usize> {
        self.names
            .iter()
            .find(|(_, n, is_dir)| !is_dir && n == name)
            .map(|(i, _, _)| *i)
    }

    /// Safe file entries whose names start with `prefix`.
    fn files_under(&self, prefix: &str) -> Vec<&str> {
        self.names
            .iter()
            .filter(|(_, n, is_dir)| !is_dir && n.starts_with(prefix))
            .map(|(_, n, _)| n.as_str())
            .collect()
    }

    fn problems(&self, entry_count: usize) -> Vec<Problem> {
        let mut problems = Vec::new();
        if !self.macos_junk.is_empty() {
            problems.push(Problem::error(
                ProblemCode::MacosxFolder,
                format!(
                    "The ZIP has macOS Finder's extra {} next to the plugin folder. Finder adds \
                     it when it re-compresses a folder, and Moodle refuses a ZIP with more than \
                     one thing at the top. Upload the file exactly as downloaded from openSIS \
                     (do not unzip and re-zip it), or re-create it without that folder (in \
                     Terminal: zip -r -X plugin.zip <plugin folder>).",
                    quote_names(&self.macos_junk)
                ),
            ));
        }
        let top_count = self.folders.len() + self.top_files.len();
        let loose_plugin = self.top_files.iter().any(|f| f == "version.php");
        if loose_plugin || (self.folders.is_empty() && !self.top_files.is_empty()) {
            problems.push(Problem::error(
                ProblemCode::NoRootFolder,
                format!(
                    "The plugin's files are loose at the top of the ZIP ({}) instead of inside \
                     one folder named after the plugin. Moodle needs that folder. Upload the \
                     original download from openSIS, or zip the plugin folder itself rather \
                     than its contents.",
                    quote_names(&self.top_files)
                ),
            ));
        } else if top_count > 1 {
            let mut tops = self.folders.clone();
            tops.extend(self.top_files.iter().cloned());
            problems.push(Problem::error(
                ProblemCode::TwoRootFolders,
                format!(
                    "The ZIP has {top_count} things at the top ({}), but Moodle needs exactly \
                     one folder holding the plugin. Often two plugins were zipped together or \
                     the ZIP was re-packed: upload each plugin as its own ZIP, as openSIS \
                     provides it.",
                    quote_names(&tops)
                ),
            ));
        }
        if entry_count < 4 {
            problems.push(Problem::error(
                ProblemCode::TooFewFiles,
                format!(
                    "The ZIP holds only {entry_count} entries; Moodle's installer needs at least \
                     4 (the plugin folder, version.php, a language file and its code). The \
                     download is incomplete or this is not a plugin."
                ),
            ));
        }
        problems
    }
}

fn missing_version_php(root: &str, layout: &Layout) -> Problem {
    let nested: Vec<&str> = layout
        .files_under(&format!("{root}/"))
        .into_iter()
        .filter(|n| n.ends_with("/version.php"))
        .collect();
    let shallowest = nested.iter().min_by_key(|n| n.matches('/').count());
    let hint = match shallowest {
        Some(found) => format!(
            " There is one at “{found}”: the plugin sits in a folder one level too deep. Zip \
             the inner folder instead."
        ),
        None => " This ZIP is not a Moodle plugin.".to_owned(),
    };
    Problem::error(
        ProblemCode::MissingVersionPhp,
        format!(
            "There is no version.php directly in the plugin folder “{root}/”; every Moodle \
             plugin has one.{hint}"
        ),
    )
}

fn judge_version_php(
    verdict: &mut PluginVerdict,
    source: &str,
    root: &str,
    layout: &Layout,
    options: &ValidateOptions,
) {
    let parsed = parse_version_php(source);
    verdict.version = parsed.version;
    verdict.requires = parsed.requires;
    verdict.release = parsed.release.clone();
    verdict.supported = parsed.supported;
    verdict.maturity = parsed.maturity.clone();
    verdict.component = parsed.component.clone();

    if parsed.module_syntax {
        verdict.push(Problem::error(
            ProblemCode::OldModuleSyntax,
            "version.php uses the old “$module->” syntax, which Moodle's installer refuses. \
             This plugin is far too old for your Moodle; get the current one from openSIS.",
        ));
    }
    if parsed.version.is_none() {
        verdict.push(Problem::error(
            ProblemCode::MissingVersion,
            "version.php does not set $plugin->version to a plain number, so Moodle's installer \
             refuses the plugin. The file is damaged or not a finished plugin.",
        ));
    }
    match parsed.component.as_deref() {
        None => verdict.push(Problem::error(
            ProblemCode::MissingComponent,
            "version.php does not declare $plugin->component (such as 'auth_userkey'), so the \
             installer cannot tell which plugin this is. Download the plugin again from openSIS.",
        )),
        Some(component) => judge_component(verdict, component, root, layout),
    }
    if let Some(site) = &options.site {
        judge_against_site(verdict, site);
    }
    judge_supported(verdict, options.site.as_ref());
    if let Some(maturity) = parsed.maturity.as_ref().filter(|m| **m != Maturity::Stable) {
        verdict.push(Problem::warning(
            ProblemCode::MaturityNotStable,
            format!(
                "The plugin is marked as {}, not stable. Moodle installs it with a warning; \
                 prefer a stable release on a school's live site.",
                maturity.label()
            ),
        ));
    }
}

fn judge_component(verdict: &mut PluginVerdict, component: &str, root: &str, layout: &Layout) {
    let Some((kind, name)) = component
        .split_once('_')
        .filter(|_| is_valid_component(component))
    else {
        verdict.push(Problem::error(
            ProblemCode::InvalidComponent,
            format!(
                "version.php declares the component “{component}”, which is not a valid Moodle \
                 plugin name. The file is damaged or not a Moodle plugin."
            ),
        ));
        return;
    };
    verdict.expected = ExpectedPlugin::for_component(component);
    if verdict.expected.is_none() {
        verdict.push(Problem::error(
            ProblemCode::WrongPlugin,
            format!(
                "This ZIP is the Moodle plugin “{component}” ({}), not one of the two openSIS \
                 plugins: auth_userkey ({}) or the local plugin in {}. Check that you picked \
                 the right file.",
                describe_type(kind),
                ExpectedPlugin::UserAuthenticator.zip_name(),
                ExpectedPlugin::WebServices.zip_name(),
            ),
        ));
    }

    if root != name {
        let root_type = root
            .split_once('_')
            .map(|(t, _)| t)
            .filter(|t| PLUGIN_TYPES.iter().any(|(known, _)| known == t));
        match root_type {
            Some(root_type) if root_type != kind => verdict.push(Problem::error(
                ProblemCode::ComponentMismatchType,
                format!(
                    "The folder in the ZIP is named “{root}”, which is {}, but its version.php \
                     declares {component}, which is {}. The ZIP mixes up two plugins; download \
                     it again from openSIS.",
                    describe_type(root_type),
                    describe_type(kind)
                ),
            )),
            _ => verdict.push(Problem::warning(
                ProblemCode::RootFolderRenamed,
                format!(
                    "The folder in the ZIP is named “{root}” rather than “{name}”. Moodle's \
                     installer renames it to “{name}” when you upload, so this is fine (the \
                     upload form also offers \"Rename the root directory\")."
                ),
            )),
        }
    }

    let lang_file = if kind == "mod" {
        format!("{name}.php")
    } else {
        format!("{component}.php")
    };
    let lang_dir = format!("{root}/lang/en/");
    if layout.find(&format!("{lang_dir}{lang_file}")).is_none() {
        let others: Vec<String> = layout
            .files_under(&lang_dir)
            .into_iter()
            .filter(|n| !n[lang_dir.len()..].contains('/'))
            .map(str::to_owned)
            .collect();
        let hint = if others.is_empty() {
            String::new()
        } else {
            format!(
                " It has {} instead, so the folder may belong to another plugin.",
                quote_names(&others)
            )
        };
        verdict.push(Problem::error(
            ProblemCode::MissingLangFile,
            format!(
                "The plugin has no English language file “{lang_dir}{lang_file}”, which \
                 Moodle's installer requires.{hint} The ZIP is incomplete; download it again."
            ),
        ));
    }

    if verdict.expected == Some(ExpectedPlugin::WebServices)
        && layout.find(&format!("{root}/db/services.php")).is_none()
    {
        verdict.push(Problem::warning(
            ProblemCode::NoWebServiceFunctions,
            format!(
                "This local plugin ({component}) has no db/services.php, so it adds no web \
                 service functions, yet {} provides the local_get_* functions. Check that this \
                 is the file from openSIS's LMS Settings page.",
                ExpectedPlugin::WebServices.display_name()
            ),
        ));
    }
}

fn judge_against_site(verdict: &mut PluginVerdict, site: &SiteVersion) {
    if let Some(requires) = verdict.requires {
        let needed = release_for_version(requires)
            .map_or_else(String::new, |r| format!("Moodle {r} or newer, "));
        match site.accepts(requires) {
            RequiresCheck::NotMet => verdict.push(Problem::error(
                ProblemCode::RequiresNewerMoodle,
                format!(
                    "This plugin needs {needed}version {requires}, but the site runs {}. \
                     Upgrade Moodle first, or get a release of the plugin made for your Moodle.",
                    site.describe()
                ),
            )),
            RequiresCheck::MaybeNewerPointRelease => verdict.push(Problem::warning(
                ProblemCode::MayRequireNewerMoodle,
                format!(
                    "This plugin needs {needed}version {requires}, a later update than the first \
                     {} release; the site runs {}. If the installer refuses it, update Moodle \
                     (the exact version number is under Site administration > Notifications).",
                    site.branch.map_or_else(String::new, branch_name),
                    site.describe()
                ),
            )),
            RequiresCheck::Met | RequiresCheck::Unknown => {}
        }
    }
}

/// What Moodle's Plugins check (admin/index.php, "Plugins check") shows in its Requires
/// column for a plugin that declares `supported`: core_plugin's `moodlebranch` string,
/// "Moodle {$a->min} - {$a->max}", filled with the raw branch codes, e.g. "Moodle 33 - 401".
pub fn plugins_check_requires((low, high): (u32, u32)) -> String {
    format!("Moodle {low} - {high}")
}

/// Plugin releases proven to install and work on branches beyond their declared range:
/// auth_userkey 2022081901 (openSIS's User-Authenticator) on the recorded Moodle 4.5 and 5.0
/// sites, single sign-on included.
const PROVEN_BEYOND_RANGE: &[(&str, &str, &[u32])] = &[("auth_userkey", "2022081901", &[405, 500])];

/// `$plugin->supported` against the site, as Moodle 4.1, 4.5 and 5.0 treat it: only a
/// declaration. `core_plugin_manager::all_plugins_ok` (which decides whether "Upgrade Moodle
/// database now" may run) checks `requires`, dependencies and `incompatible`, never
/// `supported`; the installer's validator does not read it; the Plugins check only prints the
/// range under Requires (greyed, no "Fails" badge, as the requirement is met).
fn judge_supported(verdict: &mut PluginVerdict, site: Option<&SiteVersion>) {
    let Some((low, high)) = verdict.supported else {
        return;
    };
    let declared = format!(
        "It declares Moodle {} to {} ($plugin->supported = [{low}, {high}])",
        branch_name(low),
        branch_name(high)
    );
    let shows = plugins_check_requires((low, high));
    let Some((site, branch)) = site.and_then(|s| s.branch.map(|b| (s, b))) else {
        verdict.supported_note = Some(format!(
            "{declared}. The site's Moodle version is not known here, so the two cannot be \
             compared yet. On a Moodle outside that range, Moodle's Plugins check lists the \
             plugin with “{shows}” under Requires: a declaration, not a block, so it still \
             installs."
        ));
        return;
    };
    if (low..=high).contains(&branch) {
        verdict.supported_note = Some(format!(
            "{declared}; the site runs {}, inside that range.",
            site.describe()
        ));
        return;
    }
    let message = if branch > high {
        let version = verdict.version.map(|v| v.to_string()).unwrap_or_default();
        let proven = PROVEN_BEYOND_RANGE
            .iter()
            .find(|(component, release, _)| {
                verdict.component.as_deref() == Some(*component) && version == *release
            })
            .filter(|(_, _, branches)| branches.contains(&branch))
            .map_or_else(String::new, |(component, release, branches)| {
                let names: Vec<String> = branches.iter().map(|b| branch_name(*b)).collect();
                format!(
                    " This {component} release ({release}) is known to install and work on \
                     Moodle {}, single sign-on included.",
                    names.join(" and ")
                )
            });
        format!(
            "{declared}, and the site runs {}, a later Moodle. Moodle's Plugins check will list \
             it with “{shows}” under Requires, in grey and without a “Fails” mark: the range is \
             a declaration, not a block, so “Upgrade Moodle database now” stays available and \
             installs it.{proven} Upload this ZIP as it is; when openSIS offers a build made for \
             your Moodle, use that one next time.",
            site.describe()
        )
    } else {
        format!(
            "{declared}, and the site runs {}, an older Moodle. Moodle's Plugins check will list \
             it with “{shows}” under Requires; Moodle refuses it only when the site is older than \
             its $plugin->requires. It was not made for this Moodle: upgrade Moodle, or get a \
             release of the plugin made for your version.",
            site.describe()
        )
    };
    verdict.push(Problem::warning(
        ProblemCode::OutsideSupportedRange,
        message,
    ));
}

/// `PARAM_COMPONENT`: `[a-z][a-z0-9]*(_[a-z][a-z0-9_]*)?[a-z0-9]`, no double underscore.
fn is_valid_component(component: &str) -> bool {
    let Some((kind, name)) = component.split_once('_') else {
        return false;
    };
    let lower_alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    kind.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && kind.chars().all(lower_alnum)
        && name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name.chars().last().is_some_and(lower_alnum)
        && name.chars().all(|c| lower_alnum(c) || c == '_')
        && !name.contains("__")
}

const PLUGIN_TYPES: &[(&str, &str)] = &[
    ("auth", "an authentication plugin"),
    ("local", "a local plugin"),
    ("mod", "an activity module"),
    ("block", "a block"),
    ("enrol", "an enrolment plugin"),
    ("filter", "a filter"),
    ("format", "a course format"),
    ("theme", "a theme"),
    ("tool", "an admin tool"),
    ("report", "a report"),
    ("repository", "a repository"),
    ("qtype", "a question type"),
    ("qbehaviour", "a question behaviour"),
    ("qformat", "a question format"),
    ("editor", "a text editor"),
    ("atto", "an Atto editor plugin"),
    ("tiny", "a TinyMCE editor plugin"),
    ("message", "a message output"),
    ("portfolio", "a portfolio"),
    ("plagiarism", "a plagiarism plugin"),
    ("availability", "an availability condition"),
    ("profilefield", "a profile field"),
    ("gradereport", "a grade report"),
    ("gradeexport", "a grade export"),
    ("gradeimport", "a grade import"),
    ("logstore", "a log store"),
    ("paygw", "a payment gateway"),
    ("customfield", "a custom field"),
    ("webservice", "a web service protocol"),
    ("assignsubmission", "an assignment submission plugin"),
    ("assignfeedback", "an assignment feedback plugin"),
    ("quizaccess", "a quiz access rule"),
    ("mlbackend", "a machine learning backend"),
    ("cachestore", "a cache store"),
    ("media", "a media player"),
    ("dataformat", "a data format"),
    ("contenttype", "a content type"),
    ("qbank", "a question bank plugin"),
];

fn describe_type(kind: &str) -> String {
    PLUGIN_TYPES
        .iter()
        .find(|(t, _)| *t == kind)
        .map_or_else(|| format!("a {kind} plugin"), |(_, d)| (*d).to_owned())
}

/// “a”, “b”, “c” and 2 more.
fn quote_names(names: &[String]) -> String {
    const SHOWN: usize = 3;
    let mut text = names
        .iter()
        .take(SHOWN)
        .map(|n| format!("“{n}”"))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        text.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    text
}

fn shorten(name: &str) -> String {
    const MAX: usize = 100;
    let printable: String = name
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if printable.chars().count() <= MAX {
        printable
    } else {
        let head: String = printable.chars().take(MAX).collect();
        format!("{head}…")
    }
}

/// 1536 → "1.5 KiB".
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{self, Entries};
    use crate::verdict::{Severity, VerdictStatus};

    fn judge(bytes: &[u8]) -> PluginVerdict {
        validate_bytes("plugin.zip", bytes, &ValidateOptions::default())
    }

    fn judge_for_site(bytes: &[u8], site: &str) -> PluginVerdict {
        let options = ValidateOptions {
            site: Some(SiteVersion::parse(site).expect("site version")),
            ..ValidateOptions::default()
        };
        validate_bytes("plugin.zip", bytes, &options)
    }

    fn codes(verdict: &PluginVerdict) -> Vec<&'static str> {
        verdict.problems.iter().map(|p| p.code.as_str()).collect()
    }

    /// Refused, with `code` among the errors.
    fn assert_refused(verdict: &PluginVerdict, code: ProblemCode) {
        assert_eq!(
            verdict.status,
            VerdictStatus::Refused,
            "{:?}",
            codes(verdict)
        );
        let problem = verdict
            .problems
            .iter()
            .find(|p| p.code == code)
            .unwrap_or_else(|| panic!("no {code} in {:?}", codes(verdict)));
        assert_eq!(problem.severity, Severity::Error);
        assert!(!problem.message.is_empty());
    }

    fn renamed(entries: Entries, from: &str, to: &str) -> Entries {
        entries
            .into_iter()
            .map(|(name, content)| (name.replacen(from, to, 1), content))
            .collect()
    }

    fn without(entries: Entries, name: &str) -> Entries {
        entries.into_iter().filter(|(n, _)| n != name).collect()
    }

    fn plus(mut entries: Entries, name: &str, content: &[u8]) -> Entries {
        entries.push((name.to_owned(), content.to_vec()));
        entries
    }

    #[test]
    fn good_auth_userkey_is_valid() {
        let bytes = fixtures::good_auth_userkey();
        let verdict = judge(&bytes);
        assert_eq!(
            verdict.status,
            VerdictStatus::Valid,
            "{:?}",
            verdict.problems
        );
        assert_eq!(verdict.component.as_deref(), Some("auth_userkey"));
        assert_eq!(verdict.expected, Some(ExpectedPlugin::UserAuthenticator));
        assert_eq!(verdict.root_folder.as_deref(), Some("userkey"));
        assert_eq!(
            verdict.version.map(|v| v.to_string()).as_deref(),
            Some("2022081901")
        );
        assert_eq!(
            verdict.requires.map(|v| v.to_string()).as_deref(),
            Some("2017051500")
        );
        assert_eq!(verdict.release.as_deref(), Some("2022081901"));
        assert_eq!(verdict.supported, Some((33, 401)));
        assert_eq!(verdict.size, bytes.len() as u64);
        assert_eq!(verdict.sha256, hex::encode(Sha256::digest(&bytes)));
        assert_eq!(verdict.file, "plugin.zip");
    }

    #[test]
    fn good_local_plugin_is_the_web_services_plugin() {
        let verdict = judge(&fixtures::good_local_plugin());
        assert_eq!(
            verdict.status,
            VerdictStatus::Valid,
            "{:?}",
            verdict.problems
        );
        assert_eq!(verdict.component.as_deref(), Some("local_opensis"));
        assert_eq!(verdict.expected, Some(ExpectedPlugin::WebServices));
        assert_eq!(verdict.release.as_deref(), Some("1.2"));
    }

    #[test]
    fn local_plugin_without_services_is_a_warning() {
        let entries = without(
            fixtures::local_entries("opensis"),
            "opensis/db/services.php",
        );
        let verdict = judge(&fixtures::zip_of(&entries));
        assert_eq!(verdict.status, VerdictStatus::ValidWithWarnings);
        assert_eq!(codes(&verdict), vec!["no_web_service_functions"]);
    }

    #[test]
    fn two_root_folders_are_refused_but_the_plugin_is_still_named() {
        let mut entries = fixtures::auth_userkey_entries("userkey");
        entries.extend(fixtures::local_entries("opensis"));
        let verdict = judge(&fixtures::zip_of(&entries));
        assert_refused(&verdict, ProblemCode::TwoRootFolders);
        assert!(verdict.problems[0].message.contains("“userkey”"));
        assert!(verdict.problems[0].message.contains("“opensis”"));
        // Both folders have a version.php: no plugin folder to judge further.
        assert_eq!(verdict.component, None);

        let entries = plus(
            fixtures::auth_userkey_entries("userkey"),
            "notes.txt",
            b"read me",
        );
        let verdict = judge(&fixtures::zip_of(&entries));
        assert_refused(&verdict, ProblemCode::TwoRootFolders);
        assert_eq!(verdict.component.as_deref(), Some("auth_userkey"));
    }

    #[test]
    fn macosx_folder_has_its_own_message() {
        let mut entries = fixtures::auth_userkey_entries("userkey");
        entries.push(("__MACOSX/".into(), Vec::new()));
        entries.push(("__MACOSX/userkey/._version.php".into(), vec![0, 5, 22, 7]));
        let verdict = judge(&fixtures::zip_of(&entries));
        assert_refused(&verdict, ProblemCode::MacosxFolder);
        assert!(!verdict.has(ProblemCode::TwoRootFolders));
        assert!(verdict.problems[0].message.contains("__MACOSX"));
        assert_eq!(verdict.expected, Some(ExpectedPlugin::UserAuthenticator));
        assert_eq!(codes(&verdict), vec!["macosx_folder"]);
    }

    #[test]
    fn loose_files_have_no_root_folder() {
        let entries: Entries = fixtures::auth_userkey_entries("userkey")
            .into_iter()
            .filter(|(n, _)| n != "userkey/")
            .map(|(n, c)| (n.replacen("userkey/", "", 1), c))
            .collect();
        let verdict = judge(&fixtures::zip_of(&entries));
        assert_refused(&verdict, ProblemCode::NoRootFolder);
    }

    #[test]
    fn a_different_plugin_is_the_wrong_plugin() {
        let version = fixtures::AUTH_USERKEY_VERSION_PHP.replace("'auth_userkey'", "'mod_forum'");
        let entries = fixtures::plugin_entries("forum", "mod_forum", &version);
        let verdict = judge(&fixtures::zip_of(&entries));
        assert_refused(&verdict, ProblemCode::WrongPlugin);
        assert_eq!(codes(&verdict), vec!["wrong_plugin"]);
        assert!(verdict.problems[0].message.contains("mod_forum"));
        assert!(verdict.problems[0].message.contains("activity module"));
        assert_eq!(verdict.expected, None);

        let version = fixtures::AUTH_USERKEY_VERSION_PHP.replace("'auth_userkey'", "'auth_manual'");
        let entries = fixtures::plugin_entries("manual", "auth_manual", &version);
        assert_refused(
            &judge(&fixtures::zip_of(&entries)),
            ProblemCode::WrongPlugin,
        );
    }

    #[test]
    fn a_root_folder_of_another_type_is_a_mismatch() {
        let entries = renamed(
            fixtures::auth_userkey_entries("userkey"),
            "userkey/",
            "local_userkey/",
        );
        let verdict = judge(&fixtures::zip_of(&entries));
        assert_refused(&verdict, ProblemCode::ComponentMismatchType);
        assert!(verdict.problems[0].message.contains("local plugin"));
        assert!(verdict.problems[0].message.contains("auth_userkey"));
    }

    #[test]
    fn github_style_root_is_only_a_warning() {
        let entries = renamed(
            fixtures::auth_userkey_entries("userkey"),
            "userkey/",
            "moodle-auth_userkey-master/",
        );
        let verdict = judge(&fixtures::zip_of(&entries));
        assert_eq!(verdict.status, VerdictStatus::ValidWithWarnings);
        assert_eq!(codes(&verdict), vec!["root_folder_renamed"]);
        assert!(verdict.problems[0].message.contains("“userkey”"));
        assert_eq!(verdict.expected, Some(ExpectedPlugin::UserAuthenticator));

        let entries = renamed(
            fixtures::auth_userkey_entries("userkey"),
            "userkey/",
            "auth_userkey/",
        );
        assert_eq!(
            codes(&judge(&fixtures::zip_of(&entries))),
            vec!["root_folder_renamed"]
        );
    }

    #[test]
    fn missing_version_php_is_refused() {
        let entries = without(
            fixtures::auth_userkey_entries("userkey"),
            "userkey/version.php",
        );
        let verdict = judge(&fixtures::zip_of(&entries));
        assert_refused(&verdict, ProblemCode::MissingVersionPhp);
        assert_eq!(verdict.component, None);

        // The plugin one folder too deep: the message points at it.
        let mut nested: Entries = vec![("wrapper/".into(), Vec::new())];
        nested.extend(renamed(
            fixtures::auth_userkey_entries("userkey"),
            "userkey/",
            "wrapper/userkey/",
        ));
        let verdict = judge(&fixtures::zip_of(&nested));
        assert_refused(&verdict, ProblemCode::MissingVersionPhp);
        assert!(verdict.problems[0]
            .message
            .contains("wrapper/userkey/version.php"));
    }

    #[test]
    fn missing_lang_file_is_refused() {
        let entries = without(
            fixtures::auth_userkey_entries("userkey"),
            "userkey/lang/en/auth_userkey.php",
        );
        let verdict = judge(&fixtures::zip_of(&entries));
        assert_refused(&verdict, ProblemCode::MissingLangFile);
        assert_eq!(codes(&verdict), vec!["missing_lang_file"]);
        assert!(verdict.problems[0]
            .message
            .contains("userkey/lang/en/auth_userkey.php"));
    }

    #[test]
    fn too_few_files_is_refused() {
        let entries: Entries = vec![
            (
                "userkey/version.php".into(),
                fixtures::AUTH_USERKEY_VERSION_PHP.into(),
            ),
            (
                "userkey/lang/en/auth_userkey.php".into(),
                b"<?php\n".to_vec(),
            ),
            ("userkey/auth.php".into(), b"<?php\n".to_vec()),
        ];
        let verdict = judge(&fixtures::zip_of(&entries));
        assert_refused(&verdict, ProblemCode::TooFewFiles);
        assert_eq!(codes(&verdict), vec!["too_few_files"]);
    }

    #[test]
    fn version_php_problems_are_refused() {
        let no_component =
            fixtures::AUTH_USERKEY_VERSION_PHP.replace("$plugin->component = 'auth_userkey';", "");
        let entries = fixtures::plugin_entries("userkey", "auth_userkey", &no_component);
        let verdict = judge(&fixtures::zip_of(&entries));
        assert_refused(&verdict, ProblemCode::MissingComponent);
        assert_eq!(codes(&verdict), vec!["missing_component"]);

        let computed = fixtures::AUTH_USERKEY_VERSION_PHP.replace(
            "= 2022081901;        // The current",
            "= VERSION;        // The current",
        );
        let entries = fixtures::plugin_entries("userkey", "auth_userkey", &computed);
        let verdict = judge(&fixtures::zip_of(&entries));
        assert_refused(&verdict, ProblemCode::MissingVersion);
        assert_eq!(codes(&verdict), vec!["missing_version"]);

        let old = "<?php\n$module->version = 2010010100;\n$plugin->component = 'auth_userkey';\n";
        let entries = fixtures::plugin_entries("userkey", "auth_userkey", old);
        let verdict = judge(&fixtures::zip_of(&entries));
        assert_refused(&verdict, ProblemCode::OldModuleSyntax);
    }

    #[test]
    fn requires_above_the_site_is_refused() {
        let bytes = fixtures::good_auth_userkey();
        let verdict = judge_for_site(&bytes, "2016120500");
        assert_refused(&verdict, ProblemCode::RequiresNewerMoodle);
        assert!(verdict.problems[0].message.contains("Moodle 3.3 or newer"));
        assert!(verdict.problems[0].message.contains("2017051500"));

        let newer = fixtures::LOCAL_VERSION_PHP.replace("2020061500", "2024100712");
        let mut entries = fixtures::local_entries("opensis");
        entries[1].1 = newer.into_bytes();
        let verdict = judge_for_site(&fixtures::zip_of(&entries), "2024100711.02");
        assert_refused(&verdict, ProblemCode::RequiresNewerMoodle);
        // Only the release known: a later point release may be needed.
        let verdict = judge_for_site(&fixtures::zip_of(&entries), "4.5");
        assert_eq!(verdict.status, VerdictStatus::ValidWithWarnings);
        assert_eq!(codes(&verdict), vec!["may_require_newer_moodle"]);
    }

    #[test]
    fn supported_range_is_a_warning() {
        let verdict = judge_for_site(&fixtures::good_auth_userkey(), "2024100711.02");
        assert_eq!(verdict.status, VerdictStatus::ValidWithWarnings);
        assert_eq!(codes(&verdict), vec!["outside_supported_range"]);
        let message = &verdict.problems[0].message;
        assert!(message.contains("Moodle 3.3 to 4.1"), "{message}");
        assert!(message.contains("known to install and work on Moodle 4.5 and 5.0"));
        // The warning says it; no second note.
        assert_eq!(verdict.supported_note, None);
        // Inside the range: no warning, a note.
        let verdict = judge_for_site(&fixtures::good_auth_userkey(), "4.1");
        assert_eq!(
            verdict.status,
            VerdictStatus::Valid,
            "{:?}",
            codes(&verdict)
        );
        let note = verdict.supported_note.expect("a note");
        assert!(note.contains("Moodle 3.3 to 4.1"), "{note}");
        assert!(note.contains("inside that range"), "{note}");
    }

    #[test]
    fn outside_the_range_says_what_moodle_shows_that_it_installs_and_what_to_do() {
        for site in ["4.5.11+ (Build: 20260501)", "2025041400", "5.0"] {
            let verdict = judge_for_site(&fixtures::good_auth_userkey(), site);
            assert_eq!(codes(&verdict), vec!["outside_supported_range"], "{site}");
            let message = &verdict.problems[0].message;
            // Moodle's own words on its Plugins check (core_plugin's moodlebranch string).
            assert!(
                message.contains("“Moodle 33 - 401” under Requires"),
                "{message}"
            );
            // A declaration, not a block: the upgrade button stays.
            assert!(message.contains("not a block"), "{message}");
            assert!(
                message.contains("“Upgrade Moodle database now” stays available"),
                "{message}"
            );
            // What to do.
            assert!(message.contains("Upload this ZIP as it is"), "{message}");
        }
        // A later Moodle than any proven one: no claim that it works.
        let verdict = judge_for_site(&fixtures::good_auth_userkey(), "5.1");
        let message = &verdict.problems[0].message;
        assert!(message.contains("not a block"), "{message}");
        assert!(!message.contains("known to install"), "{message}");
        // Another release of the plugin: no claim either.
        let other = fixtures::AUTH_USERKEY_VERSION_PHP.replace("2022081901", "2022081902");
        let entries = fixtures::plugin_entries("userkey", "auth_userkey", &other);
        let verdict = judge_for_site(&fixtures::zip_of(&entries), "4.5");
        assert!(!verdict.problems[0].message.contains("known to install"));
    }

    #[test]
    fn without_the_site_the_declared_range_is_still_said() {
        let verdict = judge(&fixtures::good_auth_userkey());
        assert_eq!(verdict.status, VerdictStatus::Valid);
        let note = verdict.supported_note.clone().expect("a note");
        assert!(note.contains("Moodle 3.3 to 4.1"), "{note}");
        assert!(note.contains("[33, 401]"), "{note}");
        assert!(note.contains("not known"), "{note}");
        assert!(note.contains("“Moodle 33 - 401”"), "{note}");
        let json = serde_json::to_value(&verdict).expect("serializes");
        assert_eq!(json["supported_note"], note.as_str());
        // No `supported` declared: nothing to say.
        let verdict = judge(&fixtures::good_local_plugin());
        assert_eq!(verdict.supported, None);
        assert_eq!(verdict.supported_note, None);
    }

    #[test]
    fn plugins_check_words_are_moodles() {
        assert_eq!(plugins_check_requires((33, 401)), "Moodle 33 - 401");
    }

    #[test]
    fn non_stable_maturity_is_a_warning() {
        let beta = fixtures::LOCAL_VERSION_PHP.replace("MATURITY_STABLE", "MATURITY_BETA");
        let mut entries = fixtures::local_entries("opensis");
        entries[1].1 = beta.into_bytes();
        let verdict = judge(&fixtures::zip_of(&entries));
        assert_eq!(verdict.status, VerdictStatus::ValidWithWarnings);
        assert_eq!(codes(&verdict), vec!["maturity_not_stable"]);
        assert!(verdict.problems[0].message.contains("beta"));
    }

    #[test]
    fn zip_slip_is_refused() {
        let entries = plus(
            fixtures::auth_userkey_entries("userkey"),
            "../evil.php",
            b"<?php",
        );
        let verdict = judge(&fixtures::zip_of(&entries));
        assert_refused(&verdict, ProblemCode::ZipSlip);
        assert_eq!(codes(&verdict), vec!["zip_slip"]);
        assert!(verdict.problems[0].message.contains("../evil.php"));
        // The unsafe entry does not count as a second root folder.
        assert!(!verdict.has(ProblemCode::TwoRootFolders));

        let entries = plus(
            fixtures::auth_userkey_entries("userkey"),
            "userkey/../../evil.php",
            b"<?php",
        );
        assert_refused(&judge(&fixtures::zip_of(&entries)), ProblemCode::ZipSlip);
    }

    #[test]
    fn absolute_and_drive_paths_are_refused() {
        for name in ["/tmp/evil.php", "C:/evil.php", "c:evil.php"] {
            let entries = plus(fixtures::auth_userkey_entries("userkey"), name, b"<?php");
            let verdict = judge(&fixtures::zip_of(&entries));
            assert_refused(&verdict, ProblemCode::AbsolutePath);
            assert_eq!(codes(&verdict), vec!["absolute_path"], "{name}");
        }
    }

    #[test]
    fn backslash_separators_are_refused() {
        let entries = plus(
            fixtures::auth_userkey_entries("userkey"),
            "userkey\\classes\\evil.php",
            b"<?php",
        );
        let verdict = judge(&fixtures::zip_of(&entries));
        assert_refused(&verdict, ProblemCode::BackslashPath);
        let entries = plus(
            fixtures::auth_userkey_entries("userkey"),
            "..\\evil.php",
            b"<?php",
        );
        let verdict = judge(&fixtures::zip_of(&entries));
        assert_refused(&verdict, ProblemCode::BackslashPath);
        assert_refused(&verdict, ProblemCode::ZipSlip);
    }

    #[test]
    fn symlinks_are_refused() {
        let verdict = judge(&fixtures::with_symlink());
        assert_refused(&verdict, ProblemCode::Symlink);
        assert_eq!(codes(&verdict), vec!["symlink"]);
        assert!(verdict.problems[0].message.contains("userkey/config.php"));
    }

    #[test]
    fn encrypted_entries_are_refused() {
        let bytes = fixtures::set_encrypted(fixtures::good_auth_userkey(), "userkey/auth.php");
        let verdict = judge(&bytes);
        assert_refused(&verdict, ProblemCode::Encrypted);
        assert_eq!(codes(&verdict), vec!["encrypted"]);
        assert!(verdict.problems[0].message.contains("userkey/auth.php"));
    }

    #[test]
    fn duplicate_names_are_refused() {
        let entries = plus(
            fixtures::auth_userkey_entries("userkey"),
            "userkey/auth.phq",
            b"<?php //2",
        );
        let bytes = fixtures::patch_bytes(
            fixtures::zip_of(&entries),
            b"userkey/auth.phq",
            b"userkey/auth.php",
        );
        let verdict = judge(&bytes);
        assert_refused(&verdict, ProblemCode::DuplicateEntry);
        assert_eq!(codes(&verdict), vec!["duplicate_entry"]);
        assert!(verdict.problems[0].message.contains("userkey/auth.php"));
    }

    #[test]
    fn a_zip_bomb_is_refused() {
        let entries = plus(
            fixtures::auth_userkey_entries("userkey"),
            "userkey/pix/zeros.bin",
            &vec![0u8; 2 * 1024 * 1024],
        );
        let bytes = fixtures::zip_of(&entries);
        assert!(bytes.len() < 64 * 1024);
        let verdict = judge(&bytes);
        assert_refused(&verdict, ProblemCode::ZipBomb);
        assert_eq!(codes(&verdict), vec!["zip_bomb"]);
        // The plugin is still recognised from the small entries.
        assert_eq!(verdict.component.as_deref(), Some("auth_userkey"));
    }

    #[test]
    fn too_much_uncompressed_data_is_refused() {
        let bytes = fixtures::auth_userkey_with_blob(64 * 1024);
        let options = ValidateOptions {
            limits: ArchiveLimits {
                max_uncompressed_total: 32 * 1024,
                ..ArchiveLimits::default()
            },
            ..ValidateOptions::default()
        };
        let verdict = validate_bytes("big.zip", &bytes, &options);
        assert_refused(&verdict, ProblemCode::TooLargeUncompressed);
        assert!(judge(&bytes).is_valid());
    }

    #[test]
    fn a_truncated_archive_is_refused() {
        let bytes = fixtures::good_auth_userkey();
        for keep in [bytes.len() * 6 / 10, bytes.len() - 1, 10] {
            let verdict = judge(&bytes[..keep]);
            assert_refused(&verdict, ProblemCode::Truncated);
            assert_eq!(codes(&verdict), vec!["truncated"]);
        }
    }

    #[test]
    fn a_corrupted_entry_is_refused() {
        let marker = b"UNIQUE-CONTENT-MARKER-0123456789";
        let entries = plus(
            fixtures::auth_userkey_entries("userkey"),
            "userkey/readme.txt",
            marker,
        );
        let bytes = fixtures::zip_with(&entries, zip::CompressionMethod::Stored);
        let bytes = fixtures::patch_bytes(bytes, marker, b"UNIQUE-CONTENT-MARKER-0123456780");
        let verdict = judge(&bytes);
        assert_refused(&verdict, ProblemCode::DamagedEntry);
        assert!(verdict.problems[0].message.contains("userkey/readme.txt"));
        assert!(verdict.problems[0].message.contains("checksum"));
    }

    #[test]
    fn plain_text_is_not_a_zip() {
        let verdict = validate_bytes(
            "openSIS-Web-Services.zip",
            b"These are my notes about the plugins.\n",
            &ValidateOptions::default(),
        );
        assert_refused(&verdict, ProblemCode::NotAZip);
        assert_eq!(codes(&verdict), vec!["not_a_zip"]);
        assert!(verdict.problems[0].message.contains("plain text"));
    }

    #[test]
    fn an_html_page_named_zip_is_recognised() {
        let page = b"<!DOCTYPE html>\n<html lang=\"en\"><head><title>Login | openSIS</title></head>\n<body><form>...</form></body></html>\n";
        let verdict = validate_bytes(
            "openSIS-Moodle-User-Authenticator.zip",
            page,
            &ValidateOptions::default(),
        );
        assert_refused(&verdict, ProblemCode::HtmlInsteadOfZip);
        assert_eq!(codes(&verdict), vec!["html_instead_of_zip"]);
        assert!(verdict.problems[0].message.contains("Login | openSIS"));
    }

    #[test]
    fn an_empty_file_is_refused() {
        assert_refused(&judge(b""), ProblemCode::EmptyFile);
    }

    #[test]
    fn unusual_compression_is_refused() {
        // Method 12 (bzip2) patched into the headers of one entry.
        let bytes = fixtures::good_auth_userkey();
        let mut patched = bytes.clone();
        let name = b"userkey/auth.php";
        let mut changed = 0;
        for at in 0..patched.len() - 46 {
            let (method_at, name_at) = match &patched[at..at + 4] {
                b"PK\x03\x04" => (at + 8, at + 30),
                b"PK\x01\x02" => (at + 10, at + 46),
                _ => continue,
            };
            if patched.get(name_at..name_at + name.len()) == Some(name) {
                patched[method_at] = 12;
                changed += 1;
            }
        }
        assert_eq!(changed, 2);
        let verdict = judge(&patched);
        assert_refused(&verdict, ProblemCode::UnsupportedCompression);
        assert_eq!(codes(&verdict), vec!["unsupported_compression"]);
    }

    #[test]
    fn validate_path_matches_validate_bytes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("openSIS-Moodle-User-Authenticator.zip");
        let bytes = fixtures::auth_userkey_with_blob(300 * 1024);
        std::fs::write(&path, &bytes).expect("write");
        let from_path = validate_path(&path, &ValidateOptions::default()).expect("readable");
        let from_bytes = validate_bytes(
            "openSIS-Moodle-User-Authenticator.zip",
            &bytes,
            &ValidateOptions::default(),
        );
        assert_eq!(from_path, from_bytes);
        assert_eq!(from_path.status, VerdictStatus::Valid);
        let missing = validate_path(&dir.path().join("nope.zip"), &ValidateOptions::default());
        assert!(matches!(missing, Err(ValidateError::Read { .. })));
    }

    #[test]
    fn component_names_follow_moodle_rules() {
        assert!(is_valid_component("auth_userkey"));
        assert!(is_valid_component("local_opensis_ws2"));
        assert!(!is_valid_component("Auth_userkey"));
        assert!(!is_valid_component("auth_user-key"));
        assert!(!is_valid_component("auth_user__key"));
        assert!(!is_valid_component("auth_userkey_"));
        assert!(!is_valid_component("1auth_x"));
    }
}
