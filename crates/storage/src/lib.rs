//! Files: the one object store every file goes through, and the photos that go in it.
//!
//! Owns the [`ObjectStore`] port with its two stores — a folder under the data directory (the
//! embedded default) and an S3-compatible bucket (production) — and [`photo`]: what a photo
//! becomes before it is stored (checked, turned upright, stripped of its metadata, resized).
//!
//! Knows nothing of listings, orders or stops: callers choose the keys and keep them. A
//! store is an outside service: callers never use it while a database transaction is open.

pub mod photo;

use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;
use rusty_s3::{Bucket, Credentials, S3Action, UrlStyle};

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// A key with characters a store does not take: a bug in the caller, or a forged URL.
    #[error("not a storage key: {0}")]
    BadKey(String),
    #[error("the object store failed: {0}")]
    Failed(String),
}

impl From<StorageError> for golmok_core::DomainError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::BadKey(key) => golmok_core::DomainError::not_found("file", &key),
            StorageError::Failed(cause) => {
                tracing::warn!(error = %cause, "object store failed");
                golmok_core::DomainError::Unavailable {
                    code: "storage_unavailable",
                    detail: "the file store did not answer; nothing was saved, try again".into(),
                }
            }
        }
    }
}

/// A stored file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    pub bytes: Bytes,
    pub content_type: String,
}

#[async_trait::async_trait]
pub trait ObjectStore: Send + Sync {
    async fn put(&self, key: &str, bytes: Bytes, content_type: &str) -> Result<(), StorageError>;
    async fn get(&self, key: &str) -> Result<Option<Object>, StorageError>;
    /// Deleting what is not there is not an error.
    async fn delete(&self, key: &str) -> Result<(), StorageError>;
}

/// Keys are ours (`listings/lst_…/pht_…-list.jpg`): lower-case letters, digits, `_`, `-`, `.`
/// and `/`, no empty or dot segment. Anything else never reaches a store, so a key taken from
/// a URL cannot leave the folder or the bucket.
pub fn check_key(key: &str) -> Result<(), StorageError> {
    let fine = !key.is_empty()
        && key.len() <= 300
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_-./".contains(c))
        && key
            .split('/')
            .all(|segment| !segment.is_empty() && segment != "." && segment != "..");
    if fine {
        Ok(())
    } else {
        Err(StorageError::BadKey(key.to_owned()))
    }
}

/// What a key's file is, from its extension.
fn content_type_of(key: &str) -> &'static str {
    match key.rsplit('.').next() {
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("png") => "image/png",
        Some("webp") => "image/webp",
        Some("pdf") => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// Files in a folder (under the data directory by default).
pub struct LocalFolder {
    root: PathBuf,
}

impl LocalFolder {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }
}

fn failed(e: impl std::fmt::Display) -> StorageError {
    StorageError::Failed(e.to_string())
}

#[async_trait::async_trait]
impl ObjectStore for LocalFolder {
    async fn put(&self, key: &str, bytes: Bytes, _content_type: &str) -> Result<(), StorageError> {
        check_key(key)?;
        let path = self.root.join(key);
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await.map_err(failed)?;
        }
        // Written aside and renamed: a reader never sees half a file.
        let partial = path.with_extension("partial");
        tokio::fs::write(&partial, &bytes).await.map_err(failed)?;
        tokio::fs::rename(&partial, &path).await.map_err(failed)
    }

    async fn get(&self, key: &str) -> Result<Option<Object>, StorageError> {
        check_key(key)?;
        match tokio::fs::read(self.root.join(key)).await {
            Ok(bytes) => Ok(Some(Object {
                bytes: bytes.into(),
                content_type: content_type_of(key).to_owned(),
            })),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(failed(e)),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        check_key(key)?;
        match tokio::fs::remove_file(self.root.join(key)).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(failed(e)),
            _ => Ok(()),
        }
    }
}

/// Where an S3-compatible bucket is, and the keys to it.
#[derive(Debug, Clone)]
pub struct S3Settings {
    pub endpoint: String,
    pub bucket: String,
    pub region: String,
    pub access_key: String,
    pub secret_key: String,
    /// `endpoint/bucket/key` rather than `bucket.endpoint/key` (MinIO, most self-hosted ones).
    pub path_style: bool,
}

/// Files in an S3-compatible bucket, through presigned requests.
pub struct S3Bucket {
    bucket: Bucket,
    credentials: Credentials,
    client: reqwest::Client,
}

/// How long a signed request stays good: it is used at once.
const SIGNED_FOR: Duration = Duration::from_secs(60);

impl S3Bucket {
    pub fn new(settings: &S3Settings) -> Result<Self, StorageError> {
        let endpoint = settings
            .endpoint
            .parse()
            .map_err(|e| StorageError::Failed(format!("storage.s3.endpoint: {e}")))?;
        let style = if settings.path_style {
            UrlStyle::Path
        } else {
            UrlStyle::VirtualHost
        };
        let bucket = Bucket::new(
            endpoint,
            style,
            settings.bucket.clone(),
            settings.region.clone(),
        )
        .map_err(|e| StorageError::Failed(format!("storage.s3: {e}")))?;
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(failed)?;
        Ok(Self {
            bucket,
            credentials: Credentials::new(&settings.access_key, &settings.secret_key),
            client,
        })
    }

    /// Makes the bucket if it is not there yet (a fresh test server, a first deployment).
    pub async fn ensure_bucket(&self) -> Result<(), StorageError> {
        let url = self
            .bucket
            .create_bucket(&self.credentials)
            .sign(SIGNED_FOR);
        let reply = self
            .client
            .put(url)
            .header("content-length", "0")
            .send()
            .await
            .map_err(failed)?;
        let status = reply.status();
        // 409: it exists already (BucketAlreadyOwnedByYou).
        if status.is_success() || status.as_u16() == 409 {
            Ok(())
        } else {
            Err(StorageError::Failed(format!(
                "creating the bucket: {status}"
            )))
        }
    }
}

#[async_trait::async_trait]
impl ObjectStore for S3Bucket {
    async fn put(&self, key: &str, bytes: Bytes, content_type: &str) -> Result<(), StorageError> {
        check_key(key)?;
        let url = self
            .bucket
            .put_object(Some(&self.credentials), key)
            .sign(SIGNED_FOR);
        let reply = self
            .client
            .put(url)
            .header("content-type", content_type)
            .body(bytes)
            .send()
            .await
            .map_err(failed)?;
        if reply.status().is_success() {
            Ok(())
        } else {
            Err(StorageError::Failed(format!(
                "storing {key}: {}",
                reply.status()
            )))
        }
    }

    async fn get(&self, key: &str) -> Result<Option<Object>, StorageError> {
        check_key(key)?;
        let url = self
            .bucket
            .get_object(Some(&self.credentials), key)
            .sign(SIGNED_FOR);
        let reply = self.client.get(url).send().await.map_err(failed)?;
        match reply.status().as_u16() {
            404 => Ok(None),
            s if (200..300).contains(&s) => {
                let content_type = reply
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_else(|| content_type_of(key))
                    .to_owned();
                let bytes = reply.bytes().await.map_err(failed)?;
                Ok(Some(Object {
                    bytes,
                    content_type,
                }))
            }
            s => Err(StorageError::Failed(format!("reading {key}: {s}"))),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        check_key(key)?;
        let url = self
            .bucket
            .delete_object(Some(&self.credentials), key)
            .sign(SIGNED_FOR);
        let reply = self.client.delete(url).send().await.map_err(failed)?;
        if reply.status().is_success() || reply.status().as_u16() == 404 {
            Ok(())
        } else {
            Err(StorageError::Failed(format!(
                "deleting {key}: {}",
                reply.status()
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_stay_inside_the_store() {
        assert!(check_key("listings/lst_1/pht_2-list.jpg").is_ok());
        for bad in [
            "",
            "../etc/passwd",
            "listings/../../x",
            "/abs",
            "a//b",
            "Upper.jpg",
            "a b",
            "a/./b",
        ] {
            assert!(check_key(bad).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn a_folder_keeps_what_it_is_given() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalFolder::new(dir.path());
        let key = "listings/lst_1/pht_1-list.jpg";
        assert_eq!(store.get(key).await.unwrap(), None);
        store
            .put(key, Bytes::from_static(b"jpeg"), "image/jpeg")
            .await
            .unwrap();
        let got = store.get(key).await.unwrap().unwrap();
        assert_eq!(
            (got.bytes.as_ref(), got.content_type.as_str()),
            (&b"jpeg"[..], "image/jpeg")
        );
        store.delete(key).await.unwrap();
        store.delete(key).await.unwrap();
        assert_eq!(store.get(key).await.unwrap(), None);
        assert!(store.get("../outside.jpg").await.is_err());
    }
}
