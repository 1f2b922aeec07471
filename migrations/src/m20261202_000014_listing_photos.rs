use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A listing's photos, in order, as JSON: a handful at most, always read with the
        // listing, so kept on its row rather than joined.
        manager
            .alter_table(
                Table::alter()
                    .table(Listings::Table)
                    .add_column(text(Listings::Photos).default("[]"))
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
enum Listings {
    Table,
    Photos,
}
