use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A member order carried on a co-delivery route names its slot; one without a slot
        // is collected by the buyer. The route itself is a delivery task like a shopper's.
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("member_orders"))
                    .add_column(
                        ColumnDef::new(Alias::new("slot_id"))
                            .string()
                            .null()
                            .to_owned(),
                    )
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
