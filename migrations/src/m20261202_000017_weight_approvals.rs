use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A weighed line that came to more than the payment holds, put to the shopper: what it
        // weighed, what it costs beyond the authorisation, what it is cut to if the shopper
        // declines or does not answer in time, and (a card) the second authorisation that
        // pays for the difference.
        manager
            .create_table(
                Table::create()
                    .table(WeightApprovals::Table)
                    .col(string(WeightApprovals::Id).primary_key())
                    .col(string(WeightApprovals::LineId))
                    .col(string(WeightApprovals::MerchantOrderId))
                    .col(string(WeightApprovals::OrderId))
                    .col(big_integer(WeightApprovals::WeighedQuantity))
                    .col(big_integer(WeightApprovals::FitsQuantity))
                    .col(big_integer(WeightApprovals::ExtraKrw))
                    .col(string(WeightApprovals::Status))
                    .col(string_null(WeightApprovals::PaymentId))
                    .col(timestamp_with_time_zone(WeightApprovals::AskUntil))
                    .col(timestamp_with_time_zone_null(WeightApprovals::AnsweredAt))
                    .col(timestamp_with_time_zone(WeightApprovals::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_weight_approvals_merchant_order")
                    .table(WeightApprovals::Table)
                    .col(WeightApprovals::MerchantOrderId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_weight_approvals_status")
                    .table(WeightApprovals::Table)
                    .col(WeightApprovals::Status)
                    .col(WeightApprovals::AskUntil)
                    .to_owned(),
            )
            .await?;
        // How long the shop waits for a shopper's answer before weighing out what was
        // authorised.
        manager
            .alter_table(
                Table::alter()
                    .table(Merchants::Table)
                    .add_column(integer(Merchants::ApprovalWaitMinutes).default(15))
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
enum WeightApprovals {
    Table,
    Id,
    LineId,
    MerchantOrderId,
    OrderId,
    WeighedQuantity,
    FitsQuantity,
    ExtraKrw,
    Status,
    PaymentId,
    AskUntil,
    AnsweredAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Merchants {
    Table,
    ApprovalWaitMinutes,
}
