//! What merchants and co-delivery networks are owed and paid: the payouts statement, payouts
//! by hand, Stripe Connect onboarding, and the transfers that wait for a usable connected
//! account. A network is owed the delivery fees of the orders it carried; it is paid by hand
//! (it has no connected account).

use golmok_accounts::{Account, Role};
use golmok_core::db::begin_write;
use golmok_payments::calls::Scope;
use golmok_payments::connect::{self, ConnectedAccount, Transfer};
use golmok_payments::{Payout, ledger};
use sea_orm::prelude::*;
use serde::Serialize;

use crate::idempotency::{self, IdempotencyKey};
use crate::{DomainError, Ordering, Result, merchant_party, network_party};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MerchantPayouts {
    pub merchant_id: String,
    /// Captured sales less commission and refunds, not yet paid out.
    pub owed_krw: i64,
    pub paid_krw: i64,
    /// Of what is owed, the part waiting to leave as transfers once the merchant's connected
    /// account is usable.
    pub awaiting_transfer_krw: i64,
    pub statement: Vec<ledger::StatementLine>,
    pub payouts: Vec<Payout>,
    /// One per merchant order paid by card: sent to the connected account, or waiting for it.
    pub transfers: Vec<Transfer>,
    pub connected_account: Option<ConnectedAccount>,
}

/// What a merchant is owed and was paid, from the ledger; for its owner or an admin.
pub async fn merchant_payouts(
    db: &DatabaseConnection,
    actor: &Account,
    merchant_id: &str,
) -> Result<MerchantPayouts> {
    golmok_catalog::merchant::owned_merchant(db, actor, merchant_id).await?;
    let party = merchant_party(merchant_id);
    let payouts = golmok_payments::payouts_of(db, &party).await?;
    let transfers = connect::transfers_of(db, &party).await?;
    let sum_of = |status, amount: fn(&Transfer) -> i64| -> i64 {
        transfers
            .iter()
            .filter(|t| t.status == status)
            .map(amount)
            .sum()
    };
    let transferred = sum_of(connect::TransferStatus::Sent, |t| {
        t.amount_krw - t.reversed_krw
    });
    let awaiting = sum_of(connect::TransferStatus::AwaitingAccount, |t| t.amount_krw);
    Ok(MerchantPayouts {
        merchant_id: merchant_id.to_owned(),
        owed_krw: -ledger::balance(db, &ledger::payable(&party)).await?,
        paid_krw: payouts.iter().map(|p| p.amount_krw).sum::<i64>() + transferred,
        awaiting_transfer_krw: awaiting,
        statement: ledger::statement(db, &party).await?,
        payouts,
        transfers,
        connected_account: connect::connected_account(db, &party).await?,
    })
}

/// Pays a merchant what it is owed, through the given provider (a bank transfer offline).
/// A retry with the same key returns the first payout.
pub async fn pay_merchant(
    ctx: Ordering<'_>,
    actor: &Account,
    merchant_id: &str,
    provider: &str,
    key: Option<&IdempotencyKey>,
) -> Result<golmok_payments::Payout> {
    if actor.role != Role::Admin {
        return Err(DomainError::Forbidden(
            "only an admin pays merchants out".into(),
        ));
    }
    golmok_catalog::merchant::get_merchant(ctx.db, merchant_id).await?;
    pay_party(ctx, &merchant_party(merchant_id), provider, key).await
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NetworkPayouts {
    pub network_id: String,
    pub network_name: String,
    /// Delivery fees of captured orders less refunded ones, not yet paid out.
    pub owed_krw: i64,
    pub paid_krw: i64,
    pub statement: Vec<ledger::StatementLine>,
    pub payouts: Vec<Payout>,
}

/// What a co-delivery network is owed for the deliveries it carried and was paid, from the
/// ledger; for an admin or a coordinator of a consortium it serves.
pub async fn network_payouts(
    db: &DatabaseConnection,
    actor: &Account,
    network_id: &str,
) -> Result<NetworkPayouts> {
    let network = golmok_delivery_routing::network::get_network(db, network_id).await?;
    golmok_catalog::consortium::ensure_runs_network(db, actor, network_id).await?;
    let party = network_party(network_id);
    let payouts = golmok_payments::payouts_of(db, &party).await?;
    Ok(NetworkPayouts {
        network_id: network.id,
        network_name: network.name,
        owed_krw: -ledger::balance(db, &ledger::payable(&party)).await?,
        paid_krw: payouts.iter().map(|p| p.amount_krw).sum(),
        statement: ledger::statement(db, &party).await?,
        payouts,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct OwedParty {
    /// `merchant` or `network`.
    pub kind: String,
    pub id: String,
    pub name: String,
    pub owed_krw: i64,
    /// Of what is owed, the part waiting to leave as card-sale transfers: not to be paid by
    /// hand.
    pub awaiting_transfer_krw: i64,
}

/// Every merchant and co-delivery network owed money, most owed first: whom an admin pays
/// next.
pub async fn owed_parties(db: &DatabaseConnection, actor: &Account) -> Result<Vec<OwedParty>> {
    if actor.role != Role::Admin {
        return Err(DomainError::Forbidden(
            "only an admin reads what everyone is owed".into(),
        ));
    }
    let owed = ledger::owed_by_party(db).await?;
    let waiting = connect::waiting_by_party(db).await?;
    let merchant_ids: Vec<String> = owed
        .keys()
        .filter_map(|p| p.strip_prefix("merchant:").map(str::to_owned))
        .collect();
    let merchants: std::collections::HashMap<String, String> =
        golmok_catalog::merchant::merchants_in(db, &merchant_ids)
            .await?
            .into_iter()
            .map(|m| (m.id, m.name))
            .collect();
    let networks: std::collections::HashMap<String, String> =
        golmok_delivery_routing::network::list_networks(db)
            .await?
            .into_iter()
            .map(|n| (n.id, n.name))
            .collect();
    let mut parties: Vec<OwedParty> = owed
        .into_iter()
        .filter_map(|(party, owed_krw)| {
            let (kind, id) = party.split_once(':')?;
            let name = match kind {
                "merchant" => merchants.get(id),
                "network" => networks.get(id),
                _ => None,
            }?;
            Some(OwedParty {
                kind: kind.to_owned(),
                id: id.to_owned(),
                name: name.clone(),
                owed_krw,
                awaiting_transfer_krw: waiting.get(&party).copied().unwrap_or(0),
            })
        })
        .collect();
    parties.sort_by(|a, b| b.owed_krw.cmp(&a.owed_krw).then_with(|| a.id.cmp(&b.id)));
    Ok(parties)
}

/// Pays a co-delivery network the delivery fees it is owed, through the given provider (a
/// bank transfer offline). A retry with the same key returns the first payout.
pub async fn pay_network(
    ctx: Ordering<'_>,
    actor: &Account,
    network_id: &str,
    provider: &str,
    key: Option<&IdempotencyKey>,
) -> Result<golmok_payments::Payout> {
    if actor.role != Role::Admin {
        return Err(DomainError::Forbidden(
            "only an admin pays networks out".into(),
        ));
    }
    golmok_delivery_routing::network::get_network(ctx.db, network_id).await?;
    pay_party(ctx, &network_party(network_id), provider, key).await
}

/// Pays `party` everything it is owed: the payout written in one transaction, the provider
/// called after it commits.
async fn pay_party(
    ctx: Ordering<'_>,
    party: &str,
    provider: &str,
    key: Option<&IdempotencyKey>,
) -> Result<golmok_payments::Payout> {
    let provider = ctx.providers.require(provider)?;
    let payout = idempotency::once(ctx.db, key, |txn| async move {
        let payout = golmok_payments::pay_out(&txn, provider, party, None).await?;
        Ok((txn, payout))
    })
    .await?;
    if provider.is_local() || payout.provider_ref.is_some() {
        return Ok(payout);
    }
    golmok_payments::calls::perform_pending(ctx.db, provider, Scope::Party(&payout.party)).await?;
    Ok(golmok_payments::payouts_of(ctx.db, &payout.party)
        .await?
        .into_iter()
        .find(|p| p.id == payout.id)
        .unwrap_or(payout))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Onboarding {
    pub account: ConnectedAccount,
    /// Where the merchant finishes setting the account up; single-use, short-lived.
    pub onboarding_url: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// Links a merchant to an account at `provider` (a Stripe connected account), opening it on
/// first use, and returns the link its owner follows to finish setting it up.
pub async fn onboard_merchant(
    ctx: Ordering<'_>,
    actor: &Account,
    merchant_id: &str,
    provider: &str,
    refresh_url: &str,
    return_url: &str,
) -> Result<Onboarding> {
    let merchant = golmok_catalog::merchant::owned_merchant(ctx.db, actor, merchant_id).await?;
    if merchant.owner_id != actor.id {
        return Err(DomainError::Forbidden(
            "only the merchant's owner links its payout account".into(),
        ));
    }
    let provider = ctx.providers.get(provider).ok_or_else(|| {
        DomainError::conflict(
            "provider_not_configured",
            format!("{provider} payouts are not configured on this server"),
        )
    })?;
    let (account, link) = connect::onboard(
        ctx.db,
        provider,
        &merchant_party(merchant_id),
        refresh_url,
        return_url,
    )
    .await?;
    Ok(Onboarding {
        account,
        onboarding_url: link.url,
        expires_at: link.expires_at,
    })
}

/// Sends every transfer still waiting whose merchant's account is usable: after the
/// provider failed on an earlier try. Run periodically by the server.
pub async fn send_waiting_transfers(ctx: Ordering<'_>) -> Result<usize> {
    let mut sent = 0;
    for provider in ctx.providers.all().filter(|p| p.transfers_on_capture()) {
        let txn = begin_write(ctx.db).await?;
        sent += connect::send_waiting(&txn, provider, connect::Waiting::All).await?;
        txn.commit().await?;
        golmok_payments::calls::perform_pending(ctx.db, provider, Scope::Transfers).await?;
    }
    Ok(sent)
}
