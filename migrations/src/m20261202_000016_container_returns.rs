use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A deposit container brought back: one row per order line (its key), so a container
        // is returned, and its deposit refunded, at most once.
        manager
            .create_table(
                Table::create()
                    .table(ContainerReturns::Table)
                    .col(string(ContainerReturns::LineId).primary_key())
                    .col(string(ContainerReturns::MerchantOrderId))
                    .col(string(ContainerReturns::OrderId))
                    .col(string(ContainerReturns::MerchantId))
                    .col(big_integer(ContainerReturns::DepositKrw))
                    .col(string(ContainerReturns::ReceivedBy))
                    .col(string(ContainerReturns::RecordedBy))
                    .col(string(ContainerReturns::RefundId))
                    .col(timestamp_with_time_zone(ContainerReturns::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_container_returns_order")
                    .table(ContainerReturns::Table)
                    .col(ContainerReturns::OrderId)
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
enum ContainerReturns {
    Table,
    LineId,
    MerchantOrderId,
    OrderId,
    MerchantId,
    DepositKrw,
    ReceivedBy,
    RecordedBy,
    RefundId,
    CreatedAt,
}
