//! Stripe webhooks: the signature is checked with Stripe's scheme (HMAC-SHA256 over
//! `{timestamp}.{payload}` with the endpoint secret, within a timestamp tolerance), each event
//! is recorded by id so a redelivery changes nothing, and payments move only along their own
//! state machine, so events arriving late or out of order cannot move one backwards.

use chrono::Utc;
use golmok_core::ValidationErrors;
use hmac::{Hmac, KeyInit, Mac};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, DatabaseTransaction};
use sha2_hmac::Sha256;

use crate::entities::{payment, stripe_event};
use crate::{DomainError, PaymentProvider, PaymentStatus, connect};

/// How old a signature may be: Stripe's own default.
pub const TOLERANCE_SECS: i64 = 300;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignatureError {
    #[error("the Stripe-Signature header is missing or malformed")]
    Malformed,
    #[error("the signature does not match this endpoint's secret")]
    Mismatch,
    #[error("the signature is too old")]
    Expired,
}

/// Checks `header` (`t=…,v1=…[,v1=…]`) against `payload` and `secret` at `now` (unix seconds).
pub fn verify_signature(
    payload: &[u8],
    header: &str,
    secret: &str,
    now: i64,
) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", s)) => signatures.extend(hex::decode(s).ok()),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    let matches = signatures.iter().any(|sig| {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
            return false;
        };
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(payload);
        mac.verify_slice(sig).is_ok()
    });
    if !matches {
        return Err(SignatureError::Mismatch);
    }
    if (now - timestamp).abs() > TOLERANCE_SECS {
        return Err(SignatureError::Expired);
    }
    Ok(())
}

/// The header Stripe would send for `payload` at `timestamp`: for tests and stand-ins.
pub fn sign(payload: &[u8], secret: &str, timestamp: i64) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handled {
    /// Recorded and applied.
    Applied,
    /// Seen before (a redelivery): nothing changed.
    Duplicate,
}

/// Records a verified event and applies it to the payment or connected account it concerns.
/// `provider` is the Stripe provider, for the transfers an account update lets leave.
pub async fn handle_event(
    db: &DatabaseConnection,
    provider: &dyn PaymentProvider,
    payload: &[u8],
) -> Result<Handled, DomainError> {
    let event: serde_json::Value = serde_json::from_slice(payload)
        .map_err(|e| ValidationErrors::single("event", format!("is not JSON: {e}")))?;
    let (Some(id), Some(kind)) = (event["id"].as_str(), event["type"].as_str()) else {
        return Err(ValidationErrors::single("event", "has no id or type").into());
    };
    let txn = golmok_core::db::begin_write(db).await?;
    let recorded = stripe_event::ActiveModel {
        id: Set(id.to_owned()),
        kind: Set(kind.to_owned()),
        received_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await;
    match recorded {
        Ok(_) => {}
        Err(e) if golmok_core::error::is_unique_violation(&e) => {
            return Ok(Handled::Duplicate);
        }
        Err(e) => return Err(e.into()),
    }
    let object = &event["data"]["object"];
    if kind == "account.updated"
        && let Some(account_id) = object["id"].as_str()
    {
        let as_of = event["created"]
            .as_i64()
            .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
            .unwrap_or_else(Utc::now);
        connect::account_updated(&txn, provider, account_id, takes_transfers(object), as_of)
            .await?;
    }
    let intent_id = match kind {
        k if k.starts_with("payment_intent.") => object["id"].as_str(),
        "charge.refunded" => object["payment_intent"].as_str(),
        _ => None,
    };
    if let Some(intent_id) = intent_id
        && let Some(p) = payment::Entity::find()
            .filter(payment::Column::Provider.eq("stripe"))
            .filter(payment::Column::ProviderRef.eq(intent_id))
            .one(&txn)
            .await?
    {
        apply_to_payment(&txn, provider, kind, object, p).await?;
    }
    txn.commit().await?;
    // The transfers an event let go were written; they leave now, with no transaction open.
    crate::calls::perform_pending(db, provider, crate::calls::Scope::Transfers).await?;
    Ok(Handled::Applied)
}

/// A PaymentIntent's or charge's event on the payment it concerns: the charge a capture did
/// not name, a refund made outside Golmok (logged), or a status Stripe moved.
async fn apply_to_payment(
    txn: &DatabaseTransaction,
    provider: &dyn PaymentProvider,
    kind: &str,
    object: &serde_json::Value,
    p: payment::Model,
) -> Result<(), DomainError> {
    if kind == "payment_intent.succeeded"
        && p.charge_ref.is_none()
        && let Some(charge) = object["latest_charge"].as_str()
    {
        // The capture's answer did not name its charge: this event does, and the
        // transfers waiting on it can leave.
        let payment_id = p.id.clone();
        let mut active: payment::ActiveModel = p.clone().into();
        active.charge_ref = Set(Some(charge.to_owned()));
        active.update(txn).await?;
        connect::send_waiting(txn, provider, connect::Waiting::OfPayment(&payment_id)).await?;
    }
    if kind == "charge.refunded"
        && object["amount_refunded"]
            .as_i64()
            .is_some_and(|refunded| refunded > p.refunded_krw)
    {
        tracing::warn!(payment = %p.id, "refunded at Stripe beyond what Golmok recorded (the dashboard?)");
    }
    let current = p.status;
    let next = match (kind, current) {
        ("payment_intent.amount_capturable_updated", PaymentStatus::Pending) => {
            PaymentStatus::Authorized
        }
        ("payment_intent.payment_failed", PaymentStatus::Pending) => PaymentStatus::Failed,
        ("payment_intent.canceled", PaymentStatus::Pending | PaymentStatus::Authorized) => {
            PaymentStatus::Voided
        }
        // Captures and refunds are recorded when we make them; their events confirm them.
        _ => return Ok(()),
    };
    if next == PaymentStatus::Authorized {
        crate::place_hold(txn, &p).await?;
    }
    if current == PaymentStatus::Authorized && next == PaymentStatus::Voided {
        crate::release_hold(txn, &p).await?;
    }
    let mut active: payment::ActiveModel = p.into();
    active.status = Set(next);
    active.updated_at = Set(Utc::now());
    active.update(txn).await?;
    Ok(())
}

/// Whether an Account object says transfers may be sent to it: its `transfers` capability
/// is active (older accounts without capabilities: payouts are enabled).
fn takes_transfers(account: &serde_json::Value) -> bool {
    match account["capabilities"]["transfers"].as_str() {
        Some(state) => state == "active",
        None => account["payouts_enabled"].as_bool().unwrap_or(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_only_with_the_secret_and_in_time() {
        let payload = br#"{"id":"evt_1","type":"payment_intent.succeeded"}"#;
        let header = sign(payload, "whsec_right", 1_790_000_000);
        assert_eq!(
            verify_signature(payload, &header, "whsec_right", 1_790_000_010),
            Ok(())
        );
        assert_eq!(
            verify_signature(payload, &header, "whsec_wrong", 1_790_000_010),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature(payload, &header, "whsec_right", 1_790_000_000 + 301),
            Err(SignatureError::Expired)
        );
        assert_eq!(
            verify_signature(b"{}", &header, "whsec_right", 1_790_000_010),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature(payload, "v1=abc", "whsec_right", 0),
            Err(SignatureError::Malformed)
        );
        // Stripe may send several v1 signatures while a secret is rolled.
        let rolled = format!("{header},v1={}", "00".repeat(32));
        assert_eq!(
            verify_signature(payload, &rolled, "whsec_right", 1_790_000_010),
            Ok(())
        );
    }
}
