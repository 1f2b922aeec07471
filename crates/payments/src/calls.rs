//! Calls to payment providers, each written down before it is made.
//!
//! A use case that needs the provider (an authorisation, a capture, a refund, a transfer…)
//! writes the call's intent in its own transaction and commits; the call is then made with no
//! transaction open, under an idempotency key fixed in the intent; its answer is recorded in
//! a second, short transaction that applies its effects (ledger, statuses) exactly once — the
//! record is a conditional update of the call from `pending`, so two hands making the same
//! call (the use case and the reconciler) record it once, and the provider, seeing the same
//! key and parameters, acts once.
//!
//! A crash between the two leaves the call `pending`. [`reconcile`] (at start and on a
//! schedule) makes it again with its key and records the answer; an authorisation whose order
//! was never written (the checkout died or gave up after asking) is instead undone: asked
//! again with its key, which finds the same PaymentIntent at Stripe, and cancelled.
//!
//! Providers that never leave the process (`offline`) are answered inline, inside the use
//! case's transaction, with no row: there is nothing outside to disagree with.

use chrono::{DateTime, Utc};
use golmok_core::new_id;
use sea_orm::prelude::*;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ActiveValue::Set, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};

use crate::entities::{payment, payout, provider_call, transfer};
use crate::provider::{
    Authorization, AuthorizationState, AuthorizeRequest, PaymentProvider, PayoutRequest,
    ProviderError,
};
use crate::{DomainError, PaymentStatus, Result, Share, connect};

golmok_core::stored_enum! {
    /// What a call asks the provider to do.
    pub enum CallKind {
        Authorize = "authorize",
        Capture = "capture",
        Void = "void",
        Refund = "refund",
        Transfer = "transfer",
        Reversal = "reversal",
        Payout = "payout",
    }
}

golmok_core::stored_enum! {
    pub enum CallState {
        /// Written, maybe made, not yet answered (or the answer was lost).
        Pending = "pending",
        /// Answered yes; its effects are recorded.
        Done = "done",
        /// Answered no; what a refusal means for its kind is recorded.
        Failed = "failed",
        /// An authorisation whose order will never be written: to be cancelled at the provider.
        Abandoned = "abandoned",
        /// An abandoned authorisation, cancelled.
        Undone = "undone",
    }
}

/// What the call sends, frozen when it is written: a repeat must send the same parameters
/// with the same key, or the provider refuses it as a different request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Request {
    Authorize {
        reference: String,
    },
    Capture {
        provider_ref: String,
        shares: Vec<Share>,
    },
    Void {
        provider_ref: String,
    },
    Refund {
        provider_ref: String,
        refund_id: String,
        shares: Vec<Share>,
        reason: String,
    },
    Transfer {
        party: String,
        destination: Option<String>,
        source_charge: Option<String>,
        transfer_group: Option<String>,
    },
    Reversal {
        transfer_ref: String,
    },
    Payout {
        payout_id: String,
        party: String,
        destination: Option<String>,
    },
}

/// What the provider answered yes with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Answer {
    Authorized {
        provider_ref: String,
        requires_action: bool,
        client_secret: Option<String>,
    },
    Captured {
        charge_ref: Option<String>,
    },
    Voided,
    /// A refund, transfer, reversal or payout, by the provider's id for it.
    Made {
        provider_ref: String,
    },
}

/// A call, written down (`journaled`) or answered inline for a local provider.
#[derive(Debug, Clone)]
pub struct Call {
    pub id: String,
    pub kind: CallKind,
    pub payment_id: Option<String>,
    /// The row the answer lands on: a payment, a transfer, or (payouts) the party paid.
    pub subject_id: String,
    pub key: String,
    pub amount_krw: i64,
    request: Request,
    journaled: bool,
}

impl Call {
    pub(crate) fn is_journaled(&self) -> bool {
        self.journaled
    }

    fn of(m: provider_call::Model) -> Result<Self> {
        let request = serde_json::from_str(&m.request)
            .map_err(|e| DomainError::internal(format!("stored provider call {}: {e}", m.id)))?;
        Ok(Self {
            id: m.id,
            kind: m.kind,
            payment_id: m.payment_id,
            subject_id: m.subject_id,
            key: m.idempotency_key,
            amount_krw: m.amount_krw,
            request,
            journaled: true,
        })
    }
}

/// A call about to be written: its kind follows from the request.
pub(crate) struct NewCall {
    pub payment_id: Option<String>,
    pub subject_id: String,
    pub key: String,
    pub amount_krw: i64,
    pub request: Request,
}

impl NewCall {
    /// The call under a fresh id; `journaled` when it is written down before it is made.
    pub(crate) fn into_call(self, journaled: bool) -> Call {
        Call {
            id: new_id("call"),
            kind: self.kind(),
            payment_id: self.payment_id,
            subject_id: self.subject_id,
            key: self.key,
            amount_krw: self.amount_krw,
            request: self.request,
            journaled,
        }
    }

    fn kind(&self) -> CallKind {
        match self.request {
            Request::Authorize { .. } => CallKind::Authorize,
            Request::Capture { .. } => CallKind::Capture,
            Request::Void { .. } => CallKind::Void,
            Request::Refund { .. } => CallKind::Refund,
            Request::Transfer { .. } => CallKind::Transfer,
            Request::Reversal { .. } => CallKind::Reversal,
            Request::Payout { .. } => CallKind::Payout,
        }
    }
}

/// Inside the use case's transaction: a local provider is asked and answered at once; for
/// any other the call is written `pending`, to be made once the transaction commits
/// ([`perform_pending`]). Returns the call.
pub(crate) async fn open(
    db: &impl ConnectionTrait,
    provider: &dyn PaymentProvider,
    new: NewCall,
) -> Result<Call> {
    let call = new.into_call(!provider.is_local());
    if !call.journaled {
        let answer = ask(provider, &call).await;
        record(db, provider, &call, answer).await?;
        return Ok(call);
    }
    write(db, provider, call).await
}

/// Writes a call `pending`, whatever the provider: for the calls a recorded answer leads to
/// (a capture's transfers, a refund's reversals), made after that answer commits.
pub(crate) async fn write_new(
    db: &impl ConnectionTrait,
    provider: &dyn PaymentProvider,
    new: NewCall,
) -> Result<Call> {
    write(db, provider, new.into_call(true)).await
}

/// Writes `call` down, `pending`.
pub(crate) async fn write(
    db: &impl ConnectionTrait,
    provider: &dyn PaymentProvider,
    mut call: Call,
) -> Result<Call> {
    let now = Utc::now();
    let request = serde_json::to_string(&call.request)
        .map_err(|e| DomainError::internal(format!("writing a provider call: {e}")))?;
    provider_call::ActiveModel {
        id: Set(call.id.clone()),
        provider: Set(provider.name().to_owned()),
        kind: Set(call.kind),
        payment_id: Set(call.payment_id.clone()),
        subject_id: Set(call.subject_id.clone()),
        idempotency_key: Set(call.key.clone()),
        amount_krw: Set(call.amount_krw),
        request: Set(request),
        state: Set(CallState::Pending),
        outcome: Set(None),
        error: Set(None),
        attempts: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    call.journaled = true;
    Ok(call)
}

/// The call itself, with no transaction open.
pub(crate) async fn ask(
    provider: &dyn PaymentProvider,
    call: &Call,
) -> std::result::Result<Answer, ProviderError> {
    let key = call.key.as_str();
    let amount = call.amount_krw;
    match &call.request {
        Request::Authorize { reference } => {
            let a: Authorization = provider
                .authorize(&AuthorizeRequest {
                    reference: reference.clone(),
                    amount_krw: amount,
                    transfer_group: reference.clone(),
                    idempotency_key: key.to_owned(),
                })
                .await?;
            Ok(Answer::Authorized {
                provider_ref: a.provider_ref,
                requires_action: a.state == AuthorizationState::RequiresAction,
                client_secret: a.client_secret,
            })
        }
        Request::Capture { provider_ref, .. } => {
            let c = provider.capture(provider_ref, amount, key).await?;
            Ok(Answer::Captured {
                charge_ref: c.charge_ref,
            })
        }
        Request::Void { provider_ref } => {
            provider.void(provider_ref, key).await?;
            Ok(Answer::Voided)
        }
        Request::Refund { provider_ref, .. } => Ok(Answer::Made {
            provider_ref: provider.refund(provider_ref, amount, key).await?,
        }),
        Request::Transfer {
            party,
            destination,
            source_charge,
            transfer_group,
        } => Ok(Answer::Made {
            provider_ref: provider
                .pay_out(&PayoutRequest {
                    party: party.clone(),
                    destination: destination.clone(),
                    amount_krw: amount,
                    source_charge: source_charge.clone(),
                    transfer_group: transfer_group.clone(),
                    idempotency_key: key.to_owned(),
                })
                .await?,
        }),
        Request::Reversal { transfer_ref } => Ok(Answer::Made {
            provider_ref: provider.reverse_payout(transfer_ref, amount, key).await?,
        }),
        Request::Payout {
            payout_id,
            party,
            destination,
        } => Ok(Answer::Made {
            provider_ref: provider
                .pay_out(&PayoutRequest {
                    party: party.clone(),
                    destination: destination.clone(),
                    amount_krw: amount,
                    source_charge: None,
                    transfer_group: None,
                    idempotency_key: payout_id.clone(),
                })
                .await?,
        }),
    }
}

/// Moves a written call from one of `from` to `to`, only if it is still there: whoever
/// moves it first records its effects, and the other changes nothing.
async fn transition(
    db: &impl ConnectionTrait,
    call_id: &str,
    from: &[CallState],
    to: CallState,
    outcome: Option<String>,
    error: Option<String>,
) -> Result<bool> {
    let moved = provider_call::Entity::update_many()
        .col_expr(provider_call::Column::State, Expr::value(to.as_str()))
        .col_expr(provider_call::Column::Outcome, Expr::value(outcome))
        .col_expr(provider_call::Column::Error, Expr::value(error))
        .col_expr(provider_call::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(provider_call::Column::Id.eq(call_id))
        .filter(provider_call::Column::State.is_in(from.iter().map(|s| s.as_str())))
        .exec(db)
        .await?;
    Ok(moved.rows_affected == 1)
}

/// Records the answer to a call and applies its effects, once. Returns the call's state
/// afterwards, or `None` if another hand had already recorded it.
pub(crate) async fn record(
    db: &impl ConnectionTrait,
    provider: &dyn PaymentProvider,
    call: &Call,
    answer: std::result::Result<Answer, ProviderError>,
) -> Result<Option<CallState>> {
    match answer {
        Ok(answer) => {
            let outcome = serde_json::to_string(&answer).ok();
            if call.journaled
                && !transition(
                    db,
                    &call.id,
                    &[CallState::Pending],
                    CallState::Done,
                    outcome,
                    None,
                )
                .await?
            {
                return Ok(None);
            }
            on_yes(db, provider, call, answer).await?;
            Ok(Some(CallState::Done))
        }
        Err(ProviderError::Declined(reason)) => {
            if call.journaled
                && !transition(
                    db,
                    &call.id,
                    &[CallState::Pending],
                    CallState::Failed,
                    None,
                    Some(reason.clone()),
                )
                .await?
            {
                return Ok(None);
            }
            on_no(db, call, &reason).await?;
            if call.journaled {
                Ok(Some(CallState::Failed))
            } else {
                Err(ProviderError::Declined(reason).into())
            }
        }
        Err(e @ ProviderError::Unavailable(_)) => {
            if !call.journaled {
                return Err(e.into());
            }
            // Left pending: made again by the use case's retry or the reconciler.
            provider_call::Entity::update_many()
                .col_expr(
                    provider_call::Column::Attempts,
                    Expr::col(provider_call::Column::Attempts).add(1),
                )
                .col_expr(provider_call::Column::Error, Expr::value(e.to_string()))
                .col_expr(provider_call::Column::UpdatedAt, Expr::value(Utc::now()))
                .filter(provider_call::Column::Id.eq(call.id.as_str()))
                .exec(db)
                .await?;
            Ok(Some(CallState::Pending))
        }
    }
}

async fn load_payment(db: &impl ConnectionTrait, call: &Call) -> Result<payment::Model> {
    payment::Entity::find_by_id(call.subject_id.as_str())
        .one(db)
        .await?
        .ok_or_else(|| DomainError::not_found("payment", &call.subject_id))
}

async fn load_transfer(db: &impl ConnectionTrait, call: &Call) -> Result<transfer::Model> {
    transfer::Entity::find_by_id(call.subject_id.as_str())
        .one(db)
        .await?
        .ok_or_else(|| DomainError::not_found("transfer", &call.subject_id))
}

/// What a yes means, per kind.
async fn on_yes(
    db: &impl ConnectionTrait,
    provider: &dyn PaymentProvider,
    call: &Call,
    answer: Answer,
) -> Result<()> {
    match (&call.request, answer) {
        (
            Request::Authorize { .. },
            Answer::Authorized {
                provider_ref,
                requires_action,
                client_secret,
            },
        ) => {
            let p = load_payment(db, call).await?;
            let status = if requires_action {
                PaymentStatus::Pending
            } else {
                PaymentStatus::Authorized
            };
            let mut active: payment::ActiveModel = p.into();
            active.provider_ref = Set(Some(provider_ref));
            active.client_secret = Set(client_secret);
            active.status = Set(status);
            active.updated_at = Set(Utc::now());
            let p = active.update(db).await?;
            if status == PaymentStatus::Authorized {
                crate::place_hold(db, &p).await?;
            }
            Ok(())
        }
        (Request::Capture { shares, .. }, Answer::Captured { charge_ref }) => {
            let p = load_payment(db, call).await?;
            crate::book_capture(db, provider, p, call.amount_krw, charge_ref, shares).await
        }
        (Request::Void { .. }, Answer::Voided) => {
            let p = load_payment(db, call).await?;
            crate::book_void(db, p).await
        }
        (
            Request::Refund {
                refund_id,
                shares,
                reason,
                ..
            },
            Answer::Made { provider_ref },
        ) => {
            let p = load_payment(db, call).await?;
            let refund = crate::BookedRefund {
                refund_id,
                provider_ref: &provider_ref,
                shares,
                reason,
                amount_krw: call.amount_krw,
            };
            crate::book_refund(db, provider, p, refund).await
        }
        (Request::Transfer { .. }, Answer::Made { provider_ref }) => {
            let t = load_transfer(db, call).await?;
            connect::book_transfer(db, provider, t, provider_ref).await
        }
        (Request::Reversal { .. }, Answer::Made { .. }) => {
            let t = load_transfer(db, call).await?;
            connect::book_reversal(db, provider, t, call.amount_krw).await
        }
        (
            Request::Payout {
                payout_id, party, ..
            },
            Answer::Made { provider_ref },
        ) => {
            crate::book_payout(
                db,
                provider,
                payout_id,
                party,
                call.amount_krw,
                provider_ref,
            )
            .await
        }
        (request, answer) => Err(DomainError::internal(format!(
            "the provider answered {answer:?} to {request:?}"
        ))),
    }
}

/// What a no means, per kind. An authorisation refused is a failed payment; a transfer or
/// reversal refused keeps its reason on the transfer (the money stays owed); a capture, void,
/// refund or payout refused is a matter for a person, said so loudly and listed for admins
/// ([`refused`]).
async fn on_no(db: &impl ConnectionTrait, call: &Call, reason: &str) -> Result<()> {
    match call.kind {
        CallKind::Authorize => {
            let p = load_payment(db, call).await?;
            let mut active: payment::ActiveModel = p.into();
            active.status = Set(PaymentStatus::Failed);
            active.updated_at = Set(Utc::now());
            active.update(db).await?;
        }
        CallKind::Transfer | CallKind::Reversal => {
            let t = load_transfer(db, call).await?;
            tracing::warn!(transfer = %t.id, kind = %call.kind, error = %reason, "the provider refused; the money stays owed");
            let mut active: transfer::ActiveModel = t.into();
            active.last_error = Set(Some(reason.to_owned()));
            active.updated_at = Set(Utc::now());
            active.update(db).await?;
        }
        CallKind::Capture | CallKind::Void | CallKind::Refund | CallKind::Payout => {
            tracing::error!(call = %call.id, kind = %call.kind, subject = %call.subject_id, error = %reason, "the payment provider refused a call; it needs a person");
        }
    }
    Ok(())
}

/// Which written calls to make.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// A payment's calls (its capture, refunds, transfers and their reversals).
    Payment(&'a str),
    /// A party's payouts.
    Party(&'a str),
    /// Every pending transfer: what a webhook or the waiting-transfer job wrote. Other hands'
    /// calls (a capture just written by a use case) are left to them.
    Transfers,
}

/// Makes the pending calls in `scope` through `provider` and records their answers: what a
/// use case runs once it has committed. A call the provider could not answer stays pending
/// for the reconciler. Returns how many were answered.
pub async fn perform_pending(
    db: &DatabaseConnection,
    provider: &dyn PaymentProvider,
    scope: Scope<'_>,
) -> Result<usize> {
    let mut answered = 0;
    // A recorded capture opens its transfers, and a refund its reversals: make them too.
    for _ in 0..4 {
        let calls = pending(db, provider, scope).await?;
        if calls.is_empty() {
            break;
        }
        let mut progressed = false;
        for call in calls {
            if call.kind == CallKind::Authorize {
                continue;
            }
            if perform(db, provider, &call).await? != Some(CallState::Pending) {
                answered += 1;
                progressed = true;
            }
        }
        if !progressed {
            break;
        }
    }
    Ok(answered)
}

async fn pending(
    db: &DatabaseConnection,
    provider: &dyn PaymentProvider,
    scope: Scope<'_>,
) -> Result<Vec<Call>> {
    let mut query = provider_call::Entity::find()
        .filter(provider_call::Column::Provider.eq(provider.name()))
        .filter(provider_call::Column::State.eq(CallState::Pending));
    query = match scope {
        Scope::Payment(id) => query.filter(provider_call::Column::PaymentId.eq(id)),
        Scope::Party(party) => query
            .filter(provider_call::Column::Kind.eq(CallKind::Payout))
            .filter(provider_call::Column::SubjectId.eq(party)),
        Scope::Transfers => query.filter(provider_call::Column::Kind.eq(CallKind::Transfer)),
    };
    query
        .order_by_asc(provider_call::Column::CreatedAt)
        .order_by_asc(provider_call::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(Call::of)
        .collect()
}

/// Makes one written call and records the answer in a transaction of its own.
pub(crate) async fn perform(
    db: &DatabaseConnection,
    provider: &dyn PaymentProvider,
    call: &Call,
) -> Result<Option<CallState>> {
    let answer = ask(provider, call).await;
    let txn = golmok_core::db::begin_write(db).await?;
    let state = record(&txn, provider, call, answer).await?;
    txn.commit().await?;
    Ok(state)
}

/// Whether a call of `kind` on `subject_id` is written and not yet answered.
pub(crate) async fn under_way(
    db: &impl ConnectionTrait,
    kinds: &[CallKind],
    subject_id: &str,
) -> Result<Vec<provider_call::Model>> {
    Ok(provider_call::Entity::find()
        .filter(provider_call::Column::SubjectId.eq(subject_id))
        .filter(provider_call::Column::Kind.is_in(kinds.iter().map(|k| k.as_str())))
        .filter(provider_call::Column::State.eq(CallState::Pending))
        .all(db)
        .await?)
}

/// Gives up an authorisation whose order will not be written (the checkout failed after
/// asking, or died): marked abandoned, then cancelled at the provider. Returns whether it is
/// undone already; if the provider cannot be reached it stays abandoned for [`reconcile`].
pub async fn abandon_authorization(
    db: &DatabaseConnection,
    provider: &dyn PaymentProvider,
    call: &Call,
    known: Option<&Authorization>,
) -> Result<bool> {
    let txn = golmok_core::db::begin_write(db).await?;
    transition(
        &txn,
        &call.id,
        &[CallState::Pending],
        CallState::Abandoned,
        None,
        None,
    )
    .await?;
    txn.commit().await?;
    undo_authorization(db, provider, call, known.map(|a| a.provider_ref.clone())).await
}

/// Cancels an abandoned authorisation. Without its PaymentIntent's id, asks for it again
/// with the same key: the provider answers with the one it made (or makes it, to be
/// cancelled at once), so none is left holding the shopper's money.
async fn undo_authorization(
    db: &DatabaseConnection,
    provider: &dyn PaymentProvider,
    call: &Call,
    provider_ref: Option<String>,
) -> Result<bool> {
    let provider_ref = match provider_ref {
        Some(r) => r,
        None => match ask(provider, call).await {
            Ok(Answer::Authorized { provider_ref, .. }) => provider_ref,
            Ok(other) => {
                return Err(DomainError::internal(format!(
                    "an authorisation answered {other:?}"
                )));
            }
            Err(ProviderError::Declined(reason)) => {
                // Nothing was held: the payment simply failed.
                let txn = golmok_core::db::begin_write(db).await?;
                if transition(
                    &txn,
                    &call.id,
                    &[CallState::Abandoned],
                    CallState::Failed,
                    None,
                    Some(reason.clone()),
                )
                .await?
                {
                    on_no(&txn, call, &reason).await?;
                }
                txn.commit().await?;
                return Ok(true);
            }
            Err(ProviderError::Unavailable(e)) => {
                tracing::warn!(call = %call.id, error = %e, "an abandoned authorisation is not cancelled yet");
                return Ok(false);
            }
        },
    };
    if let Err(e) = provider
        .void(&provider_ref, &format!("{}:undo", call.key))
        .await
    {
        tracing::warn!(call = %call.id, error = %e, "an abandoned authorisation is not cancelled yet");
        return Ok(false);
    }
    let txn = golmok_core::db::begin_write(db).await?;
    if transition(
        &txn,
        &call.id,
        &[CallState::Abandoned],
        CallState::Undone,
        serde_json::to_string(&Answer::Voided).ok(),
        None,
    )
    .await?
    {
        let p = load_payment(&txn, call).await?;
        let mut active: payment::ActiveModel = p.into();
        active.provider_ref = Set(Some(provider_ref));
        active.status = Set(PaymentStatus::Voided);
        active.updated_at = Set(Utc::now());
        active.update(&txn).await?;
    }
    txn.commit().await?;
    Ok(true)
}

/// What a reconciliation did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Reconciled {
    /// Calls made again and answered.
    pub finished: usize,
    /// Authorisations whose order never came, cancelled.
    pub undone: usize,
    /// Still waiting on the provider.
    pub waiting: usize,
}

/// Finishes what a crash (or an unreachable provider) left between writing a call and
/// recording its answer: calls pending since before `settled_before` are made again with
/// their keys and recorded; authorisations pending since before `abandoned_before` — their
/// checkout is over, so their order will never be written — are cancelled.
pub async fn reconcile(
    db: &DatabaseConnection,
    provider: &dyn PaymentProvider,
    settled_before: DateTime<Utc>,
    abandoned_before: DateTime<Utc>,
) -> Result<Reconciled> {
    let mut done = Reconciled::default();
    let stale = provider_call::Entity::find()
        .filter(provider_call::Column::Provider.eq(provider.name()))
        .filter(
            provider_call::Column::State
                .is_in([CallState::Pending.as_str(), CallState::Abandoned.as_str()]),
        )
        .filter(provider_call::Column::CreatedAt.lte(settled_before))
        .order_by_asc(provider_call::Column::CreatedAt)
        .all(db)
        .await?;
    for m in stale {
        let (state, created_at) = (m.state, m.created_at);
        let call = Call::of(m)?;
        let settled = match (call.kind, state) {
            (CallKind::Authorize, CallState::Pending) if created_at <= abandoned_before => {
                abandon_authorization(db, provider, &call, None).await?
            }
            (CallKind::Authorize, CallState::Pending) => continue,
            (CallKind::Authorize, _) => undo_authorization(db, provider, &call, None).await?,
            _ => perform(db, provider, &call).await? != Some(CallState::Pending),
        };
        match (settled, call.kind) {
            (false, _) => done.waiting += 1,
            (true, CallKind::Authorize) => done.undone += 1,
            (true, _) => done.finished += 1,
        }
    }
    Ok(done)
}

/// The kinds of call whose refusal only a person can see to (see [`on_no`]).
const NEEDS_A_PERSON: [CallKind; 4] = [
    CallKind::Capture,
    CallKind::Void,
    CallKind::Refund,
    CallKind::Payout,
];

/// A capture, void, refund or payout the provider refused: money that did not move as the
/// books say it should have, until a person sees to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RefusedCall {
    pub id: String,
    pub kind: CallKind,
    pub provider: String,
    pub payment_id: Option<String>,
    /// What the call acted on: its payment, or the party a payout was for.
    pub subject_id: String,
    pub amount_krw: i64,
    /// What the provider said.
    pub error: String,
    pub refused_at: DateTime<Utc>,
}

/// The refused calls a person must see to, newest first (by when they were written), at most
/// `limit`, those written before the call `before` if given.
pub async fn refused(
    db: &impl ConnectionTrait,
    limit: u64,
    before: Option<&str>,
) -> Result<Vec<RefusedCall>> {
    let mut query = provider_call::Entity::find()
        .filter(provider_call::Column::State.eq(CallState::Failed))
        .filter(provider_call::Column::Kind.is_in(NEEDS_A_PERSON));
    if let Some(before) = before {
        query = query.filter(provider_call::Column::Id.lt(before));
    }
    Ok(query
        .order_by_desc(provider_call::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(|c| RefusedCall {
            id: c.id,
            kind: c.kind,
            provider: c.provider,
            payment_id: c.payment_id,
            subject_id: c.subject_id,
            amount_krw: c.amount_krw,
            error: c.error.unwrap_or_default(),
            refused_at: c.updated_at,
        })
        .collect())
}

/// Written calls of a payment, oldest first: what was asked of the provider and how it went.
pub async fn calls_of(
    db: &impl ConnectionTrait,
    payment_id: &str,
) -> Result<Vec<provider_call::Model>> {
    Ok(provider_call::Entity::find()
        .filter(provider_call::Column::PaymentId.eq(payment_id))
        .order_by_asc(provider_call::Column::CreatedAt)
        .order_by_asc(provider_call::Column::Id)
        .all(db)
        .await?)
}

/// The payout row, once its call is answered.
pub(crate) async fn insert_payout(
    db: &impl ConnectionTrait,
    id: &str,
    party: &str,
    provider: &str,
    provider_ref: String,
    amount_krw: i64,
) -> Result<payout::Model> {
    Ok(payout::ActiveModel {
        id: Set(id.to_owned()),
        party: Set(party.to_owned()),
        provider: Set(provider.to_owned()),
        provider_ref: Set(Some(provider_ref)),
        amount_krw: Set(amount_krw),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await?)
}
