//! Static assets, embedded in the binary and served under content-hashed names
//! (`htmx.min.3f2a9c1e.js`) with a year's cache lifetime: a new build with a changed file
//! gets a new name, so browsers never hold a stale copy. Vendored files and where they came
//! from: `assets/vendor/SOURCES.md`.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

struct Asset {
    /// The name templates ask for.
    logical: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const FILES: [Asset; 5] = [
    Asset {
        logical: "app.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../assets/app.css"),
    },
    Asset {
        logical: "app.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../assets/app.js"),
    },
    Asset {
        logical: "htmx.min.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../assets/vendor/htmx/htmx.min.js"),
    },
    Asset {
        logical: "leaflet.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../assets/vendor/leaflet/leaflet.js"),
    },
    Asset {
        logical: "leaflet.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../assets/vendor/leaflet/leaflet.css"),
    },
];

/// Each asset's served name: its logical name with the first 8 hex digits of its SHA-256.
static HASHED: LazyLock<Vec<String>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|a| {
            let digest = Sha256::digest(a.body);
            let short: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
            match a.logical.rsplit_once('.') {
                Some((stem, ext)) => format!("{stem}.{short}.{ext}"),
                None => format!("{}.{short}", a.logical),
            }
        })
        .collect()
});

/// The URL a page links for `logical` (one of the embedded files).
pub fn url(logical: &str) -> String {
    FILES
        .iter()
        .position(|a| a.logical == logical)
        .map(|i| format!("/assets/{}", HASHED[i]))
        .unwrap_or_else(|| format!("/assets/{logical}"))
}

/// The URLs a layout needs, resolved once.
#[derive(Debug, Clone)]
pub struct AssetUrls {
    pub css: String,
    pub js: String,
    pub htmx: String,
    pub leaflet_js: String,
    pub leaflet_css: String,
}

pub static URLS: LazyLock<AssetUrls> = LazyLock::new(|| AssetUrls {
    css: url("app.css"),
    js: url("app.js"),
    htmx: url("htmx.min.js"),
    leaflet_js: url("leaflet.js"),
    leaflet_css: url("leaflet.css"),
});

/// `GET /assets/{name}`: a hashed name is cached for a year; the plain logical name is served
/// too (for a hand-written link) but must be revalidated.
pub async fn serve(Path(name): Path<String>) -> Response {
    let found = FILES.iter().enumerate().find_map(|(i, a)| {
        if HASHED[i] == name {
            Some((a, true))
        } else if a.logical == name {
            Some((a, false))
        } else {
            None
        }
    });
    let Some((asset, immutable)) = found else {
        return (StatusCode::NOT_FOUND, "no such asset").into_response();
    };
    let cache = if immutable {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=0, must-revalidate"
    };
    let mut response = asset.body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

/// A stored file (a listing's photo) by its key. Keys are never reused, so a file is cached
/// for good; a key that is not a store key, or names nothing, is 404.
pub async fn media(
    axum::extract::State(pages): axum::extract::State<crate::Pages>,
    Path(key): Path<String>,
) -> Response {
    // Only listing photos are public; a courier's proof photos are read through the API by
    // those who may see them.
    if !key.starts_with("listings/") {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    }
    match pages.store.get(&key).await {
        Ok(Some(file)) => {
            let mut response = file.bytes.into_response();
            let headers = response.headers_mut();
            if let Ok(v) = HeaderValue::from_str(&file.content_type) {
                headers.insert(header::CONTENT_TYPE, v);
            }
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            );
            headers.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            response
        }
        Ok(None) | Err(golmok_storage::StorageError::BadKey(_)) => {
            (StatusCode::NOT_FOUND, "no such file").into_response()
        }
        Err(e) => {
            tracing::warn!(error = %e, "reading a stored file");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the file store did not answer",
            )
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_has_a_hashed_name_that_differs_from_its_logical_one() {
        for (i, a) in FILES.iter().enumerate() {
            assert_ne!(HASHED[i], a.logical);
            assert!(HASHED[i].ends_with(a.logical.rsplit('.').next().unwrap_or_default()));
            assert_eq!(url(a.logical), format!("/assets/{}", HASHED[i]));
        }
    }
}
