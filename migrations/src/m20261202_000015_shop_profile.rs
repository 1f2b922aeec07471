use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The shop's profile beside its weekly hours: days that differ (JSON), a phone, and
        // how a shopper collects a pick-up order. Pick-up orders keep the time the shopper
        // chose, which the shop was open at.
        for column in [
            Merchants::HoursExceptions,
            Merchants::Phone,
            Merchants::PickupInstructions,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Merchants::Table)
                        .add_column(text_null(column))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Orders::Table)
                    .add_column(timestamp_with_time_zone_null(Orders::PickupAt))
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

#[derive(DeriveIden, Clone, Copy)]
enum Merchants {
    Table,
    HoursExceptions,
    Phone,
    PickupInstructions,
}

#[derive(DeriveIden)]
enum Orders {
    Table,
    PickupAt,
}
