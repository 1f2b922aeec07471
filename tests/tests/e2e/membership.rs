//! A shop joins the programme from the pages: its owner registers it, a coordinator forms a
//! consortium around it from the shops nearby, and takes one out again.

use golmok_e2e::pages::{Browser, Page};
use golmok_e2e::{TestApp, on_both_databases};
use reqwest::StatusCode;
use serde_json::json;

on_both_databases!(a_new_shop_registers_and_a_coordinator_forms_a_consortium_around_it);

#[track_caller]
fn ok(page: &Page) {
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
}

async fn signed_in(app: &TestApp, email: &str) -> Browser {
    let mut browser = Browser::new(&app.base_url);
    browser.sign_in(email, None).await;
    browser
}

/// The id in a `Location` such as `/shop/mer_x/profile?welcome=1`.
fn shop_in(location: &str) -> String {
    location
        .trim_start_matches("/shop/")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_owned()
}

async fn a_new_shop_registers_and_a_coordinator_forms_a_consortium_around_it(app: TestApp) {
    golmok_e2e::demo::seeded(&app).await;
    // Beside the tofu shop in Mangwon.
    let tofu = golmok_e2e::demo::merchant_named(&app, "망원 두부가게").await;
    let (lat, lon) = (
        tofu["location"]["lat"].as_f64().unwrap_or_default() + 0.0008,
        tofu["location"]["lon"].as_f64().unwrap_or_default(),
    );

    // A baker signs up as a shop owner; the console offers to register a shop.
    let mut baker = Browser::new(&app.base_url);
    baker.sign_up_as("빵집 사장", "merchant").await;
    let console = baker.get("/shop").await;
    ok(&console);
    assert!(
        console.html.contains("href=\"/shop/new\""),
        "{}",
        console.html
    );

    // A form without a name or a place is refused beside both fields; the kind stays chosen.
    let form = baker.get("/shop/new").await;
    ok(&form);
    let refused = baker
        .submit(
            &form,
            "/shop/new",
            &[
                ("name", " "),
                ("kind", "cooperative"),
                ("address", "서울 마포구 망원로 40"),
                ("lat", ""),
                ("lon", ""),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["name-error", "location-error"] {
        assert!(
            refused.html.contains(&format!("id=\"{field}\"")),
            "{field}: {}",
            refused.html
        );
    }
    assert!(
        refused
            .html
            .contains("<option value=\"cooperative\" selected>"),
        "{}",
        refused.html
    );
    let (lat_text, lon_text) = (format!("{lat:.6}"), format!("{lon:.6}"));
    let registered = baker
        .submit(
            &refused,
            "/shop/new",
            &[
                ("name", "망원 골목빵집 협동조합"),
                ("kind", "cooperative"),
                ("address", "서울 마포구 망원로 40"),
                ("phone", "02-335-9876"),
                ("lat", &lat_text),
                ("lon", &lon_text),
            ],
        )
        .await;
    assert_eq!(
        registered.status,
        StatusCode::SEE_OTHER,
        "{}",
        registered.html
    );
    let bakery = shop_in(registered.location());
    assert_eq!(
        registered.location(),
        format!("/shop/{bakery}/profile?welcome=1")
    );
    let profile = baker.get(registered.location()).await;
    ok(&profile);
    assert!(profile.html.contains("id=\"shop-welcome\""));
    let shop = app.get(&format!("/v1/merchants/{bakery}"), None).await.body;
    assert_eq!(shop["kind"], "cooperative");
    assert_eq!(shop["phone"], "02-335-9876");
    // Until a consortium admits it, its board says why nobody orders.
    let board = baker.get(&format!("/shop/{bakery}/orders")).await;
    ok(&board);
    assert!(board.html.contains("id=\"not-a-member\""), "{}", board.html);

    // A coordinator forms a consortium in Mapo from the agency's page: a name is needed, and
    // a district another agency runs is refused.
    let mut coordinator = signed_in(&app, "coordinator@demo.golmok.kr").await;
    let programme = coordinator.get("/programme").await;
    let agency_page = programme.location().to_owned();
    assert!(
        agency_page.starts_with("/programme/agencies/"),
        "{agency_page}"
    );
    let agency = coordinator.get(&agency_page).await;
    ok(&agency);
    let forming = format!("{agency_page}/consortia");
    assert!(
        agency.html.contains(&format!("action=\"{forming}\"")),
        "{}",
        agency.html
    );
    assert!(agency.html.contains("<option value=\"마포구\""));
    let nameless = coordinator
        .submit(&agency, &forming, &[("name", ""), ("district", "마포구")])
        .await;
    assert_eq!(nameless.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(nameless.html.contains("id=\"consortium-name-error\""));
    let elsewhere = coordinator
        .submit(
            &agency,
            &forming,
            &[("name", "성수 새 협업체"), ("district", "성동구")],
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(elsewhere.html.contains("id=\"consortium-district-error\""));
    assert!(
        elsewhere.html.contains("value=\"성수 새 협업체\""),
        "kept as typed"
    );
    let mapo_network = golmok_e2e::demo::network_named(&app, "마포").await;
    // Each network is offered with the districts it reaches; one that does not reach the
    // consortium's district is refused beside it.
    assert!(agency.html.contains("(마포구"), "{}", agency.html);
    let seodaemun_network = golmok_e2e::demo::network_named(&app, "서대문").await;
    let out_of_reach = coordinator
        .submit(
            &agency,
            &forming,
            &[
                ("name", "망원 골목 새 협업체"),
                ("district", "마포구"),
                ("network_id", &seodaemun_network),
            ],
        )
        .await;
    assert_eq!(out_of_reach.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        out_of_reach
            .html
            .contains("id=\"consortium-network-error\""),
        "{}",
        out_of_reach.html
    );
    let formed = coordinator
        .submit(
            &agency,
            &forming,
            &[
                ("name", "망원 골목 새 협업체"),
                ("district", "마포구"),
                ("network_id", &mapo_network),
            ],
        )
        .await;
    assert_eq!(formed.status, StatusCode::SEE_OTHER, "{}", formed.html);
    let consortium = formed
        .location()
        .trim_start_matches("/programme/consortia/")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    let path = format!("/programme/consortia/{consortium}/members");
    assert_eq!(formed.location(), format!("{path}?formed=1"));
    let made = app
        .get(&format!("/v1/consortia/{consortium}"), None)
        .await
        .body;
    assert_eq!(made["district"], "마포구");
    assert_eq!(made["network_id"], mapo_network.as_str());
    let projects = coordinator
        .get(&format!("/programme/consortia/{consortium}"))
        .await;
    ok(&projects);
    assert!(projects.html.contains(&format!("href=\"{path}\"")));
    let desk = coordinator.get(formed.location()).await;
    ok(&desk);
    assert!(desk.html.contains("id=\"members-flash\""), "{}", desk.html);
    assert!(desk.html.contains("준비 중"), "forming: {}", desk.html);
    assert!(
        desk.html.contains(&format!("id=\"candidate-{bakery}\"")),
        "the newest shop is offered: {}",
        desk.html
    );

    // The bakery first; then the shops nearest it are offered, and four small businesses of
    // Mangwon make five members of both sides: the consortium sells.
    let admitted = coordinator
        .submit(&desk, &path, &[("merchant_id", &bakery)])
        .await;
    assert_eq!(admitted.location(), format!("{path}?added={bakery}"));
    let desk = coordinator.get(admitted.location()).await;
    ok(&desk);
    assert!(
        desk.html
            .contains("망원 골목빵집 협동조합: 회원이 되었습니다"),
        "{}",
        desk.html
    );
    assert!(desk.html.contains(&format!("id=\"member-{bakery}\"")));
    let nearby = desk.html[desk.html.find("candidates-h").unwrap_or(0)..].to_owned();
    let offered: Vec<&str> = ["망원 두부가게", "망원 정육점", "망원 청과", "망원 떡집"]
        .into_iter()
        .filter(|name| nearby.contains(name))
        .collect();
    assert_eq!(offered.len(), 4, "Mangwon's shops are near: {nearby}");
    assert!(
        !nearby.contains("성수 베이글"),
        "Seongsu is not within 3 km: {nearby}"
    );
    assert!(
        nearby.contains("다른 협업체 1"),
        "they sell in Mangwon already: {nearby}"
    );
    // The same list over the API, for the agency's own tools.
    let coordinator_token = coordinator.session_token().unwrap_or_default().to_owned();
    let api = format!("/v1/consortia/{consortium}/member-candidates");
    let listed = app.get(&api, Some(&coordinator_token)).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
    let tofu_row = listed.body["items"]
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .find(|c| c["merchant"]["name"] == "망원 두부가게")
        })
        .cloned()
        .unwrap_or_default();
    assert_eq!(tofu_row["consortia"], 1, "{}", listed.text);
    assert!(
        tofu_row["distance_m"].as_f64().is_some_and(|d| d < 200.0),
        "{}",
        listed.text
    );
    let baker_token = baker.session_token().unwrap_or_default().to_owned();
    assert_eq!(
        app.get(&api, Some(&baker_token)).await.status,
        StatusCode::FORBIDDEN
    );
    let found = coordinator
        .get(&format!("{path}?q=%EB%91%90%EB%B6%80"))
        .await;
    ok(&found);
    let tofu_id = tofu["id"].as_str().unwrap_or_default().to_owned();
    assert!(found.html.contains(&format!("id=\"candidate-{tofu_id}\"")));
    assert!(
        !found.html.contains("망원 정육점"),
        "only what the name finds"
    );
    let consortium_api = format!("/v1/consortia/{consortium}");
    let ids_of = |page: &Page| -> Vec<String> {
        page.html
            .split("id=\"candidate-")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .map(str::to_owned)
            .collect()
    };
    let mut desk = desk;
    for name in ["망원 두부가게", "망원 정육점", "망원 청과", "망원 떡집"] {
        let id = ids_of(&desk)
            .into_iter()
            .find(|id| {
                desk.html
                    .split(&format!("id=\"candidate-{id}\""))
                    .nth(1)
                    .is_some_and(|rest| {
                        rest.split("</li>")
                            .next()
                            .unwrap_or_default()
                            .contains(name)
                    })
            })
            .unwrap_or_else(|| panic!("{name} offered: {}", desk.html));
        let admitted = coordinator
            .submit(&desk, &path, &[("merchant_id", &id)])
            .await;
        assert_eq!(admitted.status, StatusCode::SEE_OTHER, "{}", admitted.html);
        desk = coordinator.get(admitted.location()).await;
    }
    let now = app.get(&consortium_api, None).await.body;
    assert_eq!(now["status"], "active", "{now}");
    assert_eq!(now["members"].as_array().map(Vec::len), Some(5));
    ok(&desk);
    assert!(desk.html.contains("id=\"consortium-status\">판매 중"));
    assert_eq!(
        desk.html
            .matches("이 가게가 빠지면 협업체는 판매를 멈춥니다.")
            .count(),
        5,
        "at five, every member's removal stops the selling: {}",
        desk.html
    );
    let history = desk.html[desk.html.find("history-h").unwrap_or(0)..].to_owned();
    assert_eq!(history.matches("</strong> 가입").count(), 5, "{history}");
    assert!(history.contains("서북권 코디네이터"), "who: {history}");

    // The baker's board no longer says it sells nowhere.
    let board = baker.get(&format!("/shop/{bakery}/orders")).await;
    assert!(!board.html.contains("id=\"not-a-member\""));

    // Admitting it twice says so; a shop owner may neither read nor change the membership.
    let twice = coordinator
        .submit(&desk, &path, &[("merchant_id", &bakery)])
        .await;
    assert_eq!(twice.location(), format!("{path}?not=already_member"));
    let said = coordinator.get(twice.location()).await;
    assert!(said.html.contains("id=\"members-refusal\""));
    assert_eq!(baker.get(&path).await.status, StatusCode::FORBIDDEN);
    let forbidden = baker
        .submit(&profile, &path, &[("merchant_id", &bakery)])
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    assert_eq!(
        coordinator
            .get("/programme/consortia/con_missing/members")
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // The tofu shop leaves: the consortium is forming again, and says who did it.
    let remove = format!("{path}/{tofu_id}/remove");
    let removed = coordinator.submit(&desk, &remove, &[]).await;
    assert_eq!(removed.location(), format!("{path}?removed={tofu_id}"));
    let desk = coordinator.get(removed.location()).await;
    ok(&desk);
    assert!(
        desk.html.contains("망원 두부가게: 회원에서 빠졌습니다"),
        "{}",
        desk.html
    );
    assert!(!desk.html.contains(&format!("id=\"member-{tofu_id}\"")));
    assert!(desk.html.contains(&format!("id=\"candidate-{tofu_id}\"")));
    assert!(desk.html.contains("id=\"consortium-status\">준비 중"));
    assert!(desk.html.contains("</strong> 탈퇴"), "{}", desk.html);
    let now = app.get(&consortium_api, None).await.body;
    assert_eq!(now["status"], "forming");
    let again = coordinator.submit(&desk, &remove, &[]).await;
    assert_eq!(again.location(), format!("{path}?not=gone"));
    let events = app
        .get(&format!("{consortium_api}/membership-events"), None)
        .await
        .body;
    assert_eq!(
        events["items"].as_array().map(Vec::len),
        Some(6),
        "{events}"
    );
}

on_both_databases!(a_shop_removed_from_a_consortium_is_marked_unavailable_in_baskets);

async fn a_shop_removed_from_a_consortium_is_marked_unavailable_in_baskets(app: TestApp) {
    golmok_e2e::demo::seeded(&app).await;
    let tofu = golmok_e2e::demo::tofu_at(app.client(), &app.base_url).await;
    let consortium = tofu.consortium_id();
    let mut shopper = Browser::new(&app.base_url);
    shopper.sign_up("두부 사는 사람").await;
    let page = shopper.get(&format!("/listings/{}", tofu.listing_id)).await;
    let added = shopper
        .submit(
            &page,
            "/basket",
            &[("listing_id", &tofu.listing_id), ("quantity", "1")],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.html);
    let basket = shopper.get("/basket").await;
    assert_eq!(basket.html.matches("class=\"line unavailable\"").count(), 0);

    let mut coordinator = signed_in(&app, "coordinator@demo.golmok.kr").await;
    let path = format!("/programme/consortia/{consortium}/members");
    // The desk says how many of the shop's orders are under way: they stay with it.
    let under_way = |html: &str| -> u64 {
        html.split(&format!("id=\"member-{}\"", tofu.shop_id))
            .nth(1)
            .and_then(|row| row.split("</li>").next())
            .and_then(|row| row.split("진행 중인 주문 ").nth(1))
            .and_then(|rest| rest.split('건').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    let before = under_way(&coordinator.get(&path).await.html);
    let (token, _) = app.sign_up("shopper").await;
    let placed = app
        .post(
            "/v1/orders",
            Some(&token),
            &golmok_e2e::demo::tofu_pickup(&tofu, 1, "offline"),
        )
        .await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.text);
    let desk = coordinator.get(&path).await;
    assert_eq!(under_way(&desk.html), before + 1, "{}", desk.html);
    let removed = coordinator
        .submit(&desk, &format!("{path}/{}/remove", tofu.shop_id), &[])
        .await;
    assert_eq!(
        removed.location(),
        format!("{path}?removed={}", tofu.shop_id)
    );
    // Its order under way stays with it: the owner still accepts it.
    let owner = golmok_e2e::demo::login(&app, "merchant@demo.golmok.kr").await;
    let part = placed.body["merchant_orders"][0]["id"]
        .as_str()
        .unwrap_or_default();
    let accepted = app
        .post(
            &format!("/v1/merchant-orders/{part}/accept"),
            Some(&owner),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text);

    // The shopper's basket keeps the line, marked: the shop sells nothing here any more (it
    // read as available until checkout refused it).
    let basket = shopper.get("/basket").await;
    ok(&basket);
    assert_eq!(
        basket.html.matches("class=\"line unavailable\"").count(),
        1,
        "{}",
        basket.html
    );
}

on_both_databases!(a_coordinator_changes_a_consortiums_settings_on_its_desk);

async fn a_coordinator_changes_a_consortiums_settings_on_its_desk(app: TestApp) {
    golmok_e2e::demo::seeded(&app).await;
    let tofu = golmok_e2e::demo::tofu_at(app.client(), &app.base_url).await;
    let id = tofu.consortium_id();
    let api = format!("/v1/consortia/{id}");
    let before = app.get(&api, None).await.body;
    let path = format!("/programme/consortia/{id}/members");
    let settings = format!("/programme/consortia/{id}/settings");

    let mut coordinator = signed_in(&app, "coordinator@demo.golmok.kr").await;
    let desk = coordinator.get(&path).await;
    ok(&desk);
    assert!(desk.html.contains("id=\"consortium-settings\""));
    // Only networks reaching the consortium's district are offered, and only they are taken.
    let far = golmok_e2e::demo::network_named(&app, "서대문").await;
    assert_eq!(before["district"], "마포구");
    assert!(
        !desk.html.contains(&format!("value=\"{far}\"")),
        "{}",
        desk.html
    );
    let refused_far = coordinator
        .submit(&desk, &settings, &[("name", "x"), ("network_id", &far)])
        .await;
    assert_eq!(refused_far.location(), format!("{path}?not=network"));
    assert_eq!(app.get(&api, None).await.body, before, "nothing changed");
    // The API holds the same rule: a network out of reach, or none at all, beside the field.
    let coordinator_token = golmok_e2e::demo::login(&app, "coordinator@demo.golmok.kr").await;
    for network in [far.as_str(), "net_nowhere"] {
        let refused = app
            .patch(
                &api,
                Some(&coordinator_token),
                &json!({"network_id": network}),
            )
            .await;
        refused.assert_problem(422, "validation_failed");
        assert_eq!(refused.failed_fields(), ["network_id"], "{}", refused.text);
    }
    // Whoever may not change it hears that first, not what the network reaches.
    let owner = golmok_e2e::demo::login(&app, "merchant@demo.golmok.kr").await;
    app.patch(&api, Some(&owner), &json!({"network_id": far}))
        .await
        .assert_problem(403, "forbidden");
    let formed_far = app
        .post(
            "/v1/consortia",
            Some(&coordinator_token),
            &json!({"name": "망원 먼 협업체", "district": "마포구", "network_id": far}),
        )
        .await;
    formed_far.assert_problem(422, "validation_failed");
    assert_eq!(formed_far.failed_fields(), ["network_id"]);
    assert_eq!(app.get(&api, None).await.body, before, "nothing changed");
    assert!(
        !desk.html.contains("id=\"commission\""),
        "only an admin sets the commission"
    );

    let refused = coordinator
        .submit(&desk, &settings, &[("name", " "), ("network_id", "")])
        .await;
    assert_eq!(refused.location(), format!("{path}?not=settings"));
    assert!(
        coordinator
            .get(refused.location())
            .await
            .html
            .contains("id=\"members-refusal\"")
    );
    let tampered = coordinator
        .submit(
            &desk,
            &settings,
            &[
                ("name", "망원"),
                ("network_id", ""),
                ("commission_pct", "0"),
            ],
        )
        .await;
    assert_eq!(tampered.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&api, None).await.body, before, "nothing written");

    let saved = coordinator
        .submit(
            &desk,
            &settings,
            &[
                ("name", "망원시장 골목 상인 협업체"),
                ("network_id", ""),
                ("trade_wide", "on"),
            ],
        )
        .await;
    assert_eq!(saved.location(), format!("{path}?saved=1"));
    let now = app.get(&api, None).await.body;
    assert_eq!(now["name"], "망원시장 골목 상인 협업체");
    assert_eq!(
        now["network_id"],
        serde_json::Value::Null,
        "no co-delivery now"
    );
    assert_eq!(now["member_trade_district_wide"], true);
    assert!(
        coordinator
            .get(saved.location())
            .await
            .html
            .contains("id=\"members-flash\"")
    );

    // An admin sets the commission, and links the network again.
    let mut admin = signed_in(&app, "admin@demo.golmok.kr").await;
    let desk = admin.get(&path).await;
    assert!(desk.html.contains("id=\"commission\""));
    let network = before["network_id"].as_str().unwrap_or_default();
    let saved = admin
        .submit(
            &desk,
            &settings,
            &[
                ("name", "망원시장 골목 상인 협업체"),
                ("network_id", network),
                ("commission_pct", "2.5"),
            ],
        )
        .await;
    assert_eq!(saved.location(), format!("{path}?saved=1"));
    let now = app.get(&api, None).await.body;
    assert_eq!(now["commission_bps"], 250);
    assert_eq!(now["network_id"], before["network_id"]);
    assert_eq!(now["member_trade_district_wide"], false);

    let mut merchant = signed_in(&app, "merchant@demo.golmok.kr").await;
    let own = merchant.get("/").await;
    assert_eq!(
        merchant
            .submit(&own, &settings, &[("name", "x"), ("network_id", "")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
