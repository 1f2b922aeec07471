use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A consortium's joint project (공동프로젝트): its plan and budget, the milestones it
        // is measured by and what was spent on it, in won.
        manager
            .create_table(
                Table::create()
                    .table(JointProjects::Table)
                    .col(string(JointProjects::Id).primary_key())
                    .col(string(JointProjects::ConsortiumId))
                    .col(string(JointProjects::Kind))
                    .col(string(JointProjects::Title))
                    .col(text(JointProjects::Plan))
                    .col(big_integer(JointProjects::BudgetKrw))
                    .col(string(JointProjects::Status))
                    .col(text_null(JointProjects::Outcome))
                    .col(string(JointProjects::CreatedBy))
                    .col(timestamp_with_time_zone(JointProjects::CreatedAt))
                    .col(timestamp_with_time_zone(JointProjects::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_joint_projects_consortium",
            JointProjects::Table,
            JointProjects::ConsortiumId,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(ProjectMilestones::Table)
                    .col(string(ProjectMilestones::Id).primary_key())
                    .col(string(ProjectMilestones::ProjectId))
                    .col(string(ProjectMilestones::Title))
                    .col(date(ProjectMilestones::DueOn))
                    .col(string(ProjectMilestones::Status))
                    .col(date_null(ProjectMilestones::DoneOn))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_project_milestones_project",
            ProjectMilestones::Table,
            ProjectMilestones::ProjectId,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(ProjectSpending::Table)
                    .col(string(ProjectSpending::Id).primary_key())
                    .col(string(ProjectSpending::ProjectId))
                    .col(big_integer(ProjectSpending::AmountKrw))
                    .col(date(ProjectSpending::SpentOn))
                    .col(string(ProjectSpending::Note))
                    .col(string(ProjectSpending::RecordedBy))
                    .col(timestamp_with_time_zone(ProjectSpending::CreatedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_project_spending_project",
            ProjectSpending::Table,
            ProjectSpending::ProjectId,
        )
        .await?;

        // Support work an agency did (education, consulting, PR, marketing) and its
        // coordinators' own training, with who took part.
        manager
            .create_table(
                Table::create()
                    .table(SupportSessions::Table)
                    .col(string(SupportSessions::Id).primary_key())
                    .col(string(SupportSessions::AgencyId))
                    .col(string_null(SupportSessions::ConsortiumId))
                    .col(string(SupportSessions::Kind))
                    .col(date(SupportSessions::HeldOn))
                    .col(integer(SupportSessions::Minutes))
                    .col(text(SupportSessions::Notes))
                    .col(string(SupportSessions::RecordedBy))
                    .col(timestamp_with_time_zone(SupportSessions::CreatedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_support_sessions_agency",
            SupportSessions::Table,
            SupportSessions::AgencyId,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(SupportParticipants::Table)
                    .col(string(SupportParticipants::SessionId))
                    .col(string(SupportParticipants::ParticipantId))
                    .col(string(SupportParticipants::ParticipantKind))
                    .primary_key(
                        Index::create()
                            .col(SupportParticipants::SessionId)
                            .col(SupportParticipants::ParticipantId),
                    )
                    .to_owned(),
            )
            .await?;

        // A festival's or market day's stalls: the member shops taking part, what they sold
        // in person (and how it was paid), and the visitors the organisers counted.
        manager
            .create_table(
                Table::create()
                    .table(EventShops::Table)
                    .col(string(EventShops::CampaignId))
                    .col(string(EventShops::MerchantId))
                    .primary_key(
                        Index::create()
                            .col(EventShops::CampaignId)
                            .col(EventShops::MerchantId),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(StallSales::Table)
                    .col(string(StallSales::Id).primary_key())
                    .col(string(StallSales::CampaignId))
                    .col(string(StallSales::ConsortiumId))
                    .col(string(StallSales::MerchantId))
                    .col(big_integer(StallSales::AmountKrw))
                    .col(string(StallSales::PaymentMethod))
                    .col(string(StallSales::Description))
                    .col(string(StallSales::RecordedBy))
                    .col(timestamp_with_time_zone(StallSales::SoldAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_stall_sales_campaign",
            StallSales::Table,
            StallSales::CampaignId,
        )
        .await?;
        index(
            manager,
            "idx_stall_sales_consortium",
            StallSales::Table,
            StallSales::ConsortiumId,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(StallSaleLines::Table)
                    .col(string(StallSaleLines::Id).primary_key())
                    .col(string(StallSaleLines::SaleId))
                    .col(string(StallSaleLines::ListingId))
                    .col(string(StallSaleLines::Title))
                    .col(big_integer(StallSaleLines::Quantity))
                    .col(string(StallSaleLines::Unit))
                    .col(boolean(StallSaleLines::Refill))
                    .col(big_integer(StallSaleLines::AmountKrw))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_stall_sale_lines_sale",
            StallSaleLines::Table,
            StallSaleLines::SaleId,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(EventVisitorCounts::Table)
                    .col(string(EventVisitorCounts::Id).primary_key())
                    .col(string(EventVisitorCounts::CampaignId))
                    .col(integer(EventVisitorCounts::Visitors))
                    .col(string(EventVisitorCounts::Note))
                    .col(string(EventVisitorCounts::RecordedBy))
                    .col(timestamp_with_time_zone(EventVisitorCounts::CountedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_event_visitor_counts_campaign",
            EventVisitorCounts::Table,
            EventVisitorCounts::CampaignId,
        )
        .await
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "golmok migrations are forward-only".into(),
        ))
    }
}

async fn index<T: IntoIden + Copy + 'static, C: IntoIden + 'static>(
    manager: &SchemaManager<'_>,
    name: &str,
    table: T,
    column: C,
) -> Result<(), DbErr> {
    manager
        .create_index(
            Index::create()
                .name(name)
                .table(table)
                .col(column)
                .to_owned(),
        )
        .await
}

#[derive(DeriveIden, Clone, Copy)]
enum JointProjects {
    Table,
    Id,
    ConsortiumId,
    Kind,
    Title,
    Plan,
    BudgetKrw,
    Status,
    Outcome,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ProjectMilestones {
    Table,
    Id,
    ProjectId,
    Title,
    DueOn,
    Status,
    DoneOn,
}

#[derive(DeriveIden, Clone, Copy)]
enum ProjectSpending {
    Table,
    Id,
    ProjectId,
    AmountKrw,
    SpentOn,
    Note,
    RecordedBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum SupportSessions {
    Table,
    Id,
    AgencyId,
    ConsortiumId,
    Kind,
    HeldOn,
    Minutes,
    Notes,
    RecordedBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum SupportParticipants {
    Table,
    SessionId,
    ParticipantId,
    ParticipantKind,
}

#[derive(DeriveIden, Clone, Copy)]
enum EventShops {
    Table,
    CampaignId,
    MerchantId,
}

#[derive(DeriveIden, Clone, Copy)]
enum StallSales {
    Table,
    Id,
    CampaignId,
    ConsortiumId,
    MerchantId,
    AmountKrw,
    PaymentMethod,
    Description,
    RecordedBy,
    SoldAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum StallSaleLines {
    Table,
    Id,
    SaleId,
    ListingId,
    Title,
    Quantity,
    Unit,
    Refill,
    AmountKrw,
}

#[derive(DeriveIden, Clone, Copy)]
enum EventVisitorCounts {
    Table,
    Id,
    CampaignId,
    Visitors,
    Note,
    RecordedBy,
    CountedAt,
}
