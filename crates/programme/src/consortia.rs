//! Forming a consortium and changing its settings, with the rule that ties the catalog's
//! consortia to delivery routing's networks: a consortium delivers through a network whose
//! area reaches its district. The catalog owns consortia and does not see networks; this is
//! where both are read.

use golmok_accounts::Account;
use golmok_catalog::{Consortium, ConsortiumPatch, NewConsortium, agency};
use golmok_core::{Cache, Result};
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
/// network it moves to must reach its district (422 on `network_id`). The one it has stays
/// allowed, even if that network's area has since been drawn away from the district: the
/// network's coordinators changed that, not the consortium's.
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
