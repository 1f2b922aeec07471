//! Payments: moving money, and the ledger that records it.
//!
//! Owns the [`PaymentProvider`] trait with its offline implementation (the embedded
//! default) and Stripe's, payments (authorise, capture, void, refund), payouts to merchants
//! and networks by hand or through connected accounts ([`connect`]), Stripe's webhooks, and
//! the double-entry [`ledger`] in integer won.
//!
//! Takes amounts, parties and references, never orders: it does not know what was bought.
//! Callers pass their database transaction, so a payment's rows and ledger entries commit or
//! roll back with the use case that caused them. No provider is called inside it: the use
//! case writes the call ([`calls`]), and makes it once it has committed.

pub mod calls;
pub mod connect;
pub mod entities;
pub mod ledger;
pub mod provider;
pub mod stripe_provider;
pub mod webhook;

use chrono::{DateTime, Utc};
use golmok_core::new_id;
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder};
use serde::Serialize;

use entities::{payment, payout, refund};
pub use provider::{
    Authorization, AuthorizationState, AuthorizeRequest, Captured, OfflineProvider, OnboardingLink,
    PaymentProvider, PayoutRequest, ProviderError,
};

pub use golmok_core::{DomainError, Result};

golmok_core::stored_enum! {
    pub enum PaymentStatus {
        Pending = "pending",
        Authorized = "authorized",
        Captured = "captured",
        PartiallyRefunded = "partially_refunded",
        Refunded = "refunded",
        Voided = "voided",
        Failed = "failed",
    }
}

impl PaymentStatus {
    /// Whether the payment holds captured money, some of which may still be refunded.
    pub fn is_captured(self) -> bool {
        matches!(self, Self::Captured | Self::PartiallyRefunded)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Payment {
    pub id: String,
    pub reference: String,
    pub provider: String,
    pub status: PaymentStatus,
    pub authorized_krw: i64,
    pub captured_krw: i64,
    pub refunded_krw: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// For offline payments: when an admin recorded the money as received.
    pub received_at: Option<DateTime<Utc>>,
}

fn from_model(m: payment::Model) -> Result<Payment> {
    Ok(Payment {
        status: m.status,
        id: m.id,
        reference: m.reference,
        provider: m.provider,
        authorized_krw: m.authorized_krw,
        captured_krw: m.captured_krw,
        refunded_krw: m.refunded_krw,
        client_secret: m.client_secret,
        received_at: m.received_at,
    })
}

/// One party's part of a capture or a refund: `gross_krw` of the money, of which
/// `commission_krw` is the platform's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Share {
    /// `merchant:mer_…` or `network:net_…`.
    pub party: String,
    /// For refunds: what part of the sale (a merchant order id) it comes from.
    pub part_reference: Option<String>,
    pub gross_krw: i64,
    pub commission_krw: i64,
}

async fn load(db: &impl ConnectionTrait, id: &str) -> Result<payment::Model> {
    payment::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| DomainError::not_found("payment", id))
}

pub async fn get_payment(db: &impl ConnectionTrait, id: &str) -> Result<Payment> {
    from_model(load(db, id).await?)
}

/// Authorises `amount_krw` for `reference`: a payment row and its authorisation call. A local
/// provider answers at once (the payment is then authorised, its hold booked); for any other
/// the call is written, to be made with no transaction open ([`calls::perform`] through
/// [`authorize_written`]) before the order is written.
pub async fn authorize(
    db: &impl ConnectionTrait,
    provider: &dyn PaymentProvider,
    reference: &str,
    amount_krw: i64,
    idempotency_key: &str,
) -> Result<(Payment, calls::Call)> {
    if amount_krw <= 0 {
        return Err(DomainError::Internal(format!(
            "authorising {amount_krw} won"
        )));
    }
    let id = new_id("pay");
    let call = calls::NewCall {
        payment_id: Some(id.clone()),
        subject_id: id.clone(),
        key: format!("{idempotency_key}:authorize"),
        amount_krw,
        request: calls::Request::Authorize {
            reference: reference.to_owned(),
        },
    }
    .into_call(!provider.is_local());
    // A local provider answers at once: the payment is written as answered, with no call row.
    let answered = if provider.is_local() {
        match calls::ask(provider, &call).await? {
            calls::Answer::Authorized {
                provider_ref,
                requires_action,
                client_secret,
            } => Some((provider_ref, requires_action, client_secret)),
            other => {
                return Err(DomainError::internal(format!(
                    "an authorisation answered {other:?}"
                )));
            }
        }
    } else {
        None
    };
    let status = match &answered {
        Some((_, false, _)) => PaymentStatus::Authorized,
        _ => PaymentStatus::Pending,
    };
    let now = Utc::now();
    let (provider_ref, client_secret) = match answered {
        Some((provider_ref, _, secret)) => (Some(provider_ref), secret),
        None => (None, None),
    };
    let model = payment::ActiveModel {
        id: Set(id),
        reference: Set(reference.to_owned()),
        provider: Set(provider.name().to_owned()),
        provider_ref: Set(provider_ref),
        status: Set(status),
        authorized_krw: Set(amount_krw),
        captured_krw: Set(0),
        refunded_krw: Set(0),
        client_secret: Set(client_secret),
        charge_ref: Set(None),
        received_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    if status == PaymentStatus::Authorized {
        place_hold(db, &model).await?;
    }
    let call = if call.is_journaled() {
        calls::write(db, provider, call).await?
    } else {
        call
    };
    Ok((from_model(model)?, call))
}

/// Makes a written authorisation call, with no transaction open: the provider's answer, to
/// be recorded with [`record_authorization`] in the transaction that writes the order.
pub async fn authorize_written(
    provider: &dyn PaymentProvider,
    call: &calls::Call,
) -> std::result::Result<Authorization, ProviderError> {
    match calls::ask(provider, call).await? {
        calls::Answer::Authorized {
            provider_ref,
            requires_action,
            client_secret,
        } => Ok(Authorization {
            provider_ref,
            state: if requires_action {
                AuthorizationState::RequiresAction
            } else {
                AuthorizationState::Authorized
            },
            client_secret,
        }),
        other => Err(ProviderError::Unavailable(format!(
            "an authorisation answered {other:?}"
        ))),
    }
}

/// Records the provider's answer to an authorisation. `Ok(None)` when the call was no longer
/// pending (the reconciler gave it up meanwhile): the order must not be written.
pub async fn record_authorization(
    db: &impl ConnectionTrait,
    provider: &dyn PaymentProvider,
    call: &calls::Call,
    answer: std::result::Result<Authorization, ProviderError>,
) -> Result<Option<Payment>> {
    let answer = answer.map(|a| calls::Answer::Authorized {
        provider_ref: a.provider_ref,
        requires_action: a.state == AuthorizationState::RequiresAction,
        client_secret: a.client_secret,
    });
    match calls::record(db, provider, call, answer).await? {
        Some(calls::CallState::Done) => Ok(Some(get_payment(db, &call.subject_id).await?)),
        Some(calls::CallState::Failed) => Err(DomainError::Declined(
            "payment declined by the card issuer".into(),
        )),
        Some(_) => Err(ProviderError::Unavailable("no answer".into()).into()),
        None => Ok(None),
    }
}

/// Raises what a payment through a local provider holds by `extra_krw` (a shopper approved a
/// weighed line that came to more): nothing leaves the process, so the hold simply grows. A
/// provider that leaves the process authorises the difference as a payment of its own.
pub async fn raise_authorization(
    db: &impl ConnectionTrait,
    provider: &dyn PaymentProvider,
    payment_id: &str,
    extra_krw: i64,
) -> Result<Payment> {
    let p = load(db, payment_id).await?;
    if !provider.is_local() || p.provider != provider.name() {
        return Err(DomainError::internal(format!(
            "raising payment {payment_id} through {}",
            provider.name()
        )));
    }
    if p.status != PaymentStatus::Authorized || extra_krw <= 0 {
        return Err(DomainError::conflict(
            "payment_not_raisable",
            format!("the payment is {}; its authorisation cannot grow", p.status),
        ));
    }
    ledger::post(
        db,
        "authorization_raise",
        &p.id,
        &[
            (ledger::HOLDS_SHOPPER.into(), extra_krw),
            (ledger::HOLDS_AUTHORIZED.into(), -extra_krw),
        ],
    )
    .await?;
    let mut active: payment::ActiveModel = p.clone().into();
    active.authorized_krw = Set(p.authorized_krw + extra_krw);
    active.updated_at = Set(Utc::now());
    from_model(active.update(db).await?)
}

/// Books the authorised amount as held (at authorisation, or when a webhook confirms it).
pub(crate) async fn place_hold(db: &impl ConnectionTrait, p: &payment::Model) -> Result<()> {
    ledger::post(
        db,
        "authorization",
        &p.id,
        &[
            (ledger::HOLDS_SHOPPER.into(), p.authorized_krw),
            (ledger::HOLDS_AUTHORIZED.into(), -p.authorized_krw),
        ],
    )
    .await?;
    Ok(())
}

/// Releases the hold booked by [`place_hold`] (at capture or void).
pub(crate) async fn release_hold(db: &impl ConnectionTrait, p: &payment::Model) -> Result<()> {
    ledger::post(
        db,
        "hold_release",
        &p.id,
        &[
            (ledger::HOLDS_AUTHORIZED.into(), p.authorized_krw),
            (ledger::HOLDS_SHOPPER.into(), -p.authorized_krw),
        ],
    )
    .await?;
    Ok(())
}

async fn set_status(
    db: &impl ConnectionTrait,
    mut p: payment::Model,
    status: PaymentStatus,
) -> Result<Payment> {
    let mut active: payment::ActiveModel = p.clone().into();
    active.status = Set(status);
    active.captured_krw = Set(p.captured_krw);
    active.refunded_krw = Set(p.refunded_krw);
    active.charge_ref = Set(p.charge_ref.clone());
    active.updated_at = Set(Utc::now());
    p = active.update(db).await?;
    from_model(p)
}

/// Payments through `provider` authorised before `cutoff` and still only authorised.
pub async fn authorized_before(
    db: &impl ConnectionTrait,
    provider: &str,
    cutoff: DateTime<Utc>,
) -> Result<Vec<Payment>> {
    payment::Entity::find()
        .filter(payment::Column::Provider.eq(provider))
        .filter(payment::Column::Status.eq(PaymentStatus::Authorized))
        .filter(payment::Column::CreatedAt.lt(cutoff))
        .order_by_asc(payment::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(from_model)
        .collect()
}

/// Captures the sum of `shares` (never more than authorised): the call is written here, and
/// its answer books each party's part and the platform's commission ([`book_capture`]). A
/// capture or void already under way is not asked twice.
pub async fn capture(
    db: &impl ConnectionTrait,
    provider: &dyn PaymentProvider,
    payment_id: &str,
    shares: &[Share],
) -> Result<Payment> {
    let p = load(db, payment_id).await?;
    if !calls::under_way(
        db,
        &[calls::CallKind::Capture, calls::CallKind::Void],
        payment_id,
    )
    .await?
    .is_empty()
    {
        return from_model(p);
    }
    if p.status != PaymentStatus::Authorized {
        return Err(DomainError::conflict(
            "payment_not_capturable",
            format!("the payment is {}, not authorized", p.status),
        ));
    }
    let amount: i64 = shares.iter().map(|s| s.gross_krw).sum();
    if amount > p.authorized_krw {
        return Err(DomainError::conflict(
            "exceeds_authorization",
            format!(
                "capturing {amount} won exceeds the {} won authorised",
                p.authorized_krw
            ),
        ));
    }
    if amount == 0 {
        return void(db, provider, payment_id).await;
    }
    calls::open(
        db,
        provider,
        calls::NewCall {
            payment_id: Some(p.id.clone()),
            subject_id: p.id.clone(),
            key: format!("{payment_id}:capture"),
            amount_krw: amount,
            request: calls::Request::Capture {
                provider_ref: p.provider_ref.clone().unwrap_or_default(),
                shares: shares.to_vec(),
            },
        },
    )
    .await?;
    get_payment(db, payment_id).await
}

/// A capture's answer: the hold released, the money in clearing, each party's part owed to
/// it, the commission earned, and (Connect) each part's transfer opened.
pub(crate) async fn book_capture(
    db: &impl ConnectionTrait,
    provider: &dyn PaymentProvider,
    mut p: payment::Model,
    amount: i64,
    charge_ref: Option<String>,
    shares: &[Share],
) -> Result<()> {
    release_hold(db, &p).await?;
    let mut entries = vec![(ledger::clearing(&p.provider), amount)];
    let mut commission = 0;
    for s in shares {
        entries.push((ledger::payable(&s.party), -(s.gross_krw - s.commission_krw)));
        commission += s.commission_krw;
    }
    entries.push((ledger::COMMISSION.into(), -commission));
    ledger::post(db, "capture", &p.reference, &entries).await?;
    p.captured_krw = amount;
    p.charge_ref = charge_ref;
    let payment_id = p.id.clone();
    set_status(db, p, PaymentStatus::Captured).await?;
    if provider.transfers_on_capture() {
        connect::open_transfers(db, &payment_id, shares).await?;
        connect::send_waiting(db, provider, connect::Waiting::OfPayment(&payment_id)).await?;
    }
    Ok(())
}

/// Releases an authorisation without charging anything.
pub async fn void(
    db: &impl ConnectionTrait,
    provider: &dyn PaymentProvider,
    payment_id: &str,
) -> Result<Payment> {
    let p = load(db, payment_id).await?;
    match p.status.as_str() {
        "voided" => return from_model(p),
        "authorized" | "pending" => {}
        other => {
            return Err(DomainError::conflict(
                "payment_not_voidable",
                format!("the payment is {other}; refund it instead"),
            ));
        }
    }
    if !calls::under_way(
        db,
        &[calls::CallKind::Capture, calls::CallKind::Void],
        payment_id,
    )
    .await?
    .is_empty()
    {
        return from_model(p);
    }
    calls::open(
        db,
        provider,
        calls::NewCall {
            payment_id: Some(p.id.clone()),
            subject_id: p.id.clone(),
            key: format!("{payment_id}:void"),
            amount_krw: 0,
            request: calls::Request::Void {
                provider_ref: p.provider_ref.clone().unwrap_or_default(),
            },
        },
    )
    .await?;
    get_payment(db, payment_id).await
}

/// A void's answer: the hold released.
pub(crate) async fn book_void(db: &impl ConnectionTrait, p: payment::Model) -> Result<()> {
    if p.status == PaymentStatus::Authorized {
        release_hold(db, &p).await?;
    }
    set_status(db, p, PaymentStatus::Voided).await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Refund {
    pub id: String,
    pub payment_id: String,
    /// Who gives the money back: `merchant:mer_…` or `network:net_…`.
    pub party: String,
    /// The part of the sale (merchant order) it comes from.
    pub part_reference: Option<String>,
    pub amount_krw: i64,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

/// Refunds the sum of `shares` of a captured payment, each party giving back its part and the
/// platform its commission on it. Never more than was captured and not yet refunded (nor
/// already being refunded). The call is written here; its answer books it ([`book_refund`]).
/// Returns the refunds as they will be recorded.
pub async fn refund(
    db: &impl ConnectionTrait,
    provider: &dyn PaymentProvider,
    payment_id: &str,
    shares: &[Share],
    reason: &str,
) -> Result<Vec<Refund>> {
    let p = load(db, payment_id).await?;
    let amount: i64 = shares.iter().map(|s| s.gross_krw).sum();
    let under_way = refunds_under_way(db, payment_id).await?;
    check_refundable(&p, amount, under_way)?;
    let refund_id = new_id("ref");
    let shares: Vec<Share> = shares.iter().filter(|s| s.gross_krw > 0).cloned().collect();
    calls::open(
        db,
        provider,
        calls::NewCall {
            payment_id: Some(p.id.clone()),
            subject_id: p.id.clone(),
            // Named by the state it acts on: asked again after a crash, it is made once.
            key: format!(
                "{payment_id}:refund:{}:{amount}",
                p.refunded_krw + under_way
            ),
            amount_krw: amount,
            request: calls::Request::Refund {
                provider_ref: p.provider_ref.clone().unwrap_or_default(),
                refund_id: refund_id.clone(),
                shares: shares.clone(),
                reason: reason.to_owned(),
            },
        },
    )
    .await?;
    let now = Utc::now();
    Ok(refund_rows(&refund_id, &shares)
        .map(|(id, s)| Refund {
            id,
            payment_id: payment_id.to_owned(),
            party: s.party.clone(),
            part_reference: s.part_reference.clone(),
            amount_krw: s.gross_krw,
            reason: reason.to_owned(),
            created_at: now,
        })
        .collect())
}

/// The refund rows of one refund: one per party giving money back, the first under the
/// refund's own id, the others under ids derived from it.
fn refund_rows<'a>(
    refund_id: &'a str,
    shares: &'a [Share],
) -> impl Iterator<Item = (String, &'a Share)> + 'a {
    shares.iter().enumerate().map(move |(i, s)| {
        let id = if i == 0 {
            refund_id.to_owned()
        } else {
            format!("{refund_id}_{i}")
        };
        (id, s)
    })
}

/// A refund as its answer books it.
pub(crate) struct BookedRefund<'a> {
    pub refund_id: &'a str,
    pub provider_ref: &'a str,
    pub shares: &'a [Share],
    pub reason: &'a str,
    pub amount_krw: i64,
}

/// A refund's answer: the money out of clearing, each party's part and the commission given
/// back, transfers cut or reversed, the refund rows and the payment's status.
pub(crate) async fn book_refund(
    db: &impl ConnectionTrait,
    provider: &dyn PaymentProvider,
    mut p: payment::Model,
    r: BookedRefund<'_>,
) -> Result<()> {
    let mut entries = vec![(ledger::clearing(&p.provider), -r.amount_krw)];
    let mut commission = 0;
    for s in r.shares {
        entries.push((ledger::payable(&s.party), s.gross_krw - s.commission_krw));
        commission += s.commission_krw;
    }
    entries.push((ledger::COMMISSION.into(), commission));
    ledger::post(db, "refund", r.refund_id, &entries).await?;
    if provider.transfers_on_capture() {
        for s in r.shares {
            connect::take_back(db, provider, &p.id, s).await?;
        }
    }
    write_refunds(db, &p.id, &r).await?;
    p.refunded_krw += r.amount_krw;
    let status = if p.refunded_krw == p.captured_krw {
        PaymentStatus::Refunded
    } else {
        PaymentStatus::PartiallyRefunded
    };
    set_status(db, p, status).await?;
    Ok(())
}

/// What of a payment can still be refunded: captured, not refunded and not being refunded
/// (nothing unless it was captured).
pub async fn refundable_krw(db: &impl ConnectionTrait, p: &Payment) -> Result<i64> {
    if !p.status.is_captured() {
        return Ok(0);
    }
    Ok(p.captured_krw - p.refunded_krw - refunds_under_way(db, &p.id).await?)
}

/// What refunds written and not yet answered take from a payment.
async fn refunds_under_way(db: &impl ConnectionTrait, payment_id: &str) -> Result<i64> {
    Ok(calls::under_way(db, &[calls::CallKind::Refund], payment_id)
        .await?
        .iter()
        .map(|c| c.amount_krw)
        .sum())
}

/// Only captured money is refunded, and never more than is left of it.
fn check_refundable(p: &payment::Model, amount: i64, under_way: i64) -> Result<()> {
    if !p.status.is_captured() {
        return Err(DomainError::conflict(
            "payment_not_refundable",
            format!(
                "the payment is {}; only captured money is refunded",
                p.status
            ),
        ));
    }
    let refundable = p.captured_krw - p.refunded_krw - under_way;
    if amount <= 0 || amount > refundable {
        return Err(DomainError::conflict(
            "exceeds_refundable",
            format!(
                "refunding {amount} won; {refundable} won of this payment can still be refunded"
            ),
        ));
    }
    Ok(())
}

/// One refund row per party that gives money back.
async fn write_refunds(
    db: &impl ConnectionTrait,
    payment_id: &str,
    r: &BookedRefund<'_>,
) -> Result<()> {
    let now = Utc::now();
    for (id, s) in refund_rows(r.refund_id, r.shares) {
        refund::ActiveModel {
            id: Set(id),
            payment_id: Set(payment_id.to_owned()),
            party: Set(s.party.clone()),
            part_reference: Set(s.part_reference.clone()),
            amount_krw: Set(s.gross_krw),
            reason: Set(r.reason.to_owned()),
            provider_ref: Set(Some(r.provider_ref.to_owned())),
            created_at: Set(now),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// What has been refunded of a payment so far, per part of the sale.
pub async fn refunds_of(db: &impl ConnectionTrait, payment_id: &str) -> Result<Vec<Refund>> {
    Ok(refund::Entity::find()
        .filter(refund::Column::PaymentId.eq(payment_id))
        .order_by_asc(refund::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|r| Refund {
            id: r.id,
            payment_id: r.payment_id,
            party: r.party,
            part_reference: r.part_reference,
            amount_krw: r.amount_krw,
            reason: r.reason,
            created_at: r.created_at,
        })
        .collect())
}

/// Offline payments: an admin records that the shopper's money arrived (cash at the door,
/// or the bank transfer).
pub async fn mark_received(db: &impl ConnectionTrait, payment_id: &str) -> Result<Payment> {
    let p = load(db, payment_id).await?;
    if p.provider != "offline" {
        return Err(DomainError::conflict(
            "not_offline",
            "only offline payments are marked received by hand",
        ));
    }
    if !matches!(
        p.status.as_str(),
        "captured" | "partially_refunded" | "refunded"
    ) {
        return Err(DomainError::conflict(
            "payment_not_captured",
            format!(
                "the payment is {}; it is received once its amount is fixed",
                p.status
            ),
        ));
    }
    if p.received_at.is_some() {
        // Recorded already: a repeated click changes nothing.
        return from_model(p);
    }
    let mut active: payment::ActiveModel = p.into();
    active.received_at = Set(Some(Utc::now()));
    active.updated_at = Set(Utc::now());
    from_model(active.update(db).await?)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Payout {
    pub id: String,
    pub party: String,
    pub provider: String,
    pub provider_ref: Option<String>,
    pub amount_krw: i64,
    pub created_at: DateTime<Utc>,
}

/// Pays a party everything it is owed (less what waits to leave as transfers or is being
/// paid already). The call is written here; its answer books the payout ([`book_payout`]).
/// Returns the payout as it will be recorded.
pub async fn pay_out(
    db: &impl ConnectionTrait,
    provider: &dyn PaymentProvider,
    party: &str,
    destination: Option<String>,
) -> Result<Payout> {
    let being_paid: i64 = calls::under_way(db, &[calls::CallKind::Payout], party)
        .await?
        .iter()
        .map(|c| c.amount_krw)
        .sum();
    let owed = -ledger::balance(db, &ledger::payable(party)).await?
        - connect::waiting_krw(db, party).await?
        - being_paid;
    if owed <= 0 {
        return Err(DomainError::conflict(
            "nothing_owed",
            format!("{party} is owed nothing"),
        ));
    }
    let id = new_id("pout");
    calls::open(
        db,
        provider,
        calls::NewCall {
            payment_id: None,
            subject_id: party.to_owned(),
            key: id.clone(),
            amount_krw: owed,
            request: calls::Request::Payout {
                payout_id: id.clone(),
                party: party.to_owned(),
                destination,
            },
        },
    )
    .await?;
    let recorded = payout::Entity::find_by_id(id.as_str()).one(db).await?;
    Ok(Payout {
        id,
        party: party.to_owned(),
        provider: provider.name().to_owned(),
        provider_ref: recorded.and_then(|p| p.provider_ref),
        amount_krw: owed,
        created_at: Utc::now(),
    })
}

/// A payout's answer: the party's balance paid from clearing, and the payout's row.
pub(crate) async fn book_payout(
    db: &impl ConnectionTrait,
    provider: &dyn PaymentProvider,
    payout_id: &str,
    party: &str,
    amount: i64,
    provider_ref: String,
) -> Result<()> {
    ledger::post(
        db,
        "payout",
        payout_id,
        &[
            (ledger::payable(party), amount),
            (ledger::clearing(provider.name()), -amount),
        ],
    )
    .await?;
    calls::insert_payout(db, payout_id, party, provider.name(), provider_ref, amount).await?;
    Ok(())
}

pub async fn payouts_of(db: &impl ConnectionTrait, party: &str) -> Result<Vec<Payout>> {
    Ok(payout::Entity::find()
        .filter(payout::Column::Party.eq(party))
        .order_by_asc(payout::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|p| Payout {
            id: p.id,
            party: p.party,
            provider: p.provider,
            provider_ref: p.provider_ref,
            amount_krw: p.amount_krw,
            created_at: p.created_at,
        })
        .collect())
}
