use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The single-use packaging one fill of a refill good replaces (a 500 ml detergent
        // bottle weighs about 40 g), kept on each line sold so that a later change to the
        // listing does not rewrite what was avoided.
        for (table, column) in [
            (Alias::new("listings"), Alias::new("packaging_grams")),
            (Alias::new("order_lines"), Alias::new("packaging_grams")),
            (
                Alias::new("stall_sale_lines"),
                Alias::new("packaging_grams"),
            ),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(big_integer(column).default(0))
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
