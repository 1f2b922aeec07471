use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Every call to a payment provider, written before it is made: what it asks (kind,
        // amount, the request to repeat it with its idempotency key), and once answered, the
        // answer. A call still `pending` after a crash is finished (or, for an authorisation
        // whose order was never written, undone) by the reconciler.
        manager
            .create_table(
                Table::create()
                    .table(ProviderCalls::Table)
                    .col(string(ProviderCalls::Id).primary_key())
                    .col(string(ProviderCalls::Provider))
                    .col(string(ProviderCalls::Kind))
                    .col(string_null(ProviderCalls::PaymentId))
                    .col(string(ProviderCalls::SubjectId))
                    .col(string(ProviderCalls::IdempotencyKey))
                    .col(big_integer(ProviderCalls::AmountKrw))
                    .col(text(ProviderCalls::Request))
                    .col(string(ProviderCalls::State))
                    .col(text_null(ProviderCalls::Outcome))
                    .col(text_null(ProviderCalls::Error))
                    .col(integer(ProviderCalls::Attempts))
                    .col(timestamp_with_time_zone(ProviderCalls::CreatedAt))
                    .col(timestamp_with_time_zone(ProviderCalls::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_provider_calls_state")
                    .table(ProviderCalls::Table)
                    .col(ProviderCalls::State)
                    .col(ProviderCalls::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_provider_calls_payment")
                    .table(ProviderCalls::Table)
                    .col(ProviderCalls::PaymentId)
                    .col(ProviderCalls::State)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_provider_calls_subject")
                    .table(ProviderCalls::Table)
                    .col(ProviderCalls::SubjectId)
                    .col(ProviderCalls::Kind)
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
enum ProviderCalls {
    Table,
    Id,
    Provider,
    Kind,
    PaymentId,
    SubjectId,
    IdempotencyKey,
    AmountKrw,
    Request,
    State,
    Outcome,
    Error,
    Attempts,
    CreatedAt,
    UpdatedAt,
}
