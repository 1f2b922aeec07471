use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Agencies::Table)
                    .col(string(Agencies::Id).primary_key())
                    .col(string(Agencies::Name).unique_key())
                    .col(string(Agencies::Kind))
                    .col(timestamp_with_time_zone(Agencies::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AgencyDistricts::Table)
                    // A district is run by one regional agency at a time.
                    .col(string(AgencyDistricts::District).primary_key())
                    .col(string(AgencyDistricts::AgencyId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AgencyDistricts::Table, AgencyDistricts::AgencyId)
                            .to(Agencies::Table, Agencies::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AgencyCoordinators::Table)
                    .col(string(AgencyCoordinators::AccountId).primary_key())
                    .col(string(AgencyCoordinators::AgencyId))
                    .col(timestamp_with_time_zone(AgencyCoordinators::AssignedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AgencyCoordinators::Table, AgencyCoordinators::AgencyId)
                            .to(Agencies::Table, Agencies::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AgencyCoordinators::Table, AgencyCoordinators::AccountId)
                            .to(Accounts::Table, Accounts::Id),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Merchants::Table)
                    .col(string(Merchants::Id).primary_key())
                    .col(string(Merchants::OwnerId))
                    .col(string(Merchants::Name))
                    .col(string(Merchants::Kind))
                    .col(double(Merchants::Lat))
                    .col(double(Merchants::Lon))
                    .col(string(Merchants::Address))
                    .col(text_null(Merchants::OpeningHours))
                    .col(timestamp_with_time_zone(Merchants::CreatedAt))
                    .col(timestamp_with_time_zone(Merchants::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Merchants::Table, Merchants::OwnerId)
                            .to(Accounts::Table, Accounts::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_merchants_owner_id", Merchants::OwnerId),
            ("idx_merchants_lat", Merchants::Lat),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Merchants::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Consortia::Table)
                    .col(string(Consortia::Id).primary_key())
                    .col(string(Consortia::Name))
                    .col(string(Consortia::District))
                    .col(string(Consortia::AgencyId))
                    .col(string_null(Consortia::NetworkId))
                    .col(string(Consortia::Status))
                    .col(string(Consortia::CreatedBy))
                    .col(timestamp_with_time_zone(Consortia::CreatedAt))
                    .col(timestamp_with_time_zone(Consortia::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Consortia::Table, Consortia::AgencyId)
                            .to(Agencies::Table, Agencies::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConsortiumMembers::Table)
                    .col(string(ConsortiumMembers::ConsortiumId))
                    .col(string(ConsortiumMembers::MerchantId))
                    .col(timestamp_with_time_zone(ConsortiumMembers::JoinedAt))
                    .primary_key(
                        Index::create()
                            .col(ConsortiumMembers::ConsortiumId)
                            .col(ConsortiumMembers::MerchantId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ConsortiumMembers::Table, ConsortiumMembers::ConsortiumId)
                            .to(Consortia::Table, Consortia::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ConsortiumMembers::Table, ConsortiumMembers::MerchantId)
                            .to(Merchants::Table, Merchants::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_consortium_members_merchant_id")
                    .table(ConsortiumMembers::Table)
                    .col(ConsortiumMembers::MerchantId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MembershipEvents::Table)
                    .col(string(MembershipEvents::Id).primary_key())
                    .col(string(MembershipEvents::ConsortiumId))
                    .col(string(MembershipEvents::MerchantId))
                    .col(string(MembershipEvents::Action))
                    .col(string(MembershipEvents::ActorId))
                    .col(string(MembershipEvents::StatusAfter))
                    .col(timestamp_with_time_zone(MembershipEvents::At))
                    .foreign_key(
                        ForeignKey::create()
                            .from(MembershipEvents::Table, MembershipEvents::ConsortiumId)
                            .to(Consortia::Table, Consortia::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_membership_events_consortium_id")
                    .table(MembershipEvents::Table)
                    .col(MembershipEvents::ConsortiumId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Listings::Table)
                    .col(string(Listings::Id).primary_key())
                    .col(string(Listings::MerchantId))
                    .col(string(Listings::Title))
                    .col(text(Listings::Description))
                    .col(string(Listings::Category))
                    .col(big_integer(Listings::PriceKrw))
                    .col(string(Listings::Unit))
                    .col(big_integer(Listings::UnitQuantity))
                    .col(big_integer(Listings::Stock))
                    .col(boolean(Listings::Refill))
                    .col(string_null(Listings::ContainerPolicy))
                    .col(big_integer_null(Listings::ContainerDepositKrw))
                    .col(string(Listings::Status))
                    .col(timestamp_with_time_zone(Listings::CreatedAt))
                    .col(timestamp_with_time_zone(Listings::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Listings::Table, Listings::MerchantId)
                            .to(Merchants::Table, Merchants::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_listings_merchant_id")
                    .table(Listings::Table)
                    .col(Listings::MerchantId)
                    .to_owned(),
            )
            .await?;
        // The search index: n-gram terms of each listing's text, see catalog's search module.
        manager
            .create_table(
                Table::create()
                    .table(ListingTerms::Table)
                    .col(string(ListingTerms::Term))
                    .col(string(ListingTerms::ListingId))
                    .col(integer(ListingTerms::Weight))
                    .primary_key(
                        Index::create()
                            .col(ListingTerms::Term)
                            .col(ListingTerms::ListingId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ListingTerms::Table, ListingTerms::ListingId)
                            .to(Listings::Table, Listings::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_listing_terms_listing_id")
                    .table(ListingTerms::Table)
                    .col(ListingTerms::ListingId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Campaigns::Table)
                    .col(string(Campaigns::Id).primary_key())
                    .col(string(Campaigns::ConsortiumId))
                    .col(string(Campaigns::Kind))
                    .col(string(Campaigns::Title))
                    .col(timestamp_with_time_zone(Campaigns::StartsAt))
                    .col(timestamp_with_time_zone(Campaigns::EndsAt))
                    .col(double_null(Campaigns::Lat))
                    .col(double_null(Campaigns::Lon))
                    .col(string_null(Campaigns::Place))
                    .col(string(Campaigns::CreatedBy))
                    .col(timestamp_with_time_zone(Campaigns::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Campaigns::Table, Campaigns::ConsortiumId)
                            .to(Consortia::Table, Consortia::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_campaigns_consortium_id")
                    .table(Campaigns::Table)
                    .col(Campaigns::ConsortiumId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CampaignListings::Table)
                    .col(string(CampaignListings::CampaignId))
                    .col(string(CampaignListings::ListingId))
                    .primary_key(
                        Index::create()
                            .col(CampaignListings::CampaignId)
                            .col(CampaignListings::ListingId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CampaignListings::Table, CampaignListings::CampaignId)
                            .to(Campaigns::Table, Campaigns::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CampaignListings::Table, CampaignListings::ListingId)
                            .to(Listings::Table, Listings::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_campaign_listings_listing_id")
                    .table(CampaignListings::Table)
                    .col(CampaignListings::ListingId)
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
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Agencies {
    Table,
    Id,
    Name,
    Kind,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AgencyDistricts {
    Table,
    District,
    AgencyId,
}

#[derive(DeriveIden)]
enum AgencyCoordinators {
    Table,
    AccountId,
    AgencyId,
    AssignedAt,
}

#[derive(DeriveIden)]
enum Merchants {
    Table,
    Id,
    OwnerId,
    Name,
    Kind,
    Lat,
    Lon,
    Address,
    OpeningHours,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Consortia {
    Table,
    Id,
    Name,
    District,
    AgencyId,
    NetworkId,
    Status,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ConsortiumMembers {
    Table,
    ConsortiumId,
    MerchantId,
    JoinedAt,
}

#[derive(DeriveIden)]
enum MembershipEvents {
    Table,
    Id,
    ConsortiumId,
    MerchantId,
    Action,
    ActorId,
    StatusAfter,
    At,
}

#[derive(DeriveIden)]
enum Listings {
    Table,
    Id,
    MerchantId,
    Title,
    Description,
    Category,
    PriceKrw,
    Unit,
    UnitQuantity,
    Stock,
    Refill,
    ContainerPolicy,
    ContainerDepositKrw,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ListingTerms {
    Table,
    Term,
    ListingId,
    Weight,
}

#[derive(DeriveIden)]
enum Campaigns {
    Table,
    Id,
    ConsortiumId,
    Kind,
    Title,
    StartsAt,
    EndsAt,
    Lat,
    Lon,
    Place,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CampaignListings {
    Table,
    CampaignId,
    ListingId,
}
