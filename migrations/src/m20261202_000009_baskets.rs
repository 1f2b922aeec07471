use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A basket belongs to an account (`account:{id}`) or to a browser that has not signed
        // in yet (`visitor:{random}`); signing in moves a visitor's lines into the account's.
        // One consortium per basket: checkout sells across the shops of one consortium.
        manager
            .create_table(
                Table::create()
                    .table(Baskets::Table)
                    .col(string(Baskets::Owner).primary_key())
                    .col(string(Baskets::ConsortiumId))
                    .col(timestamp_with_time_zone(Baskets::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BasketLines::Table)
                    .col(string(BasketLines::Owner))
                    .col(string(BasketLines::ListingId))
                    .col(big_integer(BasketLines::Quantity))
                    .col(timestamp_with_time_zone(BasketLines::AddedAt))
                    .primary_key(
                        Index::create()
                            .col(BasketLines::Owner)
                            .col(BasketLines::ListingId),
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
enum Baskets {
    Table,
    Owner,
    ConsortiumId,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum BasketLines {
    Table,
    Owner,
    ListingId,
    Quantity,
    AddedAt,
}
