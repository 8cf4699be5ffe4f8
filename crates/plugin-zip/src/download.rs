// Owns: fetching a plugin ZIP into a folder: streamed to a temporary file, hashed, capped,
// cancellable, validated, then renamed into place. Must not: build its own HTTP client, or
// leave a partial or refused file under a final name.

use std::io::{self, BufReader};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use reqwest::header::{CONTENT_DISPOSITION, LOCATION};
use reqwest::StatusCode;
use serde::Serialize;
use sha2::{Digest, Sha256};
use tempfile::NamedTempFile;
use tokio::io::AsyncWriteExt;
use url::Url;

pub use tokio_util::sync::CancellationToken;

use super::validate::{human_size, validate_reader, ValidateOptions};
use super::verdict::{PluginVerdict, Problem, ProblemCode};

/// How a download is bounded.
#[derive(Debug, Clone)]
pub struct DownloadOptions {
    /// Largest body accepted; a larger one is refused before or while it arrives.
    pub max_bytes: u64,
    /// The whole exchange, from connecting to the last byte.
    pub total_timeout: Duration,
    /// Longest wait for the next piece of the body.
    pub idle_timeout: Duration,
    pub max_redirects: usize,
    /// What the downloaded file is judged against.
    pub validate: ValidateOptions,
}

pub const DEFAULT_MAX_DOWNLOAD_BYTES: u64 = 50 * 1024 * 1024;

impl Default for DownloadOptions {
    fn default() -> Self {
        Self {
            max_bytes: DEFAULT_MAX_DOWNLOAD_BYTES,
            total_timeout: Duration::from_secs(15 * 60),
            idle_timeout: Duration::from_secs(60),
            max_redirects: 10,
            validate: ValidateOptions::default(),
        }
    }
}

/// Reported after each piece of the body is written.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DownloadProgress {
    pub downloaded: u64,
    /// From `Content-Length`, when the server sent one.
    pub total: Option<u64>,
    /// Average since the body started.
    pub bytes_per_second: u64,
}

/// A finished download: the verdict on the file and, when it was accepted, where it is.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DownloadOutcome {
    /// The address the file finally came from, after redirects.
    pub final_url: String,
    /// `None` when the file was refused; a refused file is not kept.
    pub saved_to: Option<PathBuf>,
    pub verdict: PluginVerdict,
}

#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    #[error("only http and https links can be downloaded, not \"{scheme}:\" links")]
    UnsupportedScheme { scheme: String },
    #[error("could not connect to {host}: {reason}. Check the address and this computer's internet connection")]
    Connect { host: String, reason: String },
    #[error("the request failed: {reason}")]
    Request { reason: String },
    #[error("the server answered {}. {hint}", status_text(.status))]
    HttpStatus { status: u16, hint: &'static str },
    #[error("the link redirects more than {limit} times")]
    TooManyRedirects { limit: usize },
    #[error("the server sent a redirect without a usable address")]
    BadRedirect,
    #[error("the file is larger than the {} limit{}", size_text(.limit), announced_text(.announced))]
    TooLarge { limit: u64, announced: Option<u64> },
    #[error("the server sent nothing for {} seconds; try again later", .idle.as_secs())]
    Stalled { idle: Duration },
    #[error("the download took too long and was stopped; try again on a faster connection")]
    TimedOut,
    #[error("the connection broke after {} of {}: {reason}. Try again", size_text(.received), expected_text(.expected))]
    Interrupted {
        received: u64,
        expected: Option<u64>,
        reason: String,
    },
    #[error("the download was cancelled")]
    Cancelled,
    #[error("cannot save into {}: {source}", .dir.display())]
    Destination { dir: PathBuf, source: io::Error },
    #[error("the downloaded file could not be checked: {reason}")]
    Check { reason: String },
}

fn size_text(bytes: &u64) -> String {
    human_size(*bytes)
}

fn status_text(status: &u16) -> String {
    let reason = StatusCode::from_u16(*status)
        .ok()
        .and_then(|s| s.canonical_reason());
    match reason {
        Some(reason) => format!("{status} {reason}"),
        None => status.to_string(),
    }
}

fn announced_text(announced: &Option<u64>) -> String {
    announced.map_or_else(String::new, |a| {
        format!(" (the server announced {})", human_size(a))
    })
}

fn expected_text(expected: &Option<u64>) -> String {
    expected.map_or_else(|| "an unknown size".to_owned(), human_size)
}

/// Downloads a plugin ZIP from `url` into `dest_dir` (created if missing) with the shared
/// `client`. The body goes to a hidden temporary file next to the destination, hashed as it
/// arrives; only a complete file that passes validation is renamed to its final name. Redirects
/// are followed here, so a client that does not follow them works too.
///
/// `Ok` carries the verdict even when the file was refused (then nothing is kept); `Err` means
/// no complete file was obtained. Either way no partial file remains.
pub async fn download_plugin<F>(
    client: &reqwest::Client,
    url: &Url,
    dest_dir: &Path,
    options: &DownloadOptions,
    cancel: &CancellationToken,
    mut on_progress: F,
) -> Result<DownloadOutcome, DownloadError>
where
    F: FnMut(&DownloadProgress),
{
    let deadline = Instant::now() + options.total_timeout;
    let (mut response, insecure) = tokio::select! {
        biased;
        () = cancel.cancelled() => return Err(DownloadError::Cancelled),
        answer = fetch_following_redirects(client, url, options) => answer?,
    };
    let total = response.content_length();
    if let Some(announced) = total.filter(|len| *len > options.max_bytes) {
        return Err(DownloadError::TooLarge {
            limit: options.max_bytes,
            announced: Some(announced),
        });
    }
    let final_url = response.url().clone();
    let file_name = response
        .headers()
        .get(CONTENT_DISPOSITION)
        .and_then(|v| v.to_str().ok())
        .and_then(filename_from_content_disposition)
        .and_then(|n| sanitize_file_name(&n))
        .or_else(|| last_segment(&final_url).and_then(|n| sanitize_file_name(&n)))
        .or_else(|| last_segment(url).and_then(|n| sanitize_file_name(&n)))
        .unwrap_or_else(|| "plugin.zip".to_owned());

    let destination_error = |source| DownloadError::Destination {
        dir: dest_dir.to_owned(),
        source,
    };
    tokio::fs::create_dir_all(dest_dir)
        .await
        .map_err(destination_error)?;
    let temp = tempfile::Builder::new()
        .prefix(".sis-moodle-setup-")
        .suffix(".zip.part")
        .tempfile_in(dest_dir)
        .map_err(destination_error)?;
    let writer = temp.as_file().try_clone().map_err(destination_error)?;
    let mut writer =
        tokio::io::BufWriter::with_capacity(256 * 1024, tokio::fs::File::from_std(writer));

    let mut hasher = Sha256::new();
    let mut received: u64 = 0;
    let started = Instant::now();
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        let wait = options.idle_timeout.min(remaining);
        let next = tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(DownloadError::Cancelled),
            next = tokio::time::timeout(wait, response.chunk()) => next,
        };
        let chunk = match next {
            Err(_) if remaining <= options.idle_timeout => return Err(DownloadError::TimedOut),
            Err(_) => {
                return Err(DownloadError::Stalled {
                    idle: options.idle_timeout,
                })
            }
            Ok(Err(error)) if error.is_timeout() => return Err(DownloadError::TimedOut),
            Ok(Err(error)) => {
                return Err(DownloadError::Interrupted {
                    received,
                    expected: total,
                    reason: error_chain(&error),
                })
            }
            Ok(Ok(None)) => break,
            Ok(Ok(Some(chunk))) => chunk,
        };
        received += chunk.len() as u64;
        if received > options.max_bytes {
            return Err(DownloadError::TooLarge {
                limit: options.max_bytes,
                announced: None,
            });
        }
        hasher.update(&chunk);
        writer.write_all(&chunk).await.map_err(destination_error)?;
        let elapsed = started.elapsed().as_secs_f64();
        let bytes_per_second = if elapsed > 0.0 {
            (received as f64 / elapsed) as u64
        } else {
            0
        };
        on_progress(&DownloadProgress {
            downloaded: received,
            total,
            bytes_per_second,
        });
    }
    if let Some(expected) = total.filter(|t| *t != received) {
        return Err(DownloadError::Interrupted {
            received,
            expected: Some(expected),
            reason: "the body ended early".into(),
        });
    }
    writer.flush().await.map_err(destination_error)?;
    let written = writer.into_inner();
    written.sync_all().await.map_err(destination_error)?;
    drop(written);

    let sha256 = hex::encode(hasher.finalize());
    let reader = temp.reopen().map_err(destination_error)?;
    let validate_options = options.validate.clone();
    let name_for_verdict = file_name.clone();
    let sha_for_verdict = sha256.clone();
    let mut verdict = tokio::task::spawn_blocking(move || {
        validate_reader(
            BufReader::new(reader),
            &name_for_verdict,
            received,
            sha_for_verdict,
            &validate_options,
        )
    })
    .await
    .map_err(|e| DownloadError::Check {
        reason: e.to_string(),
    })?;
    if insecure {
        verdict.push(Problem::warning(
            ProblemCode::InsecureDownload,
            "The file came over plain http, so it could have been altered on the way. Prefer an \
             https link, or compare the SHA-256 with the file from openSIS.",
        ));
    }
    if !verdict.is_valid() {
        // Dropping the temporary file deletes it.
        return Ok(DownloadOutcome {
            final_url: final_url.to_string(),
            saved_to: None,
            verdict,
        });
    }
    let saved_to = place(temp, dest_dir, &file_name, &sha256).map_err(destination_error)?;
    if let Some(name) = saved_to.file_name() {
        verdict.file = name.to_string_lossy().into_owned();
    }
    Ok(DownloadOutcome {
        final_url: final_url.to_string(),
        saved_to: Some(saved_to),
        verdict,
    })
}

/// Sends the GET and follows redirects; the flag tells whether any hop used plain http.
async fn fetch_following_redirects(
    client: &reqwest::Client,
    url: &Url,
    options: &DownloadOptions,
) -> Result<(reqwest::Response, bool), DownloadError> {
    let mut current = url.clone();
    let mut insecure = false;
    for _ in 0..=options.max_redirects {
        match current.scheme() {
            "https" => {}
            "http" => insecure = true,
            other => {
                return Err(DownloadError::UnsupportedScheme {
                    scheme: other.to_owned(),
                })
            }
        }
        let response = client
            .get(current.clone())
            .timeout(options.total_timeout)
            .send()
            .await
            .map_err(|e| request_error(&e, &current))?;
        // A client that follows redirects itself may have ended on plain http.
        if response.url().scheme() == "http" {
            insecure = true;
        }
        let status = response.status();
        if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
            let location = response
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or(DownloadError::BadRedirect)?;
            current = response
                .url()
                .join(location)
                .map_err(|_| DownloadError::BadRedirect)?;
            continue;
        }
        if !status.is_success() {
            return Err(DownloadError::HttpStatus {
                status: status.as_u16(),
                hint: status_hint(status),
            });
        }
        return Ok((response, insecure));
    }
    Err(DownloadError::TooManyRedirects {
        limit: options.max_redirects,
    })
}

fn request_error(error: &reqwest::Error, url: &Url) -> DownloadError {
    if error.is_timeout() {
        DownloadError::TimedOut
    } else if error.is_connect() {
        DownloadError::Connect {
            host: url.host_str().unwrap_or("the server").to_owned(),
            reason: error_chain(error),
        }
    } else {
        DownloadError::Request {
            reason: error_chain(error),
        }
    }
}

/// The error and its causes, e.g. "error sending request: connection refused".
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

fn status_hint(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 | 403 => {
            "The server wants you signed in. Download the ZIP in your browser while signed in to \
             openSIS, then check the saved file instead."
        }
        404 | 410 => {
            "The link is wrong or the file has moved; copy the link again from openSIS's LMS \
             Settings page."
        }
        429 | 500..=599 => "The server has a problem right now; try again in a few minutes.",
        _ => "The file could not be downloaded from this link.",
    }
}

/// Renames the finished temporary file into `dir`: to `name`, or to the existing file of that
/// name when it has the same content, or else to `name (2).zip`, `name (3).zip`, ...
fn place(temp: NamedTempFile, dir: &Path, name: &str, sha256: &str) -> io::Result<PathBuf> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(temp.path(), std::fs::Permissions::from_mode(0o644))?;
    }
    let (stem, extension) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, format!(".{ext}")),
        _ => (name, String::new()),
    };
    let mut temp = temp;
    for attempt in 1..1000u32 {
        let candidate = if attempt == 1 {
            dir.join(name)
        } else {
            dir.join(format!("{stem} ({attempt}){extension}"))
        };
        if candidate.exists() {
            if file_sha256(&candidate).ok().as_deref() == Some(sha256) {
                // Same content already there; the temporary copy is dropped (deleted).
                return Ok(candidate);
            }
            continue;
        }
        match temp.persist_noclobber(&candidate) {
            Ok(_) => return Ok(candidate),
            Err(error) if error.error.kind() == io::ErrorKind::AlreadyExists => {
                temp = error.file;
            }
            Err(error) => return Err(error.error),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("too many files named like {name}"),
    ))
}

fn file_sha256(path: &Path) -> io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    io::copy(&mut file, &mut hasher)?;
    Ok(hex::encode(hasher.finalize()))
}

/// The file name from a `Content-Disposition` header, preferring `filename*` (RFC 6266).
pub fn filename_from_content_disposition(header: &str) -> Option<String> {
    let mut plain = None;
    let mut extended = None;
    for (key, value) in header_params(header) {
        match key.to_ascii_lowercase().as_str() {
            "filename*" => {
                // charset'language'percent-encoded
                let mut parts = value.splitn(3, '\'');
                let charset = parts.next().unwrap_or_default();
                let _language = parts.next();
                if let Some(encoded) = parts.next() {
                    let bytes = percent_decode(encoded);
                    extended = Some(if charset.eq_ignore_ascii_case("utf-8") {
                        String::from_utf8_lossy(&bytes).into_owned()
                    } else {
                        bytes.iter().map(|&b| char::from(b)).collect()
                    });
                }
            }
            "filename" => plain = Some(value),
            _ => {}
        }
    }
    extended.or(plain).filter(|n| !n.trim().is_empty())
}

/// `key=value` and `key="quoted \" value"` parameters after the disposition type.
fn header_params(header: &str) -> Vec<(String, String)> {
    let mut params = Vec::new();
    let mut chars = header.chars().peekable();
    // Skip the disposition type.
    for c in chars.by_ref() {
        if c == ';' {
            break;
        }
    }
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ';') {
            chars.next();
        }
        let key: String = chars
            .by_ref()
            .take_while(|c| *c != '=')
            .collect::<String>()
            .trim()
            .to_owned();
        if key.is_empty() {
            break;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        if let Some(escaped) = chars.next() {
                            value.push(escaped);
                        }
                    }
                    '"' => break,
                    c => value.push(c),
                }
            }
            for c in chars.by_ref() {
                if c == ';' {
                    break;
                }
            }
        } else {
            value = chars.by_ref().take_while(|c| *c != ';').collect();
        }
        params.push((key, value.trim().to_owned()));
    }
    params
}

fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match decoded {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    out
}

fn last_segment(url: &Url) -> Option<String> {
    let segment = url.path_segments()?.rev().find(|s| !s.is_empty())?;
    Some(String::from_utf8_lossy(&percent_decode(segment)).into_owned())
}

/// A safe file name from what a server suggests: no folders, no characters Windows or Unix
/// reject, not hidden, ending in `.zip`. `None` when nothing usable is left.
pub fn sanitize_file_name(raw: &str) -> Option<String> {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*'))
        .collect();
    let cleaned = cleaned
        .trim()
        .trim_start_matches('.')
        .trim_end_matches(['.', ' '])
        .trim();
    if cleaned.is_empty() {
        return None;
    }
    let (stem, extension) = match cleaned.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, Some(ext)),
        _ => (cleaned, None),
    };
    let stem = match extension {
        Some(ext) if ext.eq_ignore_ascii_case("zip") => stem.to_owned(),
        Some(ext)
            if SCRIPT_EXTENSIONS
                .iter()
                .any(|s| ext.eq_ignore_ascii_case(s)) =>
        {
            stem.to_owned()
        }
        Some(_) => cleaned.to_owned(),
        None => stem.to_owned(),
    };
    const RESERVED: [&str; 22] = [
        "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
        "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    ];
    let stem = if RESERVED.iter().any(|r| stem.eq_ignore_ascii_case(r)) {
        format!("_{stem}")
    } else {
        stem
    };
    let stem: String = stem.chars().take(150).collect();
    Some(format!("{}.zip", stem.trim_end_matches(['.', ' '])))
}

const SCRIPT_EXTENSIONS: [&str; 7] = ["php", "asp", "aspx", "jsp", "cgi", "html", "htm"];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;
    use crate::verdict::{ExpectedPlugin, VerdictStatus};
    use axum::body::{Body, Bytes};
    use axum::http::{header, StatusCode as AxumStatus};
    use axum::response::{IntoResponse, Response};
    use axum::routing::get;
    use axum::Router;
    use futures::StreamExt;
    use std::net::SocketAddr;
    use std::sync::{Arc, Mutex};
    use tokio::sync::Notify;

    const CD_AUTH: &str = "attachment; filename=\"openSIS-Moodle-User-Authenticator.zip\"";

    fn good_zip() -> Vec<u8> {
        // Big enough to arrive in several pieces.
        fixtures::auth_userkey_with_blob(512 * 1024)
    }

    fn zip_response(body: Body, len: Option<usize>) -> Response {
        let mut response = Response::new(body);
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, "application/zip".parse().expect("h"));
        headers.insert(header::CONTENT_DISPOSITION, CD_AUTH.parse().expect("h"));
        if let Some(len) = len {
            headers.insert(header::CONTENT_LENGTH, len.into());
        }
        response
    }

    fn chunked(bytes: Vec<u8>, chunk: usize) -> impl futures::Stream<Item = io::Result<Bytes>> {
        let pieces: Vec<io::Result<Bytes>> = bytes
            .chunks(chunk)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        futures::stream::iter(pieces)
    }

    async fn serve() -> SocketAddr {
        serve_with(Arc::new(Notify::new())).await
    }

    /// `release` lets the `/drop` route break its connection.
    async fn serve_with(release: Arc<Notify>) -> SocketAddr {
        let app = Router::new()
            .route(
                "/good",
                get(|| async {
                    let body = good_zip();
                    let len = body.len();
                    zip_response(Body::from_stream(chunked(body, 16 * 1024)), Some(len))
                }),
            )
            .route(
                "/files/openSIS-Web-Services.zip",
                get(|| async { fixtures::good_local_plugin() }),
            )
            .route(
                "/redirect",
                get(|| async { (AxumStatus::FOUND, [(header::LOCATION, "/good")]).into_response() }),
            )
            .route(
                "/drop",
                get(move || {
                    let release = release.clone();
                    async move {
                        let body = good_zip();
                        let len = body.len();
                        let first = Bytes::copy_from_slice(&body[..64 * 1024]);
                        // The connection breaks once the client has the first piece.
                        let failure = futures::stream::once(async move {
                            release.notified().await;
                            Err(io::Error::new(io::ErrorKind::ConnectionReset, "dropped"))
                        });
                        let stream = futures::stream::iter(vec![Ok(first)]).chain(failure);
                        zip_response(Body::from_stream(stream), Some(len))
                    }
                }),
            )
            .route(
                "/stall",
                get(|| async {
                    let body = good_zip();
                    let len = body.len();
                    let first = Bytes::copy_from_slice(&body[..16 * 1024]);
                    let stream = futures::stream::iter(vec![Ok::<_, io::Error>(first)])
                        .chain(futures::stream::pending());
                    zip_response(Body::from_stream(stream), Some(len))
                }),
            )
            .route(
                "/big",
                get(|| async {
                    let body = vec![b'x'; 2 * 1024 * 1024];
                    let len = body.len();
                    zip_response(Body::from(body), Some(len))
                }),
            )
            .route(
                "/big-chunked",
                get(|| async {
                    let body = vec![b'x'; 2 * 1024 * 1024];
                    zip_response(Body::from_stream(chunked(body, 64 * 1024)), None)
                }),
            )
            .route(
                "/login",
                get(|| async {
                    (
                        [
                            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                            (header::CONTENT_DISPOSITION, "attachment; filename=\"openSIS-Web-Services.zip\""),
                        ],
                        "<!DOCTYPE html>\n<html><head><title>openSIS - Login</title></head><body>Please log in</body></html>",
                    )
                }),
            )
            .route("/missing", get(|| async { AxumStatus::NOT_FOUND }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("address");
        tokio::spawn(async move {
            axum::serve(listener, app).await.expect("serve");
        });
        addr
    }

    fn client() -> reqwest::Client {
        // Like the app's shared client: no automatic redirects.
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    fn url(addr: SocketAddr, path: &str) -> Url {
        Url::parse(&format!("http://{addr}{path}")).expect("url")
    }

    fn dir_entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("read dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    type Events = Arc<Mutex<Vec<DownloadProgress>>>;

    async fn fetch(
        addr: SocketAddr,
        path: &str,
        dir: &Path,
        options: &DownloadOptions,
    ) -> (Result<DownloadOutcome, DownloadError>, Events) {
        let events: Events = Arc::default();
        let sink = events.clone();
        let result = download_plugin(
            &client(),
            &url(addr, path),
            dir,
            options,
            &CancellationToken::new(),
            move |p| sink.lock().expect("lock").push(*p),
        )
        .await;
        (result, events)
    }

    #[tokio::test]
    async fn downloads_with_progress_and_a_correct_hash() {
        let addr = serve().await;
        let dir = tempfile::tempdir().expect("tempdir");
        let (result, events) = fetch(addr, "/good", dir.path(), &DownloadOptions::default()).await;
        let outcome = result.expect("download succeeds");
        let expected = good_zip();
        let saved = outcome.saved_to.expect("kept");
        assert_eq!(
            saved,
            dir.path().join("openSIS-Moodle-User-Authenticator.zip")
        );
        assert_eq!(std::fs::read(&saved).expect("read"), expected);
        assert_eq!(
            outcome.verdict.sha256,
            hex::encode(Sha256::digest(&expected))
        );
        assert_eq!(outcome.verdict.size, expected.len() as u64);
        assert_eq!(
            outcome.verdict.expected,
            Some(ExpectedPlugin::UserAuthenticator)
        );
        // Plain http on loopback: accepted with the insecure warning only.
        assert_eq!(outcome.verdict.status, VerdictStatus::ValidWithWarnings);
        assert!(outcome.verdict.has(ProblemCode::InsecureDownload));
        assert_eq!(outcome.verdict.problems.len(), 1);

        let events = events.lock().expect("lock");
        assert!(!events.is_empty());
        assert!(events.windows(2).all(|w| w[0].downloaded < w[1].downloaded));
        let last = events.last().expect("an event");
        assert_eq!(last.downloaded, expected.len() as u64);
        assert!(events
            .iter()
            .all(|e| e.total == Some(expected.len() as u64)));
        assert_eq!(
            dir_entries(dir.path()),
            vec!["openSIS-Moodle-User-Authenticator.zip"]
        );
    }

    #[tokio::test]
    async fn follows_redirects_and_names_the_file_from_the_url() {
        let addr = serve().await;
        let dir = tempfile::tempdir().expect("tempdir");
        let (result, _) = fetch(addr, "/redirect", dir.path(), &DownloadOptions::default()).await;
        let outcome = result.expect("redirect followed");
        assert!(outcome.final_url.ends_with("/good"));
        assert!(outcome.saved_to.is_some());

        let (result, _) = fetch(
            addr,
            "/files/openSIS-Web-Services.zip",
            dir.path(),
            &DownloadOptions::default(),
        )
        .await;
        let outcome = result.expect("download succeeds");
        assert_eq!(
            outcome.saved_to.as_deref(),
            Some(dir.path().join("openSIS-Web-Services.zip").as_path())
        );
        assert_eq!(outcome.verdict.expected, Some(ExpectedPlugin::WebServices));
    }

    #[tokio::test]
    async fn same_content_is_reused_and_different_content_gets_a_new_name() {
        let addr = serve().await;
        let dir = tempfile::tempdir().expect("tempdir");
        let options = DownloadOptions::default();
        let first = fetch(addr, "/good", dir.path(), &options)
            .await
            .0
            .expect("first");
        let second = fetch(addr, "/good", dir.path(), &options)
            .await
            .0
            .expect("second");
        assert_eq!(first.saved_to, second.saved_to);
        let name = "openSIS-Moodle-User-Authenticator.zip";
        std::fs::write(dir.path().join(name), b"someone else's file").expect("write");
        let third = fetch(addr, "/good", dir.path(), &options)
            .await
            .0
            .expect("third");
        assert_eq!(
            third.saved_to.as_deref(),
            Some(
                dir.path()
                    .join("openSIS-Moodle-User-Authenticator (2).zip")
                    .as_path()
            )
        );
        assert_eq!(
            std::fs::read(dir.path().join(name)).expect("read"),
            b"someone else's file"
        );
    }

    #[tokio::test]
    async fn a_dropped_connection_leaves_no_file() {
        let release = Arc::new(Notify::new());
        let addr = serve_with(release.clone()).await;
        let dir = tempfile::tempdir().expect("tempdir");
        let events: Events = Arc::default();
        let sink = events.clone();
        let result = download_plugin(
            &client(),
            &url(addr, "/drop"),
            dir.path(),
            &DownloadOptions::default(),
            &CancellationToken::new(),
            move |p| {
                sink.lock().expect("lock").push(*p);
                release.notify_one();
            },
        )
        .await;
        let expected = good_zip().len() as u64;
        match result {
            Err(DownloadError::Interrupted {
                received,
                expected: announced,
                ..
            }) => {
                assert_eq!(received, 64 * 1024);
                assert_eq!(announced, Some(expected));
            }
            other => panic!("expected an interrupted download, got {other:?}"),
        }
        assert_eq!(
            events.lock().expect("lock").last().map(|e| e.downloaded),
            Some(64 * 1024)
        );
        assert!(dir_entries(dir.path()).is_empty());
    }

    #[tokio::test]
    async fn cancelling_cleans_up() {
        let addr = serve().await;
        let dir = tempfile::tempdir().expect("tempdir");
        let cancel = CancellationToken::new();
        let trigger = cancel.clone();
        let result = download_plugin(
            &client(),
            &url(addr, "/stall"),
            dir.path(),
            &DownloadOptions::default(),
            &cancel,
            move |_| trigger.cancel(),
        )
        .await;
        assert!(
            matches!(result, Err(DownloadError::Cancelled)),
            "{result:?}"
        );
        assert!(dir_entries(dir.path()).is_empty());
    }

    #[tokio::test]
    async fn a_stalled_body_is_abandoned() {
        let addr = serve().await;
        let dir = tempfile::tempdir().expect("tempdir");
        let options = DownloadOptions {
            idle_timeout: Duration::from_millis(200),
            ..DownloadOptions::default()
        };
        let (result, _) = fetch(addr, "/stall", dir.path(), &options).await;
        assert!(
            matches!(result, Err(DownloadError::Stalled { .. })),
            "{result:?}"
        );
        assert!(dir_entries(dir.path()).is_empty());
    }

    #[tokio::test]
    async fn oversize_bodies_are_refused() {
        let addr = serve().await;
        let dir = tempfile::tempdir().expect("tempdir");
        let options = DownloadOptions {
            max_bytes: 1024 * 1024,
            ..DownloadOptions::default()
        };
        let (result, events) = fetch(addr, "/big", dir.path(), &options).await;
        assert!(
            matches!(
                result,
                Err(DownloadError::TooLarge {
                    announced: Some(2097152),
                    ..
                })
            ),
            "{result:?}"
        );
        assert!(events.lock().expect("lock").is_empty());
        let (result, events) = fetch(addr, "/big-chunked", dir.path(), &options).await;
        assert!(
            matches!(
                result,
                Err(DownloadError::TooLarge {
                    announced: None,
                    ..
                })
            ),
            "{result:?}"
        );
        let events = events.lock().expect("lock");
        assert!(events.iter().all(|e| e.downloaded <= 1024 * 1024));
        assert!(dir_entries(dir.path()).is_empty());
    }

    #[tokio::test]
    async fn an_html_page_is_refused_and_not_kept() {
        let addr = serve().await;
        let dir = tempfile::tempdir().expect("tempdir");
        let (result, _) = fetch(addr, "/login", dir.path(), &DownloadOptions::default()).await;
        let outcome = result.expect("downloaded, then refused");
        assert_eq!(outcome.verdict.status, VerdictStatus::Refused);
        assert!(outcome.verdict.has(ProblemCode::HtmlInsteadOfZip));
        assert!(outcome.verdict.problems[0]
            .message
            .contains("openSIS - Login"));
        assert_eq!(outcome.saved_to, None);
        assert!(dir_entries(dir.path()).is_empty());
    }

    #[tokio::test]
    async fn http_errors_and_bad_schemes_are_reported() {
        let addr = serve().await;
        let dir = tempfile::tempdir().expect("tempdir");
        let (result, _) = fetch(addr, "/missing", dir.path(), &DownloadOptions::default()).await;
        assert!(
            matches!(result, Err(DownloadError::HttpStatus { status: 404, .. })),
            "{result:?}"
        );
        let ftp = Url::parse("ftp://127.0.0.1/x.zip").expect("url");
        let result = download_plugin(
            &client(),
            &ftp,
            dir.path(),
            &DownloadOptions::default(),
            &CancellationToken::new(),
            |_| {},
        )
        .await;
        assert!(matches!(
            result,
            Err(DownloadError::UnsupportedScheme { .. })
        ));
        assert!(dir_entries(dir.path()).is_empty());
    }

    #[test]
    fn content_disposition_names_are_read() {
        assert_eq!(
            filename_from_content_disposition("attachment; filename=\"a b.zip\"").as_deref(),
            Some("a b.zip")
        );
        assert_eq!(
            filename_from_content_disposition("attachment; filename=plain.zip; size=3").as_deref(),
            Some("plain.zip")
        );
        assert_eq!(
            filename_from_content_disposition(
                "attachment; filename=\"fallback.zip\"; filename*=UTF-8''caf%C3%A9.zip"
            )
            .as_deref(),
            Some("café.zip")
        );
        assert_eq!(
            filename_from_content_disposition("attachment; filename=\"q\\\"d.zip\"").as_deref(),
            Some("q\"d.zip")
        );
        assert_eq!(filename_from_content_disposition("inline"), None);
    }

    #[test]
    fn file_names_are_sanitised() {
        assert_eq!(
            sanitize_file_name("../../etc/passwd").as_deref(),
            Some("passwd.zip")
        );
        assert_eq!(
            sanitize_file_name("..\\..\\Windows\\evil.zip").as_deref(),
            Some("evil.zip")
        );
        assert_eq!(
            sanitize_file_name("/abs/plugin.ZIP").as_deref(),
            Some("plugin.zip")
        );
        assert_eq!(
            sanitize_file_name(".hidden.zip").as_deref(),
            Some("hidden.zip")
        );
        assert_eq!(
            sanitize_file_name("download.php").as_deref(),
            Some("download.zip")
        );
        assert_eq!(
            sanitize_file_name("openSIS-Web-Services").as_deref(),
            Some("openSIS-Web-Services.zip")
        );
        assert_eq!(sanitize_file_name("a:b*c?.zip").as_deref(), Some("abc.zip"));
        assert_eq!(sanitize_file_name("CON.zip").as_deref(), Some("_CON.zip"));
        assert_eq!(sanitize_file_name("..").as_deref(), None);
        assert_eq!(sanitize_file_name("").as_deref(), None);
        assert_eq!(sanitize_file_name("dir/").as_deref(), None);
    }
}
