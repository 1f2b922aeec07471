use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The captured charge, which each merchant's transfer names as its source so that it
        // never waits for the platform's own balance.
        manager
            .alter_table(
                Table::alter()
                    .table(Payments::Table)
                    .add_column(string_null(Payments::ChargeRef))
                    .to_owned(),
            )
            .await?;
        // A party's account at a provider (a Stripe connected account) and whether money may
        // be sent to it yet; `state_as_of` is the time of the provider's newest word on it, so
        // an older event arriving late cannot undo a newer one.
        manager
            .create_table(
                Table::create()
                    .table(ConnectedAccounts::Table)
                    .col(string(ConnectedAccounts::Party).primary_key())
                    .col(string(ConnectedAccounts::Provider))
                    .col(string(ConnectedAccounts::AccountId).unique_key())
                    .col(boolean(ConnectedAccounts::TransfersEnabled))
                    .col(timestamp_with_time_zone_null(ConnectedAccounts::StateAsOf))
                    .col(timestamp_with_time_zone(ConnectedAccounts::CreatedAt))
                    .col(timestamp_with_time_zone(ConnectedAccounts::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        // One transfer per part of a captured sale (a merchant order): waiting for the
        // party's account, sent, or cancelled when refunds took all of it before it left.
        manager
            .create_table(
                Table::create()
                    .table(Transfers::Table)
                    .col(string(Transfers::Id).primary_key())
                    .col(string(Transfers::PaymentId))
                    .col(string(Transfers::Party))
                    .col(string(Transfers::PartReference))
                    .col(big_integer(Transfers::AmountKrw))
                    .col(big_integer(Transfers::ReversedKrw))
                    .col(string(Transfers::Status))
                    .col(string_null(Transfers::ProviderRef))
                    .col(string_null(Transfers::LastError))
                    .col(timestamp_with_time_zone(Transfers::CreatedAt))
                    .col(timestamp_with_time_zone(Transfers::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Transfers::Table, Transfers::PaymentId)
                            .to(Payments::Table, Payments::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_transfers_part")
                    .table(Transfers::Table)
                    .col(Transfers::PaymentId)
                    .col(Transfers::PartReference)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_transfers_party_status")
                    .table(Transfers::Table)
                    .col(Transfers::Party)
                    .col(Transfers::Status)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "golmok migrations are forward-only".into(),
        ))
    }
}

#[derive(DeriveIden)]
enum Payments {
    Table,
    Id,
    ChargeRef,
}

#[derive(DeriveIden)]
enum ConnectedAccounts {
    Table,
    Party,
    Provider,
    AccountId,
    TransfersEnabled,
    StateAsOf,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Transfers {
    Table,
    Id,
    PaymentId,
    Party,
    PartReference,
    AmountKrw,
    ReversedKrw,
    Status,
    ProviderRef,
    LastError,
    CreatedAt,
    UpdatedAt,
}
