//! Listing pages served from the cache: the JSON of a search, keyed by the query and by the
//! version of what the page shows, random tokens kept in the shared cache (Redis with several
//! replicas) that changes renew. A change is visible on every replica at once, since each read
//! asks for the versions first and a renewed version names pages nobody has cached yet; the
//! pages of older versions are never read again and lapse with their time to live.
//!
//! Three kinds of version, so that stock taken in one consortium does not empty the cache of
//! every other:
//! - the catalog's base, renewed by what may reshape any page: a membership, a consortium, a
//!   shop moved or suspended, a campaign's featured listings, a listing edited;
//! - one per consortium and one per shop, renewed when the stock of a shop's listing changes
//!   ([`stock_changed`]: checkouts, cancellations, weighing), for the shop and every
//!   consortium it belongs to;
//! - the whole catalog's, renewed by every change of either kind.
//!
//! A consortium's page is keyed by the base and that consortium's version, a shop's page by
//! the base and the shop's, any other search (the whole marketplace, a campaign, near a
//! point) by the whole catalog's. Nothing else renews them: a sign-in, an order accepted or a
//! courier's position leaves every cached page standing. Renewing more than needed costs
//! hits, never correctness; a writer that forgot would serve a stale page for up to
//! [`PAGE_TTL`].

use std::time::Duration;

use golmok_core::{Cache, new_id};
use sea_orm::DatabaseConnection;

use crate::Result;
use crate::listing::{ListingQuery, search_listings};

const BASE_KEY: &str = "catalog:version:base";
const ALL_KEY: &str = "catalog:version";
/// Long enough to outlive any page; a lapsed version only costs a round of misses.
const VERSION_TTL: Duration = Duration::from_secs(24 * 3600);
const PAGE_TTL: Duration = Duration::from_secs(60);

fn consortium_key(id: &str) -> String {
    format!("catalog:version:consortium:{id}")
}

fn shop_key(id: &str) -> String {
    format!("catalog:version:shop:{id}")
}

/// The version under `key`, made when there is none.
async fn current(cache: &dyn Cache, key: &str) -> String {
    if let Some(v) = cache.get(key).await {
        return v;
    }
    let v = new_id("cv");
    cache.put(key, v.clone(), VERSION_TTL).await;
    v
}

async fn renew_key(cache: &dyn Cache, key: &str) {
    cache.put(key, new_id("cv"), VERSION_TTL).await;
}

/// The whole catalog's current version: it changes with any change to any page.
pub async fn version(cache: &dyn Cache) -> String {
    current(cache, ALL_KEY).await
}

/// The catalog changed in a way that may reshape any page: pages cached so far are no
/// longer served.
pub async fn renew(cache: &dyn Cache) {
    renew_key(cache, BASE_KEY).await;
    renew_key(cache, ALL_KEY).await;
}

/// The stock of `shops`' listings changed: the pages of those shops, of each of `consortia`
/// (those they belong to) and of the whole catalog are no longer served; other consortia's
/// stand. Each version is renewed once, however many listings changed.
pub async fn renew_stock_of(cache: &dyn Cache, shops: &[String], consortia: &[String]) {
    for shop in shops {
        renew_key(cache, &shop_key(shop)).await;
    }
    for c in consortia {
        renew_key(cache, &consortium_key(c)).await;
    }
    renew_key(cache, ALL_KEY).await;
}

/// The version a search's page is cached under: the base and its consortium's or its shop's
/// version, or the whole catalog's.
pub async fn page_version(cache: &dyn Cache, query: &ListingQuery) -> String {
    let scope = match (&query.consortium_id, &query.merchant_id) {
        (Some(c), _) => consortium_key(c),
        (None, Some(m)) => shop_key(m),
        (None, None) => return version(cache).await,
    };
    format!(
        "{}.{}",
        current(cache, BASE_KEY).await,
        current(cache, &scope).await
    )
}

/// A search's page as JSON (`Page<Listing>`), from the cache when what it shows has not
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
    let key = page_key(&page_version(cache, query).await, query);
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
    async fn stock_changed_in_one_consortium_leaves_the_others_pages() {
        let cache = InProcessCache::new(100);
        let shop_page = ListingQuery {
            merchant_id: Some("m1".into()),
            limit: 30,
            ..ListingQuery::default()
        };
        let everywhere = ListingQuery {
            limit: 30,
            ..ListingQuery::default()
        };
        let versions = async |cache: &InProcessCache| {
            let mut v = Vec::new();
            for q in [
                &query("c1"),
                &query("c2"),
                &query("c3"),
                &shop_page,
                &everywhere,
            ] {
                v.push(page_version(cache, q).await);
            }
            v
        };
        let before = versions(&cache).await;
        assert_eq!(versions(&cache).await, before, "kept while nothing changes");
        // Shop m1 belongs to c1 and c3.
        renew_stock_of(&cache, &["m1".into()], &["c1".into(), "c3".into()]).await;
        let after = versions(&cache).await;
        assert_ne!(after[0], before[0], "c1's pages");
        assert_eq!(after[1], before[1], "c2's pages stand");
        assert_ne!(after[2], before[2], "c3's pages");
        assert_ne!(after[3], before[3], "the shop's pages");
        assert_ne!(after[4], before[4], "the whole catalog's");
        // Another shop's stock leaves m1's own page.
        renew_stock_of(&cache, &["m2".into()], &["c2".into()]).await;
        let then = versions(&cache).await;
        assert_eq!(then[3], after[3]);
        assert_ne!(then[1], after[1]);
        // What may reshape any page renews them all.
        renew(&cache).await;
        let last = versions(&cache).await;
        for (i, (a, b)) in last.iter().zip(&then).enumerate() {
            assert_ne!(a, b, "page {i}");
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
