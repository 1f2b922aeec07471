use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Hand-over codes: the shop tells the courier the pick-up's, the shopper the
        // drop-off's; a stop completed with its code is proven. Deliveries made before these
        // columns have none and keep completing with other proof.
        for column in [DeliveryTasks::PickupCode, DeliveryTasks::DropoffCode] {
            manager
                .alter_table(
                    Table::alter()
                        .table(DeliveryTasks::Table)
                        .add_column(string_null(column))
                        .to_owned(),
                )
                .await?;
        }
        // Whether a courier may complete a stop nobody answers with a photo and a note.
        manager
            .alter_table(
                Table::alter()
                    .table(Networks::Table)
                    .add_column(boolean(Networks::PhotoProofAllowed).default(true))
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
    PickupCode,
    DropoffCode,
}

#[derive(DeriveIden)]
enum Networks {
    Table,
    PhotoProofAllowed,
}
