//! The demo data, loaded into a real database and read back over HTTP.

use golmok_e2e::{TestApp, on_both_databases};
use serde_json::Value;

on_both_databases!(demo_data_is_a_working_marketplace_and_loads_once);

async fn demo_data_is_a_working_marketplace_and_loads_once(app: TestApp) {
    let first = golmok_api::seed::demo(&app.state.db, app.state.cache.as_ref())
        .await
        .unwrap();
    assert!(
        first.iter().any(|l| l.contains("25 merchants")),
        "{first:?}"
    );
    let again = golmok_api::seed::demo(&app.state.db, app.state.cache.as_ref())
        .await
        .unwrap();
    assert!(again.is_empty(), "{again:?}");

    let agencies = app.get("/v1/agencies", None).await;
    assert_eq!(agencies.body["items"].as_array().unwrap().len(), 3);

    let consortia = app.get("/v1/consortia", None).await;
    let consortia = consortia.body["items"].as_array().unwrap();
    assert_eq!(consortia.len(), 3);
    assert!(
        consortia.iter().all(|c| c["status"] == "active"),
        "{consortia:?}"
    );
    let kinds: std::collections::BTreeSet<_> = consortia
        .iter()
        .flat_map(|c| {
            c["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["kind"].as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(kinds.len(), 5, "every kind of merchant: {kinds:?}");

    // The refill market features at least eight refill goods priced per 100 g or 100 ml.
    let markets = app.get("/v1/campaigns", None).await;
    let market = &markets.body["items"][0];
    assert_eq!(market["kind"], "refill_market");
    let featured = app
        .get(
            &format!(
                "/v1/listings?campaign_id={}&limit=100",
                market["id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    let featured = featured.body["items"].as_array().unwrap();
    assert!(featured.len() >= 8, "{}", featured.len());
    assert!(
        featured
            .iter()
            .all(|l: &Value| l["refill"] == true && l["unit_quantity"] == 100)
    );

    let mut total = 0;
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("/v1/listings?limit=100&cursor={c}"),
            None => "/v1/listings?limit=100".to_owned(),
        };
        let page = app.get(&url, None).await;
        total += page.body["items"].as_array().unwrap().len();
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert!((140..=170).contains(&total), "{total} listings");

    let tofu = app.get("/v1/listings?q=%EB%91%90%EB%B6%80", None).await; // 두부
    assert!(!tofu.body["items"].as_array().unwrap().is_empty());
    let near_mangwon = app
        .get("/v1/merchants?near=37.5559,126.9015&radius_m=1000", None)
        .await;
    assert_eq!(near_mangwon.body["items"][0]["name"], "망원 두부가게");
}
