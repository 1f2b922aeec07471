use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // An alley page or a stamp tour of a consortium: its story, a walking route of member
        // shops in order, and for a tour the coupon its completion earns. `code_key` signs the
        // shops' QR codes and never leaves the server.
        manager
            .create_table(
                Table::create()
                    .table(Tours::Table)
                    .col(string(Tours::Id).primary_key())
                    .col(string(Tours::ConsortiumId))
                    .col(string(Tours::Kind))
                    .col(string(Tours::Title))
                    .col(text(Tours::Story))
                    .col(date_null(Tours::StartsOn))
                    .col(date_null(Tours::EndsOn))
                    .col(big_integer(Tours::CouponKrw))
                    .col(boolean(Tours::Published))
                    .col(string(Tours::CodeKey))
                    .col(timestamp_with_time_zone(Tours::CreatedAt))
                    .col(timestamp_with_time_zone(Tours::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TourStops::Table)
                    .col(string(TourStops::TourId))
                    .col(integer(TourStops::Position))
                    .col(string(TourStops::MerchantId))
                    .col(text(TourStops::Note))
                    .primary_key(
                        Index::create()
                            .col(TourStops::TourId)
                            .col(TourStops::MerchantId),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TourPhotos::Table)
                    .col(string(TourPhotos::Id).primary_key())
                    .col(string(TourPhotos::TourId))
                    .col(string(TourPhotos::Caption))
                    .col(string(TourPhotos::ObjectKey))
                    .col(timestamp_with_time_zone(TourPhotos::CreatedAt))
                    .to_owned(),
            )
            .await?;
        // One stamp per shop per visitor per tour: the key refuses the second.
        manager
            .create_table(
                Table::create()
                    .table(TourStamps::Table)
                    .col(string(TourStamps::TourId))
                    .col(string(TourStamps::AccountId))
                    .col(string(TourStamps::MerchantId))
                    .col(timestamp_with_time_zone(TourStamps::StampedAt))
                    .primary_key(
                        Index::create()
                            .col(TourStamps::TourId)
                            .col(TourStamps::AccountId)
                            .col(TourStamps::MerchantId),
                    )
                    .to_owned(),
            )
            .await?;
        // A coupon a shopper holds (one per tour completed), redeemed once: in a shop's part
        // of an online order or at a stall. The consortium bears its cost.
        manager
            .create_table(
                Table::create()
                    .table(Coupons::Table)
                    .col(string(Coupons::Id).primary_key())
                    .col(string(Coupons::Code).unique_key())
                    .col(string(Coupons::ConsortiumId))
                    .col(string(Coupons::AccountId))
                    .col(string(Coupons::Source))
                    .col(string(Coupons::SourceId))
                    .col(big_integer(Coupons::DiscountKrw))
                    .col(timestamp_with_time_zone(Coupons::IssuedAt))
                    .col(timestamp_with_time_zone_null(Coupons::RedeemedAt))
                    .col(string_null(Coupons::MerchantId))
                    .col(string_null(Coupons::MerchantOrderId))
                    .col(string_null(Coupons::StallSaleId))
                    .col(big_integer_null(Coupons::RedeemedKrw))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_coupons_source_account")
                    .table(Coupons::Table)
                    .col(Coupons::SourceId)
                    .col(Coupons::AccountId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_coupons_account")
                    .table(Coupons::Table)
                    .col(Coupons::AccountId)
                    .to_owned(),
            )
            .await?;
        // What a coupon took off a shop's part of an order, and off a stall's sale.
        for (table, column) in [
            (Alias::new("merchant_orders"), Alias::new("coupon_krw")),
            (Alias::new("stall_sales"), Alias::new("coupon_krw")),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(
                            ColumnDef::new(column)
                                .big_integer()
                                .not_null()
                                .default(0)
                                .to_owned(),
                        )
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "golmok migrations are forward-only".into(),
        ))
    }
}

#[derive(DeriveIden)]
enum Tours {
    Table,
    Id,
    ConsortiumId,
    Kind,
    Title,
    Story,
    StartsOn,
    EndsOn,
    CouponKrw,
    Published,
    CodeKey,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum TourStops {
    Table,
    TourId,
    Position,
    MerchantId,
    Note,
}

#[derive(DeriveIden)]
enum TourPhotos {
    Table,
    Id,
    TourId,
    Caption,
    ObjectKey,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TourStamps {
    Table,
    TourId,
    AccountId,
    MerchantId,
    StampedAt,
}

#[derive(DeriveIden)]
enum Coupons {
    Table,
    Id,
    Code,
    ConsortiumId,
    AccountId,
    Source,
    SourceId,
    DiscountKrw,
    IssuedAt,
    RedeemedAt,
    MerchantId,
    MerchantOrderId,
    StallSaleId,
    RedeemedKrw,
}
