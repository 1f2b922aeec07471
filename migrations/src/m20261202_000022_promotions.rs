use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A promotion's price effect (per cent, or won off each listing's price while it
        // runs) and a campaign called off before its end.
        for column in [
            ColumnDef::new(Campaigns::DiscountPercent)
                .integer()
                .null()
                .to_owned(),
            ColumnDef::new(Campaigns::DiscountKrw)
                .big_integer()
                .null()
                .to_owned(),
            timestamp_with_time_zone_null(Campaigns::CancelledAt),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Campaigns::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        // A line bought under a promotion keeps the price it would have had and the campaign
        // that took it down.
        for column in [
            ColumnDef::new(OrderLines::ListPriceKrw)
                .big_integer()
                .null()
                .to_owned(),
            string_null(OrderLines::CampaignId),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(OrderLines::Table)
                        .add_column(column)
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
enum Campaigns {
    Table,
    DiscountPercent,
    DiscountKrw,
    CancelledAt,
}

#[derive(DeriveIden)]
enum OrderLines {
    Table,
    ListPriceKrw,
    CampaignId,
}
