//! Short cuts into the demo data (`golmok_demo::seed::demo`) for tests that need an order on
//! its way: sign-ins of the demo accounts, and a tofu delivery from Mangwon's tofu shop.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::TestApp;

/// A demo account's bearer token.
pub async fn login(app: &TestApp, email: &str) -> String {
    let reply = app
        .post(
            "/v1/auth/login",
            None,
            &json!({"email": email, "password": golmok_demo::seed::DEMO_PASSWORD}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.body["token"].as_str().unwrap_or_default().to_owned()
}

/// One tofu delivered tomorrow at lunch by the Mapo network, placed by `shopper`.
pub struct TofuDelivery {
    pub order: Value,
    pub order_id: String,
    /// The tofu shop's merchant order.
    pub part: String,
    pub shop_id: String,
    pub network: String,
    pub slot: String,
    pub date: chrono::NaiveDate,
}

/// Places a [`TofuDelivery`] to the network's hub address.
pub async fn tofu_delivery(app: &TestApp, shopper: &str) -> TofuDelivery {
    let shops = app.get("/v1/merchants?limit=100", None).await;
    let shop_id = shops.body["items"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["name"] == "망원 두부가게"))
        .and_then(|m| m["id"].as_str())
        .expect("the demo's tofu shop")
        .to_owned();
    let listings = app
        .get(
            &format!("/v1/listings?merchant_id={shop_id}&limit=100"),
            None,
        )
        .await;
    let tofu = listings.body["items"]
        .as_array()
        .and_then(|l| l.iter().find(|l| l["title"] == "국산콩 손두부"))
        .and_then(|l| l["id"].as_str())
        .expect("its tofu")
        .to_owned();
    let consortia = app.get("/v1/consortia", None).await;
    let consortium = consortia.body["items"]
        .as_array()
        .and_then(|c| {
            c.iter().find(|c| {
                c["name"]
                    .as_str()
                    .is_some_and(|n| n.starts_with("망원시장"))
            })
        })
        .cloned()
        .expect("Mangwon's consortium");
    let network = consortium["network_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let date = (chrono::Utc::now() + chrono::Duration::hours(9 + 24)).date_naive();
    let slots = app
        .get(&format!("/v1/networks/{network}/slots?date={date}"), None)
        .await;
    let slot = slots.body["items"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let hub = app.get(&format!("/v1/networks/{network}"), None).await.body["hub"].clone();
    let placed = app
        .post(
            "/v1/orders",
            Some(shopper),
            &json!({"consortium_id": consortium["id"], "items": [{"listing_id": tofu, "quantity": 1}],
                    "fulfillment": {"kind": "delivery", "slot_id": slot, "address": "망원로 9", "location": hub},
                    "payment": {"provider": "offline"}}),
        )
        .await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.text);
    TofuDelivery {
        order_id: placed.body["id"].as_str().unwrap_or_default().to_owned(),
        part: placed.body["merchant_orders"][0]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        order: placed.body,
        shop_id,
        network,
        slot,
        date,
    }
}
