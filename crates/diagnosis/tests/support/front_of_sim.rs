#![allow(dead_code)] // each test file uses its own part of the double
                     // Owns: a test double in front of the simulated Moodle, for the answers no capture holds: it
                     // passes every request through and lets a test replace chosen answers with the one a
                     // document names (Moodle's or auth_userkey's source, a vendor's page). Must not: be used
                     // where a capture exists — the simulated Moodle itself answers those.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Response, Uri};

/// A request as the double saw it, with the form body and query decoded.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub params: Vec<(String, String)>,
}

impl Seen {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn function(&self) -> Option<&str> {
        self.param("wsfunction")
    }
}

/// An answer the double sends instead of the simulation's.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    /// Moodle's JSON error envelope, as webservice/rest/locallib.php writes it.
    pub fn moodle_error(errorcode: &str, message: &str, debuginfo: Option<&str>) -> Self {
        let mut value = serde_json::json!({
            "exception": "moodle_exception",
            "errorcode": errorcode,
            "message": message,
        });
        if let Some(d) = debuginfo {
            value["debuginfo"] = serde_json::Value::String(d.to_owned());
        }
        Self::json(value.to_string())
    }

    pub fn json(body: impl Into<String>) -> Self {
        Self {
            status: 200,
            headers: vec![("content-type", "application/json".to_owned())],
            body: body.into().into_bytes(),
        }
    }
}

pub type Replace = Arc<dyn Fn(&Seen) -> Option<Answer> + Send + Sync>;
pub type Rewrite = Arc<dyn Fn(&Seen, Vec<u8>) -> Vec<u8> + Send + Sync>;

/// What the double changes: whole answers, and the bodies of the answers it passes through.
#[derive(Clone)]
pub struct Changes {
    pub replace: Replace,
    pub rewrite: Rewrite,
}

impl Changes {
    pub fn replacing(f: impl Fn(&Seen) -> Option<Answer> + Send + Sync + 'static) -> Self {
        Self {
            replace: Arc::new(f),
            rewrite: Arc::new(|_, body| body),
        }
    }

    pub fn rewriting(f: impl Fn(&Seen, Vec<u8>) -> Vec<u8> + Send + Sync + 'static) -> Self {
        Self {
            replace: Arc::new(|_| None),
            rewrite: Arc::new(f),
        }
    }
}

/// Starts the double in front of `upstream` (the simulated Moodle's address) and returns its
/// own address. The upstream's address in every answer becomes the double's, so that the
/// client stays in front of the simulation.
pub async fn in_front_of(upstream: &str, changes: Changes) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let front = format!("http://{}", listener.local_addr().unwrap());
    let moved = {
        let (upstream, front) = (upstream.to_owned(), front.clone());
        move |text: &str| {
            text.replace(&upstream, &front)
                .replace(&upstream.replace('/', "\\/"), &front.replace('/', "\\/"))
        }
    };
    let upstream = upstream.to_owned();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let app = axum::Router::new().fallback(
        move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
            let (upstream, http, moved, changes) = (
                upstream.clone(),
                http.clone(),
                moved.clone(),
                changes.clone(),
            );
            async move {
                let mut params: Vec<(String, String)> =
                    serde_urlencoded::from_str(uri.query().unwrap_or_default()).unwrap_or_default();
                params.extend(
                    serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
                        .unwrap_or_default(),
                );
                let seen = Seen {
                    method: method.to_string(),
                    path: uri.path().to_owned(),
                    params,
                };
                if let Some(answer) = (changes.replace)(&seen) {
                    let mut builder = Response::builder().status(answer.status);
                    for (k, v) in answer.headers {
                        builder = builder.header(k, moved(&v));
                    }
                    return builder.body(Body::from(answer.body)).unwrap();
                }
                let target = format!(
                    "{upstream}{}",
                    uri.path_and_query().map(|p| p.as_str()).unwrap_or("/")
                );
                let mut request = http.request(method, target);
                for name in ["content-type", "cookie"] {
                    if let Some(v) = headers.get(name) {
                        request = request.header(name, v.clone());
                    }
                }
                let answer = request.body(body).send().await.unwrap();
                let mut builder = Response::builder().status(answer.status().as_u16());
                for (name, value) in answer.headers() {
                    if ["content-type", "location", "set-cookie", "x-redirect-by"]
                        .contains(&name.as_str())
                    {
                        builder = builder.header(name, moved(value.to_str().unwrap()));
                    }
                }
                let text = moved(&String::from_utf8_lossy(&answer.bytes().await.unwrap()));
                let body = (changes.rewrite)(&seen, text.into_bytes());
                builder.body(Body::from(body)).unwrap()
            }
        },
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    front
}
