//! Payouts through the provider's connected accounts (Stripe Connect).
//!
//! Each party (a merchant) may link one account at the provider. When a payment through a
//! provider that [transfers on capture](crate::PaymentProvider::transfers_on_capture) is
//! captured, each part of the sale (a merchant order) gets one transfer of its share less the
//! commission, drawn on the captured charge and in the payment's transfer group. A transfer
//! waits while its party has no usable account — the money stays owed in the ledger — and
//! leaves when the account becomes usable. A refund of a part takes its share back: from the
//! waiting transfer, or by reversing the sent one.
//!
//! Every provider call carries a key derived from the state it acts on (payment, part,
//! amount), so a use case rolled back after the provider acted repeats the same call, and the
//! provider does the work once.

use chrono::{DateTime, Utc};
use golmok_core::new_id;
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder};
use serde::Serialize;

use crate::calls::{self, CallKind};
use crate::entities::{connected_account, payment, transfer};
use crate::provider::{OnboardingLink, PaymentProvider};
use crate::{DomainError, Result, Share, ledger};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TransferStatus {
    /// The party has no usable account yet: the money stays owed in the ledger.
    AwaitingAccount,
    Sent,
    /// Refunds took all of it before it left.
    Cancelled,
}

impl TransferStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TransferStatus::AwaitingAccount => "awaiting_account",
            TransferStatus::Sent => "sent",
            TransferStatus::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        match s {
            "awaiting_account" => Ok(TransferStatus::AwaitingAccount),
            "sent" => Ok(TransferStatus::Sent),
            "cancelled" => Ok(TransferStatus::Cancelled),
            other => Err(DomainError::Internal(format!(
                "stored transfer status {other}"
            ))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ConnectedAccount {
    pub party: String,
    pub provider: String,
    pub account_id: String,
    /// Whether the provider accepts transfers to it yet (onboarding finished and verified).
    pub transfers_enabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Transfer {
    pub id: String,
    pub payment_id: String,
    pub party: String,
    /// The part of the sale it pays for (a merchant order id).
    pub part_reference: String,
    pub amount_krw: i64,
    /// Taken back by refunds after it was sent.
    pub reversed_krw: i64,
    pub status: TransferStatus,
    pub provider_ref: Option<String>,
    /// Why the last attempt to send or reverse it failed, if it did.
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
}

fn account_from(m: connected_account::Model) -> ConnectedAccount {
    ConnectedAccount {
        party: m.party,
        provider: m.provider,
        account_id: m.account_id,
        transfers_enabled: m.transfers_enabled,
    }
}

fn transfer_from(m: transfer::Model) -> Result<Transfer> {
    Ok(Transfer {
        status: TransferStatus::parse(&m.status)?,
        id: m.id,
        payment_id: m.payment_id,
        party: m.party,
        part_reference: m.part_reference,
        amount_krw: m.amount_krw,
        reversed_krw: m.reversed_krw,
        provider_ref: m.provider_ref,
        last_error: m.last_error,
        created_at: m.created_at,
    })
}

pub async fn connected_account(
    db: &impl ConnectionTrait,
    party: &str,
) -> Result<Option<ConnectedAccount>> {
    Ok(connected_account::Entity::find_by_id(party)
        .one(db)
        .await?
        .map(account_from))
}

/// Opens `party`'s account at `provider` unless it has one, and returns a link for the party
/// to finish (or resume) setting it up. No transaction is open while the provider is asked:
/// the account is opened under a key derived from the party (asked twice, it is opened once)
/// and recorded after.
pub async fn onboard(
    db: &DatabaseConnection,
    provider: &dyn PaymentProvider,
    party: &str,
    refresh_url: &str,
    return_url: &str,
) -> Result<(ConnectedAccount, OnboardingLink)> {
    let account = match connected_account::Entity::find_by_id(party).one(db).await? {
        Some(existing) if existing.provider == provider.name() => existing,
        Some(existing) => {
            return Err(DomainError::conflict(
                "connected_elsewhere",
                format!("{party} already has an account at {}", existing.provider),
            ));
        }
        None => {
            let account_id = provider
                .create_connected_account(party, &format!("{party}:connected-account"))
                .await?;
            let now = Utc::now();
            let opened = connected_account::ActiveModel {
                party: Set(party.to_owned()),
                provider: Set(provider.name().to_owned()),
                account_id: Set(account_id),
                transfers_enabled: Set(false),
                state_as_of: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(db)
            .await;
            match opened {
                Ok(account) => account,
                // A second click recorded the same account first.
                Err(e) if golmok_core::error::is_unique_violation(&e) => {
                    connected_account::Entity::find_by_id(party)
                        .one(db)
                        .await?
                        .ok_or_else(|| DomainError::not_found("connected account", party))?
                }
                Err(e) => return Err(e.into()),
            }
        }
    };
    let link = provider
        .onboarding_link(&account.account_id, refresh_url, return_url)
        .await?;
    Ok((account_from(account), link))
}

/// The provider's word on an account (a webhook): whether it takes transfers, as of `as_of`.
/// An older word than the one recorded changes nothing. When the account becomes usable, its
/// waiting transfers leave; returns how many did.
pub async fn account_updated(
    db: &impl ConnectionTrait,
    provider: &dyn PaymentProvider,
    account_id: &str,
    transfers_enabled: bool,
    as_of: DateTime<Utc>,
) -> Result<usize> {
    let Some(account) = connected_account::Entity::find()
        .filter(connected_account::Column::AccountId.eq(account_id))
        .one(db)
        .await?
    else {
        return Ok(0);
    };
    if account.state_as_of.is_some_and(|known| known > as_of) {
        return Ok(0);
    }
    let party = account.party.clone();
    let mut active: connected_account::ActiveModel = account.into();
    active.transfers_enabled = Set(transfers_enabled);
    active.state_as_of = Set(Some(as_of));
    active.updated_at = Set(Utc::now());
    active.update(db).await?;
    if !transfers_enabled {
        return Ok(0);
    }
    send_waiting(db, provider, Waiting::OfParty(&party)).await
}

/// At capture: one waiting transfer per part of the sale, for its share less commission.
pub(crate) async fn open_transfers(
    db: &impl ConnectionTrait,
    payment_id: &str,
    shares: &[Share],
) -> Result<()> {
    let now = Utc::now();
    for s in shares {
        let (Some(part), net) = (&s.part_reference, s.gross_krw - s.commission_krw) else {
            continue;
        };
        if net <= 0 {
            continue;
        }
        transfer::ActiveModel {
            id: Set(new_id("trf")),
            payment_id: Set(payment_id.to_owned()),
            party: Set(s.party.clone()),
            part_reference: Set(part.clone()),
            amount_krw: Set(net),
            reversed_krw: Set(0),
            status: Set(TransferStatus::AwaitingAccount.as_str().to_owned()),
            provider_ref: Set(None),
            last_error: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Which waiting transfers to try.
#[derive(Debug, Clone, Copy)]
pub enum Waiting<'a> {
    OfPayment(&'a str),
    OfParty(&'a str),
    /// Every one whose account is usable: the periodic retry after the provider failed.
    All,
}

/// Sends the chosen waiting transfers whose party has a usable account at `provider`: each
/// one's call is written (once: not while one is under way), to be made after the caller
/// commits. A provider failure leaves the transfer waiting with the reason, for the next
/// attempt; it never undoes the capture or account change that led here. Returns how many
/// were sent on their way.
pub async fn send_waiting(
    db: &impl ConnectionTrait,
    provider: &dyn PaymentProvider,
    which: Waiting<'_>,
) -> Result<usize> {
    let mut query = transfer::Entity::find()
        .filter(transfer::Column::Status.eq(TransferStatus::AwaitingAccount.as_str()));
    query = match which {
        Waiting::OfPayment(p) => query.filter(transfer::Column::PaymentId.eq(p)),
        Waiting::OfParty(p) => query.filter(transfer::Column::Party.eq(p)),
        Waiting::All => query,
    };
    let mut sent = 0;
    for t in query.order_by_asc(transfer::Column::Id).all(db).await? {
        let Some(account) = connected_account::Entity::find_by_id(t.party.as_str())
            .one(db)
            .await?
            .filter(|a| a.transfers_enabled && a.provider == provider.name())
        else {
            continue;
        };
        let p = payment::Entity::find_by_id(t.payment_id.as_str())
            .one(db)
            .await?
            .ok_or_else(|| DomainError::not_found("payment", &t.payment_id.clone()))?;
        if p.provider != provider.name()
            || !calls::under_way(db, &[CallKind::Transfer], &t.id)
                .await?
                .is_empty()
        {
            continue;
        }
        calls::write_new(
            db,
            provider,
            calls::NewCall {
                payment_id: Some(p.id.clone()),
                subject_id: t.id.clone(),
                key: format!(
                    "{}:{}:transfer:{}",
                    t.payment_id, t.part_reference, t.amount_krw
                ),
                amount_krw: t.amount_krw,
                request: calls::Request::Transfer {
                    party: t.party.clone(),
                    destination: Some(account.account_id),
                    source_charge: p.charge_ref.clone(),
                    transfer_group: Some(p.reference.clone()),
                },
            },
        )
        .await?;
        sent += 1;
    }
    Ok(sent)
}

/// A transfer's answer: the party's share paid from clearing, the transfer sent.
pub(crate) async fn book_transfer(
    db: &impl ConnectionTrait,
    provider: &dyn PaymentProvider,
    t: transfer::Model,
    provider_ref: String,
) -> Result<()> {
    ledger::post(
        db,
        "transfer",
        &t.id,
        &[
            (ledger::payable(&t.party), t.amount_krw),
            (ledger::clearing(provider.name()), -t.amount_krw),
        ],
    )
    .await?;
    let mut active: transfer::ActiveModel = t.into();
    active.status = Set(TransferStatus::Sent.as_str().to_owned());
    active.provider_ref = Set(Some(provider_ref));
    active.last_error = Set(None);
    active.updated_at = Set(Utc::now());
    active.update(db).await?;
    Ok(())
}

/// At a refund of a part of the sale: its party's share comes back from the part's transfer,
/// cut from it while it waits, reversed once sent (the reversal's call written here, made
/// after the caller commits). A reversal the provider refuses (the money has left the
/// account) leaves the party owing it in the ledger.
pub(crate) async fn take_back(
    db: &impl ConnectionTrait,
    provider: &dyn PaymentProvider,
    payment_id: &str,
    share: &Share,
) -> Result<()> {
    let net = share.gross_krw - share.commission_krw;
    let Some(part) = &share.part_reference else {
        return Ok(());
    };
    if net <= 0 {
        return Ok(());
    }
    let Some(t) = transfer::Entity::find()
        .filter(transfer::Column::PaymentId.eq(payment_id))
        .filter(transfer::Column::PartReference.eq(part.as_str()))
        .one(db)
        .await?
    else {
        return Ok(());
    };
    match TransferStatus::parse(&t.status)? {
        TransferStatus::Cancelled => Ok(()),
        TransferStatus::AwaitingAccount => {
            let left = (t.amount_krw - net).max(0);
            let mut active: transfer::ActiveModel = t.into();
            active.amount_krw = Set(left);
            if left == 0 {
                active.status = Set(TransferStatus::Cancelled.as_str().to_owned());
            }
            active.updated_at = Set(Utc::now());
            active.update(db).await?;
            Ok(())
        }
        TransferStatus::Sent => {
            let reversing: i64 = calls::under_way(db, &[CallKind::Reversal], &t.id)
                .await?
                .iter()
                .map(|c| c.amount_krw)
                .sum();
            let taken = t.reversed_krw + reversing;
            let take = net.min(t.amount_krw - taken);
            if take <= 0 {
                return Ok(());
            }
            calls::write_new(
                db,
                provider,
                calls::NewCall {
                    payment_id: Some(payment_id.to_owned()),
                    subject_id: t.id.clone(),
                    key: format!("{}:reversal:{taken}:{take}", t.id),
                    amount_krw: take,
                    request: calls::Request::Reversal {
                        transfer_ref: t.provider_ref.clone().unwrap_or_default(),
                    },
                },
            )
            .await?;
            Ok(())
        }
    }
}

/// A reversal's answer: the share back in clearing, the party's balance owed again less it.
pub(crate) async fn book_reversal(
    db: &impl ConnectionTrait,
    provider: &dyn PaymentProvider,
    t: transfer::Model,
    take: i64,
) -> Result<()> {
    ledger::post(
        db,
        "transfer_reversal",
        &t.id,
        &[
            (ledger::clearing(provider.name()), take),
            (ledger::payable(&t.party), -take),
        ],
    )
    .await?;
    let reversed = t.reversed_krw + take;
    let mut active: transfer::ActiveModel = t.into();
    active.reversed_krw = Set(reversed);
    active.last_error = Set(None);
    active.updated_at = Set(Utc::now());
    active.update(db).await?;
    Ok(())
}

/// What of a party's owed balance is waiting to leave as transfers: not to be paid by hand.
pub async fn waiting_krw(db: &impl ConnectionTrait, party: &str) -> Result<i64> {
    Ok(waiting_by_party_where(db, Some(party))
        .await?
        .into_values()
        .sum())
}

/// [`waiting_krw`] of every party with a transfer waiting.
pub async fn waiting_by_party(
    db: &impl ConnectionTrait,
) -> Result<std::collections::BTreeMap<String, i64>> {
    waiting_by_party_where(db, None).await
}

/// Transfers waiting for an account, summed by party in the database (one party's, or all).
async fn waiting_by_party_where(
    db: &impl ConnectionTrait,
    party: Option<&str>,
) -> Result<std::collections::BTreeMap<String, i64>> {
    use sea_orm::QuerySelect;
    use sea_orm::sea_query::Expr;
    let mut query = transfer::Entity::find()
        .select_only()
        .column(transfer::Column::Party)
        // `SUM` of a bigint is a numeric on PostgreSQL: cast back.
        .column_as(Expr::cust("CAST(SUM(amount_krw) AS BIGINT)"), "waiting")
        .filter(transfer::Column::Status.eq(TransferStatus::AwaitingAccount.as_str()))
        .group_by(transfer::Column::Party);
    if let Some(party) = party {
        query = query.filter(transfer::Column::Party.eq(party));
    }
    let rows: Vec<(String, i64)> = query.into_tuple().all(db).await?;
    Ok(rows.into_iter().collect())
}

pub async fn transfers_of(db: &impl ConnectionTrait, party: &str) -> Result<Vec<Transfer>> {
    transfer::Entity::find()
        .filter(transfer::Column::Party.eq(party))
        .order_by_asc(transfer::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(transfer_from)
        .collect()
}
