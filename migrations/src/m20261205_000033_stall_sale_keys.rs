use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A stall sale sent again (the stall's phone queued it while the festival's network
        // was down, or the API client retried) carries the key it was first sent with: one
        // sale per key and shop. Sales recorded without a key keep none (NULLs never clash).
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("stall_sales"))
                    .add_column(
                        ColumnDef::new(Alias::new("client_key"))
                            .string()
                            .null()
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("stall_sales_client_key")
                    .table(Alias::new("stall_sales"))
                    .col(Alias::new("merchant_id"))
                    .col(Alias::new("client_key"))
                    .unique()
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
