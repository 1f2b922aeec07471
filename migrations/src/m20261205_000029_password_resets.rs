use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A one-time link an admin hands to someone who forgot their password (there is no
        // mail service): kept as the SHA-256 digest of its secret, as sessions are.
        manager
            .create_table(
                Table::create()
                    .table(PasswordResets::Table)
                    .col(string(PasswordResets::TokenHash).primary_key())
                    .col(string(PasswordResets::AccountId))
                    .col(string(PasswordResets::IssuedBy))
                    .col(timestamp_with_time_zone(PasswordResets::CreatedAt))
                    .col(timestamp_with_time_zone(PasswordResets::ExpiresAt))
                    .col(timestamp_with_time_zone_null(PasswordResets::UsedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_password_resets_account")
                    .table(PasswordResets::Table)
                    .col(PasswordResets::AccountId)
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
enum PasswordResets {
    Table,
    TokenHash,
    AccountId,
    IssuedBy,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}
