use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A shopper's claim about one shop's part of a delivered order (goods damaged, missing,
        // not as described): what they ask back, and how the shop answered.
        manager
            .create_table(
                Table::create()
                    .table(Claims::Table)
                    .col(string(Claims::Id).primary_key())
                    .col(string(Claims::OrderId))
                    .col(string(Claims::MerchantOrderId))
                    .col(string(Claims::MerchantId))
                    .col(string(Claims::ShopperId))
                    .col(text(Claims::Reason))
                    .col(big_integer_null(Claims::AskedKrw))
                    .col(string(Claims::Status))
                    .col(big_integer(Claims::RefundedKrw))
                    .col(text_null(Claims::Answer))
                    .col(string_null(Claims::ResolvedBy))
                    .col(timestamp_with_time_zone(Claims::CreatedAt))
                    .col(timestamp_with_time_zone_null(Claims::ResolvedAt))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_claims_order", Claims::OrderId),
            ("idx_claims_merchant", Claims::MerchantId),
            ("idx_claims_merchant_order", Claims::MerchantOrderId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Claims::Table)
                        .col(column)
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

#[derive(DeriveIden, Clone, Copy)]
enum Claims {
    Table,
    Id,
    OrderId,
    MerchantOrderId,
    MerchantId,
    ShopperId,
    Reason,
    AskedKrw,
    Status,
    RefundedKrw,
    Answer,
    ResolvedBy,
    CreatedAt,
    ResolvedAt,
}
