//! A weighed line that comes to more than the payment holds: the shop asks the shopper, who
//! approves (the payment grows: offline at once, a card by a second manual-capture
//! PaymentIntent captured with the rest) or declines (the line is cut to what fits); no
//! answer within the shop's waiting time cuts it too. The order cannot be marked ready while
//! the question is open, and nobody but the order's shopper answers it.

use golmok_e2e::stripe_stand_in::StripeStandIn;
use golmok_e2e::{Engine, TestApp, on_both_databases, on_both_engines};
use golmok_ordering::approvals::ApprovalStatus;
use golmok_ordering::entities::weight_approval;
use reqwest::Method;
use sea_orm::prelude::*;
use serde_json::{Value, json};

use crate::ordering::{Market, act, created, id_of, market, ok, place_pickup, stock};

on_both_databases!(a_shopper_approves_declines_or_lets_the_question_lapse);
on_both_engines!(a_card_pays_the_difference_by_a_second_payment_intent);

/// 500 g of rice at 900 won per 100 g: 4,500 won, authorised with 15% for the scale (5,175).
const AUTHORIZED: i64 = 5_175;
/// The scale says 700 g: 6,300 won, 1,125 over; 575 g is the most that fits.
const WEIGHED: i64 = 700;
const WEIGHED_KRW: i64 = 6_300;
const EXTRA: i64 = 1_125;
const FITS: i64 = 575;

/// A rice order accepted by the grain shop and weighed over what it holds, the shopper
/// asked: (merchant order, line, the order as the shop's answer showed it).
async fn asked(app: &TestApp, m: &Market, order: &Value) -> (String, String, Value) {
    let grocer = &m.shops[1].0;
    let part = id_of(&order["merchant_orders"][0]);
    let line = id_of(&order["merchant_orders"][0]["lines"][0]);
    ok(act(app, grocer, &part, "accept", None).await).await;
    let scale = json!({"lines": [{"line_id": line, "net_quantity": WEIGHED}]});
    act(app, grocer, &part, "weigh", Some(scale.clone()))
        .await
        .assert_problem(409, "exceeds_authorization");
    let mut ask = scale;
    ask["if_over"] = json!("ask");
    let weighed = ok(act(app, grocer, &part, "weigh", Some(ask)).await).await;
    (part, line, weighed)
}

async fn answer(
    app: &TestApp,
    token: &str,
    part: &str,
    line: &str,
    decision: &str,
) -> golmok_e2e::Reply {
    app.call(
        Method::POST,
        &format!("/v1/merchant-orders/{part}/lines/{line}/approval"),
        Some(token),
        Some(&json!({"decision": decision})),
    )
    .await
}

async fn order_of(app: &TestApp, shopper: &str, order: &Value) -> Value {
    ok(app
        .get(&format!("/v1/orders/{}", id_of(order)), Some(shopper))
        .await)
    .await
}

async fn a_shopper_approves_declines_or_lets_the_question_lapse(app: TestApp) {
    let m = market(&app, 30).await;
    let grocer = m.shops[1].0.clone();
    let (shopper, _) = app.sign_up("shopper").await;
    let (stranger, _) = app.sign_up("shopper").await;
    let rice = json!([{"listing_id": m.rice, "quantity": 500}]);

    // Approved: the payment holds (and takes) what the scale said.
    let order = place_pickup(&app, &shopper, &m, rice.clone()).await;
    assert_eq!(order["authorized_krw"], AUTHORIZED);
    let (part, line, weighed) = asked(&app, &m, &order).await;
    let approval = &weighed["lines"][0]["approval"];
    assert_eq!(approval["status"], "asked");
    assert_eq!(approval["weighed_quantity"], WEIGHED);
    assert_eq!(approval["extra_krw"], EXTRA);
    assert_eq!(approval["fits_quantity"], FITS);
    assert_eq!(weighed["lines"][0]["amount_krw"], WEIGHED_KRW);
    assert_eq!(stock(&app, &m.rice).await, 10_000 - WEIGHED);
    act(&app, &grocer, &part, "ready", None)
        .await
        .assert_problem(409, "awaiting_approval");
    // Only the order's shopper answers; the shop and strangers learn nothing.
    answer(&app, &stranger, &part, &line, "approve")
        .await
        .assert_problem(404, "not_found");
    answer(&app, &grocer, &part, &line, "approve")
        .await
        .assert_problem(404, "not_found");
    answer(&app, &shopper, &part, &line, "maybe")
        .await
        .assert_problem(422, "validation_failed");
    let approved = ok(answer(&app, &shopper, &part, &line, "approve").await).await;
    assert_eq!(approved["authorized_krw"], WEIGHED_KRW);
    assert_eq!(
        approved["merchant_orders"][0]["lines"][0]["approval"]["status"],
        "approved"
    );
    answer(&app, &shopper, &part, &line, "decline")
        .await
        .assert_problem(409, "approval_answered");
    ok(act(&app, &grocer, &part, "ready", None).await).await;
    let settled = order_of(&app, &shopper, &order).await;
    assert_eq!(settled["payment"]["status"], "captured");
    assert_eq!(settled["payment"]["captured_krw"], WEIGHED_KRW);
    assert_eq!(settled["charged_krw"], WEIGHED_KRW);

    // Declined: the line is cut to what fits, the rest goes back on the shelf.
    let before = stock(&app, &m.rice).await;
    let order = place_pickup(&app, &shopper, &m, rice.clone()).await;
    let (part, line, _) = asked(&app, &m, &order).await;
    // Read (and cached) as weighed, before the answer changes it.
    assert!(stock(&app, &m.rice).await < before - FITS);
    let declined = ok(answer(&app, &shopper, &part, &line, "decline").await).await;
    let cut = &declined["merchant_orders"][0]["lines"][0];
    assert_eq!(cut["weighed_quantity"], FITS);
    assert_eq!(cut["amount_krw"], AUTHORIZED);
    assert_eq!(cut["approval"]["status"], "declined");
    assert_eq!(declined["authorized_krw"], AUTHORIZED);
    assert_eq!(stock(&app, &m.rice).await, before - FITS);
    ok(act(&app, &grocer, &part, "ready", None).await).await;
    assert_eq!(
        order_of(&app, &shopper, &order).await["charged_krw"],
        AUTHORIZED
    );

    // No answer within the shop's waiting time: the same cut, and a late answer is refused.
    let order = place_pickup(&app, &shopper, &m, rice).await;
    let (part, line, _) = asked(&app, &m, &order).await;
    assert_eq!(
        golmok_ordering::approvals::lapse_unanswered(app.state.ordering())
            .await
            .unwrap(),
        0,
        "nothing lapses before the shop's waiting time is over"
    );
    weight_approval::Entity::update_many()
        .col_expr(
            weight_approval::Column::AskUntil,
            Expr::value(chrono::Utc::now() - chrono::Duration::minutes(1)),
        )
        .filter(weight_approval::Column::MerchantOrderId.eq(part.as_str()))
        .exec(&app.state.db)
        .await
        .unwrap();
    assert_eq!(
        golmok_ordering::approvals::lapse_unanswered(app.state.ordering())
            .await
            .unwrap(),
        1
    );
    answer(&app, &shopper, &part, &line, "approve")
        .await
        .assert_problem(409, "approval_closed");
    let lapsed = order_of(&app, &shopper, &order).await;
    let cut = &lapsed["merchant_orders"][0]["lines"][0];
    assert_eq!(cut["weighed_quantity"], FITS);
    assert_eq!(cut["approval"]["status"], ApprovalStatus::Lapsed.as_str());
    ok(act(&app, &grocer, &part, "ready", None).await).await;
    assert_eq!(
        order_of(&app, &shopper, &order).await["charged_krw"],
        AUTHORIZED
    );
}

/// With a card, approving creates a second manual-capture PaymentIntent for the difference;
/// when the shop is ready both are captured: the checkout's for what it held, the second
/// for the difference. Refunds give each back from the PaymentIntent that took it.
async fn a_card_pays_the_difference_by_a_second_payment_intent(engine: Engine) {
    let (stripe, base) = StripeStandIn::start().await;
    let app = TestApp::start_with(engine, StripeStandIn::settings(&base)).await;
    let m = market(&app, 30).await;
    let (shopper, _) = app.sign_up("shopper").await;
    let order = created(
        app.post(
            "/v1/orders",
            Some(&shopper),
            &json!({"consortium_id": m.consortium_id,
                    "items": [{"listing_id": m.rice, "quantity": 500}],
                    "fulfillment": {"kind": "pickup"}, "payment": {"provider": "stripe"}}),
        )
        .await,
    )
    .await;
    let order_id = id_of(&order);
    assert_eq!(order["payment"]["status"], "authorized", "{order}");
    let (part, line, _) = asked(&app, &m, &order).await;
    let approved = ok(answer(&app, &shopper, &part, &line, "approve").await).await;
    let top_up = &approved["merchant_orders"][0]["lines"][0]["approval"]["payment"];
    assert_eq!(top_up["provider"], "stripe");
    assert_eq!(top_up["authorized_krw"], EXTRA);
    assert_eq!(top_up["status"], "authorized");
    assert_eq!(approved["authorized_krw"], WEIGHED_KRW);
    let intents = stripe.intents_of(&order_id);
    assert_eq!(intents.len(), 2, "{intents:?}");
    assert_eq!(intents[1].amount, EXTRA);
    assert_eq!(intents[1].status, "requires_capture");

    ok(act(&app, &m.shops[1].0, &part, "ready", None).await).await;
    let settled = order_of(&app, &shopper, &order).await;
    assert_eq!(settled["charged_krw"], WEIGHED_KRW, "{settled}");
    let intents = stripe.intents_of(&order_id);
    assert_eq!(
        intents
            .iter()
            .map(|i| (i.captured, i.status.as_str()))
            .collect::<Vec<_>>(),
        vec![(AUTHORIZED, "succeeded"), (EXTRA, "succeeded")]
    );

    // Refunds give the difference back from the PaymentIntent that took it (the shop's
    // part out of it first), and the rest from the checkout's.
    let refunds = format!("/v1/orders/{order_id}/refunds");
    let some = created(
        app.post(
            &refunds,
            Some(&m.admin),
            &json!({"merchant_order_id": part, "amount_krw": 1_000, "reason": "쌀이 젖었어요"}),
        )
        .await,
    )
    .await;
    assert_eq!(some["amount_krw"], 1_000, "{some}");
    let refunded = |stripe: &StripeStandIn| {
        stripe
            .intents_of(&order_id)
            .iter()
            .map(|i| i.refunded)
            .collect::<Vec<_>>()
    };
    assert_eq!(refunded(&stripe), vec![0, 1_000]);
    let rest = created(
        app.post(&refunds, Some(&m.admin), &json!({"reason": "고객 요청"}))
            .await,
    )
    .await;
    assert_eq!(rest["amount_krw"], WEIGHED_KRW - 1_000, "{rest}");
    assert_eq!(refunded(&stripe), vec![AUTHORIZED, EXTRA]);
    let order = order_of(&app, &shopper, &order).await;
    let listed: i64 = order["refunds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["amount_krw"].as_i64().unwrap())
        .sum();
    assert_eq!(listed, WEIGHED_KRW, "{order}");
    app.post(&refunds, Some(&m.admin), &json!({"reason": "again"}))
        .await
        .assert_problem(409, "exceeds_refundable");
    assert!(stripe.unexpected().is_empty(), "{:?}", stripe.unexpected());
}
