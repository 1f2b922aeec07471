use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Photos a shopper shows with a claim (the broken jar, the wrong goods): kept in the
        // object store under `claims/`, never served to the public.
        manager
            .create_table(
                Table::create()
                    .table(ClaimPhotos::Table)
                    .col(string(ClaimPhotos::Id).primary_key())
                    .col(string(ClaimPhotos::ClaimId))
                    .col(string(ClaimPhotos::ObjectKey))
                    .col(integer(ClaimPhotos::Width))
                    .col(integer(ClaimPhotos::Height))
                    .col(timestamp_with_time_zone(ClaimPhotos::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_claim_photos_claim")
                    .table(ClaimPhotos::Table)
                    .col(ClaimPhotos::ClaimId)
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

#[derive(DeriveIden, Clone, Copy)]
enum ClaimPhotos {
    Table,
    Id,
    ClaimId,
    ObjectKey,
    Width,
    Height,
    CreatedAt,
}
