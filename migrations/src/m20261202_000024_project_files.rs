use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A joint project's photos and documents (a plan, a poster, a report), kept in the
        // object store under `projects/` and read by those who may read the project.
        manager
            .create_table(
                Table::create()
                    .table(ProjectFiles::Table)
                    .col(string(ProjectFiles::Id).primary_key())
                    .col(string(ProjectFiles::ProjectId))
                    .col(string(ProjectFiles::Kind))
                    .col(string(ProjectFiles::Name))
                    .col(string(ProjectFiles::ObjectKey))
                    .col(string(ProjectFiles::ContentType))
                    .col(big_integer(ProjectFiles::SizeBytes))
                    .col(string(ProjectFiles::CreatedBy))
                    .col(timestamp_with_time_zone(ProjectFiles::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_project_files_project")
                    .table(ProjectFiles::Table)
                    .col(ProjectFiles::ProjectId)
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
enum ProjectFiles {
    Table,
    Id,
    ProjectId,
    Kind,
    Name,
    ObjectKey,
    ContentType,
    SizeBytes,
    CreatedBy,
    CreatedAt,
}
