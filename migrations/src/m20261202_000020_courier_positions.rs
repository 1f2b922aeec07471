use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Where the courier riding a batch last was (only what their phone shared, with their
        // consent, while the batch was under way): the remaining stops' times follow from it.
        for column in [
            ColumnDef::new(RouteBatches::CourierLat)
                .double()
                .null()
                .to_owned(),
            ColumnDef::new(RouteBatches::CourierLon)
                .double()
                .null()
                .to_owned(),
            timestamp_with_time_zone_null(RouteBatches::PositionAt),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(RouteBatches::Table)
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
enum RouteBatches {
    Table,
    CourierLat,
    CourierLon,
    PositionAt,
}
