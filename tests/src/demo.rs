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

/// Mangwon's consortium (as listed) and the tofu of its tofu shop: what most tests buy.
pub struct Tofu {
    pub consortium: Value,
    pub shop_id: String,
    pub listing_id: String,
}

impl Tofu {
    /// The consortium's id.
    pub fn consortium_id(&self) -> String {
        self.consortium["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The consortium's other member shops, in the consortium's order.
    pub fn other_members(&self) -> Vec<String> {
        self.consortium["members"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| m["merchant_id"].as_str())
            .filter(|m| *m != self.shop_id)
            .map(str::to_owned)
            .collect()
    }
}

/// Loads the demo data into `app`'s fresh database.
pub async fn seeded(app: &TestApp) {
    golmok_demo::seed::demo(&app.state.db, app.state.cache.as_ref())
        .await
        .expect("the demo data loads");
}

/// Finds the [`Tofu`] through the public API at `base`.
pub async fn tofu_at(client: &reqwest::Client, base: &str) -> Tofu {
    let get = |path: String| async move {
        let reply = client.get(format!("{base}{path}")).send().await.unwrap();
        reply.json::<Value>().await.unwrap()
    };
    let shops = get("/v1/merchants?limit=100".into()).await;
    let shop_id = shops["items"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["name"] == "망원 두부가게"))
        .and_then(|m| m["id"].as_str())
        .expect("the demo's tofu shop")
        .to_owned();
    let listings = get(format!("/v1/listings?merchant_id={shop_id}&limit=100")).await;
    let listing_id = listings["items"]
        .as_array()
        .and_then(|l| l.iter().find(|l| l["title"] == "국산콩 손두부"))
        .and_then(|l| l["id"].as_str())
        .expect("its tofu")
        .to_owned();
    let consortia = get("/v1/consortia".into()).await;
    let consortium = consortia["items"]
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
    Tofu {
        consortium,
        shop_id,
        listing_id,
    }
}

/// A checkout of `quantity` tofu, picked up, paid through `provider`.
pub fn tofu_pickup(tofu: &Tofu, quantity: i64, provider: &str) -> Value {
    json!({"consortium_id": tofu.consortium["id"],
           "items": [{"listing_id": tofu.listing_id, "quantity": quantity}],
           "fulfillment": {"kind": "pickup"}, "payment": {"provider": provider}})
}

/// Tomorrow in Seoul: the first day whose slots are all still open.
pub fn tomorrow() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(9 + 24)).date_naive()
}

/// The first slot of `network` on `date`.
pub async fn first_slot(app: &TestApp, network: &str, date: chrono::NaiveDate) -> String {
    app.get(&format!("/v1/networks/{network}/slots?date={date}"), None)
        .await
        .body["items"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The shop named `name`, as the catalog lists it (`Null` when there is none).
pub async fn merchant_named(app: &TestApp, name: &str) -> Value {
    app.get("/v1/merchants?limit=100", None).await.body["items"]
        .as_array()
        .and_then(|items| items.iter().find(|m| m["name"] == name))
        .cloned()
        .unwrap_or_default()
}

/// The id of the first co-delivery network whose name holds `part` (empty when none does).
pub async fn network_named(app: &TestApp, part: &str) -> String {
    app.get("/v1/networks", None).await.body["items"]
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .find(|n| n["name"].as_str().is_some_and(|name| name.contains(part)))
        })
        .and_then(|n| n["id"].as_str())
        .unwrap_or_default()
        .to_owned()
}

/// A shop's listings, as the catalog lists them.
pub async fn listings_of(app: &TestApp, merchant_id: &str) -> Vec<Value> {
    app.get(
        &format!("/v1/listings?merchant_id={merchant_id}&limit=100"),
        None,
    )
    .await
    .body["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Places a [`TofuDelivery`] to the network's hub address.
pub async fn tofu_delivery(app: &TestApp, shopper: &str) -> TofuDelivery {
    let Tofu {
        consortium,
        shop_id,
        listing_id: tofu,
    } = tofu_at(app.client(), &app.base_url).await;
    let network = consortium["network_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let date = tomorrow();
    let slot = first_slot(app, &network, date).await;
    let hub = app.get(&format!("/v1/networks/{network}"), None).await.body["hub"].clone();
    let placed = app
        .post(
            "/v1/orders",
            Some(shopper),
            &json!({"consortium_id": consortium["id"], "items": [{"listing_id": tofu, "quantity": 1}],
                    "fulfillment": {"kind": "delivery", "slot_id": slot, "address": "망원로 9", "location": hub, "phone": "010-2345-6789", "notes": "벨이 고장났어요, 노크해 주세요"},
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

/// A [`TofuDelivery`] accepted, readied and planned, and its courier set out (on the demo
/// data): the batch, its courier's id and token, each stop and the code that proves it.
pub struct UnderWay {
    /// The tofu shop's merchant order.
    pub part: String,
    pub network: String,
    pub slot: String,
    pub date: String,
    pub batch_id: String,
    pub first: String,
    pub first_token: String,
    pub pickup: String,
    pub pickup_code: Value,
    pub dropoff: String,
    pub dropoff_code: Value,
}

impl UnderWay {
    /// The first courier's phone says where they are (the goods on board are there).
    pub async fn seen_at(&self, app: &TestApp, lat: f64, lon: f64) {
        let seen = app
            .post(
                &format!("/v1/batches/{}/position", self.batch_id),
                Some(&self.first_token),
                &json!({"location": {"lat": lat, "lon": lon}}),
            )
            .await;
        assert_eq!(seen.status, StatusCode::OK, "{}", seen.text);
    }

    /// The courier picks the tofu up at the shop.
    pub async fn pick_up(&self, app: &TestApp) {
        let picked = app
            .post(
                &format!("/v1/stops/{}/complete", self.pickup),
                Some(&self.first_token),
                &json!({"proof": {"kind": "code", "value": self.pickup_code}}),
            )
            .await;
        assert_eq!(picked.status, StatusCode::OK, "{}", picked.text);
    }
}

pub async fn tofu_under_way(app: &TestApp) -> UnderWay {
    let shopper = login(app, "shopper@demo.golmok.kr").await;
    let owner = login(app, "merchant@demo.golmok.kr").await;
    let admin = login(app, "admin@demo.golmok.kr").await;
    let booked = tofu_delivery(app, &shopper).await;
    for action in ["accept", "ready"] {
        let done = app
            .post(
                &format!("/v1/merchant-orders/{}/{action}", booked.part),
                Some(&owner),
                &json!({}),
            )
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    }
    let order = app
        .get(&format!("/v1/orders/{}", booked.order_id), Some(&owner))
        .await;
    let pickup_code = order.body["merchant_orders"][0]["pickup_code"].clone();
    let dropoff_code = app
        .get(&format!("/v1/orders/{}", booked.order_id), Some(&shopper))
        .await
        .body["merchant_orders"][0]["handover_code"]
        .clone();
    let planned = app
        .post(
            &format!("/v1/networks/{}/slots/{}/plan", booked.network, booked.slot),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(planned.status, StatusCode::OK, "{}", planned.text);
    let batch = planned.body["batches"][0].clone();
    let stop = |kind: &str| {
        batch["stops"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["kind"] == kind))
            .and_then(|s| s["id"].as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let (pickup, dropoff) = (stop("pickup"), stop("dropoff"));
    let first = batch["courier_id"].as_str().unwrap_or_default().to_owned();
    let first_token = login(app, &courier_email(app, &first).await).await;
    let batch_id = batch["id"].as_str().unwrap_or_default().to_owned();
    let started = app
        .post(
            &format!("/v1/batches/{batch_id}/start"),
            Some(&first_token),
            &json!({}),
        )
        .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.text);
    UnderWay {
        part: booked.part,
        network: booked.network,
        slot: booked.slot,
        date: booked.date.to_string(),
        batch_id,
        first,
        first_token,
        pickup,
        pickup_code,
        dropoff,
        dropoff_code,
    }
}

/// Another courier on duty on the network.
pub async fn another_courier(app: &TestApp, network: &str, not: &str) -> String {
    golmok_delivery_routing::courier::on_duty(&app.state.db, network)
        .await
        .expect("the fleet")
        .into_iter()
        .find(|c| c.id != not)
        .map(|c| c.id)
        .expect("a second courier on the demo network")
}

/// The name of the account riding as courier `courier_id`, withdrawn or not.
pub async fn courier_name(app: &TestApp, courier_id: &str) -> String {
    let account = golmok_delivery_routing::courier::account_of(&app.state.db, courier_id)
        .await
        .expect("the courier")
        .expect("their account");
    golmok_accounts::find(&app.state.db, &account)
        .await
        .expect("their account")
        .name
}

/// The email of the account riding as courier `courier_id`: to sign in as them.
pub async fn courier_email(app: &TestApp, courier_id: &str) -> String {
    let rider = golmok_delivery_routing::courier::get_courier(&app.state.db, courier_id)
        .await
        .expect("the courier");
    golmok_accounts::find(&app.state.db, &rider.account_id)
        .await
        .expect("the courier's account")
        .email
}
