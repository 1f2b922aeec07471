use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Payments::Table)
                    .col(string(Payments::Id).primary_key())
                    .col(string(Payments::Reference))
                    .col(string(Payments::Provider))
                    .col(string_null(Payments::ProviderRef))
                    .col(string(Payments::Status))
                    .col(big_integer(Payments::AuthorizedKrw))
                    .col(big_integer(Payments::CapturedKrw))
                    .col(big_integer(Payments::RefundedKrw))
                    .col(string_null(Payments::ClientSecret))
                    .col(timestamp_with_time_zone_null(Payments::ReceivedAt))
                    .col(timestamp_with_time_zone(Payments::CreatedAt))
                    .col(timestamp_with_time_zone(Payments::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_payments_reference")
                    .table(Payments::Table)
                    .col(Payments::Reference)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Refunds::Table)
                    .col(string(Refunds::Id).primary_key())
                    .col(string(Refunds::PaymentId))
                    .col(string(Refunds::Party))
                    .col(string_null(Refunds::PartReference))
                    .col(big_integer(Refunds::AmountKrw))
                    .col(string(Refunds::Reason))
                    .col(string_null(Refunds::ProviderRef))
                    .col(timestamp_with_time_zone(Refunds::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Refunds::Table, Refunds::PaymentId)
                            .to(Payments::Table, Payments::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Payouts::Table)
                    .col(string(Payouts::Id).primary_key())
                    .col(string(Payouts::Party))
                    .col(string(Payouts::Provider))
                    .col(string_null(Payouts::ProviderRef))
                    .col(big_integer(Payouts::AmountKrw))
                    .col(timestamp_with_time_zone(Payouts::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LedgerTransactions::Table)
                    .col(string(LedgerTransactions::Id).primary_key())
                    .col(string(LedgerTransactions::Kind))
                    .col(string(LedgerTransactions::Reference))
                    .col(timestamp_with_time_zone(LedgerTransactions::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LedgerEntries::Table)
                    .col(string(LedgerEntries::Id).primary_key())
                    .col(string(LedgerEntries::TransactionId))
                    .col(string(LedgerEntries::Account))
                    // Debits positive, credits negative; each transaction sums to zero.
                    .col(big_integer(LedgerEntries::AmountKrw))
                    .col(timestamp_with_time_zone(LedgerEntries::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(LedgerEntries::Table, LedgerEntries::TransactionId)
                            .to(LedgerTransactions::Table, LedgerTransactions::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_ledger_entries_account", LedgerEntries::Account),
            (
                "idx_ledger_entries_transaction_id",
                LedgerEntries::TransactionId,
            ),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(LedgerEntries::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
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
    Reference,
    Provider,
    ProviderRef,
    Status,
    AuthorizedKrw,
    CapturedKrw,
    RefundedKrw,
    ClientSecret,
    ReceivedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Refunds {
    Table,
    Id,
    PaymentId,
    Party,
    PartReference,
    AmountKrw,
    Reason,
    ProviderRef,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Payouts {
    Table,
    Id,
    Party,
    Provider,
    ProviderRef,
    AmountKrw,
    CreatedAt,
}

#[derive(DeriveIden)]
enum LedgerTransactions {
    Table,
    Id,
    Kind,
    Reference,
    CreatedAt,
}

#[derive(DeriveIden)]
enum LedgerEntries {
    Table,
    Id,
    TransactionId,
    Account,
    AmountKrw,
    CreatedAt,
}
