//! [`Assets`]: the agent's files (`agent.js`, `agent-HASH.wasm`, `check.js`,
//! `check-HASH.wasm`, from `make agent`), read once at start and compressed once with
//! brotli and gzip, then served by what the browser accepts, with an ETag.
//!
//! Files whose names carry their content hash are cached for a year (`immutable`);
//! `agent.js`, which names them, is revalidated every five minutes, so a new agent reaches
//! every page within minutes of a deploy.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// One file, ready to serve.
#[derive(Debug, Clone)]
pub struct Asset {
    raw: Bytes,
    brotli: Bytes,
    gzip: Bytes,
    content_type: &'static str,
    etag: String,
    immutable: bool,
}

/// The agent's files by name.
#[derive(Debug, Clone, Default)]
pub struct Assets(BTreeMap<String, Asset>);

/// Whether `name` is `stem-HEX.ext` with at least 8 hex digits.
fn content_hashed(name: &str) -> bool {
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() >= 8 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn content_type(name: &str) -> Option<&'static str> {
    match name.rsplit_once('.')?.1 {
        "js" => Some("text/javascript; charset=utf-8"),
        "wasm" => Some("application/wasm"),
        _ => None,
    }
}

impl Assets {
    /// Reads every `.js` and `.wasm` file in `dir`.
    pub fn load(dir: &Path) -> std::io::Result<Assets> {
        let mut files = BTreeMap::new();
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(content_type) = content_type(&name) else {
                continue;
            };
            let raw = std::fs::read(entry.path())?;
            files.insert(name.clone(), Asset::new(&name, raw, content_type)?);
        }
        Ok(Assets(files))
    }

    /// The file names.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// Serves `name` for a request with these headers.
    pub fn serve(&self, name: &str, request: &HeaderMap) -> Response {
        match self.0.get(name) {
            Some(asset) => asset.serve(request),
            None => StatusCode::NOT_FOUND.into_response(),
        }
    }
}

impl Asset {
    fn new(name: &str, raw: Vec<u8>, content_type: &'static str) -> std::io::Result<Asset> {
        let digest = Sha256::digest(&raw);
        let etag: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
        let mut brotli = Vec::new();
        {
            let mut w = brotli::CompressorWriter::new(&mut brotli, 4096, 11, 22);
            w.write_all(&raw)?;
        }
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gzip.write_all(&raw)?;
        Ok(Asset {
            brotli: brotli.into(),
            gzip: gzip.finish()?.into(),
            raw: raw.into(),
            content_type,
            etag,
            immutable: content_hashed(name),
        })
    }

    fn serve(&self, request: &HeaderMap) -> Response {
        let accepts = |coding: &str| {
            request
                .get_all(header::ACCEPT_ENCODING)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .any(|c| {
                    let mut parts = c.split(';');
                    parts.next().is_some_and(|n| n.trim() == coding)
                        && parts.all(|p| p.trim() != "q=0" && p.trim() != "q=0.0")
                })
        };
        let (body, encoding) = if accepts("br") {
            (self.brotli.clone(), Some("br"))
        } else if accepts("gzip") {
            (self.gzip.clone(), Some("gzip"))
        } else {
            (self.raw.clone(), None)
        };
        let etag = format!(
            "\"{}{}\"",
            self.etag,
            encoding.map_or("", |e| if e == "br" { "-br" } else { "-gz" })
        );
        let mut headers = HeaderMap::new();
        let set = |h: &mut HeaderMap, name, value: &str| {
            if let Ok(v) = HeaderValue::from_str(value) {
                h.insert(name, v);
            }
        };
        set(&mut headers, header::ETAG, &etag);
        set(&mut headers, header::VARY, "Accept-Encoding");
        set(
            &mut headers,
            header::CACHE_CONTROL,
            if self.immutable {
                "public, max-age=31536000, immutable"
            } else {
                "public, max-age=300, must-revalidate"
            },
        );
        // The agent is loaded by other sites' pages.
        set(&mut headers, header::ACCESS_CONTROL_ALLOW_ORIGIN, "*");
        let fresh = request
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
        if fresh {
            return (StatusCode::NOT_MODIFIED, headers).into_response();
        }
        set(&mut headers, header::CONTENT_TYPE, self.content_type);
        if let Some(e) = encoding {
            set(&mut headers, header::CONTENT_ENCODING, e);
        }
        (StatusCode::OK, headers, body).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_are_recognised() {
        assert!(content_hashed("agent-0123456789abcdef.wasm"));
        assert!(!content_hashed("agent.wasm"));
        assert!(!content_hashed("agent.js"));
        assert!(!content_hashed("my-agent.wasm"));
    }
}
