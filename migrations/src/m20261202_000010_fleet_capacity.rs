use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A slot's capacity comes from its fleet: how many stops a courier makes in an hour,
        // less a margin. `slot_capacity` stays as an explicit override of the deliveries a
        // slot takes (0: none, the fleet decides).
        manager
            .alter_table(
                Table::alter()
                    .table(Networks::Table)
                    .add_column(double(Networks::StopsPerHour).default(10.0))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Networks::Table)
                    .add_column(integer(Networks::CapacityMarginPct).default(10))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Networks::Table)
                    .add_column(boolean(Networks::MoveWithoutConsent).default(false))
                    .to_owned(),
            )
            .await?;
        // What the bookings of a slot take: deliveries (one per shop of a basket), grams, ml.
        for column in [
            SlotBookings::Tasks,
            SlotBookings::Grams,
            SlotBookings::Millilitres,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(SlotBookings::Table)
                        .add_column(big_integer(column).default(0))
                        .to_owned(),
                )
                .await?;
        }
        // A courier taken off the network (ill, bike broken): no longer planned or counted.
        manager
            .alter_table(
                Table::alter()
                    .table(Couriers::Table)
                    .add_column(timestamp_with_time_zone_null(Couriers::WithdrawnAt))
                    .to_owned(),
            )
            .await?;
        // Why the latest plan of its slot left a delivery out; empty once a plan carries it.
        manager
            .alter_table(
                Table::alter()
                    .table(DeliveryTasks::Table)
                    .add_column(string_null(DeliveryTasks::UnassignedReason))
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
    StopsPerHour,
    CapacityMarginPct,
    MoveWithoutConsent,
}

#[derive(DeriveIden)]
enum SlotBookings {
    Table,
    Tasks,
    Grams,
    Millilitres,
}

#[derive(DeriveIden)]
enum Couriers {
    Table,
    WithdrawnAt,
}

#[derive(DeriveIden)]
enum DeliveryTasks {
    Table,
    UnassignedReason,
}
