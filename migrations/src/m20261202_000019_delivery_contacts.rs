use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Whom the courier calls at each end of a delivery, and what the shopper asked of the
        // hand-over ("ring twice, the bell is broken"): shown to the courier only while the
        // batch is under way.
        for column in [
            DeliveryTasks::PickupPhone,
            DeliveryTasks::DropoffPhone,
            DeliveryTasks::DropoffNotes,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(DeliveryTasks::Table)
                        .add_column(text_null(column))
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
enum DeliveryTasks {
    Table,
    PickupPhone,
    DropoffPhone,
    DropoffNotes,
}
