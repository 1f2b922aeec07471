//! Checkout: pick-up or a delivery slot, an address with a pin inside the network's area,
//! offline payment or a card; then the order page. One submit is one checkout: the form
//! carries an idempotency key, so a double click or a resubmitted form places one order.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Duration, Utc};
use golmok_accounts::{Account, Role};
use golmok_core::Coordinates;
use golmok_delivery_routing::capacity::Load;
use golmok_delivery_routing::network::{Network, Slot};
use golmok_ordering::basket::Basket;
use golmok_ordering::idempotency::IdempotencyKey;
use golmok_ordering::{Checkout, DomainError, Fulfillment, PaymentChoice};
use serde::Deserialize;

use super::basket::{BasketView, CouponView, usable_coupons};
use super::{Chrome, render_with, see_other};
use crate::Pages;
use crate::error::PageError;
use crate::format;
use crate::i18n::{Lang, Texts};
use crate::session::{CsrfForm, Visitor};

pub struct SlotView {
    pub id: String,
    pub label: String,
    pub cutoff: String,
    pub left: u32,
    /// Its couriers can still carry this basket.
    pub fits: bool,
}

/// What the shopper typed, shown again when something was refused.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Entered {
    #[serde(default)]
    fulfillment: String,
    #[serde(default)]
    slot_id: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    lat: String,
    #[serde(default)]
    lon: String,
    #[serde(default)]
    payment: String,
    #[serde(default)]
    idem: String,
    /// For a pick-up: a Seoul wall-clock time from the browser's `datetime-local`, or empty.
    #[serde(default)]
    pickup_at: String,
    /// A coupon's id, or `none`; on a first visit the best coupon is chosen.
    #[serde(default)]
    coupon: String,
    /// The address was filled in from the shopper's last delivery (never sent by a form).
    #[serde(skip)]
    from_last_order: bool,
}

/// Messages next to the fields they concern, and one above the form.
#[derive(Debug, Default)]
pub struct FieldErrors {
    general: Option<&'static str>,
    fulfillment: Option<&'static str>,
    /// Boxed: the form's errors stay small enough to return by value.
    slot: Option<Box<str>>,
    address: Option<&'static str>,
    /// The phone or the notes for the door.
    contact: Option<&'static str>,
    location: Option<&'static str>,
    payment: Option<&'static str>,
    /// Boxed: the form's errors stay small enough to return by value.
    pickup_at: Option<Box<str>>,
}

impl FieldErrors {
    fn any(&self) -> bool {
        self.general.is_some()
            || self.fulfillment.is_some()
            || self.slot.is_some()
            || self.address.is_some()
            || self.location.is_some()
            || self.payment.is_some()
            || self.pickup_at.is_some()
    }
}

#[derive(Template)]
#[template(path = "checkout.html")]
struct CheckoutPage {
    c: Chrome,
    b: BasketView,
    e: Entered,
    errors: FieldErrors,
    delivery_possible: bool,
    slots: Vec<SlotView>,
    area_json: String,
    hub: String,
    tile_url: String,
    tile_attribution: String,
    delivery_fee: String,
    total_with_delivery: String,
    total_pickup: String,
    card: bool,
    coupons: Vec<CouponView>,
    /// The totals with the chosen coupon taken off, when one is chosen.
    coupon_totals: Option<(String, String, String)>,
}

/// A slot as shops and shoppers read it: its day, wave and times.
pub(super) fn slot_label(lang: Lang, s: &Slot) -> String {
    format!(
        "{} {} {}–{}",
        format::seoul_date(lang, s.starts_at),
        s.name,
        format::seoul_clock(s.starts_at),
        format::seoul_clock(s.ends_at)
    )
}

pub(super) async fn open_slots(
    pages: &Pages,
    lang: Lang,
    network: &Network,
    size: &Load,
) -> Result<Vec<SlotView>, PageError> {
    let today = Utc::now()
        .with_timezone(&golmok_delivery_routing::network::seoul())
        .date_naive();
    let mut out = Vec::new();
    for date in [today, today + Duration::days(1)] {
        let slots: Vec<Slot> =
            golmok_delivery_routing::network::slots(&pages.db, &network.id, date).await?;
        for s in slots.into_iter().filter(|s| s.open) {
            out.push(SlotView {
                label: slot_label(lang, &s),
                cutoff: format::seoul_time(lang, s.cutoff_at),
                left: s.left.tasks,
                fits: s.fits(size),
                id: s.id,
            });
        }
    }
    Ok(out)
}

async fn checkout_page(
    pages: &Pages,
    visitor: &Visitor,
    basket: &Basket,
    mut entered: Entered,
    errors: FieldErrors,
) -> Result<CheckoutPage, PageError> {
    let lang = visitor.lang;
    let network = match basket
        .consortium
        .as_ref()
        .and_then(|c| c.network_id.clone())
    {
        Some(id) => Some(golmok_delivery_routing::network::get_network(&pages.db, &id).await?),
        None => None,
    };
    let slots = match &network {
        Some(n) => open_slots(pages, lang, n, &basket.delivery_load()).await?,
        None => Vec::new(),
    };
    let goods = basket.items_total_krw + basket.deposits_krw;
    let fee = network
        .as_ref()
        .filter(|n| basket.items_total_krw < n.free_delivery_over_krw)
        .map_or(0, |n| n.delivery_fee_krw);
    if entered.idem.is_empty() {
        entered.idem = uuid::Uuid::new_v4().simple().to_string();
    }
    if entered.fulfillment.is_empty() {
        entered.fulfillment = if network.is_some() {
            "delivery"
        } else {
            "pickup"
        }
        .to_owned();
    }
    if entered.payment.is_empty() {
        entered.payment = "offline".to_owned();
    }
    let coupons: Vec<CouponView> = usable_coupons(pages, visitor, basket)
        .await?
        .into_iter()
        .filter(|k| k.fits)
        .collect();
    if entered.coupon.is_empty() {
        entered.coupon = coupons
            .iter()
            .max_by_key(|k| k.off_krw)
            .map_or_else(|| "none".to_owned(), |k| k.id.clone());
    }
    let coupon_totals = coupons.iter().find(|k| k.id == entered.coupon).map(|k| {
        (
            k.off.clone(),
            format::won(lang, goods + fee - k.off_krw),
            format::won(lang, goods - k.off_krw),
        )
    });
    Ok(CheckoutPage {
        coupons,
        coupon_totals,
        b: BasketView::of(lang, basket),
        delivery_possible: network.is_some(),
        area_json: network
            .as_ref()
            .map(|n| n.area.to_string())
            .unwrap_or_default(),
        hub: network
            .as_ref()
            .map(|n| format!("{},{}", n.hub.lat, n.hub.lon))
            .unwrap_or_default(),
        tile_url: pages.settings.map_tile_url.clone().unwrap_or_default(),
        tile_attribution: pages.settings.map_attribution.clone().unwrap_or_default(),
        delivery_fee: format::won(lang, fee),
        total_with_delivery: format::won(lang, goods + fee),
        total_pickup: format::won(lang, goods),
        card: pages.providers.get("stripe").is_some()
            && pages.settings.stripe_publishable_key.is_some(),
        slots,
        e: entered,
        errors,
        c: Chrome::of(visitor, basket.line_count()),
    })
}

async fn shopper_basket(pages: &Pages, visitor: &Visitor) -> Result<(Account, Basket), PageError> {
    let account = visitor.require(Role::Shopper)?.clone();
    let basket =
        golmok_ordering::basket::load(&pages.db, pages.cache.as_ref(), &visitor.basket_owner())
            .await?;
    Ok((account, basket))
}

pub async fn form(State(pages): State<Pages>, visitor: Visitor) -> Result<Response, PageError> {
    let (account, basket) = shopper_basket(&pages, &visitor).await?;
    if basket.is_empty() {
        return Ok(see_other("/basket"));
    }
    // The last address delivered to in this network, where it is still inside the area: a
    // shopper orders to the same door most times.
    let mut entered = Entered::default();
    if let Some(network_id) = basket
        .consortium
        .as_ref()
        .and_then(|c| c.network_id.as_deref())
    {
        let network = golmok_delivery_routing::network::get_network(&pages.db, network_id).await?;
        if let Some((address, at)) =
            golmok_ordering::view::last_delivery_address(&pages.db, &account, network_id).await?
            && network.serves(at)
        {
            entered.address = address;
            entered.lat = at.lat.to_string();
            entered.lon = at.lon.to_string();
            entered.from_last_order = true;
        }
    }
    let page = checkout_page(&pages, &visitor, &basket, entered, FieldErrors::default()).await?;
    render_with(StatusCode::OK, &page)
}

/// A `datetime-local` value (`2026-12-03T14:30`) read as Seoul time.
fn seoul_wall_clock(typed: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::TimeZone;
    let local = chrono::NaiveDateTime::parse_from_str(typed, "%Y-%m-%dT%H:%M").ok()?;
    golmok_catalog::hours::seoul()
        .from_local_datetime(&local)
        .single()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// The form as a checkout request, or the messages for what is missing.
fn checkout_request(
    t: &Texts,
    consortium_id: &str,
    basket: &Basket,
    e: &Entered,
) -> Result<Checkout, Box<FieldErrors>> {
    let mut errors = FieldErrors::default();
    let fulfillment = match e.fulfillment.as_str() {
        "pickup" => match e.pickup_at.trim() {
            "" => Some(Fulfillment::Pickup { pickup_at: None }),
            typed => match seoul_wall_clock(typed) {
                Some(at) => Some(Fulfillment::Pickup {
                    pickup_at: Some(at),
                }),
                None => {
                    errors.pickup_at = Some(t.err_required.into());
                    None
                }
            },
        },
        "delivery" => {
            if e.slot_id.trim().is_empty() {
                errors.slot = Some(t.err_slot.into());
            }
            let address = e.address.trim();
            if address.is_empty() || address.chars().count() > 200 {
                errors.address = Some(t.err_address);
            }
            let location = match (e.lat.trim().parse::<f64>(), e.lon.trim().parse::<f64>()) {
                (Ok(lat), Ok(lon)) if lat.is_finite() && lon.is_finite() => {
                    Some(Coordinates { lat, lon })
                }
                _ => {
                    errors.location = Some(t.err_location);
                    None
                }
            };
            location.map(|location| Fulfillment::Delivery {
                slot_id: e.slot_id.trim().to_owned(),
                address: address.to_owned(),
                location,
                phone: Some(e.phone.trim().to_owned()).filter(|p| !p.is_empty()),
                notes: Some(e.notes.trim().to_owned()).filter(|n| !n.is_empty()),
            })
        }
        _ => {
            errors.fulfillment = Some(t.err_required);
            None
        }
    };
    if !matches!(e.payment.as_str(), "offline" | "stripe") {
        errors.payment = Some(t.err_required);
    }
    match fulfillment {
        Some(fulfillment) if !errors.any() => Ok(Checkout {
            consortium_id: consortium_id.to_owned(),
            items: basket.checkout_items(),
            fulfillment,
            payment: PaymentChoice {
                provider: e.payment.clone(),
            },
            coupon_id: Some(e.coupon.trim().to_owned()).filter(|c| !c.is_empty() && c != "none"),
        }),
        _ => Err(Box::new(errors)),
    }
}

/// Where on the form a refusal of checkout belongs, in the page's language.
fn refusal(lang: Lang, error: DomainError) -> Result<(StatusCode, FieldErrors), PageError> {
    let t = lang.texts();
    let mut errors = FieldErrors::default();
    let status = match error {
        DomainError::Invalid(v) => {
            for f in &v.0 {
                match f.field.as_str() {
                    "fulfillment.slot_id" => errors.slot = Some(t.err_slot_closed.into()),
                    "fulfillment.address" => errors.address = Some(t.err_address),
                    "fulfillment.phone" | "fulfillment.notes" => {
                        errors.contact = Some(t.err_contact)
                    }
                    field if field.starts_with("fulfillment.location") => {
                        errors.location = Some(if f.message.contains("outside") {
                            t.outside_area
                        } else {
                            t.err_location
                        })
                    }
                    "payment.provider" => errors.payment = Some(t.err_payment),
                    "coupon_id" => errors.general = Some(t.err_coupon),
                    "fulfillment.pickup_at" => {
                        // The shop's name and when it opens, after the page's own words.
                        let said = errors
                            .pickup_at
                            .take()
                            .map_or_else(|| t.err_pickup_closed.to_owned(), String::from);
                        errors.pickup_at = Some(format!("{said} {}", f.message).into());
                    }
                    _ => errors.general = Some(t.err_out_of_stock),
                }
            }
            StatusCode::UNPROCESSABLE_ENTITY
        }
        DomainError::Conflict { code, details, .. } => {
            match code {
                "slot_full" => {
                    let next = details
                        .as_ref()
                        .and_then(|d| d["next_slot"]["starts_at"].as_str())
                        .and_then(|at| chrono::DateTime::parse_from_rfc3339(at).ok())
                        .map(|at| {
                            let at = at.with_timezone(&Utc);
                            format!(
                                " {}: {} {}",
                                t.next_slot_that_fits,
                                format::seoul_date(lang, at),
                                format::seoul_clock(at)
                            )
                        })
                        .unwrap_or_default();
                    errors.slot = Some(format!("{}{next}", t.err_slot_full).into());
                }
                "slot_closed" | "wave_retired" | "delivery_not_open" => {
                    errors.slot = Some(t.err_slot_closed.into())
                }
                "consortium_not_active" => errors.general = Some(t.err_consortium),
                "coupon_used" => errors.general = Some(t.err_coupon_used),
                "delivery_unavailable" => errors.fulfillment = Some(t.no_network),
                _ => errors.general = Some(t.err_out_of_stock),
            }
            StatusCode::CONFLICT
        }
        DomainError::Declined(_) | DomainError::Unavailable { .. } => {
            errors.payment = Some(t.err_payment);
            StatusCode::PAYMENT_REQUIRED
        }
        other => return Err(other.into()),
    };
    Ok((status, errors))
}

pub async fn place(
    State(pages): State<Pages>,
    visitor: Visitor,
    CsrfForm { form, raw }: CsrfForm<Entered>,
) -> Result<Response, PageError> {
    let t = visitor.lang.texts();
    let (account, basket) = shopper_basket(&pages, &visitor).await?;
    let key = if form.idem.is_empty() {
        None
    } else {
        Some(IdempotencyKey::new(
            &account.id,
            "checkout:web",
            &form.idem,
            &raw,
        )?)
    };
    // The same form sent again (a double click, a retry after a lost answer) lands on the
    // order the first one placed.
    if let Some(key) = &key
        && let Some(placed) =
            golmok_ordering::idempotency::lookup::<golmok_ordering::Order>(&pages.db, key).await?
    {
        return Ok(see_other(&format!("/orders/{}", placed.id)));
    }
    let Some(consortium) = basket.consortium.clone() else {
        return Ok(see_other("/basket"));
    };
    let window = std::time::Duration::from_secs(60);
    if pages.checkouts.increment(&account.id, window).await > pages.checkouts_per_minute {
        let errors = FieldErrors {
            general: Some(t.too_many_checkouts),
            ..Default::default()
        };
        let page = checkout_page(&pages, &visitor, &basket, form, errors).await?;
        return render_with(StatusCode::TOO_MANY_REQUESTS, &page);
    }
    let request = match checkout_request(t, &consortium.id, &basket, &form) {
        Ok(r) => r,
        Err(errors) => {
            let page = checkout_page(&pages, &visitor, &basket, form, *errors).await?;
            return render_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    match golmok_ordering::checkout::checkout(pages.ordering(), &account, request, key.as_ref())
        .await
    {
        Ok(placed) => {
            golmok_ordering::basket::clear(&pages.db, &visitor.basket_owner()).await?;
            Ok(see_other(&format!("/orders/{}", placed.id)))
        }
        Err(e) => {
            let (status, errors) = refusal(visitor.lang, e)?;
            let page = checkout_page(&pages, &visitor, &basket, form, errors).await?;
            render_with(status, &page)
        }
    }
}

/// Checkout: the form and placing the order.
pub fn routes() -> axum::Router<crate::Pages> {
    use axum::routing::get;
    axum::Router::new().route("/checkout", get(form).post(place))
}
