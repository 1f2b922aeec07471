use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Every time a batch under way passed to another courier, not only the last: a
        // courier handed one batch, then passing it on, still sees it among those handed
        // away, and a stop a courier made while the batch was theirs (kept on a phone with
        // no network, sent after the hand-over) is told apart from one made after.
        manager
            .create_table(
                Table::create()
                    .table(BatchHandovers::Table)
                    .col(string(BatchHandovers::Id).primary_key())
                    .col(string(BatchHandovers::BatchId))
                    .col(string(BatchHandovers::FromCourierId))
                    .col(string(BatchHandovers::ToCourierId))
                    .col(string_null(BatchHandovers::ByAccountId))
                    .col(timestamp_with_time_zone(BatchHandovers::HandedAt))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_batch_handovers_batch", BatchHandovers::BatchId),
            ("idx_batch_handovers_from", BatchHandovers::FromCourierId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(BatchHandovers::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        // The hand-overs recorded so far are each batch's last; who made them was not kept.
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO batch_handovers \
                 (id, batch_id, from_courier_id, to_courier_id, by_account_id, handed_at) \
                 SELECT 'bho_' || id, id, handed_over_from, courier_id, NULL, handed_over_at \
                 FROM route_batches \
                 WHERE handed_over_from IS NOT NULL AND handed_over_at IS NOT NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "golmok migrations are forward-only".into(),
        ))
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum BatchHandovers {
    Table,
    Id,
    BatchId,
    FromCourierId,
    ToCourierId,
    ByAccountId,
    HandedAt,
}
