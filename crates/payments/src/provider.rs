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
    /// The captured charge the money comes from: the transfer then draws on that charge's
    /// funds, not on whatever the platform's balance holds.
    pub source_charge: Option<String>,
    /// The payment's transfer group, tying the payout to the sale in the provider's records.
    pub transfer_group: Option<String>,
    pub idempotency_key: String,
}

/// What a capture left behind at the provider.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Captured {
    /// The charge holding the captured money (Stripe's `ch_…`), when the provider has one.
    pub charge_ref: Option<String>,
}

/// Where a party goes to set up (or finish setting up) its account at the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnboardingLink {
    pub url: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
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
    /// The platform's own fee on payments through this provider, in basis points, added to
    /// the consortium's commission (a card processor's charges, say).
    fn platform_fee_bps(&self) -> u32 {
        0
    }
    /// How long an authorisation holds before the provider lets it lapse, if it does.
    fn authorization_lifetime(&self) -> Option<std::time::Duration> {
        None
    }
    /// Whether the provider answers inside the process (nothing leaves it), so a call to it
    /// may be made inside a transaction and needs no record of its own.
    fn is_local(&self) -> bool {
        false
    }
    /// Whether each merchant's share leaves as its own transfer once captured (Stripe
    /// Connect), rather than waiting for a payout by hand.
    fn transfers_on_capture(&self) -> bool {
        false
    }
    async fn authorize(&self, request: &AuthorizeRequest) -> Result<Authorization, ProviderError>;
    /// Captures `amount_krw` (at most the authorised amount); the rest of the hold is released.
    async fn capture(
        &self,
        provider_ref: &str,
        amount_krw: i64,
        idempotency_key: &str,
    ) -> Result<Captured, ProviderError>;
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
    /// Takes `amount_krw` of a payout back (a refund of what it paid for); the reversal's id.
    async fn reverse_payout(
        &self,
        payout_ref: &str,
        _amount_krw: i64,
        _idempotency_key: &str,
    ) -> Result<String, ProviderError> {
        Err(ProviderError::Declined(format!(
            "{} payouts ({payout_ref}) are not reversed through the provider",
            self.name()
        )))
    }
    /// Opens an account for `party` at the provider; its id.
    async fn create_connected_account(
        &self,
        party: &str,
        _idempotency_key: &str,
    ) -> Result<String, ProviderError> {
        Err(ProviderError::Declined(format!(
            "{} has no accounts to open for {party}",
            self.name()
        )))
    }
    /// A link for the account's owner to finish setting it up.
    async fn onboarding_link(
        &self,
        account_id: &str,
        _refresh_url: &str,
        _return_url: &str,
    ) -> Result<OnboardingLink, ProviderError> {
        Err(ProviderError::Declined(format!(
            "{} has no onboarding for {account_id}",
            self.name()
        )))
    }
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

    fn is_local(&self) -> bool {
        true
    }

    async fn authorize(&self, request: &AuthorizeRequest) -> Result<Authorization, ProviderError> {
        Ok(Authorization {
            provider_ref: format!("offline:{}", request.reference),
            state: AuthorizationState::Authorized,
            client_secret: None,
        })
    }

    async fn capture(&self, _: &str, _: i64, _: &str) -> Result<Captured, ProviderError> {
        Ok(Captured::default())
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

impl From<ProviderError> for golmok_core::DomainError {
    fn from(e: ProviderError) -> Self {
        match e {
            ProviderError::Declined(_) => golmok_core::DomainError::Declined(e.to_string()),
            ProviderError::Unavailable(cause) => {
                // The cause is the provider's own words: logged here, not told to the shopper.
                tracing::warn!(error = %cause, "payment provider unavailable");
                golmok_core::DomainError::Unavailable {
                    code: "payment_provider_unavailable",
                    detail: "the payment provider did not answer; nothing was charged, try again"
                        .into(),
                }
            }
        }
    }
}
