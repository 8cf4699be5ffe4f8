// Owns: looking at the certificates an https site presents — chain, names, dates — with one
// TLS handshake and nothing sent after it, judged strictly (Mozilla's roots, no fetching of a
// missing intermediate, as PHP's curl in openSIS does). Must not: send a request or a token;
// the shared client's own verification decides what is trusted.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};
use serde::Serialize;

use crate::error::{TransportKind, WsError};

/// One certificate as presented.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateFacts {
    pub subject: String,
    pub issuer: String,
    /// Seconds since 1970 when it stops being valid.
    pub not_after: i64,
    pub self_signed: bool,
    pub dns_names: Vec<String>,
}

/// What a site presented in its TLS handshake, and how a strict client judges it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TlsFacts {
    /// The server's certificate first, then the chain it sent.
    pub presented: Vec<CertificateFacts>,
    /// The verdict of a strict verification with Mozilla's roots: `None` when it passed.
    pub refused: Option<String>,
}

impl TlsFacts {
    pub fn leaf(&self) -> Option<&CertificateFacts> {
        self.presented.first()
    }

    /// The server sent its certificate without the intermediate that signed it: browsers
    /// fetch the missing one, PHP's curl (openSIS) does not.
    pub fn chain_incomplete(&self) -> bool {
        let Some(last) = self.presented.last() else {
            return false;
        };
        self.refused
            .as_deref()
            .is_some_and(|r| r.to_ascii_lowercase().contains("unknownissuer"))
            && !last.self_signed
            && !self.presented.iter().any(|c| c.self_signed)
    }
}

/// Records the presented chain and a strict verifier's verdict, and lets the handshake finish
/// so the chain can be read even when it would be refused.
#[derive(Debug)]
struct Recorder {
    strict: Arc<WebPkiServerVerifier>,
    seen: Mutex<Option<(Vec<CertificateDer<'static>>, Option<String>)>>,
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verdict = self
            .strict
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            .err()
            .map(|e| format!("{e:?}"));
        let chain = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|c| c.clone().into_owned())
            .collect();
        if let Ok(mut seen) = self.seen.lock() {
            *seen = Some((chain, verdict));
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.strict.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.strict.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.strict.supported_verify_schemes()
    }
}

fn transport(kind: TransportKind, detail: impl Into<String>) -> WsError {
    WsError::Transport {
        kind,
        detail: detail.into(),
    }
}

/// Reads one certificate's facts (subject, issuer, expiry, names).
pub fn certificate_facts(der: &[u8]) -> Option<CertificateFacts> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    let dns_names = cert
        .subject_alternative_name()
        .ok()
        .flatten()
        .map(|san| {
            san.value
                .general_names
                .iter()
                .filter_map(|n| match n {
                    x509_parser::extensions::GeneralName::DNSName(d) => Some((*d).to_owned()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    Some(CertificateFacts {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        not_after: cert.validity().not_after.timestamp(),
        self_signed: cert.subject().as_raw() == cert.issuer().as_raw(),
        dns_names,
    })
}

/// Connects to `host:port`, completes one TLS handshake and reads what the site presented.
/// Extra trusted roots (tests) are added to Mozilla's.
pub async fn inspect_tls(
    host: &str,
    port: u16,
    timeout: Duration,
    extra_roots: &[CertificateDer<'static>],
) -> Result<TlsFacts, WsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for extra in extra_roots {
        let _ = roots.add(extra.clone());
    }
    let strict = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| transport(TransportKind::Tls, e.to_string()))?;
    let recorder = Arc::new(Recorder {
        strict,
        seen: Mutex::new(None),
    });
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| transport(TransportKind::Tls, e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(recorder.clone())
        .with_no_client_auth();
    let name = ServerName::try_from(host.to_owned())
        .map_err(|e| transport(TransportKind::Other, e.to_string()))?;
    let handshake = async {
        let stream = tokio::net::TcpStream::connect((host, port))
            .await
            .map_err(|e| transport(TransportKind::Refused, e.to_string()))?;
        tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, stream)
            .await
            .map_err(|e| transport(TransportKind::Tls, e.to_string()))
    };
    let stream = tokio::time::timeout(timeout, handshake)
        .await
        .map_err(|_| transport(TransportKind::Timeout, "the TLS handshake timed out"))??;
    drop(stream);
    let seen = recorder
        .seen
        .lock()
        .ok()
        .and_then(|mut s| s.take())
        .ok_or_else(|| transport(TransportKind::Tls, "the site presented no certificate"))?;
    let (chain, refused) = seen;
    Ok(TlsFacts {
        presented: chain
            .iter()
            .filter_map(|c| certificate_facts(c.as_ref()))
            .collect(),
        refused,
    })
}
