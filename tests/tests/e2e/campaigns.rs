//! A consortium's campaigns run from the agency's pages: a promotion made, its discount
//! changed and called off (what checkout charges follows each step), refusals beside each
//! field, and who may see and change them.

use chrono::{Duration, Utc};
use golmok_delivery_routing::network::seoul;
use golmok_e2e::demo::tofu_at;
use golmok_e2e::pages::{Browser, Page};
use golmok_e2e::{TestApp, on_both_databases};
use reqwest::StatusCode;

on_both_databases!(
    a_coordinator_runs_a_promotion_from_the_pages_and_calls_it_off,
    a_festival_pinned_on_the_map_is_found_by_shoppers
);

#[track_caller]
fn refused_beside(page: &Page, id: &str) {
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{id}: {}",
        page.html
    );
    assert!(
        page.html.contains(&format!("id=\"{id}\"")),
        "{id}: {}",
        page.html
    );
}

/// A time as a `datetime-local` field takes it, `hours` from now in Seoul.
fn local_in(hours: i64) -> String {
    (Utc::now() + Duration::hours(hours))
        .with_timezone(&seoul())
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

async fn a_coordinator_runs_a_promotion_from_the_pages_and_calls_it_off(app: TestApp) {
    golmok_e2e::demo::seeded(&app).await;
    let tofu = tofu_at(app.client(), &app.base_url).await;
    let consortium = tofu.consortium_id();
    let tofu_price = app
        .get(&format!("/v1/listings/{}", tofu.listing_id), None)
        .await
        .body["price_krw"]
        .as_i64()
        .unwrap();
    let promoted = || async {
        golmok_catalog::campaign::promotions_at(&app.state.db, &consortium, Utc::now())
            .await
            .expect("the promotions")
            .into_iter()
            .map(|p| (p.listing_id, p.price_krw))
            .collect::<Vec<_>>()
    };
    let count = || async {
        app.get(
            &format!("/v1/campaigns?consortium_id={consortium}&limit=100"),
            None,
        )
        .await
        .body["items"]
            .as_array()
            .map(Vec::len)
    };
    let before = count().await;
    let already = promoted().await;

    let mut coordinator = Browser::new(&app.base_url);
    coordinator
        .sign_in("coordinator@demo.golmok.kr", None)
        .await;
    let programme = coordinator
        .get(&format!("/programme/consortia/{consortium}"))
        .await;
    assert_eq!(programme.status, StatusCode::OK);
    let path = format!("/programme/consortia/{consortium}/campaigns");
    assert!(programme.html.contains(&format!("href=\"{path}\"")));
    let page = coordinator.get(&path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(page.html.contains("id=\"campaign-form\""));
    assert!(
        page.html
            .contains(&format!("value=\"{}\"", tofu.listing_id)),
        "the tofu is offered"
    );

    let (start, end) = (local_in(-1), local_in(48));
    let promotion = |title: &'static str,
                     kind: &'static str,
                     starts: String,
                     ends: String,
                     discount: &'static str,
                     amount: &'static str| {
        vec![
            ("kind".to_owned(), kind.to_owned()),
            ("title".to_owned(), title.to_owned()),
            ("starts".to_owned(), starts),
            ("ends".to_owned(), ends),
            ("place".to_owned(), "망원시장 입구".to_owned()),
            ("discount".to_owned(), discount.to_owned()),
            ("amount".to_owned(), amount.to_owned()),
            ("listing".to_owned(), tofu.listing_id.clone()),
        ]
    };
    for (fields, error) in [
        (
            promotion("", "promotion", start.clone(), end.clone(), "percent", "20"),
            "title-error",
        ),
        (
            promotion(
                "김장 두부 할인",
                "promotion",
                end.clone(),
                start.clone(),
                "percent",
                "20",
            ),
            "when-error",
        ),
        (
            promotion(
                "김장 두부 할인",
                "promotion",
                start.clone(),
                end.clone(),
                "percent",
                "95",
            ),
            "discount-error",
        ),
        (
            promotion(
                "골목 축제",
                "festival",
                start.clone(),
                end.clone(),
                "won",
                "500",
            ),
            "discount-error",
        ),
        // Tofu is not sold by weight into a container: a refill market cannot feature it.
        (
            promotion(
                "채우장",
                "refill_market",
                start.clone(),
                end.clone(),
                "none",
                "",
            ),
            "listings-error",
        ),
    ] {
        refused_beside(
            &coordinator.submit(&page, &path, &pairs_of(&fields)).await,
            error,
        );
    }
    assert_eq!(count().await, before, "nothing written");
    let forged = coordinator
        .post(&path, &[("kind", "promotion"), ("title", "x")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "no CSRF token");

    let fields = promotion(
        "김장 두부 할인",
        "promotion",
        start.clone(),
        end.clone(),
        "percent",
        "20",
    );
    let made = coordinator.submit(&page, &path, &pairs_of(&fields)).await;
    assert_eq!(made.location(), format!("{path}?made=1"));
    assert_eq!(count().await.map(|n| n - 1), before);
    let campaign = campaign_titled(&app, &consortium, "김장 두부 할인").await;
    let id = campaign["id"].as_str().unwrap().to_owned();
    assert_eq!(campaign["discount"]["percent"], 20);
    assert_eq!(campaign["place"], "망원시장 입구");
    let tofu_now = |prices: Vec<(String, i64)>| {
        prices
            .into_iter()
            .find(|(l, _)| *l == tofu.listing_id)
            .map(|(_, p)| p)
    };
    assert_eq!(tofu_now(promoted().await), Some(tofu_price * 80 / 100));

    // Changed: 1,000 won off instead, and what was typed stays when it is refused.
    let page = coordinator.get(made.location()).await;
    assert!(page.html.contains("id=\"campaigns-flash\""));
    assert!(page.html.contains(&format!("id=\"change-{id}\"")));
    let change = format!("/programme/campaigns/{id}");
    let mut fields = promotion(
        "김장 두부 할인",
        "promotion",
        start.clone(),
        end.clone(),
        "won",
        "1,000",
    );
    let changed = coordinator.submit(&page, &change, &pairs_of(&fields)).await;
    assert_eq!(changed.location(), format!("{path}?changed=1"));
    assert_eq!(tofu_now(promoted().await), Some(tofu_price - 1_000));
    fields[1].1 = String::new();
    let refused = coordinator.submit(&page, &change, &pairs_of(&fields)).await;
    refused_beside(&refused, &format!("title-error-{id}"));
    assert!(
        refused
            .html
            .contains(&format!("<details id=\"change-{id}\" open>"))
    );

    // Others: a shop owner may not look; a shopper neither.
    let mut merchant = Browser::new(&app.base_url);
    merchant.sign_in("merchant@demo.golmok.kr", None).await;
    assert_eq!(merchant.get(&path).await.status, StatusCode::FORBIDDEN);
    let own = merchant.get("/").await;
    assert_eq!(
        merchant
            .submit(&own, &format!("{change}/cancel"), &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // Called off: the tofu's own price again, the card says so and offers no change.
    let called_off = coordinator
        .submit(&page, &format!("{change}/cancel"), &[])
        .await;
    assert_eq!(called_off.location(), format!("{path}?cancelled=1"));
    assert_eq!(promoted().await, already);
    let page = coordinator.get(called_off.location()).await;
    assert!(!page.html.contains(&format!("id=\"change-{id}\"")));
    assert!(page.html.contains("취소됨"));
    let late = coordinator
        .submit(
            &page,
            &change,
            &pairs_of(&promotion(
                "김장 두부 할인",
                "promotion",
                start,
                end,
                "won",
                "500",
            )),
        )
        .await;
    refused_beside(&late, &format!("campaign-error-{id}"));
}

/// The consortium's campaign titled `title`, as the API lists it.
async fn campaign_titled(app: &TestApp, consortium: &str, title: &str) -> serde_json::Value {
    let listed = app
        .get(
            &format!("/v1/campaigns?consortium_id={consortium}&limit=100"),
            None,
        )
        .await
        .body;
    listed["items"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["title"] == title))
        .cloned()
        .unwrap_or_else(|| panic!("no campaign titled {title}: {listed}"))
}

fn pairs_of(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

async fn a_festival_pinned_on_the_map_is_found_by_shoppers(app: TestApp) {
    golmok_e2e::demo::seeded(&app).await;
    let tofu = tofu_at(app.client(), &app.base_url).await;
    let consortium = tofu.consortium_id();
    let mut coordinator = Browser::new(&app.base_url);
    coordinator
        .sign_in("coordinator@demo.golmok.kr", None)
        .await;
    let path = format!("/programme/consortia/{consortium}/campaigns");
    let page = coordinator.get(&path).await;
    assert!(
        page.html.contains("id=\"campaign-map\""),
        "a map of the consortium's district to tap"
    );
    let (starts, ends) = (local_in(-1), local_in(30));
    let festival = |lat: &str, lon: &str| -> Vec<(String, String)> {
        [
            ("kind", "festival"),
            ("title", "망원 골목 축제"),
            ("starts", &starts),
            ("ends", &ends),
            ("place", "망원시장 입구"),
            ("lat", lat),
            ("lon", lon),
            ("discount", "none"),
            ("listing", &tofu.listing_id),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    };
    for (lat, lon) in [("37.556", ""), ("north", "126.905"), ("137.5", "126.905")] {
        let fields = festival(lat, lon);
        let refused = coordinator.submit(&page, &path, &pairs_of(&fields)).await;
        refused_beside(&refused, "location-error");
    }
    let fields = festival("37.556", "126.905");
    let made = coordinator.submit(&page, &path, &pairs_of(&fields)).await;
    assert_eq!(made.location(), format!("{path}?made=1"));
    let campaign = campaign_titled(&app, &consortium, "망원 골목 축제").await;
    let id = campaign["id"].as_str().unwrap().to_owned();
    assert_eq!(campaign["location"]["lat"], 37.556);
    assert_eq!(campaign["location"]["lon"], 126.905);

    // Shoppers find where it is held, with a link their phone's map opens.
    let link = "https://map.kakao.com/link/map/%EB%A7%9D%EC%9B%90%EC%8B%9C%EC%9E%A5%20%EC%9E%85%EA%B5%AC,37.556,126.905";
    for shopper_page in ["/".to_owned(), format!("/consortia/{consortium}")] {
        let seen = Browser::new(&app.base_url).get(&shopper_page).await;
        assert_eq!(seen.status, StatusCode::OK);
        assert!(seen.html.contains("망원시장 입구"), "{shopper_page}");
        assert!(seen.html.contains(link), "{shopper_page}: {}", seen.html);
    }

    // Moved by its change form, then the pin taken away by emptying both fields.
    let page = coordinator.get(&path).await;
    assert!(page.html.contains(link), "on the coordinator's card too");
    let mut moved = festival("37.5561", "126.9061");
    moved.retain(|(k, _)| k != "kind");
    let change = format!("/programme/campaigns/{id}");
    let answer = coordinator.submit(&page, &change, &pairs_of(&moved)).await;
    assert_eq!(answer.location(), format!("{path}?changed=1"));
    let now = app.get(&format!("/v1/campaigns/{id}"), None).await.body;
    assert_eq!(now["location"]["lat"], 37.5561);
    let mut unpinned = festival("", "");
    unpinned.retain(|(k, _)| k != "kind");
    let page = coordinator.get(&path).await;
    let answer = coordinator
        .submit(&page, &change, &pairs_of(&unpinned))
        .await;
    assert_eq!(answer.location(), format!("{path}?changed=1"));
    let now = app.get(&format!("/v1/campaigns/{id}"), None).await.body;
    assert!(now["location"].is_null(), "{now}");
    assert_eq!(now["place"], "망원시장 입구", "the place's words stay");
}
