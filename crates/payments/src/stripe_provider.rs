//! The Stripe provider: card payments authorised with a manual-capture PaymentIntent, captured
//! for the weighed total, refunded in parts, and paid out to merchants' connected accounts
//! with Transfers in the order's transfer group. KRW is zero-decimal: amounts go as whole won.
//!
//! Every call carries an idempotency key derived from ours; a network error or a 5xx is tried
//! again with the same key, so Stripe does the work once however often we ask.

use std::collections::HashMap;
use std::time::Duration;

use stripe::{Client, ClientBuilder, StripeError, StripeRequest};
use stripe_connect::account::{
    CreateAccount, CreateAccountCapabilities, CreateAccountCapabilitiesTransfers, CreateAccountType,
};
use stripe_connect::account_link::{CreateAccountLink, CreateAccountLinkType};
use stripe_connect::transfer::CreateTransfer;
use stripe_connect::transfer_reversal::CreateIdTransferReversal;
use stripe_core::payment_intent::{CancelPaymentIntent, CapturePaymentIntent, CreatePaymentIntent};
use stripe_core::refund::CreateRefund;
use stripe_core::{PaymentIntentCaptureMethod, PaymentIntentStatus};
use stripe_types::Currency;

use crate::provider::{
    Authorization, AuthorizationState, AuthorizeRequest, Captured, OnboardingLink, PaymentProvider,
    PayoutRequest, ProviderError,
};

/// Attempts per call when Stripe cannot be reached or fails on its side.
const ATTEMPTS: u32 = 3;

/// Stripe lets an online card authorisation lapse after seven days.
const AUTHORIZATION_LIFETIME: Duration = Duration::from_secs(7 * 24 * 3600);

pub struct StripeProvider {
    client: Client,
    commission_bps: u32,
}

impl StripeProvider {
    /// A provider speaking to `api_base` (Stripe's own API, or a stand-in in tests), keeping
    /// `commission_bps` of each card sale for the platform on top of the consortium's.
    pub fn new(secret_key: &str, api_base: &str, commission_bps: u32) -> Result<Self, String> {
        let client = ClientBuilder::new(secret_key)
            .url(api_base)
            .build()
            .map_err(|e| format!("configuring the Stripe client: {e}"))?;
        Ok(Self {
            client,
            commission_bps,
        })
    }
}

fn classify(err: StripeError) -> ProviderError {
    match err {
        StripeError::Stripe(errors, status) if status >= 500 => {
            ProviderError::Unavailable(format!("Stripe answered {status}: {errors:?}"))
        }
        StripeError::Stripe(errors, status) => {
            let message = errors
                .message
                .clone()
                .unwrap_or_else(|| format!("Stripe refused the request ({status})"));
            ProviderError::Declined(message)
        }
        StripeError::ClientError(e) => ProviderError::Unavailable(e),
        StripeError::Timeout => ProviderError::Unavailable("Stripe did not answer in time".into()),
        other => ProviderError::Unavailable(other.to_string()),
    }
}

/// Runs `call` with the idempotency key `key`, again after a network error or a 5xx.
async fn with_retries<T, F, Fut>(key: &str, call: F) -> Result<T, ProviderError>
where
    F: Fn(stripe::RequestStrategy) -> Fut,
    Fut: std::future::Future<Output = Result<T, StripeError>>,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        let strategy = stripe::RequestStrategy::Idempotent(
            stripe::IdempotencyKey::new(key)
                .map_err(|e| ProviderError::Declined(format!("idempotency key: {e}")))?,
        );
        match call(strategy).await.map_err(classify) {
            Err(ProviderError::Unavailable(e)) if attempt < ATTEMPTS => {
                tracing::warn!(attempt, error = %e, "Stripe call failed; trying again with the same key");
                tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
            }
            other => return other,
        }
    }
}

#[async_trait::async_trait]
impl PaymentProvider for StripeProvider {
    fn name(&self) -> &'static str {
        "stripe"
    }

    fn platform_fee_bps(&self) -> u32 {
        self.commission_bps
    }

    fn authorization_lifetime(&self) -> Option<Duration> {
        Some(AUTHORIZATION_LIFETIME)
    }

    fn transfers_on_capture(&self) -> bool {
        true
    }

    async fn authorize(&self, request: &AuthorizeRequest) -> Result<Authorization, ProviderError> {
        let metadata: HashMap<String, String> =
            [("order_id".to_owned(), request.reference.clone())].into();
        let intent = with_retries(&request.idempotency_key, |strategy| {
            CreatePaymentIntent::new(request.amount_krw, Currency::KRW)
                .capture_method(PaymentIntentCaptureMethod::Manual)
                .transfer_group(request.transfer_group.clone())
                .metadata(metadata.clone())
                .customize()
                .request_strategy(strategy)
                .send(&self.client)
        })
        .await?;
        Ok(Authorization {
            provider_ref: intent.id.to_string(),
            state: if intent.status == PaymentIntentStatus::RequiresCapture {
                AuthorizationState::Authorized
            } else {
                AuthorizationState::RequiresAction
            },
            client_secret: intent.client_secret,
        })
    }

    async fn capture(
        &self,
        provider_ref: &str,
        amount_krw: i64,
        idempotency_key: &str,
    ) -> Result<Captured, ProviderError> {
        let intent = with_retries(idempotency_key, |strategy| {
            CapturePaymentIntent::new(provider_ref)
                .amount_to_capture(amount_krw)
                .customize()
                .request_strategy(strategy)
                .send(&self.client)
        })
        .await?;
        Ok(Captured {
            charge_ref: intent.latest_charge.map(|c| c.id().to_string()),
        })
    }

    async fn void(&self, provider_ref: &str, idempotency_key: &str) -> Result<(), ProviderError> {
        with_retries(idempotency_key, |strategy| {
            CancelPaymentIntent::new(provider_ref)
                .customize()
                .request_strategy(strategy)
                .send(&self.client)
        })
        .await
        .map(|_| ())
    }

    async fn refund(
        &self,
        provider_ref: &str,
        amount_krw: i64,
        idempotency_key: &str,
    ) -> Result<String, ProviderError> {
        with_retries(idempotency_key, |strategy| {
            CreateRefund::new()
                .payment_intent(provider_ref)
                .amount(amount_krw)
                .customize()
                .request_strategy(strategy)
                .send(&self.client)
        })
        .await
        .map(|refund| refund.id.to_string())
    }

    async fn pay_out(&self, request: &PayoutRequest) -> Result<String, ProviderError> {
        let Some(destination) = &request.destination else {
            return Err(ProviderError::Declined(format!(
                "{} has no connected Stripe account yet",
                request.party
            )));
        };
        let metadata: HashMap<String, String> =
            [("party".to_owned(), request.party.clone())].into();
        with_retries(&request.idempotency_key, |strategy| {
            let mut transfer = CreateTransfer::new(Currency::KRW, destination.clone())
                .amount(request.amount_krw)
                .metadata(metadata.clone());
            if let Some(charge) = &request.source_charge {
                transfer = transfer.source_transaction(charge.clone());
            }
            if let Some(group) = &request.transfer_group {
                transfer = transfer.transfer_group(group.clone());
            }
            transfer
                .customize()
                .request_strategy(strategy)
                .send(&self.client)
        })
        .await
        .map(|transfer| transfer.id.to_string())
    }

    async fn reverse_payout(
        &self,
        payout_ref: &str,
        amount_krw: i64,
        idempotency_key: &str,
    ) -> Result<String, ProviderError> {
        with_retries(idempotency_key, |strategy| {
            CreateIdTransferReversal::new(payout_ref)
                .amount(amount_krw)
                .customize()
                .request_strategy(strategy)
                .send(&self.client)
        })
        .await
        .map(|reversal| reversal.id.to_string())
    }

    async fn create_connected_account(
        &self,
        party: &str,
        idempotency_key: &str,
    ) -> Result<String, ProviderError> {
        let metadata: HashMap<String, String> = [("party".to_owned(), party.to_owned())].into();
        let mut capabilities = CreateAccountCapabilities::new();
        capabilities.transfers = Some(CreateAccountCapabilitiesTransfers {
            requested: Some(true),
        });
        with_retries(idempotency_key, |strategy| {
            CreateAccount::new()
                .type_(CreateAccountType::Express)
                .capabilities(capabilities)
                .metadata(metadata.clone())
                .customize()
                .request_strategy(strategy)
                .send(&self.client)
        })
        .await
        .map(|account| account.id.to_string())
    }

    async fn onboarding_link(
        &self,
        account_id: &str,
        refresh_url: &str,
        return_url: &str,
    ) -> Result<OnboardingLink, ProviderError> {
        // Account links are single-use and short-lived: each request is meant to make a new
        // one, so each gets its own key (retries of it still share that key).
        let link = with_retries(
            &format!("{account_id}:link:{}", golmok_core::new_id("l")),
            |strategy| {
                CreateAccountLink::new(account_id, CreateAccountLinkType::AccountOnboarding)
                    .refresh_url(refresh_url)
                    .return_url(return_url)
                    .customize()
                    .request_strategy(strategy)
                    .send(&self.client)
            },
        )
        .await?;
        Ok(OnboardingLink {
            url: link.url,
            expires_at: chrono::DateTime::from_timestamp(link.expires_at, 0)
                .unwrap_or_else(chrono::Utc::now),
        })
    }
}
