use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A photo or signature a courier took at a stop, stored in the object store (stripped
        // of its metadata); a stop completed with a photo or signature names one of its own.
        manager
            .create_table(
                Table::create()
                    .table(StopProofFiles::Table)
                    .col(string(StopProofFiles::Id).primary_key())
                    .col(string(StopProofFiles::StopId))
                    .col(string(StopProofFiles::Kind))
                    .col(string(StopProofFiles::ObjectKey))
                    .col(integer(StopProofFiles::Width))
                    .col(integer(StopProofFiles::Height))
                    .col(string(StopProofFiles::CreatedBy))
                    .col(timestamp_with_time_zone(StopProofFiles::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_stop_proof_files_stop")
                    .table(StopProofFiles::Table)
                    .col(StopProofFiles::StopId)
                    .to_owned(),
            )
            .await?;
        // What the courier wrote beside a photo ("left at the door, behind the plant").
        manager
            .alter_table(
                Table::alter()
                    .table(Stops::Table)
                    .add_column(text_null(Stops::ProofNote))
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
enum StopProofFiles {
    Table,
    Id,
    StopId,
    Kind,
    ObjectKey,
    Width,
    Height,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Stops {
    Table,
    ProofNote,
}
