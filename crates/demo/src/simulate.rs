//! `golmok simulate`: a day of Golmok on the demo data. Shoppers fill baskets across each
//! consortium's shops for every wave of its network, merchants accept, weigh and pack, each
//! wave is planned, and couriers ride their batches. It prints what co-delivery did per
//! network and wave, and leaves everything in the database for the API to show.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::time::Instant;

use chrono::NaiveDate;
use golmok_accounts::{Account, NewAccount, Registration, Role};
use golmok_catalog::{ListingQuery, consortium, listing, merchant};
use golmok_core::Coordinates;
use golmok_delivery_routing::batch::{self, Proof};
use golmok_delivery_routing::{StopStatus, courier, network, planner};
use golmok_ordering::lifecycle::{self, CourierEvents, WeighedLine, Weighing};
use golmok_ordering::{Checkout, CheckoutItem, Fulfillment, PaymentChoice, checkout};
use sea_orm::DatabaseConnection;

use golmok_core::RateCounter;
use golmok_delivery_routing::planner::TravelTimes;
use golmok_ordering::Ordering;

/// What a simulated day runs on: the server's own ordering context and planning settings.
pub struct Simulation<'a> {
    pub ordering: Ordering<'a>,
    pub travel_times: &'a dyn TravelTimes,
    pub plan_budget: golmok_delivery_routing::planner::PlanBudget,
    /// Counts wrong hand-over codes, as the server does.
    pub wrong_codes: &'a dyn RateCounter,
}

/// A small deterministic generator, so a date always simulates the same day.
struct Dice(u64);

impl Dice {
    fn roll(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        ((self.roll() * n as f64) as usize).min(n.saturating_sub(1))
    }
}

#[derive(Debug)]
pub struct WaveFigures {
    pub network: String,
    pub wave: String,
    pub orders: usize,
    pub couriers: usize,
    pub distance_m: f64,
    pub solo_distance_m: f64,
    pub planning_seconds: f64,
    /// Wall time of the wave's other steps: checkouts, the shops' accepting, weighing and
    /// packing, and the couriers' rides.
    pub basket_seconds: f64,
    pub packing_seconds: f64,
    pub riding_seconds: f64,
    /// Deliveries the plan left out (the distances count only the carried ones).
    pub unassigned: usize,
    /// Baskets checkout refused because the slot's fleet could carry no more.
    pub refused: usize,
}

/// Runs the day. `orders_per_wave` baskets per consortium and wave.
pub async fn day(
    sim: &Simulation<'_>,
    date: NaiveDate,
    orders_per_wave: usize,
) -> anyhow::Result<Vec<WaveFigures>> {
    day_like(sim, date, date, orders_per_wave).await
}

/// Runs a day on `date`'s slots with the baskets of `like` (each date its own baskets).
pub async fn day_like(
    sim: &Simulation<'_>,
    date: NaiveDate,
    like: NaiveDate,
    orders_per_wave: usize,
) -> anyhow::Result<Vec<WaveFigures>> {
    let db = sim.ordering.db;
    crate::seed::demo(db, sim.ordering.cache).await?;
    let mut day = Day {
        sim,
        dice: Dice(
            like.to_string()
                .bytes()
                .fold(7, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))),
        ),
        shoppers: shoppers(db).await?,
        owners: HashMap::new(),
    };
    let mut figures = Vec::new();
    for c in consortium::list_consortia(db, None, 100, None).await?.items {
        let Some(network_id) = c.network_id.clone() else {
            continue;
        };
        let network = network::get_network(db, &network_id).await?;
        let query = ListingQuery {
            consortium_id: Some(c.id.clone()),
            limit: 100,
            ..ListingQuery::default()
        };
        let listings = listing::search_listings(db, &query).await?.items;
        if listings.is_empty() {
            continue;
        }
        for slot in network::slots(db, &network_id, date).await? {
            if !slot.open {
                tracing::warn!(slot = %slot.id, "the slot is closed; simulate a later date");
                continue;
            }
            let wave = Wave {
                consortium: &c,
                network: &network,
                listings: &listings,
                slot: &slot,
            };
            figures.push(day.wave(&wave, orders_per_wave).await?);
        }
    }
    Ok(figures)
}

/// Eight shoppers who fill the day's baskets, made on first use.
async fn shoppers(db: &DatabaseConnection) -> anyhow::Result<Vec<Account>> {
    let mut shoppers = Vec::new();
    for n in 1..=8 {
        let email = format!("shopper{n:02}@sim.golmok.kr");
        let account = match golmok_accounts::find_by_email(db, &email).await {
            Ok(a) => a,
            Err(_) => {
                let new = NewAccount {
                    email,
                    password: crate::seed::DEMO_PASSWORD.into(),
                    name: format!("손님 {n}"),
                    role: Role::Shopper,
                };
                let shared = crate::seed::demo_password().await?;
                golmok_accounts::register_sharing(db, new, Registration::Privileged, shared).await?
            }
        };
        shoppers.push(account);
    }
    Ok(shoppers)
}

struct Day<'a> {
    sim: &'a Simulation<'a>,
    dice: Dice,
    shoppers: Vec<Account>,
    /// Each shop's owner, who accepts, weighs and packs its parts: read once a day.
    owners: HashMap<String, Account>,
}

/// One consortium's wave of one network: what its shoppers can buy and where it delivers.
struct Wave<'a> {
    consortium: &'a golmok_catalog::Consortium,
    network: &'a network::Network,
    listings: &'a [golmok_catalog::Listing],
    slot: &'a network::Slot,
}

impl Day<'_> {
    /// Baskets, packing, the plan and the rides of one wave.
    async fn wave(&mut self, wave: &Wave<'_>, orders: usize) -> anyhow::Result<WaveFigures> {
        let started = Instant::now();
        let mut placed = Vec::new();
        let mut refused = 0;
        for k in 0..orders {
            let request = self.basket(wave, k);
            let shopper = &self.shoppers[self.dice.below(self.shoppers.len())];
            match checkout::checkout(self.sim.ordering, shopper, request, None).await {
                Ok(order) => placed.push(order),
                Err(golmok_core::DomainError::Conflict {
                    code: "slot_full", ..
                }) => refused += 1,
                Err(e) => tracing::info!(error = %e, "a simulated basket was refused"),
            }
        }
        let basket_seconds = started.elapsed().as_secs_f64();
        let started = Instant::now();
        for order in &placed {
            for part in &order.merchant_orders {
                self.pack(part).await?;
            }
        }
        let packing_seconds = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let plan = planner::plan_slot(
            self.sim.ordering.db,
            self.sim.travel_times,
            &golmok_ordering::delivery::PlanHistory,
            &wave.network.id,
            &wave.slot.id,
            self.sim.plan_budget,
        )
        .await?;
        let planning_seconds = started.elapsed().as_secs_f64();
        let started = Instant::now();
        self.ride(&wave.network.id, &plan).await?;
        let riding_seconds = started.elapsed().as_secs_f64();
        Ok(WaveFigures {
            network: wave.network.name.clone(),
            wave: wave.slot.name.clone(),
            orders: placed.len(),
            couriers: plan.metrics.couriers,
            distance_m: plan.metrics.distance_m,
            solo_distance_m: plan.metrics.solo_distance_m,
            planning_seconds,
            basket_seconds,
            packing_seconds,
            riding_seconds,
            unassigned: plan.unassigned.len(),
            refused,
        })
    }

    /// Two to four of the consortium's goods, delivered somewhere in the network's area.
    fn basket(&mut self, wave: &Wave<'_>, k: usize) -> Checkout {
        let dice = &mut self.dice;
        let mut items: Vec<CheckoutItem> = Vec::new();
        for _ in 0..2 + dice.below(3) {
            let l = &wave.listings[dice.below(wave.listings.len())];
            if items.iter().any(|i| i.listing_id == l.id) {
                continue;
            }
            let quantity = match l.unit {
                golmok_catalog::Unit::Piece => 1 + dice.below(2) as i64,
                _ => 200 + 100 * dice.below(6) as i64,
            };
            items.push(CheckoutItem {
                listing_id: l.id.clone(),
                quantity,
            });
        }
        // Shoppers live within about 1.5 km of the hub, inside the network's area.
        let hub = wave.network.hub;
        let location = loop {
            let p = Coordinates {
                lat: hub.lat + (dice.roll() - 0.5) * 0.027,
                lon: hub.lon + (dice.roll() - 0.5) * 0.034,
            };
            if wave.network.serves(p) {
                break p;
            }
        };
        Checkout {
            consortium_id: wave.consortium.id.clone(),
            items,
            fulfillment: Fulfillment::Delivery {
                slot_id: wave.slot.id.clone(),
                address: format!("{} 골목 {}번지", wave.consortium.district, k + 1),
                location,
                phone: Some(format!("010-5550-{:04}", k + 1)),
                notes: None,
            },
            payment: PaymentChoice {
                provider: "offline".into(),
            },
            coupon_id: None,
        }
    }

    /// The shop accepts, weighs refills a little over or under, and packs.
    async fn pack(&mut self, part: &golmok_ordering::MerchantOrder) -> anyhow::Result<()> {
        let (ctx, db) = (self.sim.ordering, self.sim.ordering.db);
        let id = part.id.as_str();
        if !self.owners.contains_key(&part.merchant_id) {
            let shop = merchant::get_merchant(db, &part.merchant_id).await?;
            let owner = golmok_accounts::find(db, &shop.owner_id).await?;
            self.owners.insert(part.merchant_id.clone(), owner);
        }
        let owner = &self.owners[&part.merchant_id];
        lifecycle::accept(ctx, owner, id).await?;
        let lines: Vec<WeighedLine> = part
            .lines
            .iter()
            .filter(|l| l.refill)
            .map(|l| WeighedLine {
                line_id: l.id.clone(),
                net_quantity: ((l.quantity as f64) * (0.92 + self.dice.roll() * 0.14))
                    .round()
                    .max(1.0) as i64,
            })
            .collect();
        if !lines.is_empty() {
            lifecycle::weigh(
                ctx,
                owner,
                id,
                Weighing {
                    lines,
                    if_over: lifecycle::IfOver::Refuse,
                },
            )
            .await?;
        }
        lifecycle::mark_ready(ctx, owner, id).await?;
        Ok(())
    }

    /// Couriers ride their batches, every stop completed with its hand-over code.
    async fn ride(&self, network_id: &str, plan: &planner::Plan) -> anyhow::Result<()> {
        let (ctx, db) = (self.sim.ordering, self.sim.ordering.db);
        let events = CourierEvents::new(ctx);
        let riders = courier::on_duty(db, network_id).await?;
        for b in &plan.batches {
            let Some(rider) = riders.iter().find(|r| r.id == b.courier_id) else {
                continue;
            };
            // A slot simulated again lists the batches ridden before: their stops are done.
            let to_ride: Vec<_> = b
                .stops
                .iter()
                .filter(|s| s.status == StopStatus::Pending)
                .collect();
            if to_ride.is_empty() {
                continue;
            }
            let account = golmok_accounts::find(db, &rider.account_id).await?;
            // A part's pick-up and drop-off ride in one batch: its codes are read once.
            let mut tasks = HashMap::new();
            for s in to_ride {
                // The code the shop (at a pick-up) or the shopper (at the door) gives.
                let codes = match tasks.entry(s.merchant_order_id.as_str()) {
                    Entry::Occupied(e) => e.into_mut(),
                    Entry::Vacant(e) => e.insert(
                        golmok_delivery_routing::task::task_of(db, &s.merchant_order_id).await?,
                    ),
                };
                let code = match s.kind {
                    golmok_delivery_routing::StopKind::Pickup => codes.pickup_code.clone(),
                    golmok_delivery_routing::StopKind::Dropoff => codes.dropoff_code.clone(),
                };
                let proof = Proof {
                    kind: "code".into(),
                    value: code.unwrap_or_default(),
                    note: None,
                    photo: None,
                };
                batch::complete_stop(
                    db,
                    &account,
                    &s.id,
                    proof,
                    None,
                    &events,
                    self.sim.wrong_codes,
                )
                .await?;
                events.finish().await?;
            }
        }
        Ok(())
    }
}
