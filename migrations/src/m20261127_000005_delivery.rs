use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Networks::Table)
                    .col(string(Networks::Id).primary_key())
                    .col(string(Networks::Name).unique_key())
                    .col(double(Networks::HubLat))
                    .col(double(Networks::HubLon))
                    // The service area as a GeoJSON Polygon.
                    .col(text(Networks::Area))
                    .col(integer(Networks::SlotCapacity))
                    .col(big_integer(Networks::DeliveryFeeKrw))
                    .col(big_integer(Networks::FreeDeliveryOverKrw))
                    .col(timestamp_with_time_zone(Networks::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Waves::Table)
                    .col(string(Waves::Id).primary_key())
                    .col(string(Waves::NetworkId))
                    .col(string(Waves::Name))
                    // Local Asia/Seoul times of day, "HH:MM".
                    .col(string(Waves::Start))
                    .col(string(Waves::End))
                    .col(string(Waves::Cutoff))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Waves::Table, Waves::NetworkId)
                            .to(Networks::Table, Networks::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Couriers::Table)
                    .col(string(Couriers::Id).primary_key())
                    .col(string(Couriers::AccountId).unique_key())
                    .col(string(Couriers::NetworkId))
                    .col(string(Couriers::Vehicle))
                    .col(big_integer(Couriers::CapacityGrams))
                    .col(big_integer(Couriers::CapacityMillilitres))
                    .col(string(Couriers::ShiftStart))
                    .col(string(Couriers::ShiftEnd))
                    .col(timestamp_with_time_zone(Couriers::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Couriers::Table, Couriers::NetworkId)
                            .to(Networks::Table, Networks::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // Orders booked per slot, against the network's slot capacity.
        manager
            .create_table(
                Table::create()
                    .table(SlotBookings::Table)
                    .col(string(SlotBookings::SlotId).primary_key())
                    .col(integer(SlotBookings::Booked))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DeliveryTasks::Table)
                    .col(string(DeliveryTasks::Id).primary_key())
                    .col(string(DeliveryTasks::MerchantOrderId).unique_key())
                    .col(string(DeliveryTasks::OrderId))
                    .col(string(DeliveryTasks::NetworkId))
                    .col(string(DeliveryTasks::SlotId))
                    .col(string(DeliveryTasks::MerchantId))
                    .col(double(DeliveryTasks::PickupLat))
                    .col(double(DeliveryTasks::PickupLon))
                    .col(string(DeliveryTasks::PickupAddress))
                    .col(double(DeliveryTasks::DropoffLat))
                    .col(double(DeliveryTasks::DropoffLon))
                    .col(string(DeliveryTasks::DropoffAddress))
                    .col(big_integer(DeliveryTasks::SizeGrams))
                    .col(big_integer(DeliveryTasks::SizeMillilitres))
                    // What the courier picks up, for the stop list: "손두부 ×2, 유기농 현미 310 g".
                    .col(text(DeliveryTasks::Contents))
                    .col(timestamp_with_time_zone_null(DeliveryTasks::ReadyAt))
                    .col(string(DeliveryTasks::Status))
                    .col(timestamp_with_time_zone(DeliveryTasks::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_delivery_tasks_slot_id")
                    .table(DeliveryTasks::Table)
                    .col(DeliveryTasks::SlotId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Plans::Table)
                    .col(string(Plans::Id).primary_key())
                    .col(string(Plans::NetworkId))
                    .col(string(Plans::SlotId))
                    .col(integer(Plans::Couriers))
                    .col(double(Plans::DistanceM))
                    .col(double(Plans::SoloDistanceM))
                    .col(text(Plans::Unassigned))
                    .col(double(Plans::Seconds))
                    .col(timestamp_with_time_zone(Plans::PlannedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_plans_slot_id")
                    .table(Plans::Table)
                    .col(Plans::SlotId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RouteBatches::Table)
                    .col(string(RouteBatches::Id).primary_key())
                    .col(string(RouteBatches::PlanId))
                    .col(string(RouteBatches::NetworkId))
                    .col(string(RouteBatches::SlotId))
                    .col(string(RouteBatches::CourierId))
                    .col(string(RouteBatches::Status))
                    .col(double(RouteBatches::DistanceM))
                    .col(timestamp_with_time_zone(RouteBatches::CreatedAt))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_route_batches_slot_id", RouteBatches::SlotId),
            ("idx_route_batches_courier_id", RouteBatches::CourierId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(RouteBatches::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(Stops::Table)
                    .col(string(Stops::Id).primary_key())
                    .col(string(Stops::BatchId))
                    .col(integer(Stops::Position))
                    .col(string(Stops::Kind))
                    .col(string(Stops::TaskId))
                    .col(string(Stops::MerchantOrderId))
                    .col(double(Stops::Lat))
                    .col(double(Stops::Lon))
                    .col(string(Stops::Address))
                    .col(text(Stops::Contents))
                    .col(timestamp_with_time_zone(Stops::Eta))
                    .col(string(Stops::Status))
                    .col(string_null(Stops::ProofKind))
                    .col(string_null(Stops::ProofValue))
                    .col(string_null(Stops::FailureReason))
                    .col(timestamp_with_time_zone_null(Stops::DoneAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Stops::Table, Stops::BatchId)
                            .to(RouteBatches::Table, RouteBatches::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_stops_batch_id")
                    .table(Stops::Table)
                    .col(Stops::BatchId)
                    .to_owned(),
            )
            .await?;
        // Listings gain what one unit weighs and takes up, for couriers' capacities.
        manager
            .alter_table(
                Table::alter()
                    .table(Listings::Table)
                    .add_column(big_integer(Listings::UnitWeightGrams).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Listings::Table)
                    .add_column(big_integer(Listings::UnitVolumeMillilitres).default(0))
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
enum Networks {
    Table,
    Id,
    Name,
    HubLat,
    HubLon,
    Area,
    SlotCapacity,
    DeliveryFeeKrw,
    FreeDeliveryOverKrw,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Waves {
    Table,
    Id,
    NetworkId,
    Name,
    Start,
    End,
    Cutoff,
}

#[derive(DeriveIden)]
enum Couriers {
    Table,
    Id,
    AccountId,
    NetworkId,
    Vehicle,
    CapacityGrams,
    CapacityMillilitres,
    ShiftStart,
    ShiftEnd,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SlotBookings {
    Table,
    SlotId,
    Booked,
}

#[derive(DeriveIden)]
enum DeliveryTasks {
    Table,
    Contents,
    Id,
    MerchantOrderId,
    OrderId,
    NetworkId,
    SlotId,
    MerchantId,
    PickupLat,
    PickupLon,
    PickupAddress,
    DropoffLat,
    DropoffLon,
    DropoffAddress,
    SizeGrams,
    SizeMillilitres,
    ReadyAt,
    Status,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Plans {
    Table,
    Id,
    NetworkId,
    SlotId,
    Couriers,
    DistanceM,
    SoloDistanceM,
    Unassigned,
    Seconds,
    PlannedAt,
}

#[derive(DeriveIden)]
enum RouteBatches {
    Table,
    Id,
    PlanId,
    NetworkId,
    SlotId,
    CourierId,
    Status,
    DistanceM,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Stops {
    Table,
    Contents,
    Id,
    BatchId,
    Position,
    Kind,
    TaskId,
    MerchantOrderId,
    Lat,
    Lon,
    Address,
    Eta,
    Status,
    ProofKind,
    ProofValue,
    FailureReason,
    DoneAt,
}

#[derive(DeriveIden)]
enum Listings {
    Table,
    UnitWeightGrams,
    UnitVolumeMillilitres,
}
