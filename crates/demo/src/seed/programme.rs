//! The programme in the demo: joint projects with milestones and spending, a few weeks of
//! support sessions, and two past market days with their stalls, sales and visitors, so
//! every report and chart on the coordinators' pages has something to show. Nothing here
//! touches stock or orders: stall sales are free amounts (as a stall's tally often is) and
//! refills from the refill station's large drums.

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};
use golmok_accounts::Account;
use golmok_catalog::{CampaignKind, Consortium, NewCampaign, campaign};
use golmok_core::Cache;
use golmok_ordering::member_trade::{self, MemberLine, NewMemberOrder, NewSettlement, Step};
use golmok_programme::events::{self, EventShops, NewStallSale, NewVisitorCount, PaymentMethod};
use golmok_programme::projects::{
    self, MilestonePatch, MilestoneStatus, NewMilestone, NewProject, NewSpending, ProjectKind,
    ProjectPatch, ProjectStatus,
};
use golmok_programme::support::{self, NewSupportSession, SupportKind};
use golmok_programme::tours::{self, NewStop, NewTour, TourKind};
use sea_orm::DatabaseConnection;

/// `day` at `hour`:00 in Seoul.
fn at(day: NaiveDate, hour: u32) -> chrono::DateTime<Utc> {
    let local = day.and_hms_opt(hour, 0, 0).unwrap_or_default();
    chrono::FixedOffset::east_opt(9 * 3600)
        .and_then(|seoul| seoul.from_local_datetime(&local).single())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

pub(super) async fn programme(
    db: &DatabaseConnection,
    cache: &dyn Cache,
    admin: &Account,
    coordinator: &Account,
    consortia: &[Consortium],
) -> anyhow::Result<Vec<String>> {
    let mut created = Vec::new();
    let today = projects::seoul_today();
    let named = |part: &str| consortia.iter().find(|c| c.name.contains(part));
    let (Some(mangwon), Some(yeonhui), Some(seongsu)) =
        (named("망원"), named("연희"), named("성수"))
    else {
        return Ok(created);
    };

    // Joint projects.
    let branding = projects::create_project(
        db,
        coordinator,
        &mangwon.id,
        NewProject {
            kind: ProjectKind::Branding,
            title: "망원시장 골목 브랜딩".into(),
            plan: "골목 간판과 상점 지도를 함께 만들고, 골목 축제에서 처음 선보인다.".into(),
            budget_krw: 6_000_000,
            milestones: vec![
                NewMilestone {
                    title: "간판 시안 확정".into(),
                    due_on: today - Duration::days(20),
                },
                NewMilestone {
                    title: "골목 지도 인쇄".into(),
                    due_on: today - Duration::days(6),
                },
                NewMilestone {
                    title: "간판 설치".into(),
                    due_on: today + Duration::days(25),
                },
            ],
        },
    )
    .await?;
    for (i, m) in branding.milestones.iter().take(2).enumerate() {
        projects::update_milestone(
            db,
            coordinator,
            &branding.id,
            &m.id,
            MilestonePatch {
                status: MilestoneStatus::Done,
                done_on: Some(today - Duration::days(18 - 12 * i as i64)),
            },
        )
        .await?;
    }
    for (days, amount, note) in [
        (24, 800_000, "간판 디자인"),
        (15, 1_200_000, "골목 지도 디자인·인쇄 3,000부"),
        (9, 450_000, "축제 현수막"),
    ] {
        projects::add_spending(
            db,
            coordinator,
            &branding.id,
            NewSpending {
                amount_krw: amount,
                spent_on: today - Duration::days(days),
                note: note.into(),
            },
        )
        .await?;
    }
    projects::update_project(
        db,
        coordinator,
        &branding.id,
        ProjectPatch {
            status: Some(ProjectStatus::Running),
            ..Default::default()
        },
    )
    .await?;
    let tour = projects::create_project(
        db,
        coordinator,
        &yeonhui.id,
        NewProject {
            kind: ProjectKind::LocalTour,
            title: "연희동 제로웨이스트 골목 여행".into(),
            plan: "리필가게와 마을부엌을 잇는 걷기 코스와 스탬프 투어".into(),
            budget_krw: 3_500_000,
            milestones: vec![NewMilestone {
                title: "코스 답사".into(),
                due_on: today + Duration::days(10),
            }],
        },
    )
    .await?;
    projects::add_spending(
        db,
        coordinator,
        &tour.id,
        NewSpending {
            amount_krw: 350_000,
            spent_on: today - Duration::days(4),
            note: "코스 안내 리플릿".into(),
        },
    )
    .await?;
    projects::create_project(
        db,
        admin,
        &seongsu.id,
        NewProject {
            kind: ProjectKind::CoMarketing,
            title: "성수 로컬메이커 공동 홍보".into(),
            plan: "SNS 공동 계정과 팝업 전시".into(),
            budget_krw: 2_000_000,
            milestones: Vec::new(),
        },
    )
    .await?;
    created.push("3 joint projects".into());

    // A few weeks of support sessions, and the coordinators' own training.
    let mut sessions = 0;
    for (c, back, kind, hours, shops, notes) in [
        (
            mangwon,
            26,
            SupportKind::Education,
            2.0,
            5,
            "온라인 주문 받기 교육",
        ),
        (
            mangwon,
            19,
            SupportKind::Marketing,
            1.5,
            3,
            "축제 홍보물 함께 만들기",
        ),
        (
            mangwon,
            5,
            SupportKind::Consulting,
            1.0,
            1,
            "두부가게 포장 줄이기 상담",
        ),
        (
            yeonhui,
            22,
            SupportKind::Education,
            2.5,
            6,
            "리필 계량과 용기 위생",
        ),
        (yeonhui, 12, SupportKind::Pr, 1.0, 4, "채우장 보도자료"),
        (
            yeonhui,
            3,
            SupportKind::Consulting,
            0.75,
            2,
            "보증금 용기 운영",
        ),
        (
            seongsu,
            15,
            SupportKind::Marketing,
            2.0,
            4,
            "팝업 전시 기획",
        ),
    ] {
        let merchant_ids = c
            .members
            .iter()
            .take(shops)
            .map(|m| m.merchant_id.clone())
            .collect();
        support::record_session(
            db,
            admin,
            &c.agency_id,
            NewSupportSession {
                kind,
                held_on: today - Duration::days(back),
                hours,
                consortium_id: Some(c.id.clone()),
                merchant_ids,
                coordinator_ids: Vec::new(),
                notes: notes.into(),
            },
        )
        .await?;
        sessions += 1;
    }
    support::record_session(
        db,
        admin,
        &mangwon.agency_id,
        NewSupportSession {
            kind: SupportKind::CoordinatorTraining,
            held_on: today - Duration::days(17),
            hours: 3.0,
            consortium_id: None,
            merchant_ids: Vec::new(),
            coordinator_ids: vec![coordinator.id.clone()],
            notes: "협업체 회계 실무".into(),
        },
    )
    .await?;
    created.push(format!("{} support sessions", sessions + 1));

    // Two past market days: the Mangwon alley festival and a Yeonhui 채우장.
    // The latest Saturday before today (Saturday → 0 … Friday → 6 days after it).
    let since_saturday = (today.weekday().num_days_from_monday() + 2) % 7;
    let last_saturday = today
        - Duration::days(i64::from(if since_saturday == 0 {
            7
        } else {
            since_saturday
        }));
    let mut market_days = vec![
        (
            mangwon,
            "망원시장 골목 축제",
            "망원시장 입구 골목",
            last_saturday,
            &[
                (0, 12_000, "두부 한 판과 콩물", PaymentMethod::Cash),
                (1, 18_500, "한우 불고기감", PaymentMethod::Card),
                (2, 9_000, "제철 과일 바구니", PaymentMethod::GiftCertificate),
                (3, 7_000, "떡 모둠", PaymentMethod::Cash),
                (4, 4_500, "콜드브루 두 잔", PaymentMethod::Card),
                (0, 6_000, "순두부 시식 세트", PaymentMethod::GiftCertificate),
                (2, 15_000, "사과 한 봉지", PaymentMethod::Card),
            ][..],
        ),
        (
            yeonhui,
            "연희동 채우장 장날",
            "연희동 주민센터 앞 골목",
            last_saturday - Duration::days(7),
            &[
                (0, 8_800, "주방세제·샴푸 리필", PaymentMethod::Cash),
                (1, 6_300, "현미·귀리 리필", PaymentMethod::GiftCertificate),
                (3, 11_000, "마을부엌 도시락", PaymentMethod::Card),
                (0, 4_200, "세탁세제 리필", PaymentMethod::Card),
                (5, 5_500, "올리브오일 리필", PaymentMethod::Cash),
            ][..],
        ),
    ];
    // Yeongdeungpo's dog-friendly alley festival on the walkable street by Seonyudo station.
    let seonyu = named("선유");
    if let Some(seonyu) = seonyu {
        market_days.push((
            seonyu,
            "선유도역 반려견 동반 골목축제",
            "양평2동 선유도역 보행친화거리",
            last_saturday + Duration::days(1) - Duration::days(7),
            &[
                (0, 16_000, "수제 간식 세트", PaymentMethod::Card),
                (3, 7_200, "반려견 샴푸 리필", PaymentMethod::Cash),
                (2, 9_500, "드립백 커피", PaymentMethod::GiftCertificate),
                (1, 8_000, "동네부엌 도시락", PaymentMethod::Cash),
                (4, 12_000, "반려견 방석 세탁 예약", PaymentMethod::Card),
                (0, 25_000, "강아지 케이크", PaymentMethod::Card),
            ][..],
        ));
    }
    for (c, title, place, day, sales) in market_days {
        let event = campaign::create_campaign(
            db,
            admin,
            NewCampaign {
                consortium_id: c.id.clone(),
                kind: CampaignKind::Festival,
                title: title.into(),
                starts_at: at(day, 11),
                ends_at: at(day, 18),
                listing_ids: Vec::new(),
                location: None,
                place: Some(place.into()),
                discount: None,
            },
        )
        .await?;
        let stalls: Vec<String> = c
            .members
            .iter()
            .take(6)
            .map(|m| m.merchant_id.clone())
            .collect();
        events::set_shops(
            db,
            admin,
            &event.id,
            EventShops {
                merchant_ids: stalls.clone(),
            },
        )
        .await?;
        for (i, &(stall, amount, what, method)) in sales.iter().enumerate() {
            events::record_sale_at(
                db,
                cache,
                admin,
                &event.id,
                NewStallSale {
                    merchant_id: stalls[stall % stalls.len()].clone(),
                    lines: Vec::new(),
                    amount_krw: Some(amount),
                    description: Some(what.into()),
                    payment_method: method,
                    coupon_code: None,
                },
                at(day, 12) + Duration::minutes(40 * i as i64),
            )
            .await?;
        }
        for (hour, visitors) in [(13, 180), (15, 240), (17, 130)] {
            events::count_visitors_at(
                db,
                admin,
                &event.id,
                NewVisitorCount {
                    visitors,
                    note: "입구 계수기".into(),
                },
                at(day, hour),
            )
            .await?;
        }
    }
    created.push("past market days and festivals with stalls, sales and visitors".into());
    // An alley's stamp tour (running, published) and the Yeonhui alley's page: the public
    // tour pages and their QR posters have something to show.
    let walk = |c: &Consortium, n: usize| {
        c.members
            .iter()
            .take(n)
            .map(|m| NewStop {
                merchant_id: m.merchant_id.clone(),
                note: format!("{}에 들러 스탬프를 받으세요.", m.name),
            })
            .collect::<Vec<_>>()
    };
    tours::create_tour(
        db,
        coordinator,
        &mangwon.id,
        NewTour {
            kind: TourKind::StampTour,
            title: "망원시장 골목 스탬프 투어".into(),
            story: "망원시장 골목의 가게 세 곳을 걸으며 스탬프를 모으세요.\n세 곳을 모두 찍으면 협업체 어느 가게에서나 쓰는 3,000원 쿠폰을 드립니다.".into(),
            starts_on: None,
            ends_on: None,
            coupon_krw: 3000,
            stops: walk(mangwon, 3),
            published: true,
        },
    )
    .await?;
    tours::create_tour(
        db,
        coordinator,
        &yeonhui.id,
        NewTour {
            kind: TourKind::Alley,
            title: "연희동 채우장 골목".into(),
            story: "용기를 들고 와 필요한 만큼만 채워 가는 연희동의 제로웨이스트 골목입니다."
                .into(),
            starts_on: None,
            ends_on: None,
            coupon_krw: 0,
            stops: walk(yeonhui, 4),
            published: true,
        },
    )
    .await?;
    if let Some(seonyu) = seonyu {
        tours::create_tour(
            db,
            admin,
            &seonyu.id,
            NewTour {
                kind: TourKind::StampTour,
                title: "선유골목 반려견 산책 스탬프 투어".into(),
                story: "반려견과 함께 선유도역 보행친화거리를 걸어요.\n네 곳의 스탬프를 모두 모으면 협업체 가게에서 쓰는 2,000원 쿠폰을 드립니다.".into(),
                starts_on: None,
                ends_on: None,
                coupon_krw: 2000,
                stops: walk(seonyu, 4),
                published: true,
            },
        )
        .await?;
    }
    created.push("stamp tours and an alley page".into());

    // Member trade in the Mangwon market (상호거래): three of its shops buy from one another
    // at member prices, handed over this month; one pair has settled its statement.
    let traders: Vec<&str> = mangwon
        .members
        .iter()
        .rev()
        .take(3)
        .map(|m| m.merchant_id.as_str())
        .collect();
    if traders.len() == 3 {
        for (i, (buyer, seller)) in [
            (traders[0], traders[1]),
            (traders[2], traders[0]),
            (traders[1], traders[2]),
        ]
        .into_iter()
        .enumerate()
        {
            let goods = golmok_catalog::listing::on_sale_by(db, &[seller.to_owned()]).await?;
            let Some(good) = goods.first() else { continue };
            let placed = member_trade::place(
                db,
                cache,
                admin,
                buyer,
                NewMemberOrder {
                    seller_merchant_id: seller.to_owned(),
                    lines: vec![MemberLine {
                        listing_id: good.id.clone(),
                        quantity: good.unit_quantity * (2 + i as i64),
                    }],
                    note: "상호거래: 가게 재료로 씁니다".into(),
                    slot_id: None,
                },
            )
            .await?;
            for step in [Step::Accept, Step::HandOver] {
                member_trade::step(db, cache, admin, &placed.id, step).await?;
            }
            if i == 0 {
                member_trade::settle(
                    db,
                    admin,
                    seller,
                    buyer,
                    NewSettlement {
                        month: member_trade::month_of(chrono::Utc::now()),
                        amount_krw: placed.total_krw,
                    },
                )
                .await?;
            }
        }
        created.push("3 member-trade orders in the Mangwon market".into());
    }
    Ok(created)
}
