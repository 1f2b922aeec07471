//! Forming a consortium, changing its settings and changing a network, with the rule that
//! ties the catalog's consortia to delivery routing's networks: a consortium delivers through
//! a network whose area reaches its district, and keeps doing so when the area is drawn
//! again. The catalog owns consortia and does not see networks; this is where both are read.

use golmok_accounts::Account;
use golmok_catalog::{Consortium, ConsortiumPatch, NewConsortium, agency};
use golmok_core::{Cache, Result};
use golmok_delivery_routing::network::{Network, NetworkChanges, ServedDistrict};
use sea_orm::DatabaseConnection;

/// Forms a consortium (as [`golmok_catalog::consortium::create_consortium`]) once its network,
/// if it names one, reaches its district (422 on `network_id` otherwise).
pub async fn form(
    db: &DatabaseConnection,
    actor: &Account,
    new: NewConsortium,
) -> Result<Consortium> {
    if let (Some(network), Some(district)) = (
        new.network_id.as_deref().filter(|n| !n.trim().is_empty()),
        golmok_catalog::district::resolve(&new.district),
    ) {
        // Who may not form it here hears so, not whether a network reaches the district.
        if let Some(agency) = agency::agency_for_district(db, district.name).await? {
            agency::ensure_manages(db, actor, &agency).await?;
        }
        golmok_delivery_routing::network::ensure_reaches(db, network, district.name).await?;
    }
    golmok_catalog::consortium::create_consortium(db, actor, new).await
}

/// Changes a consortium's settings (as [`golmok_catalog::consortium::update_consortium`]); a
/// network it moves to must reach its district (422 on `network_id`). The one it has is not
/// checked again: its area cannot be drawn away from the district ([`change_network`]).
pub async fn change(
    db: &DatabaseConnection,
    cache: &dyn Cache,
    actor: &Account,
    id: &str,
    patch: ConsortiumPatch,
) -> Result<Consortium> {
    if let Some(Some(network)) = &patch.network_id {
        let current = golmok_catalog::consortium::get_consortium(db, cache, id).await?;
        agency::ensure_manages(db, actor, &current.agency_id).await?;
        if current.network_id.as_deref() != Some(network.as_str()) {
            golmok_delivery_routing::network::ensure_reaches(db, network, &current.district)
                .await?;
        }
    }
    golmok_catalog::consortium::update_consortium(db, cache, actor, id, patch).await
}

/// Changes a network (as [`golmok_delivery_routing::network::update_network`]); an area drawn
/// again must still reach the district of every consortium delivering through it (409
/// `area_leaves_served` on `area`, naming them): move those to another network first.
pub async fn change_network(
    db: &DatabaseConnection,
    actor: &Account,
    id: &str,
    changes: NetworkChanges,
) -> Result<Network> {
    let served = if changes.area.is_some() {
        golmok_catalog::consortium::served_by_network(db, id)
            .await?
            .into_iter()
            .map(|(served, district)| ServedDistrict { district, served })
            .collect()
    } else {
        Vec::new()
    };
    golmok_delivery_routing::network::update_network(db, actor, id, changes, &served).await
}
