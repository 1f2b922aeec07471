//! Property: whatever shoppers, merchants and admins do, in any order, the money adds up.
//!
//! Random sequences of checkouts, acceptances, weighings (under and over the estimate),
//! rejections, readiness, cancellations and partial refunds run against the real domain
//! functions on a migrated SQLite database. After each sequence:
//! - every ledger transaction balances;
//! - no payable, commission or clearing account is on the wrong side of zero;
//! - what merchants and networks are owed, plus commission, plus refunds, equals what was
//!   captured;
//! - stock on the shelf plus stock held by live reservations equals the stock we started with;
//! - card sales leave as transfers to merchants' connected accounts (once linked): what was
//!   transferred and not reversed counts as paid, a waiting transfer never exceeds what its
//!   merchant is owed, and no transfer is reversed beyond its amount.

use std::sync::Arc;

use golmok_accounts::{Account, NewAccount, Registration, Role};
use golmok_catalog::{
    AgencyKind, Container, ContainerPolicy, MerchantKind, NewAgency, NewConsortium, NewListing,
    NewMerchant, Unit, agency, consortium, listing, merchant,
};
use golmok_core::{Coordinates, InProcessCache};
use golmok_migrations::{Migrator, MigratorTrait};
use golmok_ordering::lifecycle::{self, WeighedLine, Weighing};
use golmok_ordering::payouts;
use golmok_ordering::refunds::{self, RefundRequest};
use golmok_ordering::{
    Checkout, CheckoutItem, Fulfillment, OrderRules, Ordering, PaymentChoice, PaymentProviders,
    checkout,
};
use golmok_payments::{
    Authorization, AuthorizationState, AuthorizeRequest, Captured, OfflineProvider, OnboardingLink,
    PaymentProvider, PayoutRequest, ProviderError, connect, ledger,
};
use proptest::prelude::*;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};

const STOCK: i64 = 5_000;

/// Every capture finds the card processor down (each test runs in its own process).
static CAPTURES_DOWN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// A card processor that authorises at once and pays merchants by transfer on capture,
/// keeping a fee of its own (Stripe Connect, without the network).
struct CardProvider;

#[async_trait::async_trait]
impl PaymentProvider for CardProvider {
    fn name(&self) -> &'static str {
        "card"
    }
    fn platform_fee_bps(&self) -> u32 {
        150
    }
    fn transfers_on_capture(&self) -> bool {
        true
    }
    async fn authorize(&self, r: &AuthorizeRequest) -> Result<Authorization, ProviderError> {
        Ok(Authorization {
            provider_ref: format!("pi_{}", r.reference),
            state: AuthorizationState::Authorized,
            client_secret: None,
        })
    }
    async fn capture(&self, p: &str, amount: i64, _: &str) -> Result<Captured, ProviderError> {
        // Some captures find the provider down: the call stays under way and the payment
        // authorised while the order's other parts move on and settle runs again.
        if amount % 5 == 0 || CAPTURES_DOWN.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(ProviderError::Unavailable("the provider is down".into()));
        }
        Ok(Captured {
            charge_ref: Some(format!("ch_{p}")),
        })
    }
    async fn void(&self, _: &str, _: &str) -> Result<(), ProviderError> {
        Ok(())
    }
    async fn refund(&self, _: &str, _: i64, key: &str) -> Result<String, ProviderError> {
        Ok(format!("re_{key}"))
    }
    async fn pay_out(&self, r: &PayoutRequest) -> Result<String, ProviderError> {
        assert!(
            r.destination.is_some() && r.source_charge.is_some(),
            "{r:?}"
        );
        Ok(format!("tr_{}", r.idempotency_key))
    }
    async fn reverse_payout(&self, _: &str, _: i64, key: &str) -> Result<String, ProviderError> {
        Ok(format!("trr_{key}"))
    }
    async fn create_connected_account(
        &self,
        party: &str,
        _: &str,
    ) -> Result<String, ProviderError> {
        Ok(format!("acct_{party}"))
    }
    async fn onboarding_link(
        &self,
        a: &str,
        _: &str,
        _: &str,
    ) -> Result<OnboardingLink, ProviderError> {
        Ok(OnboardingLink {
            url: format!("https://connect.test/{a}"),
            expires_at: chrono::Utc::now(),
        })
    }
}

#[derive(Debug, Clone)]
enum Op {
    Checkout {
        items: Vec<(usize, i64)>,
        delivery: bool,
        card: bool,
        /// With the shopper's smallest unused coupon, if one is left (one worth the largest
        /// shop's goods or more is refused).
        coupon: bool,
    },
    /// A shop links its connected account and the provider reports it usable.
    Link(usize),
    Accept(usize),
    Weigh {
        part: usize,
        permille: i64,
    },
    Ready(usize),
    /// A pick-up handed over at the counter: settle runs again after the capture.
    Collect(usize),
    Reject(usize),
    Cancel {
        order: usize,
        by_admin: bool,
    },
    Refund {
        order: usize,
        part: Option<usize>,
        amount: Option<i64>,
    },
    /// Every shop of an order accepts, weighs and gets ready: the common path to a capture.
    Fulfil {
        order: usize,
        permille: i64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (prop::collection::vec((0usize..3, 1i64..1500), 1..4), any::<bool>(), any::<bool>(), any::<bool>())
            .prop_map(|(items, delivery, card, coupon)| Op::Checkout { items, delivery, card, coupon }),
        3 => (0usize..3).prop_map(Op::Link),
        2 => (0usize..6).prop_map(Op::Accept),
        2 => (0usize..6, 500i64..1400).prop_map(|(part, permille)| Op::Weigh { part, permille }),
        2 => (0usize..6).prop_map(Op::Ready),
        2 => (0usize..6).prop_map(Op::Collect),
        1 => (0usize..6).prop_map(Op::Reject),
        1 => (0usize..3, any::<bool>()).prop_map(|(order, by_admin)| Op::Cancel { order, by_admin }),
        5 => (0usize..3, 800i64..1300).prop_map(|(order, permille)| Op::Fulfil { order, permille }),
        4 => (0usize..3, prop::option::of(0usize..3), prop::option::of(1i64..20_000))
            .prop_map(|(order, part, amount)| Op::Refund { order, part, amount }),
    ]
}

struct World {
    db: DatabaseConnection,
    cache: InProcessCache,
    providers: PaymentProviders,
    rules: OrderRules,
    admin: Account,
    shopper: Account,
    owners: Vec<Account>,
    consortium_id: String,
    listings: Vec<String>,
    orders: Vec<String>,
    parts: Vec<(String, usize)>,
    /// Operations that went through, by kind: the property means little if they all failed.
    succeeded: Arc<std::sync::Mutex<std::collections::BTreeMap<&'static str, usize>>>,
}

impl World {
    fn tally<T, E>(&self, kind: &'static str, outcome: &Result<T, E>) {
        if outcome.is_ok() {
            *self.succeeded.lock().unwrap().entry(kind).or_default() += 1;
        }
    }
}

impl World {
    fn ordering(&self) -> Ordering<'_> {
        Ordering {
            db: &self.db,
            cache: &self.cache,
            providers: &self.providers,
            rules: &self.rules,
        }
    }
}

async fn account(db: &DatabaseConnection, name: &str, role: Role) -> Account {
    golmok_accounts::register(
        db,
        NewAccount {
            email: format!("{name}@example.com"),
            password: "long enough".into(),
            name: name.into(),
            role,
        },
        Registration::Privileged,
    )
    .await
    .unwrap()
}

async fn world(dir: &tempfile::TempDir) -> World {
    let db = Database::connect(format!("sqlite://{}/p.db?mode=rwc", dir.path().display()))
        .await
        .unwrap();
    Migrator::up(&db, None).await.unwrap();
    let cache = InProcessCache::new(100);
    let admin = account(&db, "admin", Role::Admin).await;
    let shopper = account(&db, "shopper", Role::Shopper).await;
    agency::create_agency(
        &db,
        &admin,
        NewAgency {
            name: "metro".into(),
            kind: AgencyKind::Metropolitan,
            districts: vec![],
        },
    )
    .await
    .unwrap();
    let c = consortium::create_consortium(
        &db,
        &admin,
        NewConsortium {
            name: "c".into(),
            district: "마포구".into(),
            network_id: Some("net_1".into()),
        },
    )
    .await
    .unwrap();
    let kinds = [
        MerchantKind::SmallBusiness,
        MerchantKind::SmallBusiness,
        MerchantKind::Cooperative,
        MerchantKind::SmallBusiness,
        MerchantKind::SocialEnterprise,
    ];
    let mut owners = Vec::new();
    let mut listings = Vec::new();
    for (i, kind) in kinds.into_iter().enumerate() {
        let owner = account(&db, &format!("owner{i}"), Role::Merchant).await;
        let m = merchant::create_merchant(
            &db,
            &owner,
            NewMerchant {
                name: format!("shop {i}"),
                kind,
                location: Coordinates {
                    lat: 37.55,
                    lon: 126.9,
                },
                address: "a".into(),
                opening_hours: None,
                hours_exceptions: None,
                phone: None,
                pickup_instructions: None,
                approval_wait_minutes: None,
            },
        )
        .await
        .unwrap();
        consortium::add_member(&db, &cache, &admin, &c.id, &m.id)
            .await
            .unwrap();
        if i < 3 {
            let (unit, refill, container, price) = match i {
                0 => (Unit::Piece, false, None, 3_500),
                1 => (
                    Unit::Gram,
                    true,
                    Some(Container {
                        policy: ContainerPolicy::BringYourOwn,
                        deposit_krw: None,
                    }),
                    900,
                ),
                _ => (
                    Unit::Ml,
                    true,
                    Some(Container {
                        policy: ContainerPolicy::Deposit,
                        deposit_krw: Some(1_000),
                    }),
                    800,
                ),
            };
            let l = listing::create_listing(
                &db,
                &owner,
                &m.id,
                NewListing {
                    title: format!("good {i}"),
                    description: String::new(),
                    category: String::new(),
                    price_krw: price,
                    unit,
                    unit_quantity: if i == 0 { 1 } else { 100 },
                    stock: STOCK,
                    refill,
                    container,
                    status: None,
                    unit_weight_grams: None,
                    unit_volume_millilitres: None,
                    packaging_grams: None,
                    member_price_krw: None,
                },
            )
            .await
            .unwrap();
            listings.push(l.id);
        }
        owners.push(owner);
    }
    // Coupons a stamp tour would have issued: the consortium pays what they take off.
    for (i, krw) in [1_500, 4_000, 9_000].into_iter().enumerate() {
        golmok_ordering::coupons::issue(
            &db,
            &shopper.id,
            &c.id,
            "stamp_tour",
            &format!("tour_{i}"),
            krw,
        )
        .await
        .unwrap();
    }
    World {
        db,
        cache,
        providers: PaymentProviders::default()
            .with(Arc::new(OfflineProvider))
            .with(Arc::new(CardProvider)),
        rules: OrderRules::default(),
        admin,
        shopper,
        owners,
        consortium_id: c.id,
        listings,
        orders: Vec::new(),
        parts: Vec::new(),
        succeeded: Arc::default(),
    }
}

async fn run(w: &mut World, op: Op) {
    let ctx = w.ordering();
    match op {
        Op::Link(i) => {
            let Some(owner) = w.owners.get(i) else {
                return;
            };
            let merchant_id = scalar_text(
                &w.db,
                &format!("SELECT id FROM merchants WHERE owner_id = '{}'", owner.id),
            )
            .await;
            let linked =
                payouts::onboard_merchant(ctx, owner, &merchant_id, "card", "r", "d").await;
            w.tally("link", &linked);
            if let Ok(linked) = linked {
                connect::account_updated(
                    &w.db,
                    &CardProvider,
                    &linked.account.account_id,
                    true,
                    chrono::Utc::now(),
                )
                .await
                .unwrap();
            }
        }
        Op::Checkout {
            items,
            delivery,
            card,
            coupon,
        } => {
            let coupon_id = if coupon {
                golmok_ordering::coupons::usable_in(&w.db, &w.shopper.id, &w.consortium_id)
                    .await
                    .unwrap()
                    .iter()
                    .min_by_key(|c| c.discount_krw)
                    .map(|c| c.id.clone())
            } else {
                None
            };
            let mut seen = Vec::new();
            let items: Vec<CheckoutItem> = items
                .into_iter()
                .filter(|(i, _)| {
                    let fresh = !seen.contains(i);
                    seen.push(*i);
                    fresh
                })
                .map(|(i, q)| CheckoutItem {
                    listing_id: w.listings[i].clone(),
                    quantity: if i == 0 { 1 + q % 5 } else { q },
                })
                .collect();
            let fulfillment = if delivery {
                Fulfillment::Delivery {
                    slot_id: "s".into(),
                    address: "a".into(),
                    location: Coordinates {
                        lat: 37.55,
                        lon: 126.9,
                    },
                    phone: None,
                    notes: None,
                }
            } else {
                Fulfillment::Pickup { pickup_at: None }
            };
            let request = Checkout {
                consortium_id: w.consortium_id.clone(),
                items,
                fulfillment,
                payment: PaymentChoice {
                    provider: if card { "card" } else { "offline" }.into(),
                },
                coupon_id,
            };
            let placed = checkout::checkout(ctx, &w.shopper, request, None).await;
            w.tally("checkout", &placed);
            if let Ok(order) = &placed
                && order.coupon_krw > 0
            {
                w.tally("coupon", &placed);
            }
            if let Ok(order) = placed {
                w.orders.push(order.id.clone());
                for part in &order.merchant_orders {
                    let owner = owner_index(&w.db, &part.merchant_id, &w.owners).await;
                    w.parts.push((part.id.clone(), owner));
                }
            }
        }
        Op::Accept(i) => {
            if let Some((id, owner)) = w.parts.get(i) {
                let outcome = lifecycle::accept(ctx, &w.owners[*owner], id).await;
                w.tally("accept", &outcome);
            }
        }
        Op::Weigh { part, permille } => {
            if let Some((id, owner)) = w.parts.get(part) {
                let Ok(order) =
                    golmok_ordering::view::get_order(&w.db, &w.admin, &order_of(&w.db, id).await)
                        .await
                else {
                    return;
                };
                let Some(mo) = order.merchant_orders.iter().find(|m| &m.id == id) else {
                    return;
                };
                let lines: Vec<WeighedLine> = mo
                    .lines
                    .iter()
                    .filter(|l| l.refill)
                    .map(|l| WeighedLine {
                        line_id: l.id.clone(),
                        net_quantity: (l.quantity * permille / 1000).max(1),
                    })
                    .collect();
                if !lines.is_empty() {
                    let outcome = lifecycle::weigh(
                        ctx,
                        &w.owners[*owner],
                        id,
                        Weighing {
                            lines,
                            if_over: lifecycle::IfOver::Refuse,
                        },
                    )
                    .await;
                    w.tally("weigh", &outcome);
                }
            }
        }
        Op::Ready(i) => {
            if let Some((id, owner)) = w.parts.get(i) {
                let outcome = lifecycle::mark_ready(ctx, &w.owners[*owner], id).await;
                w.tally("ready", &outcome);
            }
        }
        Op::Collect(i) => {
            if let Some((id, owner)) = w.parts.get(i) {
                let outcome = lifecycle::collect(ctx, &w.owners[*owner], id).await;
                w.tally("collect", &outcome);
            }
        }
        Op::Reject(i) => {
            if let Some((id, owner)) = w.parts.get(i) {
                let outcome = lifecycle::reject(ctx, &w.owners[*owner], id, "no").await;
                w.tally("reject", &outcome);
            }
        }
        Op::Cancel { order, by_admin } => {
            if let Some(id) = w.orders.get(order) {
                let actor = if by_admin { &w.admin } else { &w.shopper };
                let outcome = lifecycle::cancel(ctx, actor, id).await;
                w.tally("cancel", &outcome);
            }
        }
        Op::Fulfil { order, permille } => {
            let parts: Vec<usize> = match w.orders.get(order) {
                Some(id) => {
                    let mut indexes = Vec::new();
                    for (i, (part, _)) in w.parts.iter().enumerate() {
                        if order_of(&w.db, part).await == *id {
                            indexes.push(i);
                        }
                    }
                    indexes
                }
                None => Vec::new(),
            };
            for i in parts {
                Box::pin(run(w, Op::Accept(i))).await;
                Box::pin(run(w, Op::Weigh { part: i, permille })).await;
                Box::pin(run(w, Op::Ready(i))).await;
            }
        }
        Op::Refund {
            order,
            part,
            amount,
        } => {
            if let Some(id) = w.orders.get(order) {
                let merchant_order_id = match part {
                    Some(p) => golmok_ordering::view::get_order(&w.db, &w.admin, id)
                        .await
                        .ok()
                        .and_then(|o| o.merchant_orders.get(p).map(|m| m.id.clone())),
                    None => None,
                };
                let request = RefundRequest {
                    merchant_order_id,
                    amount_krw: amount,
                    reason: "property".into(),
                };
                let outcome = refunds::refund(ctx, &w.admin, id, request, None).await;
                w.tally("refund", &outcome);
            }
        }
    }
}

async fn owner_index(db: &DatabaseConnection, merchant_id: &str, owners: &[Account]) -> usize {
    let m = merchant::get_merchant(db, merchant_id).await.unwrap();
    owners.iter().position(|o| o.id == m.owner_id).unwrap()
}

async fn order_of(db: &DatabaseConnection, merchant_order_id: &str) -> String {
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            "SELECT order_id FROM merchant_orders WHERE id = ?",
            [merchant_order_id.into()],
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "order_id").unwrap()
}

async fn scalar(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<Option<i64>>(0).unwrap().unwrap_or(0)
}

async fn scalar_text(db: &DatabaseConnection, sql: &str) -> String {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<String>(0).unwrap()
}

async fn check(w: &World) {
    let unbalanced = scalar(
        &w.db,
        "SELECT COUNT(*) FROM (SELECT transaction_id FROM ledger_entries GROUP BY transaction_id HAVING SUM(amount_krw) <> 0) t",
    )
    .await;
    assert_eq!(unbalanced, 0, "a ledger transaction does not balance");

    let balances = ledger::balances(&w.db).await.unwrap();
    let mut owed = 0;
    for (account, balance) in &balances {
        if account.starts_with("payable:") {
            assert!(
                *balance <= 0,
                "{account} is owed a negative amount: {balance}"
            );
            owed += -balance;
        }
        if account.starts_with("clearing:") {
            assert!(*balance >= 0, "{account} holds negative money: {balance}");
        }
    }
    let commission = -balances.get(ledger::COMMISSION).copied().unwrap_or(0);
    // What the consortium paid the shops for coupons: never negative, booked once per part,
    // and exactly what the coupons took off the parts sold once the order was settled (its
    // payment captured, or voided when the coupons paid for everything, or a call for either
    // still under way), less the parts refunded in full.
    let coupon_cost: i64 = balances
        .iter()
        .filter(|(a, _)| a.starts_with("cost:coupons:"))
        .map(|(_, b)| *b)
        .sum();
    assert!(
        coupon_cost >= 0,
        "coupons cost a negative amount: {coupon_cost}"
    );
    let booked = scalar(
        &w.db,
        "SELECT SUM(l.amount_krw) FROM ledger_entries l JOIN ledger_transactions t ON t.id = l.transaction_id \
         WHERE l.account LIKE 'cost:coupons:%' AND t.kind = 'coupon'",
    )
    .await;
    let taken = scalar(
        &w.db,
        "SELECT SUM(c.redeemed_krw) FROM coupons c JOIN merchant_orders m ON m.id = c.merchant_order_id \
         JOIN orders o ON o.id = m.order_id JOIN payments p ON p.id = o.payment_id \
         WHERE m.status IN ('ready', 'picked_up', 'delivered', 'failed') \
           AND (p.status <> 'authorized' \
                OR EXISTS (SELECT 1 FROM provider_calls k WHERE k.payment_id = p.id AND k.kind IN ('capture', 'void')))",
    )
    .await;
    assert_eq!(
        booked, taken,
        "coupon costs booked {booked} != coupons redeemed on parts being paid {taken}"
    );
    assert_eq!(
        scalar(
            &w.db,
            "SELECT COUNT(*) FROM (SELECT reference FROM ledger_transactions WHERE kind = 'coupon' GROUP BY reference HAVING COUNT(*) > 1) t",
        )
        .await,
        0,
        "a part's coupon was booked twice"
    );
    assert_eq!(
        scalar(
            &w.db,
            "SELECT COUNT(*) FROM (SELECT merchant_order_id FROM coupons WHERE merchant_order_id IS NOT NULL GROUP BY merchant_order_id HAVING COUNT(*) > 1) t",
        )
        .await,
        0,
        "a shop's part took two coupons"
    );
    assert_eq!(
        scalar(
            &w.db,
            "SELECT COUNT(*) FROM merchant_orders m WHERE m.coupon_krw > 0 AND m.status NOT IN ('rejected', 'cancelled', 'expired') \
             AND NOT EXISTS (SELECT 1 FROM coupons c WHERE c.merchant_order_id = m.id)",
        )
        .await,
        0,
        "a part kept a coupon's discount without holding the coupon"
    );
    assert!(commission >= 0, "commission went negative: {commission}");
    let captured = scalar(&w.db, "SELECT SUM(captured_krw) FROM payments").await;
    let refunded = scalar(&w.db, "SELECT SUM(amount_krw) FROM refunds").await;
    let transferred = scalar(
        &w.db,
        "SELECT SUM(amount_krw - reversed_krw) FROM transfers WHERE status = 'sent'",
    )
    .await;
    assert_eq!(
        owed + commission + refunded + transferred,
        captured + coupon_cost,
        "owed {owed} + commission {commission} + refunds {refunded} + transferred {transferred} != captured {captured} + coupons {coupon_cost}"
    );
    assert_eq!(
        scalar(
            &w.db,
            "SELECT COUNT(*) FROM transfers WHERE reversed_krw < 0 OR reversed_krw > amount_krw OR amount_krw < 0",
        )
        .await,
        0,
        "a transfer reversed beyond its amount"
    );
    for (account, balance) in &balances {
        if let Some(party) = account.strip_prefix("payable:") {
            let waiting = connect::waiting_krw(&w.db, party).await.unwrap();
            assert!(
                waiting <= -balance,
                "{party} has {waiting} won waiting to transfer but is owed {}",
                -balance
            );
        }
    }
    assert_eq!(
        scalar(&w.db, "SELECT SUM(refunded_krw) FROM payments").await,
        refunded
    );
    let authorized_holds = -balances.get(ledger::HOLDS_AUTHORIZED).copied().unwrap_or(0);
    let live_authorized = scalar(
        &w.db,
        "SELECT SUM(authorized_krw) FROM payments WHERE status = 'authorized'",
    )
    .await;
    assert_eq!(
        authorized_holds, live_authorized,
        "holds must match live authorisations"
    );

    for (i, listing_id) in w.listings.iter().enumerate() {
        let on_shelf = scalar(
            &w.db,
            &format!("SELECT stock FROM listings WHERE id = '{listing_id}'"),
        )
        .await;
        let held = scalar(
            &w.db,
            &format!("SELECT SUM(quantity) FROM stock_reservations WHERE listing_id = '{listing_id}' AND released_at IS NULL"),
        )
        .await;
        assert_eq!(
            on_shelf + held,
            STOCK,
            "listing {i}: shelf {on_shelf} + held {held}"
        );
    }
}

/// Runs the cases by hand rather than with `proptest!`, to count across all of them what
/// went through: a run where every refund or weighing failed would check nothing.
#[test]
fn the_money_always_adds_up() {
    let succeeded = Arc::new(std::sync::Mutex::new(std::collections::BTreeMap::new()));
    // A fixed seed: the same sequences on every run, so CI cannot fail on an unlucky draw
    // where few operations went through (it once did, with 10 checkouts in 16 cases).
    let config = ProptestConfig {
        cases: 16,
        ..ProptestConfig::default()
    };
    let rng = proptest::test_runner::TestRng::deterministic_rng(config.rng_algorithm);
    let mut runner = proptest::test_runner::TestRunner::new_with_rng(config, rng);
    let tally = succeeded.clone();
    runner
        .run(&prop::collection::vec(op(), 1..40), move |ops| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let dir = tempfile::tempdir().unwrap();
                let mut w = world(&dir).await;
                w.succeeded = tally.clone();
                for op in ops {
                    run(&mut w, op).await;
                    check(&w).await;
                }
            });
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let succeeded = succeeded.lock().unwrap();
    eprintln!("operations that went through: {succeeded:?}");
    // Floors well below what a run does (checkouts typically 20-30, accepts 15-25), so a
    // run fails only when operations stopped going through, not on an unlucky draw.
    for (kind, at_least) in [
        ("checkout", 8),
        ("accept", 4),
        ("weigh", 1),
        ("ready", 4),
        ("refund", 1),
        ("link", 4),
        ("coupon", 2),
    ] {
        let done = succeeded.get(kind).copied().unwrap_or(0);
        assert!(
            done >= at_least,
            "only {done} {kind} operations went through (at least {at_least} expected): {succeeded:?}"
        );
    }
}

/// A capture the processor does not answer leaves the payment authorised with the call under
/// way; the pick-up handed over then settles the order again, and the consortium's coupon is
/// booked once, not twice.
#[tokio::test]
async fn a_coupon_is_booked_once_while_its_capture_waits() {
    CAPTURES_DOWN.store(true, std::sync::atomic::Ordering::SeqCst);
    let dir = tempfile::tempdir().unwrap();
    let mut w = world(&dir).await;
    for shop in 0..3 {
        run(&mut w, Op::Link(shop)).await;
    }
    // A coupon worth the goods or more is refused, next to its field, and stays unused.
    let coupons = golmok_ordering::coupons::usable_in(&w.db, &w.shopper.id, &w.consortium_id)
        .await
        .unwrap();
    let big = coupons.iter().find(|c| c.discount_krw == 4_000).unwrap();
    let refused = checkout::checkout(
        w.ordering(),
        &w.shopper,
        Checkout {
            consortium_id: w.consortium_id.clone(),
            items: vec![CheckoutItem {
                listing_id: w.listings[0].clone(),
                quantity: 1,
            }],
            fulfillment: Fulfillment::Pickup { pickup_at: None },
            payment: PaymentChoice {
                provider: "card".into(),
            },
            coupon_id: Some(big.id.clone()),
        },
        None,
    )
    .await;
    match refused {
        Err(golmok_ordering::DomainError::Invalid(v)) => {
            assert_eq!(v.0[0].field, "coupon_id", "{v}")
        }
        other => panic!("a 4,000 won coupon on 3,500 won of goods: {other:?}"),
    }
    assert_eq!(
        golmok_ordering::coupons::usable_in(&w.db, &w.shopper.id, &w.consortium_id)
            .await
            .unwrap()
            .len(),
        3
    );
    run(
        &mut w,
        Op::Checkout {
            items: vec![(0, 3)],
            delivery: false,
            card: true,
            coupon: true,
        },
    )
    .await;
    assert_eq!(w.orders.len(), 1, "the checkout went through");
    run(
        &mut w,
        Op::Fulfil {
            order: 0,
            permille: 1000,
        },
    )
    .await;
    check(&w).await;
    let waiting = scalar(
        &w.db,
        "SELECT COUNT(*) FROM payments WHERE status = 'authorized'",
    )
    .await;
    assert_eq!(waiting, 1, "the capture is still under way");
    run(&mut w, Op::Collect(0)).await;
    check(&w).await;
    assert_eq!(
        scalar(
            &w.db,
            "SELECT COUNT(*) FROM ledger_transactions WHERE kind = 'coupon'"
        )
        .await,
        1
    );
}
