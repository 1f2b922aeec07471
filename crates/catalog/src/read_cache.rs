//! Listing pages served from the cache: the JSON of a search, keyed by the query and by the
//! catalog's version, a random token kept in the shared cache (Redis with several replicas)
//! that every change renews. A change is visible on every replica at once, since each read
//! asks for the version first and a renewed version names pages nobody has cached yet; the
//! pages of older versions are never read again and lapse with their time to live.
//!
//! Who renews: the catalog's writers of what a search reads, once they committed. Every
//! change to a listing ([`crate::listing::invalidate`], stock taken or given back by
//! checkouts, weighing, cancellations and stalls included), a membership or a consortium
//! ([`crate::consortium`]), a shop moved (searches near a point), and a campaign's featured
//! listings. Nothing else renews it: a sign-in, an order accepted or a courier's position
//! leaves every cached page standing. Renewing more often than needed costs hits, never
//! correctness; a writer that forgot would serve a stale page for up to [`PAGE_TTL`].

use std::time::Duration;

use golmok_core::{Cache, new_id};
use sea_orm::DatabaseConnection;

use crate::Result;
use crate::listing::{ListingQuery, search_listings};

const VERSION_KEY: &str = "catalog:version";
/// Long enough to outlive any page; a lapsed version only costs a round of misses.
const VERSION_TTL: Duration = Duration::from_secs(24 * 3600);
const PAGE_TTL: Duration = Duration::from_secs(60);

/// The catalog's current version, made when there is none.
pub async fn version(cache: &dyn Cache) -> String {
    if let Some(v) = cache.get(VERSION_KEY).await {
        return v;
    }
    let v = new_id("cv");
    cache.put(VERSION_KEY, v.clone(), VERSION_TTL).await;
    v
}

/// The catalog changed: pages cached so far are no longer served.
pub async fn renew(cache: &dyn Cache) {
    cache.put(VERSION_KEY, new_id("cv"), VERSION_TTL).await;
}

/// A search's page as JSON (`Page<Listing>`), from the cache when the catalog has not
/// changed since it was cached. Searches of campaigns running "now" depend on the clock,
/// not only on the catalog, and are not cached.
pub async fn search_page(
    db: &DatabaseConnection,
    cache: &dyn Cache,
    query: &ListingQuery,
) -> Result<String> {
    if query.in_campaign_at.is_some() {
        return serialised(&search_listings(db, query).await?);
    }
    let key = page_key(&version(cache).await, query);
    if let Some(hit) = cache.get(&key).await {
        return Ok(hit);
    }
    let body = serialised(&search_listings(db, query).await?)?;
    cache.put(&key, body.clone(), PAGE_TTL).await;
    Ok(body)
}

fn serialised(page: &impl serde::Serialize) -> Result<String> {
    serde_json::to_string(page)
        .map_err(|e| golmok_core::DomainError::internal(format!("a listing page: {e}")))
}

/// Every field of the query that shapes the page, under the version.
fn page_key(version: &str, q: &ListingQuery) -> String {
    let near = q.near.as_ref().map(|(c, r)| (c.lat, c.lon, *r));
    let shape = serde_json::json!([
        q.q,
        q.consortium_id,
        q.merchant_id,
        q.refill,
        near,
        q.campaign_id,
        q.limit,
        q.cursor,
    ]);
    format!("listings:{version}:{shape}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use golmok_core::InProcessCache;

    fn query(consortium: &str) -> ListingQuery {
        ListingQuery {
            consortium_id: Some(consortium.into()),
            limit: 30,
            ..ListingQuery::default()
        }
    }

    #[tokio::test]
    async fn a_renewed_version_names_other_pages() {
        let cache = InProcessCache::new(100);
        let first = version(&cache).await;
        assert_eq!(version(&cache).await, first, "kept while nothing changes");
        renew(&cache).await;
        let second = version(&cache).await;
        assert_ne!(second, first);
        assert_ne!(
            page_key(&first, &query("c1")),
            page_key(&second, &query("c1"))
        );
    }

    #[test]
    fn every_field_of_the_query_shapes_the_key() {
        let base = query("c1");
        let keys = [
            page_key("v", &base),
            page_key("v", &query("c2")),
            page_key(
                "v",
                &ListingQuery {
                    q: Some("두부".into()),
                    ..query("c1")
                },
            ),
            page_key(
                "v",
                &ListingQuery {
                    cursor: Some("x".into()),
                    ..query("c1")
                },
            ),
            page_key(
                "v",
                &ListingQuery {
                    limit: 10,
                    ..query("c1")
                },
            ),
            page_key(
                "v",
                &ListingQuery {
                    refill: Some(true),
                    ..query("c1")
                },
            ),
        ];
        let distinct: std::collections::HashSet<_> = keys.iter().collect();
        assert_eq!(distinct.len(), keys.len(), "{keys:?}");
    }
}
