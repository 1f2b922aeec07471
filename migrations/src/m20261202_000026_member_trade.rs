use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Member-to-member trade (상호거래): a listing's price for fellow members, and whether a
        // consortium's members also trade with members of the other consortia of its district.
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("listings"))
                    .add_column(
                        ColumnDef::new(Alias::new("member_price_krw"))
                            .big_integer()
                            .null()
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("consortia"))
                    .add_column(
                        ColumnDef::new(Alias::new("member_trade_district_wide"))
                            .boolean()
                            .not_null()
                            .default(false)
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        // An order between two member shops, on account: no card, a monthly statement per pair.
        manager
            .create_table(
                Table::create()
                    .table(MemberOrders::Table)
                    .col(string(MemberOrders::Id).primary_key())
                    .col(string(MemberOrders::ConsortiumId))
                    .col(string(MemberOrders::BuyerId))
                    .col(string(MemberOrders::SellerId))
                    .col(string(MemberOrders::Status))
                    .col(big_integer(MemberOrders::TotalKrw))
                    .col(text(MemberOrders::Note))
                    .col(string(MemberOrders::PlacedBy))
                    .col(timestamp_with_time_zone(MemberOrders::CreatedAt))
                    .col(timestamp_with_time_zone(MemberOrders::UpdatedAt))
                    .col(timestamp_with_time_zone_null(MemberOrders::HandedOverAt))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_member_orders_buyer", MemberOrders::BuyerId),
            ("idx_member_orders_seller", MemberOrders::SellerId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(MemberOrders::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(MemberOrderLines::Table)
                    .col(string(MemberOrderLines::Id).primary_key())
                    .col(string(MemberOrderLines::MemberOrderId))
                    .col(string(MemberOrderLines::ListingId))
                    .col(string(MemberOrderLines::Title))
                    .col(string(MemberOrderLines::Unit))
                    .col(big_integer(MemberOrderLines::Quantity))
                    .col(big_integer(MemberOrderLines::ListPriceKrw))
                    .col(big_integer(MemberOrderLines::AmountKrw))
                    .to_owned(),
            )
            .await?;
        // What a buyer paid a seller against a month's statement, as the seller recorded it.
        manager
            .create_table(
                Table::create()
                    .table(MemberSettlements::Table)
                    .col(string(MemberSettlements::Id).primary_key())
                    .col(string(MemberSettlements::SellerId))
                    .col(string(MemberSettlements::BuyerId))
                    .col(string(MemberSettlements::Month))
                    .col(big_integer(MemberSettlements::AmountKrw))
                    .col(string(MemberSettlements::RecordedBy))
                    .col(timestamp_with_time_zone(MemberSettlements::RecordedAt))
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
enum MemberOrders {
    Table,
    Id,
    ConsortiumId,
    BuyerId,
    SellerId,
    Status,
    TotalKrw,
    Note,
    PlacedBy,
    CreatedAt,
    UpdatedAt,
    HandedOverAt,
}

#[derive(DeriveIden)]
enum MemberOrderLines {
    Table,
    Id,
    MemberOrderId,
    ListingId,
    Title,
    Unit,
    Quantity,
    ListPriceKrw,
    AmountKrw,
}

#[derive(DeriveIden)]
enum MemberSettlements {
    Table,
    Id,
    SellerId,
    BuyerId,
    Month,
    AmountKrw,
    RecordedBy,
    RecordedAt,
}
