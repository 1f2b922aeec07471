//! A listing's photos: added by its shop's owner (or an admin), at most [`MAX_PHOTOS`], and
//! taken away again.
//!
//! Adding is three steps with no transaction open across the slow ones: the photo is
//! prepared (checked, stripped, resized) on a blocking thread, its sizes stored, and only
//! then written onto the listing in a short transaction — which re-checks that the listing
//! may still take it, and if not, the stored files are removed again. A crash between storing
//! and writing leaves files nobody points to, never a listing pointing at nothing.

use bytes::Bytes;
use golmok_accounts::Account;
use golmok_core::{Cache, new_id};
use golmok_storage::{ObjectStore, photo};
use sea_orm::prelude::*;

use crate::entities::listing;
use crate::listing::{Listing, ListingPhoto, owned_listing};
use crate::{DomainError, Result};

pub const MAX_PHOTOS: usize = 8;

/// Where the server serves a stored file.
pub const MEDIA_PREFIX: &str = "/media/";

fn key_of(url: &str) -> Option<&str> {
    url.strip_prefix(MEDIA_PREFIX)
}

async fn write_photos(db: &impl ConnectionTrait, id: &str, photos: &[ListingPhoto]) -> Result<()> {
    let json = serde_json::to_string(photos)
        .map_err(|e| DomainError::internal(format!("writing photos: {e}")))?;
    listing::Entity::update_many()
        .col_expr(listing::Column::Photos, Expr::value(json))
        .col_expr(listing::Column::UpdatedAt, Expr::value(chrono::Utc::now()))
        .filter(listing::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

fn too_many() -> DomainError {
    DomainError::conflict(
        "too_many_photos",
        format!("a listing has at most {MAX_PHOTOS} photos; delete one first"),
    )
}

/// Adds a photo (the bytes of a JPEG, PNG or WebP up to 10 MB) to the end of a listing's
/// photos; the listing as it now is.
pub async fn add_photo(
    db: &DatabaseConnection,
    cache: &dyn Cache,
    store: &dyn ObjectStore,
    actor: &Account,
    listing_id: &str,
    upload: Bytes,
) -> Result<Listing> {
    if owned_listing(db, actor, listing_id).await?.photos.len() >= MAX_PHOTOS {
        return Err(too_many());
    }
    let variants = tokio::task::spawn_blocking(move || photo::prepare(&upload))
        .await
        .map_err(|e| DomainError::internal(format!("preparing a photo: {e}")))??;
    let photo_id = new_id("pht");
    let mut stored = Vec::new();
    for v in &variants {
        let key = format!(
            "listings/{}/{}-{}.jpg",
            listing_id.to_lowercase(),
            photo_id.to_lowercase(),
            v.name
        );
        store.put(&key, v.bytes.clone(), "image/jpeg").await?;
        stored.push((v.name, key, v.width, v.height));
    }
    let url = |name: &str| {
        stored
            .iter()
            .find(|(n, ..)| *n == name)
            .map(|(_, key, ..)| format!("{MEDIA_PREFIX}{key}"))
            .unwrap_or_default()
    };
    let (width, height) = stored
        .iter()
        .find(|(n, ..)| *n == "page")
        .map(|(_, _, w, h)| (*w, *h))
        .unwrap_or_default();
    let added = ListingPhoto {
        id: photo_id,
        list_url: url("list"),
        page_url: url("page"),
        width,
        height,
    };
    let txn = golmok_core::db::begin_write(db).await?;
    let written = async {
        let mut l = owned_listing(&txn, actor, listing_id).await?;
        if l.photos.len() >= MAX_PHOTOS {
            return Err(too_many());
        }
        l.photos.push(added);
        write_photos(&txn, listing_id, &l.photos).await?;
        Ok(l)
    }
    .await;
    match written {
        Ok(l) => {
            txn.commit().await?;
            crate::listing::invalidate(cache, listing_id).await;
            Ok(l)
        }
        Err(e) => {
            drop(txn);
            for (_, key, ..) in &stored {
                let _ = store.delete(key).await;
            }
            Err(e)
        }
    }
}

/// Takes a photo off a listing, then deletes its files.
pub async fn delete_photo(
    db: &DatabaseConnection,
    cache: &dyn Cache,
    store: &dyn ObjectStore,
    actor: &Account,
    listing_id: &str,
    photo_id: &str,
) -> Result<()> {
    let txn = golmok_core::db::begin_write(db).await?;
    let mut l = owned_listing(&txn, actor, listing_id).await?;
    let Some(at) = l.photos.iter().position(|p| p.id == photo_id) else {
        return Err(DomainError::not_found("photo", photo_id));
    };
    let removed = l.photos.remove(at);
    write_photos(&txn, listing_id, &l.photos).await?;
    txn.commit().await?;
    crate::listing::invalidate(cache, listing_id).await;
    for url in [&removed.list_url, &removed.page_url] {
        if let Some(key) = key_of(url)
            && let Err(e) = store.delete(key).await
        {
            // The listing no longer shows it; the file is only garbage now.
            tracing::warn!(key, error = %e, "a deleted photo's file stays in the store");
        }
    }
    Ok(())
}
