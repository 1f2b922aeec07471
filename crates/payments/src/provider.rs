//! Payment providers. The trait is shaped for card processors that authorise now and
//! capture later (Stripe's manual capture): one authorisation per order, one capture of a
//! final amount no larger than what was authorised, partial refunds, and payouts to each
//! merchant tied to the order's transfer group. Every call carries an idempotency key
//! derived from ours, so a retried call never charges twice.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeRequest {
    /// What the money is for (an order id); shown in the processor's dashboard.
    pub reference: String,
    pub amount_krw: i64,
    /// Groups the later payouts of this payment.
    pub transfer_group: String,
    pub idempotency_key: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthorizationState {
    /// Funds are held; capture may follow.
    Authorized,
    /// The shopper must still act (enter the card, 3-D Secure); a webhook confirms later.
    RequiresAction,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    pub provider_ref: String,
    pub state: AuthorizationState,
    /// Handed to the shopper's app to complete a card payment, when the provider needs one.
    pub client_secret: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutRequest {
    /// Who is paid, as a ledger party (`merchant:mer_…`).
    pub party: String,
    /// The party's account at the provider (a Stripe connected account), if it has one.
    pub destination: Option<String>,
    pub amount_krw: i64,
    pub idempotency_key: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The card or account said no; retrying will not help.
    #[error("payment declined: {0}")]
    Declined(String),
    /// The provider could not be reached or failed; the same call may be retried.
    #[error("payment provider unavailable: {0}")]
    Unavailable(String),
}

#[async_trait::async_trait]
pub trait PaymentProvider: Send + Sync {
    /// `offline`, `stripe`: stored on each payment, chosen by the shopper at checkout.
    fn name(&self) -> &'static str;
    async fn authorize(&self, request: &AuthorizeRequest) -> Result<Authorization, ProviderError>;
    /// Captures `amount_krw` (at most the authorised amount); the rest of the hold is released.
    async fn capture(
        &self,
        provider_ref: &str,
        amount_krw: i64,
        idempotency_key: &str,
    ) -> Result<(), ProviderError>;
    /// Releases the whole hold without charging.
    async fn void(&self, provider_ref: &str, idempotency_key: &str) -> Result<(), ProviderError>;
    /// Returns `amount_krw` of a capture to the shopper; the provider's refund id.
    async fn refund(
        &self,
        provider_ref: &str,
        amount_krw: i64,
        idempotency_key: &str,
    ) -> Result<String, ProviderError>;
    /// Sends money to a merchant; the provider's transfer id.
    async fn pay_out(&self, request: &PayoutRequest) -> Result<String, ProviderError>;
}

/// The embedded default: pay at delivery or by bank transfer. Nothing leaves the process;
/// the "authorisation" is the shopper's commitment to pay the weighed total, the capture fixes
/// what they owe, an admin marks the money received, and payouts are bank transfers the
/// platform makes by hand and records here.
#[derive(Debug, Default, Clone, Copy)]
pub struct OfflineProvider;

#[async_trait::async_trait]
impl PaymentProvider for OfflineProvider {
    fn name(&self) -> &'static str {
        "offline"
    }

    async fn authorize(&self, request: &AuthorizeRequest) -> Result<Authorization, ProviderError> {
        Ok(Authorization {
            provider_ref: format!("offline:{}", request.reference),
            state: AuthorizationState::Authorized,
            client_secret: None,
        })
    }

    async fn capture(&self, _: &str, _: i64, _: &str) -> Result<(), ProviderError> {
        Ok(())
    }

    async fn void(&self, _: &str, _: &str) -> Result<(), ProviderError> {
        Ok(())
    }

    async fn refund(
        &self,
        provider_ref: &str,
        _: i64,
        idempotency_key: &str,
    ) -> Result<String, ProviderError> {
        Ok(format!("{provider_ref}:refund:{idempotency_key}"))
    }

    async fn pay_out(&self, request: &PayoutRequest) -> Result<String, ProviderError> {
        Ok(format!("bank-transfer:{}", request.idempotency_key))
    }
}
