//! Against Stripe's real test mode, when `STRIPE_SECRET_KEY` (an `sk_test_…` key) is set:
//! a manual-capture PaymentIntent in won is created with our key, confirmed with Stripe's
//! test card, captured for less than was authorised, and partly refunded. It is ignored by
//! default (CI has no internet and no key), so a run without it shows it as skipped rather
//! than passed: `STRIPE_SECRET_KEY=sk_test_… cargo nextest run --run-ignored only -p
//! golmok-payments --test stripe_test_mode`.

use golmok_payments::stripe_provider::StripeProvider;
use golmok_payments::{AuthorizeRequest, PaymentProvider};

#[tokio::test]
#[ignore = "needs Stripe's test mode: set STRIPE_SECRET_KEY=sk_test_… and run ignored tests"]
async fn a_card_payment_round_trip_in_stripe_test_mode() {
    let key = std::env::var("STRIPE_SECRET_KEY")
        .ok()
        .filter(|k| k.starts_with("sk_test_"))
        .expect("STRIPE_SECRET_KEY set to a test-mode key (sk_test_…)");
    let stripe = StripeProvider::new(&key, "https://api.stripe.com/", 0).unwrap();
    let reference = format!("golmok-test-{}", golmok_core::new_id("ord"));
    let auth = stripe
        .authorize(&AuthorizeRequest {
            reference: reference.clone(),
            amount_krw: 21_875,
            transfer_group: reference.clone(),
            idempotency_key: format!("{reference}:authorize"),
        })
        .await
        .expect("Stripe creates the PaymentIntent");
    assert!(auth.provider_ref.starts_with("pi_"));
    assert!(auth.client_secret.is_some());

    // What the shopper's app does with the client secret, done here with Stripe's test card.
    let client = stripe::ClientBuilder::new(key.as_str()).build().unwrap();
    let confirmed =
        stripe_core::payment_intent::ConfirmPaymentIntent::new(auth.provider_ref.as_str())
            .payment_method("pm_card_visa")
            .return_url("https://example.com/return")
            .send(&client)
            .await
            .expect("Stripe confirms with the test card");
    assert_eq!(
        confirmed.status,
        stripe_core::PaymentIntentStatus::RequiresCapture
    );

    let captured = stripe
        .capture(&auth.provider_ref, 20_633, &format!("{reference}:capture"))
        .await
        .expect("Stripe captures the weighed total");
    assert!(captured.charge_ref.is_some_and(|c| c.starts_with("ch_")));
    let refund = stripe
        .refund(&auth.provider_ref, 3_500, &format!("{reference}:refund"))
        .await
        .expect("Stripe refunds part of it");
    assert!(refund.starts_with("re_"));
}
