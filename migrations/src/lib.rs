//! The Golmok schema, forward-only, one file per migration.
//!
//! Owns every table's definition and its history on SQLite and PostgreSQL alike. Entities
//! in the domain crates mirror these tables; tests always build their databases by running
//! these migrations, never from the entities.

pub use sea_orm_migration::prelude::*;

mod m20261127_000001_accounts;
mod m20261127_000002_catalog;
mod m20261127_000003_ordering;
mod m20261127_000004_payments;
mod m20261127_000005_delivery;
mod m20261127_000006_stripe_events;
mod m20261127_000007_connect;
mod m20261127_000008_outbox;
mod m20261202_000009_baskets;
mod m20261202_000010_fleet_capacity;
mod m20261202_000011_handover_codes;
mod m20261202_000012_task_binding;
mod m20261202_000013_provider_calls;
mod m20261202_000014_listing_photos;
mod m20261202_000015_shop_profile;
mod m20261202_000016_container_returns;
mod m20261202_000017_weight_approvals;
mod m20261202_000018_stop_proof_files;
mod m20261202_000019_delivery_contacts;
mod m20261202_000020_courier_positions;
mod m20261202_000021_programme;
mod m20261202_000022_promotions;
mod m20261202_000023_packaging;
mod m20261202_000024_project_files;
mod m20261202_000025_stamp_tours;
mod m20261202_000026_member_trade;
mod m20261202_000027_member_delivery;
mod m20261205_000028_claims;
mod m20261205_000029_password_resets;
mod m20261205_000030_account_suspension;
mod m20261205_000031_wave_retirement;
mod m20261205_000032_claim_photos;
mod m20261205_000033_stall_sale_keys;
mod m20261206_000034_batch_handovers;
mod m20261207_000035_batch_handover_history;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_accounts::Migration),
            Box::new(m20261127_000002_catalog::Migration),
            Box::new(m20261127_000003_ordering::Migration),
            Box::new(m20261127_000004_payments::Migration),
            Box::new(m20261127_000005_delivery::Migration),
            Box::new(m20261127_000006_stripe_events::Migration),
            Box::new(m20261127_000007_connect::Migration),
            Box::new(m20261127_000008_outbox::Migration),
            Box::new(m20261202_000009_baskets::Migration),
            Box::new(m20261202_000010_fleet_capacity::Migration),
            Box::new(m20261202_000011_handover_codes::Migration),
            Box::new(m20261202_000012_task_binding::Migration),
            Box::new(m20261202_000013_provider_calls::Migration),
            Box::new(m20261202_000014_listing_photos::Migration),
            Box::new(m20261202_000015_shop_profile::Migration),
            Box::new(m20261202_000016_container_returns::Migration),
            Box::new(m20261202_000017_weight_approvals::Migration),
            Box::new(m20261202_000018_stop_proof_files::Migration),
            Box::new(m20261202_000019_delivery_contacts::Migration),
            Box::new(m20261202_000020_courier_positions::Migration),
            Box::new(m20261202_000021_programme::Migration),
            Box::new(m20261202_000022_promotions::Migration),
            Box::new(m20261202_000023_packaging::Migration),
            Box::new(m20261202_000024_project_files::Migration),
            Box::new(m20261202_000025_stamp_tours::Migration),
            Box::new(m20261202_000026_member_trade::Migration),
            Box::new(m20261202_000027_member_delivery::Migration),
            Box::new(m20261205_000028_claims::Migration),
            Box::new(m20261205_000029_password_resets::Migration),
            Box::new(m20261205_000030_account_suspension::Migration),
            Box::new(m20261205_000031_wave_retirement::Migration),
            Box::new(m20261205_000032_claim_photos::Migration),
            Box::new(m20261205_000033_stall_sale_keys::Migration),
            Box::new(m20261206_000034_batch_handovers::Migration),
            Box::new(m20261207_000035_batch_handover_history::Migration),
        ]
    }
}
