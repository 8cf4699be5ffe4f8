// Owns: replaying a recorded run of the set-up on a real lab Moodle (scripts/lab/record-proxy.py):
// every exchange of the run, in its order, each answered once, with the recording's stand-ins
// for secrets and `{{BASE}}` for the site's address. Must not: answer a request the recording
// does not have (that is a miss, answered 599 and kept for the test to fail on), or answer one
// recorded exchange twice.

use std::io::Read;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Response, StatusCode, Uri};
use axum::Router;
use serde::Deserialize;
use tokio::sync::oneshot;

/// The password and the two tokens as the recordings have them (scripts/lab/record-proxy.py).
pub const STAND_IN_PASSWORD: &str = "lab-password";
pub const STAND_IN_OPENSIS_TOKEN: &str = "0000000000000000000000000000a001";
pub const STAND_IN_USERKEY_TOKEN: &str = "0000000000000000000000000000a002";
/// The stand-ins of tokens of another account (fault.php's non-admin wsuser).
pub const STAND_IN_OTHER_OPENSIS_TOKEN: &str = "0000000000000000000000000000a003";
pub const STAND_IN_OTHER_USERKEY_TOKEN: &str = "0000000000000000000000000000a004";

/// A small auth_userkey ZIP for a replayed run: its upload is replayed (the bytes are not
/// compared), and the client checks it as Moodle's installer would before sending it.
pub fn stand_in_userkey_zip() -> Vec<u8> {
    use std::io::Write;
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let options: zip::write::SimpleFileOptions = Default::default();
        let files: [(&str, &str); 3] = [
            (
                "userkey/version.php",
                "<?php\ndefined('MOODLE_INTERNAL') || die();\n$plugin->component = 'auth_userkey';\n$plugin->version = 2022081901;\n$plugin->release = 2022081901;\n$plugin->requires = 2017051500;\n$plugin->maturity = MATURITY_STABLE;\n",
            ),
            (
                "userkey/lang/en/auth_userkey.php",
                "<?php\n$string['pluginname'] = 'User key authentication';\n",
            ),
            ("userkey/auth.php", "<?php\n"),
        ];
        zip.add_directory("userkey/", options)
            .expect("a ZIP entry in memory");
        for (name, text) in files {
            zip.start_file(name, options)
                .expect("a ZIP entry in memory");
            zip.write_all(text.as_bytes())
                .expect("a ZIP entry in memory");
        }
        zip.finish().expect("a ZIP in memory");
    }
    out.into_inner()
}

/// One exchange of a recorded run.
#[derive(Debug, Clone, Deserialize)]
pub struct RecordedExchange {
    pub seq: u32,
    pub method: String,
    /// Path and query, as asked.
    pub target: String,
    pub content_type: Option<String>,
    /// The request's body (a form), or `<multipart N bytes>`.
    pub body: String,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub response: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot read the recorded run {0}: {1}")]
    Read(String, std::io::Error),
    #[error("line {0} of the recorded run is not an exchange: {1}")]
    Line(usize, serde_json::Error),
    #[error("cannot listen on loopback: {0}")]
    Listen(std::io::Error),
}

/// A recorded run, read from its `.jsonl.xz` file (or `.jsonl.gz`).
#[derive(Debug, Clone)]
pub struct RecordedRun {
    pub exchanges: Vec<RecordedExchange>,
}

impl RecordedRun {
    pub fn load(path: &Path) -> Result<Self, RunError> {
        let file =
            std::fs::File::open(path).map_err(|e| RunError::Read(path.display().to_string(), e))?;
        let mut text = String::new();
        let read = if path.extension().is_some_and(|e| e == "xz") {
            xz2::read::XzDecoder::new(file).read_to_string(&mut text)
        } else {
            flate2::read::GzDecoder::new(file).read_to_string(&mut text)
        };
        read.map_err(|e| RunError::Read(path.display().to_string(), e))?;
        let exchanges = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .enumerate()
            .map(|(i, l)| serde_json::from_str(l).map_err(|e| RunError::Line(i + 1, e)))
            .collect::<Result<_, _>>()?;
        Ok(Self { exchanges })
    }
}

#[derive(Debug, Default)]
struct ReplayState {
    used: Vec<bool>,
    misses: Vec<String>,
}

/// A recorded run served on 127.0.0.1. Dropping it stops the server.
pub struct RunReplay {
    addr: SocketAddr,
    state: Arc<Mutex<ReplayState>>,
    run: Arc<RecordedRun>,
    _stop: oneshot::Sender<()>,
}

fn form_pairs(body: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str(body).unwrap_or_default()
}

fn names(pairs: &[(String, String)]) -> Vec<&str> {
    pairs.iter().map(|(k, _)| k.as_str()).collect()
}

/// The same fields with the same values, in any order (a browser posts a form's fields in the
/// page's order, the command line in its own).
fn same_fields(recorded: &[(String, String)], asked: &[(String, String)]) -> bool {
    let mut a = recorded.to_vec();
    let mut b = asked.to_vec();
    a.sort();
    b.sort();
    a == b
}

fn split_target(target: &str) -> (&str, &str) {
    target.split_once('?').unwrap_or((target, ""))
}

/// The same parameters with the same values, but those the client makes up each time.
fn same_but_made_up(recorded: &[(String, String)], asked: &[(String, String)]) -> bool {
    recorded.len() == asked.len()
        && recorded.iter().zip(asked).all(|((rk, rv), (ak, av))| {
            rk == ak
                && (rv == av
                    || crate::matcher::MADE_UP_VALUES
                        .iter()
                        .any(|(_, name)| name == rk))
        })
}

impl RunReplay {
    pub async fn start(run: RecordedRun) -> Result<Self, RunError> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(RunError::Listen)?;
        let addr = listener.local_addr().map_err(RunError::Listen)?;
        let state = Arc::new(Mutex::new(ReplayState {
            used: vec![false; run.exchanges.len()],
            misses: Vec::new(),
        }));
        let run = Arc::new(run);
        let base = format!("http://{addr}");
        let (s, r) = (state.clone(), run.clone());
        let app = Router::new().fallback(move |m: Method, u: Uri, h: HeaderMap, b: Bytes| {
            let (s, r, base) = (s.clone(), r.clone(), base.clone());
            async move { answer(&s, &r, &base, m, u, h, b) }
        });
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Self {
            addr,
            state,
            run,
            _stop: tx,
        })
    }

    /// The replayed site's address (what `{{BASE}}` stands for).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Requests the recording did not have.
    pub fn misses(&self) -> Vec<String> {
        self.state
            .lock()
            .map(|s| s.misses.clone())
            .unwrap_or_default()
    }

    /// Recorded exchanges no request asked for, by their number.
    pub fn unused(&self) -> Vec<u32> {
        let state = self.state.lock().expect("replay state");
        self.run
            .exchanges
            .iter()
            .zip(&state.used)
            .filter(|(_, used)| !**used)
            .map(|(e, _)| e.seq)
            .collect()
    }
}

fn fill(text: &str, base: &str) -> String {
    text.replace("{{BASE_JSON}}", &base.replace('/', "\\/"))
        .replace("{{BASE_QUOTED}}", &url_quote(base))
        .replace("{{BASE}}", base)
}

fn url_quote(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)])
        .map(|q| q.trim_start_matches("x=").to_string())
        .unwrap_or_default()
        .replace('+', "%20")
}

fn answer(
    state: &Mutex<ReplayState>,
    run: &RecordedRun,
    base: &str,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response<Body> {
    let target = uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| uri.path().to_string());
    let multipart = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("multipart/"));
    let text = String::from_utf8_lossy(&body).into_owned();
    let asked = form_pairs(&text);
    let mut state = state.lock().expect("replay state");
    let candidates: Vec<usize> = run
        .exchanges
        .iter()
        .enumerate()
        .filter(|(i, e)| {
            !state.used[*i] && e.method == method.as_str() && fill(&e.target, base) == target
        })
        .map(|(i, _)| i)
        .collect();
    let exact = candidates.iter().copied().find(|i| {
        let e = &run.exchanges[*i];
        multipart
            || fill(&e.body, base) == text
            || same_fields(&form_pairs(&fill(&e.body, base)), &asked)
    });
    // A value the client makes up each time (the doctor's made-up user name, key, e-mail or
    // address: crate::matcher::MADE_UP_VALUES) may differ; nothing else may.
    let chosen = exact.or_else(|| {
        run.exchanges
            .iter()
            .enumerate()
            .filter(|(i, e)| !state.used[*i] && e.method == method.as_str())
            .map(|(i, _)| i)
            .find(|i| {
                let e = &run.exchanges[*i];
                let recorded_target = fill(&e.target, base);
                let (r_path, r_query) = split_target(&recorded_target);
                let (a_path, a_query) = split_target(&target);
                r_path == a_path
                    && same_but_made_up(&form_pairs(r_query), &form_pairs(a_query))
                    && same_but_made_up(&form_pairs(&fill(&e.body, base)), &asked)
            })
    });
    let Some(i) = chosen else {
        state.misses.push(format!(
            "{} {target} {}",
            method.as_str(),
            names(&asked).join(",")
        ));
        return Response::builder()
            .status(599)
            .body(Body::from("no recorded exchange for this request"))
            .unwrap_or_default();
    };
    state.used[i] = true;
    let e = &run.exchanges[i];
    let mut response = Response::builder()
        .status(StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    for (k, v) in &e.headers {
        if let (Ok(k), Ok(v)) = (
            HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(&fill(v, base)),
        ) {
            response = response.header(k, v);
        }
    }
    response
        .body(Body::from(fill(&e.response, base)))
        .unwrap_or_default()
}
