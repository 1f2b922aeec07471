use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A batch under way may pass to another courier (the first fell ill, the van broke
        // down): the new courier must first collect what is on board from the one before, so
        // the batch keeps who that was and when it passed. One column a statement: SQLite
        // adds one at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("route_batches"))
                    .add_column(
                        ColumnDef::new(Alias::new("handed_over_from"))
                            .string()
                            .null()
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("route_batches"))
                    .add_column(
                        ColumnDef::new(Alias::new("handed_over_at"))
                            .timestamp_with_time_zone()
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
