use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The platform's commission on a consortium's sales, in basis points (300 = 3%).
        manager
            .alter_table(
                Table::alter()
                    .table(Consortia::Table)
                    .add_column(integer(Consortia::CommissionBps).default(300))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Orders::Table)
                    .col(string(Orders::Id).primary_key())
                    .col(string(Orders::ShopperId))
                    .col(string(Orders::ConsortiumId))
                    .col(string(Orders::Status))
                    .col(string(Orders::FulfillmentKind))
                    .col(string_null(Orders::SlotId))
                    .col(string_null(Orders::NetworkId))
                    .col(string_null(Orders::Address))
                    .col(double_null(Orders::Lat))
                    .col(double_null(Orders::Lon))
                    .col(big_integer(Orders::DeliveryFeeKrw))
                    .col(big_integer(Orders::DeliveryFeeRefundedKrw))
                    .col(integer(Orders::CommissionBps))
                    .col(string(Orders::PaymentId))
                    .col(timestamp_with_time_zone(Orders::CreatedAt))
                    .col(timestamp_with_time_zone(Orders::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_orders_shopper_id", Orders::ShopperId),
            ("idx_orders_consortium_id", Orders::ConsortiumId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Orders::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(MerchantOrders::Table)
                    .col(string(MerchantOrders::Id).primary_key())
                    .col(string(MerchantOrders::OrderId))
                    .col(string(MerchantOrders::MerchantId))
                    .col(string(MerchantOrders::Status))
                    .col(big_integer(MerchantOrders::SubtotalKrw))
                    .col(big_integer(MerchantOrders::DepositsKrw))
                    .col(big_integer(MerchantOrders::CommissionKrw))
                    .col(big_integer(MerchantOrders::RefundedKrw))
                    .col(big_integer(MerchantOrders::CommissionRefundedKrw))
                    .col(string_null(MerchantOrders::Note))
                    .col(timestamp_with_time_zone(MerchantOrders::CreatedAt))
                    .col(timestamp_with_time_zone(MerchantOrders::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(MerchantOrders::Table, MerchantOrders::OrderId)
                            .to(Orders::Table, Orders::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_merchant_orders_order_id", MerchantOrders::OrderId),
            (
                "idx_merchant_orders_merchant_id",
                MerchantOrders::MerchantId,
            ),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(MerchantOrders::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(OrderLines::Table)
                    .col(string(OrderLines::Id).primary_key())
                    .col(string(OrderLines::MerchantOrderId))
                    .col(string(OrderLines::ListingId))
                    .col(string(OrderLines::Title))
                    .col(string(OrderLines::Unit))
                    .col(big_integer(OrderLines::UnitQuantity))
                    .col(big_integer(OrderLines::PriceKrw))
                    .col(big_integer(OrderLines::Quantity))
                    .col(big_integer_null(OrderLines::WeighedQuantity))
                    .col(big_integer(OrderLines::AmountKrw))
                    .col(boolean(OrderLines::Refill))
                    .col(string_null(OrderLines::ContainerPolicy))
                    .col(big_integer(OrderLines::DepositKrw))
                    .foreign_key(
                        ForeignKey::create()
                            .from(OrderLines::Table, OrderLines::MerchantOrderId)
                            .to(MerchantOrders::Table, MerchantOrders::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_order_lines_merchant_order_id")
                    .table(OrderLines::Table)
                    .col(OrderLines::MerchantOrderId)
                    .to_owned(),
            )
            .await?;

        // Stock held for a line; released (or kept, once delivered) exactly once.
        manager
            .create_table(
                Table::create()
                    .table(StockReservations::Table)
                    .col(string(StockReservations::LineId).primary_key())
                    .col(string(StockReservations::ListingId))
                    .col(big_integer(StockReservations::Quantity))
                    .col(timestamp_with_time_zone_null(StockReservations::ReleasedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(StockReservations::Table, StockReservations::LineId)
                            .to(OrderLines::Table, OrderLines::Id),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OrderEvents::Table)
                    .col(string(OrderEvents::Id).primary_key())
                    .col(string(OrderEvents::OrderId))
                    .col(string_null(OrderEvents::MerchantOrderId))
                    .col(string(OrderEvents::FromStatus))
                    .col(string(OrderEvents::ToStatus))
                    .col(string(OrderEvents::ActorId))
                    .col(string_null(OrderEvents::Note))
                    .col(timestamp_with_time_zone(OrderEvents::At))
                    .foreign_key(
                        ForeignKey::create()
                            .from(OrderEvents::Table, OrderEvents::OrderId)
                            .to(Orders::Table, Orders::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_order_events_order_id")
                    .table(OrderEvents::Table)
                    .col(OrderEvents::OrderId)
                    .to_owned(),
            )
            .await?;

        // Retried writes: the first response, stored with the request it answered.
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKeys::Table)
                    .col(string(IdempotencyKeys::AccountId))
                    .col(string(IdempotencyKeys::Key))
                    .col(string(IdempotencyKeys::Scope))
                    .col(string(IdempotencyKeys::RequestHash))
                    .col(integer_null(IdempotencyKeys::ResponseStatus))
                    .col(text_null(IdempotencyKeys::ResponseBody))
                    .col(timestamp_with_time_zone(IdempotencyKeys::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(IdempotencyKeys::AccountId)
                            .col(IdempotencyKeys::Scope)
                            .col(IdempotencyKeys::Key),
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

#[derive(DeriveIden)]
enum Consortia {
    Table,
    CommissionBps,
}

#[derive(DeriveIden)]
enum Orders {
    Table,
    Id,
    ShopperId,
    ConsortiumId,
    Status,
    FulfillmentKind,
    SlotId,
    NetworkId,
    Address,
    Lat,
    Lon,
    DeliveryFeeKrw,
    DeliveryFeeRefundedKrw,
    CommissionBps,
    PaymentId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum MerchantOrders {
    Table,
    Id,
    OrderId,
    MerchantId,
    Status,
    SubtotalKrw,
    DepositsKrw,
    CommissionKrw,
    RefundedKrw,
    CommissionRefundedKrw,
    Note,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OrderLines {
    Table,
    Id,
    MerchantOrderId,
    ListingId,
    Title,
    Unit,
    UnitQuantity,
    PriceKrw,
    Quantity,
    WeighedQuantity,
    AmountKrw,
    Refill,
    ContainerPolicy,
    DepositKrw,
}

#[derive(DeriveIden)]
enum StockReservations {
    Table,
    LineId,
    ListingId,
    Quantity,
    ReleasedAt,
}

#[derive(DeriveIden)]
enum OrderEvents {
    Table,
    Id,
    OrderId,
    MerchantOrderId,
    FromStatus,
    ToStatus,
    ActorId,
    Note,
    At,
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    AccountId,
    Key,
    Scope,
    RequestHash,
    ResponseStatus,
    ResponseBody,
    CreatedAt,
}
