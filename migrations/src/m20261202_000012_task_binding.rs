use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A dispatcher's move of a delivery to a courier, kept by every later plan of its slot.
        manager
            .alter_table(
                Table::alter()
                    .table(DeliveryTasks::Table)
                    .add_column(string_null(DeliveryTasks::BoundCourierId))
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
enum DeliveryTasks {
    Table,
    BoundCourierId,
}
