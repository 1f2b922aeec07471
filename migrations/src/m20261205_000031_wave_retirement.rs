use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // An admin retires a wave (a lunch run nobody books): its slots take no new booking
        // from then on; the row stays, since past and booked orders' slots name it.
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("waves"))
                    .add_column(
                        ColumnDef::new(Alias::new("retired_at"))
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
