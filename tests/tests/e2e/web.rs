//! The shopper's pages over HTTP, on the demo data: every page's status, role checks, form
//! round trips, CSRF refusals, and what a person reads on them.

use golmok_e2e::demo::seeded;
use golmok_e2e::pages::{Browser, Page};
use golmok_e2e::{TestApp, on_both_databases};
use reqwest::StatusCode;
use serde_json::json;

on_both_databases!(
    browsing_pages_show_the_demo_marketplace,
    sign_up_in_and_out_use_the_api_session,
    the_basket_follows_the_shopper_and_keeps_to_one_consortium,
    checkout_from_the_pages_places_one_order_and_tracks_it_live,
);

#[track_caller]
fn ok(page: &Page) {
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(
        page.header("content-type")
            .is_some_and(|c| c.starts_with("text/html")),
        "{:?}",
        page.headers
    );
}

/// The Mangwon consortium's page, where tofu, refills and coffee are sold by three shops.
async fn mangwon(browser: &mut Browser) -> Page {
    let home = browser.get("/").await;
    let id = home
        .link_to("consortia", "망원시장")
        .expect("Mangwon on the home page");
    let page = browser.get(&format!("/consortia/{id}")).await;
    ok(&page);
    page
}

async fn browsing_pages_show_the_demo_marketplace(app: TestApp) {
    seeded(&app).await;
    let mut b = Browser::new(&app.base_url);
    let home = b.get("/").await;
    ok(&home);
    assert!(home.html.contains("<html lang=\"ko\">"));
    assert_eq!(home.linked_ids("consortia").len(), 4, "{}", home.html);
    // Refill markets first among the campaigns, and search on the home page.
    let campaigns = &home.html[home.html.find("campaigns-h").unwrap_or(0)..];
    assert!(campaigns.find("채우장").is_some(), "{campaigns}");
    assert!(home.html.contains("action=\"/search\""));
    // A new browser gets its visitor cookie, HttpOnly and SameSite=Lax.
    let visitor = home.header("set-cookie").unwrap_or_default();
    assert!(
        visitor.contains("golmok_visitor=")
            && visitor.contains("HttpOnly")
            && visitor.contains("SameSite=Lax"),
        "{visitor}"
    );

    // Assets under hashed names, cached for a year.
    let css = home
        .html
        .split("href=\"/assets/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a stylesheet link")
        .to_owned();
    assert!(css.starts_with("app.") && css.ends_with(".css") && css.len() > "app.css".len());
    let asset = b.get(&format!("/assets/{css}")).await;
    assert_eq!(asset.status, StatusCode::OK);
    assert!(
        asset
            .header("cache-control")
            .unwrap_or_default()
            .contains("immutable")
    );
    assert_eq!(
        b.get("/assets/nothing.js").await.status,
        StatusCode::NOT_FOUND
    );

    // A consortium, a shop, a listing.
    let consortium = mangwon(&mut b).await;
    assert!(consortium.html.contains("망원 두부가게"));
    let shop = consortium.linked_ids("shops")[0].clone();
    ok(&b.get(&format!("/shops/{shop}")).await);
    let oil = consortium
        .link_to("listings", "참기름")
        .expect("sesame oil");
    let listing = b.get(&format!("/listings/{oil}")).await;
    ok(&listing);
    assert!(
        listing.html.contains("5,000원 / 100 ml"),
        "{}",
        listing.html
    );
    assert!(
        listing.html.contains("100 ml당 5,000원"),
        "the price per 100 ml"
    );
    assert!(
        listing.html.contains("개인 용기") || listing.html.contains("보증금"),
        "the container policy"
    );
    assert!(
        listing.html.contains("step=\"10\""),
        "weighed goods step by 10 ml"
    );

    // Search, two-syllable Korean, and the refill filter.
    let tofu = b.get("/search?q=%EB%91%90%EB%B6%80").await;
    ok(&tofu);
    assert!(
        tofu.link_to("listings", "국산콩 손두부").is_some(),
        "{}",
        tofu.html
    );
    let refills = b
        .get("/search?q=%EC%B0%B8%EA%B8%B0%EB%A6%84&refill=1")
        .await;
    ok(&refills);
    assert!(!refills.linked_ids("listings").is_empty());
    assert_eq!(
        refills.html.matches("class=\"card").count(),
        refills.html.matches("tag refill").count(),
        "only refill goods"
    );
    let nothing = b.get("/search?q=%21%21%21").await;
    assert!(
        nothing.html.contains("class=\"error\""),
        "a query without letters is explained"
    );

    // Unknown things are a page in the visitor's language, not a problem document.
    let missing = b.get("/listings/lst_missing").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.html.contains("찾을 수 없습니다"));

    // The language switch remembers itself.
    let switched = b.get("/lang?to=en&next=%2Fsearch").await;
    assert_eq!(switched.location(), "/search");
    let english = b.get("/").await;
    assert!(english.html.contains("<html lang=\"en\">"));
    assert!(english.html.contains("Basket"));
    assert!(b.get("/lang?to=https://evil.example").await.status == StatusCode::BAD_REQUEST);
    let away = b.get("/lang?to=ko&next=https://evil.example").await;
    assert_eq!(away.location(), "/", "never sent off the site");
}

async fn sign_up_in_and_out_use_the_api_session(app: TestApp) {
    let mut b = Browser::new(&app.base_url);
    let form = b.get("/signup").await;
    ok(&form);
    let email = "kim@example.com";
    // Without the CSRF token: refused, nothing written.
    let forged = b
        .post(
            "/signup",
            &[
                ("name", "김"),
                ("email", email),
                ("password", golmok_e2e::PASSWORD),
                ("role", "shopper"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let login = app
        .post(
            "/v1/auth/login",
            None,
            &json!({"email": email, "password": golmok_e2e::PASSWORD}),
        )
        .await;
    assert_eq!(
        login.status,
        StatusCode::UNAUTHORIZED,
        "no account was made"
    );

    // Bad input is shown next to its field.
    let bad = b
        .submit(
            &form,
            "/signup",
            &[
                ("name", "김"),
                ("email", "not-an-email"),
                ("password", "short"),
                ("role", "shopper"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.html.contains("id=\"email-error\"") && bad.html.contains("id=\"password-error\""),
        "{}",
        bad.html
    );
    assert!(
        bad.html.contains("value=\"not-an-email\""),
        "what was typed stays"
    );

    let done = b
        .submit(
            &form,
            "/signup",
            &[
                ("name", "김민지"),
                ("email", email),
                ("password", golmok_e2e::PASSWORD),
                ("role", "shopper"),
            ],
        )
        .await;
    assert_eq!(done.location(), "/");
    let cookie = done
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("golmok_session="))
        .expect("a session cookie")
        .to_owned();
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax")
            && !cookie.contains("Secure"),
        "{cookie}"
    );
    // The cookie is the API's own session.
    let token = b.session_token().expect("signed in").to_owned();
    let me = app.get("/v1/me", Some(&token)).await;
    assert_eq!(me.body["email"], email);
    let home = b.get("/").await;
    assert!(home.html.contains("/signout"));

    // Behind TLS the cookie is Secure.
    let mut secure = Browser::new(&app.base_url);
    let response = app
        .client()
        .get(app.url("/"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .expect("an answer");
    let set = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(set.contains("Secure"), "{set}");
    let _ = secure.get("/").await;

    // Signing out revokes the session everywhere.
    let out = b.submit(&home, "/signout", &[]).await;
    assert_eq!(out.location(), "/");
    assert_eq!(
        app.get("/v1/me", Some(&token)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(b.session_token().is_none());

    // Signing in: a wrong password is said plainly; the failed-login limit applies.
    let form = secure.get("/signin?next=%2Forders").await;
    ok(&form);
    assert!(form.html.contains("value=\"/orders\""));
    let wrong = secure
        .submit(
            &form,
            "/signin",
            &[
                ("email", email),
                ("password", "wrong password"),
                ("next", "/orders"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.html.contains("이메일 또는 비밀번호가 맞지 않습니다"));
    let right = secure
        .submit(
            &form,
            "/signin",
            &[
                ("email", email),
                ("password", golmok_e2e::PASSWORD),
                ("next", "/orders"),
            ],
        )
        .await;
    assert_eq!(right.location(), "/orders");
    ok(&secure.get("/orders").await);
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let mut stranger = Browser::new(&app.base_url);
        let form = stranger.get("/signin").await;
        let tried = stranger
            .submit(
                &form,
                "/signin",
                &[("email", email), ("password", "guessing-again")],
            )
            .await;
        statuses.push(tried.status.as_u16());
    }
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    let limited = {
        let mut stranger = Browser::new(&app.base_url);
        let form = stranger.get("/signin").await;
        stranger
            .submit(
                &form,
                "/signin",
                &[("email", email), ("password", golmok_e2e::PASSWORD)],
            )
            .await
    };
    assert_eq!(
        limited.status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    assert!(limited.html.contains("로그인 시도가 너무 많습니다"));
}

async fn the_basket_follows_the_shopper_and_keeps_to_one_consortium(app: TestApp) {
    seeded(&app).await;
    let mut b = Browser::new(&app.base_url);
    let consortium = mangwon(&mut b).await;
    let tofu = consortium
        .link_to("listings", "국산콩 손두부")
        .expect("tofu");
    let listing = b.get(&format!("/listings/{tofu}")).await;

    // Without the CSRF token nothing goes in.
    let forged = b
        .post(
            "/basket",
            &[("listing_id", tofu.as_str()), ("quantity", "2")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(
        b.get("/basket")
            .await
            .html
            .contains("장바구니가 비어 있습니다")
    );

    let added = b
        .submit(
            &listing,
            "/basket",
            &[("listing_id", &tofu), ("quantity", "2")],
        )
        .await;
    assert_eq!(added.location(), format!("/listings/{tofu}?added=1"));
    let bad = b
        .submit(
            &listing,
            "/basket",
            &[("listing_id", &tofu), ("quantity", "lots")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.html.contains("수량을 1 이상의 숫자로 입력하세요"));

    // With htmx: only the message and the new count.
    let oil = consortium
        .link_to("listings", "참기름")
        .expect("sesame oil");
    let csrf = listing.csrf();
    let fragment = {
        let response = app
            .client()
            .post(app.url("/basket"))
            .header("cookie", b.cookie_header())
            .header("hx-request", "true")
            .header("x-csrf-token", &csrf)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("listing_id={oil}&quantity=250"))
            .send()
            .await
            .expect("an answer");
        response.text().await.unwrap_or_default()
    };
    assert!(
        fragment.contains("hx-swap-oob") && fragment.contains(">2</span>"),
        "{fragment}"
    );
    assert!(!fragment.contains("<html"), "a fragment, not a page");

    // Another consortium's goods wait until the basket is emptied.
    let refill = b.get("/search?q=%EC%83%B4%ED%91%B8").await;
    let shampoo = refill
        .link_to("listings", "샴푸 리필")
        .expect("shampoo refill in Yeonhui");
    let shampoo_page = b.get(&format!("/listings/{shampoo}")).await;
    let refused = b
        .submit(
            &shampoo_page,
            "/basket",
            &[("listing_id", &shampoo), ("quantity", "300")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(
        refused.html.contains("다른 협업체의 상품"),
        "{}",
        refused.html
    );
    assert!(
        refused.html.contains("action=\"/basket/clear\""),
        "offers to empty the basket"
    );

    // Signing up keeps what the browser gathered, grouped by shop.
    b.sign_up("새 구매자").await;
    let basket = b.get("/basket").await;
    ok(&basket);
    assert!(
        basket.html.contains("망원 두부가게") && basket.html.contains("250 ml"),
        "{}",
        basket.html
    );
    assert_eq!(basket.html.matches("class=\"shop-group\"").count(), 2);
    assert!(basket.html.contains("7,000원"), "two tofu at 3,500");

    let changed = b
        .submit(
            &basket,
            &format!("/basket/lines/{tofu}"),
            &[("quantity", "3")],
        )
        .await;
    assert_eq!(changed.location(), "/basket");
    assert!(b.get("/basket").await.html.contains("10,500원"));
    let removed = b
        .submit(
            &basket,
            &format!("/basket/lines/{oil}"),
            &[("quantity", "0")],
        )
        .await;
    assert_eq!(removed.location(), "/basket");
    let basket = b.get("/basket").await;
    assert_eq!(basket.html.matches("class=\"shop-group\"").count(), 1);

    // Kept across visits: a new browser signing in to the account finds it.
    let token = b.session_token().expect("signed in").to_owned();
    let me = app.get("/v1/me", Some(&token)).await;
    let email = me.body["email"].as_str().unwrap_or_default().to_owned();
    let mut other = Browser::new(&app.base_url);
    let form = other.get("/signin").await;
    let signed = other
        .submit(
            &form,
            "/signin",
            &[("email", &email), ("password", golmok_e2e::PASSWORD)],
        )
        .await;
    assert_eq!(signed.location(), "/");
    assert!(other.get("/basket").await.html.contains("10,500원"));
    let emptied = other.submit(&basket, "/basket/clear", &[]).await;
    assert_eq!(
        emptied.status,
        StatusCode::FORBIDDEN,
        "another browser's CSRF token is refused"
    );
    let own = other.get("/basket").await;
    let emptied = other.submit(&own, "/basket/clear", &[]).await;
    assert_eq!(emptied.location(), "/basket");
    assert!(
        b.get("/basket")
            .await
            .html
            .contains("장바구니가 비어 있습니다")
    );
}

async fn order_count(app: &TestApp, token: &str) -> usize {
    app.get("/v1/orders", Some(token)).await.body["items"]
        .as_array()
        .map_or(0, Vec::len)
}

fn as_refs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

async fn demo_login(app: &TestApp, email: &str) -> String {
    golmok_e2e::demo::login(app, email).await
}

async fn checkout_from_the_pages_places_one_order_and_tracks_it_live(app: TestApp) {
    seeded(&app).await;
    let mut b = Browser::new(&app.base_url);
    assert_eq!(
        b.get("/checkout").await.location(),
        "/signin?next=%2Fcheckout"
    );
    assert_eq!(b.get("/orders").await.location(), "/signin?next=%2Forders");
    b.sign_up("배송 받는 사람").await;
    let shopper = b.session_token().expect("signed in").to_owned();
    let consortium = mangwon(&mut b).await;
    for (title, quantity) in [
        ("국산콩 손두부", "2"),
        ("참기름", "200"),
        ("하우스 블렌드 원두", "300"),
    ] {
        let id = consortium
            .link_to("listings", title)
            .unwrap_or_else(|| panic!("{title}"));
        let page = b.get(&format!("/listings/{id}")).await;
        let added = b
            .submit(
                &page,
                "/basket",
                &[("listing_id", &id), ("quantity", quantity)],
            )
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.html);
    }

    // A merchant is not a shopper.
    let mut merchant = Browser::new(&app.base_url);
    let form = merchant.get("/signin").await;
    merchant
        .submit(
            &form,
            "/signin",
            &[
                ("email", "merchant@demo.golmok.kr"),
                ("password", golmok_demo::seed::DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        merchant.get("/checkout").await.status,
        StatusCode::FORBIDDEN
    );

    let form = b.get("/checkout").await;
    ok(&form);
    assert!(
        !form.html.contains("id=\"address-from-last\""),
        "no delivery yet"
    );
    assert_eq!(form.field_value("address").as_deref(), Some(""));
    let slots = form.input_values("slot_id");
    assert!(
        !slots.is_empty(),
        "open slots with their cut-off: {}",
        form.html
    );
    assert!(form.html.contains("주문 마감") && form.html.contains("남은 자리"));
    assert!(form.html.contains("data-area=") && form.html.contains("id=\"map\""));
    let idem = form.input_value("idem").expect("an idempotency key");
    let hub = form
        .html
        .split("data-hub=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_default()
        .to_owned();
    let (lat, lon) = hub.split_once(',').expect("the hub's coordinates");

    let base = |slot: &str, lat: &str, lon: &str| -> Vec<(String, String)> {
        vec![
            ("idem".into(), idem.clone()),
            ("fulfillment".into(), "delivery".into()),
            ("slot_id".into(), slot.into()),
            ("address".into(), "서울 마포구 망원로 100".into()),
            ("lat".into(), lat.into()),
            ("lon".into(), lon.into()),
            ("payment".into(), "offline".into()),
        ]
    };

    // Without CSRF: refused and nothing placed.
    let fields = base(&slots[0], lat, lon);
    let forged = b.post("/checkout", &as_refs(&fields)).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // Outside the network's area: said next to the map, nothing placed.
    let outside = b
        .submit(
            &form,
            "/checkout",
            &as_refs(&base(&slots[0], "37.65", "127.20")),
        )
        .await;
    assert_eq!(
        outside.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        outside.html
    );
    assert!(
        outside.html.contains("id=\"location-error\"")
            && outside.html.contains("배송 지역 밖입니다")
    );
    // No slot chosen.
    let no_slot = b
        .submit(&form, "/checkout", &as_refs(&base("", lat, lon)))
        .await;
    assert_eq!(no_slot.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_slot.html.contains("id=\"slot-error\""));
    assert_eq!(order_count(&app, &shopper).await, 0, "nothing half-written");

    let placed = b.submit(&form, "/checkout", &as_refs(&fields)).await;
    let to = placed.location().to_owned();
    assert!(to.starts_with("/orders/ord_"), "{to}");
    // The same form again lands on the same order.
    let again = b.submit(&form, "/checkout", &as_refs(&fields)).await;
    assert_eq!(again.location(), to);
    assert_eq!(order_count(&app, &shopper).await, 1);
    assert_eq!(
        b.get("/basket")
            .await
            .html
            .matches("class=\"shop-group\"")
            .count(),
        0
    );

    let order_id = to.trim_start_matches("/orders/").to_owned();
    let order = b.get(&to).await;
    ok(&order);
    assert_eq!(
        order.html.matches("data-shop-status").count(),
        3,
        "three shops"
    );
    assert_eq!(
        order.html.matches("data-handover-code").count(),
        1,
        "one hand-over code for the shopper to tell the courier"
    );
    assert!(order.html.contains("접수 대기") && order.html.contains("class=\"window\""));
    let history = b.get("/orders").await;
    assert!(history.linked_ids("orders").contains(&order_id));

    // Another shopper sees no such order.
    let mut stranger = Browser::new(&app.base_url);
    stranger.sign_up("남").await;
    assert_eq!(stranger.get(&to).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        stranger.get(&format!("{to}/live")).await.status,
        StatusCode::NOT_FOUND
    );

    // The tofu shop accepts through the API; the open page hears it.
    let mut live = b.stream(&format!("{to}/live")).await;
    assert_eq!(live.status(), StatusCode::OK);
    let owner = demo_login(&app, "merchant@demo.golmok.kr").await;
    let full = app
        .get(&format!("/v1/orders/{order_id}"), Some(&shopper))
        .await;
    let tofu_shop = app.get("/v1/merchants?limit=100", None).await;
    let tofu_shop_id = tofu_shop.body["items"]
        .as_array()
        .and_then(|items| items.iter().find(|m| m["name"] == "망원 두부가게"))
        .and_then(|m| m["id"].as_str())
        .map(str::to_owned);
    let part = full.body["merchant_orders"]
        .as_array()
        .and_then(|parts| {
            parts.iter().find(|p| {
                tofu_shop_id
                    .as_deref()
                    .is_none_or(|id| p["merchant_id"] == id)
            })
        })
        .and_then(|p| p["id"].as_str())
        .expect("the tofu shop's part")
        .to_owned();
    let accepted = app
        .post(
            &format!("/v1/merchant-orders/{part}/accept"),
            Some(&owner),
            &json!({}),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text);
    // With data: a browser drops an event whose data is empty.
    golmok_e2e::read_events_until(&mut live, "data: changed").await;
    let redrawn = b.get_fragment(&to).await;
    ok(&redrawn);
    assert!(!redrawn.html.contains("<html"), "the tracking part only");
    assert!(redrawn.html.contains("가게 확인"), "{}", redrawn.html);

    // The next basket's checkout offers the same door again (not the phone or notes).
    let tofu = consortium
        .link_to("listings", "국산콩 손두부")
        .expect("the tofu");
    let page = b.get(&format!("/listings/{tofu}")).await;
    b.submit(
        &page,
        "/basket",
        &[("listing_id", &tofu), ("quantity", "1")],
    )
    .await;
    let next = b.get("/checkout").await;
    ok(&next);
    assert!(
        next.html.contains("id=\"address-from-last\""),
        "{}",
        next.html
    );
    assert_eq!(
        next.field_value("address").as_deref(),
        Some("서울 마포구 망원로 100")
    );
    assert_eq!(next.field_value("lat").as_deref(), Some(lat));
    assert_eq!(next.field_value("lon").as_deref(), Some(lon));
    assert_eq!(next.field_value("phone").as_deref(), Some(""));
}

on_both_databases!(the_shop_console_takes_orders_from_new_to_ready);

/// A signed-in browser for the owner of the demo shop named `shop_name`, and the shop's id.
async fn owner_of(app: &TestApp, shop_name: &str) -> (Browser, String) {
    let shops = app.get("/v1/merchants?limit=100", None).await;
    let shop = shops.body["items"]
        .as_array()
        .and_then(|items| items.iter().find(|m| m["name"] == shop_name))
        .cloned()
        .unwrap_or_else(|| panic!("{shop_name} in the demo"));
    let owner = golmok_accounts::find(&app.state.db, shop["owner_id"].as_str().unwrap_or_default())
        .await
        .expect("the shop's owner");
    let mut b = Browser::new(&app.base_url);
    let form = b.get("/signin").await;
    let signed = b
        .submit(
            &form,
            "/signin",
            &[
                ("email", &owner.email),
                ("password", golmok_demo::seed::DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(signed.location(), "/");
    (b, shop["id"].as_str().unwrap_or_default().to_owned())
}

async fn listing_in(app: &TestApp, shop_id: &str, title: &str) -> String {
    golmok_e2e::demo::listings_of(app, shop_id)
        .await
        .iter()
        .find(|l| l["title"] == title)
        .and_then(|l| l["id"].as_str())
        .unwrap_or_else(|| panic!("{title}"))
        .to_owned()
}

/// A new shopper signed in through the pages, their token, and the Mangwon market's
/// consortium as its home page links it.
async fn mangwon_shopper(app: &TestApp, name: &str) -> (Browser, String, String) {
    let mut shopper = Browser::new(&app.base_url);
    shopper.sign_up(name).await;
    let token = shopper.session_token().expect("signed in").to_owned();
    let consortium = shopper
        .get("/")
        .await
        .link_to("consortia", "망원시장")
        .expect("Mangwon");
    (shopper, token, consortium)
}

async fn pickup_order(
    app: &TestApp,
    shopper: &str,
    consortium: &str,
    items: serde_json::Value,
) -> serde_json::Value {
    let placed = app
        .post(
            "/v1/orders",
            Some(shopper),
            &json!({"consortium_id": consortium, "items": items, "fulfillment": {"kind": "pickup"}, "payment": {"provider": "offline"}}),
        )
        .await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.text);
    placed.body
}

async fn the_shop_console_takes_orders_from_new_to_ready(app: TestApp) {
    seeded(&app).await;
    let (mut oil, oil_shop) = owner_of(&app, "망원동 마을기업 참기름집").await;
    let (mut tofu, tofu_shop) = owner_of(&app, "망원 두부가게").await;
    let sesame = listing_in(&app, &oil_shop, "참기름").await;
    let bean = listing_in(&app, &tofu_shop, "국산콩 손두부").await;
    let mut shopper = Browser::new(&app.base_url);
    shopper.sign_up("참기름 손님").await;
    let token = shopper.session_token().expect("signed in").to_owned();
    let consortium = shopper
        .get("/")
        .await
        .link_to("consortia", "망원시장")
        .expect("Mangwon");
    let order = pickup_order(
        &app,
        &token,
        &consortium,
        json!([{"listing_id": sesame, "quantity": 200}, {"listing_id": bean, "quantity": 1}]),
    )
    .await;
    let order_id = order["id"].as_str().unwrap_or_default().to_owned();
    let part = |shop: &str| {
        order["merchant_orders"]
            .as_array()
            .and_then(|parts| parts.iter().find(|p| p["merchant_id"] == shop))
            .and_then(|p| p["id"].as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let (oil_part, tofu_part) = (part(&oil_shop), part(&tofu_shop));

    // The owner lands on the board; the order waits in "new".
    assert_eq!(
        oil.get("/shop").await.location(),
        format!("/shop/{oil_shop}/orders")
    );
    let board = oil.get(&format!("/shop/{oil_shop}/orders")).await;
    ok(&board);
    let new_column = board.html.split("col-accepted").next().unwrap_or_default();
    assert!(
        new_column.contains(&oil_part) && new_column.contains("200 ml"),
        "{}",
        board.html
    );
    assert!(!board.html.contains(&tofu_part), "only this shop's part");

    // Another shop's owner, and a shopper, are refused everywhere; nothing changes.
    for path in [
        format!("/shop/{oil_shop}/orders"),
        format!("/shop/{oil_shop}/listings"),
        format!("/shop/{oil_shop}/orders/{oil_part}/weigh"),
        format!("/shop/{oil_shop}/live"),
    ] {
        assert_eq!(
            tofu.get(&path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
        assert_eq!(
            shopper.get(&path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let tofu_board = tofu.get(&format!("/shop/{tofu_shop}/orders")).await;
    let stolen = tofu
        .submit(
            &tofu_board,
            &format!("/shop/{oil_shop}/orders/{oil_part}/accept"),
            &[],
        )
        .await;
    assert_eq!(stolen.status, StatusCode::FORBIDDEN);
    let forged = oil
        .post(&format!("/shop/{oil_shop}/orders/{oil_part}/accept"), &[])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "no CSRF token");
    let status_of = |order: &serde_json::Value, part: &str| {
        order["merchant_orders"]
            .as_array()
            .and_then(|parts| parts.iter().find(|p| p["id"] == part))
            .map(|p| {
                (
                    p["status"].as_str().unwrap_or_default().to_owned(),
                    p["lines"][0]["weighed_quantity"].clone(),
                )
            })
            .unwrap_or_default()
    };
    let now = app
        .get(&format!("/v1/orders/{order_id}"), Some(&token))
        .await
        .body;
    assert_eq!(status_of(&now, &oil_part).0, "pending");

    // Accept, then weigh at the counter: gross 700 ml less a 480 ml container is 220 ml.
    let accepted = oil
        .submit(
            &board,
            &format!("/shop/{oil_shop}/orders/{oil_part}/accept"),
            &[],
        )
        .await;
    assert_eq!(accepted.location(), format!("/shop/{oil_shop}/orders"));
    let weigh_path = format!("/shop/{oil_shop}/orders/{oil_part}/weigh");
    let form = oil.get(&weigh_path).await;
    ok(&form);
    let line = form
        .html
        .split("name=\"net_")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a refill line")
        .to_owned();
    assert!(
        form.html.contains("최대 11,500원"),
        "estimate 10,000 won plus 15 %: {}",
        form.html
    );
    let nothing = oil.submit(&form, &weigh_path, &[]).await;
    assert_eq!(nothing.status, StatusCode::UNPROCESSABLE_ENTITY);
    let over = oil
        .submit(&form, &weigh_path, &[(&format!("net_{line}"), "400")])
        .await;
    assert_eq!(over.status, StatusCode::CONFLICT);
    assert!(
        over.html.contains("승인된 양으로 줄이기 (230 ml)"),
        "{}",
        over.html
    );
    let now = app
        .get(&format!("/v1/orders/{order_id}"), Some(&token))
        .await
        .body;
    assert_eq!(
        status_of(&now, &oil_part).1,
        serde_json::Value::Null,
        "nothing weighed"
    );
    let weighed = oil
        .submit(
            &form,
            &weigh_path,
            &[
                (&format!("gross_{line}"), "700"),
                (&format!("tare_{line}"), "480"),
            ],
        )
        .await;
    assert_eq!(weighed.location(), format!("/shop/{oil_shop}/orders"));
    let now = app
        .get(&format!("/v1/orders/{order_id}"), Some(&token))
        .await
        .body;
    assert_eq!(
        status_of(&now, &oil_part),
        ("accepted".to_owned(), json!(220))
    );
    let board = oil.get(&format!("/shop/{oil_shop}/orders")).await;
    let column = |html: &str, from: &str, to: &str| -> String {
        let start = html
            .find(&format!("class=\"column col-{from}\""))
            .unwrap_or(0);
        let end = html
            .find(&format!("class=\"column col-{to}\""))
            .unwrap_or(html.len());
        html[start..end.max(start)].to_owned()
    };
    let weighed_column = column(&board.html, "weighed", "ready");
    assert!(weighed_column.contains(&oil_part), "in the weighed column");
    let ready = oil
        .submit(
            &board,
            &format!("/shop/{oil_shop}/orders/{oil_part}/ready"),
            &[],
        )
        .await;
    assert_eq!(ready.status, StatusCode::SEE_OTHER);
    let now = app
        .get(&format!("/v1/orders/{order_id}"), Some(&token))
        .await
        .body;
    assert_eq!(status_of(&now, &oil_part).0, "ready");

    // The tofu shop refuses its part: the shopper reads why, in their language.
    let refused = tofu
        .submit(
            &tofu_board,
            &format!("/shop/{tofu_shop}/orders/{tofu_part}/refuse"),
            &[("reason", "sold_out"), ("note", "")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER);
    let tracking = shopper.get(&format!("/orders/{order_id}")).await;
    assert!(tracking.html.contains("사유: 품절"), "{}", tracking.html);

    // Its payouts page: what it is owed, and no card account needed on an offline server.
    let payouts = oil.get(&format!("/shop/{oil_shop}/payouts")).await;
    ok(&payouts);
    assert!(
        payouts.html.contains("class=\"owed\"") && payouts.html.contains("카드 결제를 받지 않아")
    );
    assert_eq!(
        tofu.get(&format!("/shop/{oil_shop}/payouts")).await.status,
        StatusCode::FORBIDDEN
    );
    // Its statement for the books, and a title that is only a title (it held the statement).
    let title_end = payouts.html.find("</title>").unwrap_or(0);
    assert!(
        !payouts.html[..title_end].contains("statement-h"),
        "{}",
        &payouts.html[..title_end]
    );
    let csv = oil
        .get(&format!("/shop/{oil_shop}/payouts/statement.csv"))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.html
            .starts_with("at,kind,reference,amount_krw,balance_krw\n")
    );
    assert_eq!(
        tofu.get(&format!("/shop/{oil_shop}/payouts/statement.csv"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // A new order reaches the open board's live stream.
    let mut live = oil.stream(&format!("/shop/{oil_shop}/live")).await;
    assert_eq!(live.status(), StatusCode::OK);
    pickup_order(
        &app,
        &token,
        &consortium,
        json!([{"listing_id": sesame, "quantity": 100}]),
    )
    .await;
    // With data: a browser drops an event whose data is empty.
    golmok_e2e::read_events_until(&mut live, "data: changed").await;
    let redrawn = oil.get_fragment(&format!("/shop/{oil_shop}/orders")).await;
    assert!(
        redrawn.html.contains("data-new-count=\"1\"") && !redrawn.html.contains("<html"),
        "{}",
        redrawn.html
    );

    // Listings: every status, on/off in one click, stock for many at once (all or none).
    let listings = oil.get(&format!("/shop/{oil_shop}/listings")).await;
    ok(&listings);
    let stock_fields = listings.input_values("tab");
    assert_eq!(stock_fields, vec!["all".to_owned()]);
    let ids: Vec<String> = listings
        .html
        .match_indices("name=\"stock_")
        .filter_map(|(i, _)| listings.html[i + 12..].split('"').next().map(str::to_owned))
        .collect();
    assert!(ids.len() >= 2, "{}", listings.html);
    let bad = oil
        .submit(
            &listings,
            &format!("/shop/{oil_shop}/listings/stock"),
            &[
                (&format!("stock_{}", ids[0]), "50"),
                (&format!("stock_{}", ids[1]), "-1"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let stock_of = |id: String| {
        let app = &app;
        async move { app.get(&format!("/v1/listings/{id}"), None).await.body["stock"].as_i64() }
    };
    assert_ne!(stock_of(ids[0].clone()).await, Some(50), "none saved");
    let saved = oil
        .submit(
            &listings,
            &format!("/shop/{oil_shop}/listings/stock"),
            &[
                (&format!("stock_{}", ids[0]), "50"),
                (&format!("stock_{}", ids[1]), "75"),
            ],
        )
        .await;
    assert_eq!(
        saved.location(),
        format!("/shop/{oil_shop}/listings?saved=1")
    );
    assert_eq!(stock_of(ids[0].clone()).await, Some(50));
    assert_eq!(stock_of(ids[1].clone()).await, Some(75));
    let off = oil
        .submit(
            &listings,
            &format!("/shop/{oil_shop}/listings/{sesame}/toggle"),
            &[],
        )
        .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get(&format!("/v1/listings/{sesame}"), None).await.body["status"],
        "draft"
    );
    let drafts = oil
        .get(&format!("/shop/{oil_shop}/listings?status=draft"))
        .await;
    assert!(drafts.html.contains(&sesame) && drafts.html.contains("켜기"));
    let on = oil
        .submit(
            &drafts,
            &format!("/shop/{oil_shop}/listings/{sesame}/toggle"),
            &[("tab", "draft")],
        )
        .await;
    assert_eq!(
        on.location(),
        format!("/shop/{oil_shop}/listings?status=draft")
    );
    assert_eq!(
        app.get(&format!("/v1/listings/{sesame}"), None).await.body["status"],
        "active"
    );
}

on_both_databases!(a_courier_rides_a_batch_from_the_phone);

async fn a_courier_rides_a_batch_from_the_phone(app: TestApp) {
    seeded(&app).await;
    let mut shopper = Browser::new(&app.base_url);
    shopper.sign_up("배달 손님").await;
    let token = shopper.session_token().expect("signed in").to_owned();
    let delivery = golmok_e2e::demo::tofu_delivery(&app, &token).await;
    let (network, slot, part) = (
        delivery.network.clone(),
        delivery.slot.clone(),
        delivery.part.clone(),
    );
    let placed_id = delivery.order_id.clone();
    let owner = demo_login(&app, "merchant@demo.golmok.kr").await;
    for action in ["accept", "ready"] {
        let done = app
            .post(
                &format!("/v1/merchant-orders/{part}/{action}"),
                Some(&owner),
                &json!({}),
            )
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    }
    let admin = demo_login(&app, "admin@demo.golmok.kr").await;
    let plan = app
        .post(
            &format!("/v1/networks/{network}/slots/{slot}/plan"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(plan.status, StatusCode::OK, "{}", plan.text);
    let batch = plan.body["batches"][0].clone();
    let batch_id = batch["id"].as_str().unwrap_or_default().to_owned();
    let email =
        golmok_e2e::demo::courier_email(&app, batch["courier_id"].as_str().unwrap_or_default())
            .await;

    let mut courier = Browser::new(&app.base_url);
    let form = courier.get("/signin").await;
    courier
        .submit(
            &form,
            "/signin",
            &[
                ("email", &email),
                ("password", golmok_demo::seed::DEMO_PASSWORD),
            ],
        )
        .await;
    let list = courier.get("/courier").await;
    ok(&list);
    assert!(
        list.html.contains(&format!("/courier/batches/{batch_id}")),
        "{}",
        list.html
    );
    let page = courier.get(&format!("/courier/batches/{batch_id}")).await;
    ok(&page);
    assert_eq!(
        page.html.matches("class=\"stop-card").count(),
        2,
        "a pick-up and a drop-off"
    );
    assert!(page.html.contains("data-stops=") && page.html.contains("map.kakao.com/link/to/"));
    assert_eq!(
        page.input_values("batch").len(),
        6,
        "a code and a failure form a stop, and a photo and a signature form at the door"
    );
    let stop_ids: Vec<String> = batch["stops"]
        .as_array()
        .map(|s| {
            s.iter()
                .filter_map(|s| s["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();

    // Strangers: a shopper is refused, another courier does not see the batch.
    assert_eq!(shopper.get("/courier").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        shopper.get("/courier/live").await.status,
        StatusCode::FORBIDDEN
    );
    let mut other = Browser::new(&app.base_url);
    let form = other.get("/signin").await;
    let other_email = if email == "courier@demo.golmok.kr" {
        "courier02@demo.golmok.kr"
    } else {
        "courier@demo.golmok.kr"
    };
    other
        .submit(
            &form,
            "/signin",
            &[
                ("email", other_email),
                ("password", golmok_demo::seed::DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        other
            .get(&format!("/courier/batches/{batch_id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let other_page = other.get("/courier").await;
    let stolen = other
        .submit(
            &other_page,
            &format!("/courier/stops/{}/complete", stop_ids[0]),
            &[("batch", &batch_id), ("kind", "code"), ("value", "1234")],
        )
        .await;
    assert_eq!(
        stolen.status,
        StatusCode::NOT_FOUND,
        "another courier's stop"
    );

    // Without CSRF nothing happens; with it the pick-up is done, once, however often sent.
    let forged = courier
        .post(
            &format!("/courier/stops/{}/complete", stop_ids[0]),
            &[("batch", &batch_id), ("kind", "code"), ("value", "1234")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let wrong = courier
        .submit(
            &page,
            &format!("/courier/stops/{}/complete", stop_ids[0]),
            &[("batch", &batch_id), ("kind", "code"), ("value", "wrong")],
        )
        .await;
    assert_eq!(
        wrong.location(),
        format!("/courier/batches/{batch_id}?problem=code")
    );
    let told = courier
        .get(&format!("/courier/batches/{batch_id}?problem=code"))
        .await;
    assert!(told.html.contains("전달 코드가 맞지 않습니다"));
    let code = app
        .get(&format!("/v1/orders/{}", placed_id), Some(&owner))
        .await
        .body["merchant_orders"][0]["pickup_code"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    for _ in 0..2 {
        let done = courier
            .submit(
                &page,
                &format!("/courier/stops/{}/complete", stop_ids[0]),
                &[("batch", &batch_id), ("kind", "code"), ("value", &code)],
            )
            .await;
        assert_eq!(done.location(), format!("/courier/batches/{batch_id}"));
    }
    let order = app
        .get(&format!("/v1/orders/{}", placed_id), Some(&token))
        .await
        .body;
    assert_eq!(
        order["merchant_orders"][0]["status"], "picked_up",
        "{order}"
    );
    // Nobody home at the door: a photo of where the bag was left, and a note. A PDF is not
    // a photo.
    let photo_path = format!("/courier/stops/{}/photo", stop_ids[1]);
    let csrf = page.csrf();
    let pdf = courier
        .upload(
            &photo_path,
            &[("csrf", &csrf), ("batch", &batch_id)],
            ("photo", "door.pdf", "application/pdf", b"%PDF-1.7 door"),
        )
        .await;
    assert_eq!(
        pdf.location(),
        format!("/courier/batches/{batch_id}?problem=file")
    );
    // The shopper signs on the courier's screen: the drawing goes as a PNG.
    let mut signature = Vec::new();
    image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(320, 160, |x, y| {
        if (x as i64 - 2 * y as i64).abs() < 3 {
            image::Rgb([0, 0, 0])
        } else {
            image::Rgb([255, 255, 255])
        }
    }))
    .write_to(
        &mut std::io::Cursor::new(&mut signature),
        image::ImageFormat::Png,
    )
    .expect("a PNG");
    let left = courier
        .upload(
            &photo_path,
            &[("csrf", &csrf), ("batch", &batch_id), ("kind", "signature")],
            ("photo", "signature.png", "image/png", &signature),
        )
        .await;
    assert_eq!(left.location(), format!("/courier/batches/{batch_id}"));
    let batch_now = app
        .get(
            "/v1/couriers/me/batches?status=done",
            Some(&demo_login(&app, &email).await),
        )
        .await
        .body;
    let door = &batch_now["items"][0]["stops"][1];
    assert_eq!(door["proof"]["kind"], "signature", "{batch_now}");
    assert!(door["proof"]["file_url"].is_string(), "{batch_now}");
    let after = courier.get(&format!("/courier/batches/{batch_id}")).await;
    assert!(after.html.contains("완료"), "{}", after.html);
    assert!(!after.html.contains("/complete\""), "no stop left to do");
}

on_both_databases!(the_dispatch_board_moves_a_delivery_to_a_courier_for_good);

async fn the_dispatch_board_moves_a_delivery_to_a_courier_for_good(app: TestApp) {
    seeded(&app).await;
    let (shopper, _) = app.sign_up("shopper").await;
    let golmok_e2e::demo::TofuDelivery {
        part,
        network,
        slot,
        date,
        ..
    } = golmok_e2e::demo::tofu_delivery(&app, &shopper).await;
    let admin = demo_login(&app, "admin@demo.golmok.kr").await;
    let planned = app
        .post(
            &format!("/v1/networks/{network}/slots/{slot}/plan"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(planned.status, StatusCode::OK, "{}", planned.text);
    let first = planned.body["batches"][0]["courier_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    let mut dispatcher = Browser::new(&app.base_url);
    let form = dispatcher.get("/signin").await;
    dispatcher
        .submit(
            &form,
            "/signin",
            &[
                ("email", "coordinator@demo.golmok.kr"),
                ("password", golmok_demo::seed::DEMO_PASSWORD),
            ],
        )
        .await;
    let list = dispatcher.get("/dispatch").await;
    ok(&list);
    assert!(
        list.linked_ids("dispatch").contains(&network),
        "{}",
        list.html
    );
    let board = dispatcher
        .get(&format!("/dispatch/{network}?date={date}"))
        .await;
    ok(&board);
    assert!(
        board.html.contains("dispatch-batch") && board.html.contains("data-map="),
        "{}",
        board.html
    );
    // Couriers, batches and stops in the dispatcher's words, not the API's codes.
    let mangwon_riders = golmok_delivery_routing::courier::couriers_of(&app.state.db, &network)
        .await
        .expect("the network's couriers");
    for c in &mangwon_riders {
        assert!(
            !board.html.contains(&format!("({})", c.vehicle.as_str())),
            "{} shown as its code: {}",
            c.vehicle.as_str(),
            board.html
        );
    }
    assert!(
        ["(도보)", "(화물 자전거)", "(전동 스쿠터)", "(소형 밴)"]
            .iter()
            .any(|v| board.html.contains(v)),
        "{}",
        board.html
    );
    for code in ["class=\"tag\">planned<", "class=\"meta\">pending<"] {
        assert!(!board.html.contains(code), "{code}: {}", board.html);
    }
    assert!(board.html.contains("class=\"tag\">대기<"), "{}", board.html);
    let other = golmok_delivery_routing::courier::couriers_of(&app.state.db, &network)
        .await
        .expect("the network's couriers")
        .into_iter()
        .map(|c| c.id)
        .find(|c| *c != first)
        .expect("a second courier");

    // Strangers to the network are refused.
    let mut shopper_pages = Browser::new(&app.base_url);
    shopper_pages.sign_up("구경꾼").await;
    assert_eq!(
        shopper_pages
            .get(&format!("/dispatch/{network}"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let shopper_home = shopper_pages.get("/").await;
    let moved_by_stranger = shopper_pages
        .submit(
            &shopper_home,
            &format!("/dispatch/{network}/tasks/{part}/courier"),
            &[("courier_id", &other)],
        )
        .await;
    assert_eq!(moved_by_stranger.status, StatusCode::FORBIDDEN);

    // The dispatcher gives the delivery to the other courier; later plans keep it there.
    let moved = dispatcher
        .submit(
            &board,
            &format!("/dispatch/{network}/tasks/{part}/courier"),
            &[("courier_id", &other), ("date", &date.to_string())],
        )
        .await;
    assert_eq!(moved.location(), format!("/dispatch/{network}?date={date}"));
    let carrier = |plan: &serde_json::Value| {
        plan["batches"]
            .as_array()
            .and_then(|b| {
                b.iter().find(|b| {
                    b["stops"]
                        .as_array()
                        .is_some_and(|s| s.iter().any(|s| s["merchant_order_id"] == part.as_str()))
                })
            })
            .and_then(|b| b["courier_id"].as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let now = app
        .get(
            &format!("/v1/networks/{network}/slots/{slot}/plan"),
            Some(&admin),
        )
        .await;
    assert_eq!(carrier(&now.body), other, "{}", now.text);
    let replanned = dispatcher
        .submit(
            &board,
            &format!("/dispatch/{network}/slots/{slot}/plan"),
            &[("date", &date.to_string())],
        )
        .await;
    assert_eq!(replanned.status, StatusCode::SEE_OTHER);
    let again = app
        .get(
            &format!("/v1/networks/{network}/slots/{slot}/plan"),
            Some(&admin),
        )
        .await;
    assert_eq!(
        carrier(&again.body),
        other,
        "the move is kept: {}",
        again.text
    );

    // The board follows the day live: the courier sets out and shares where they are; the
    // board's stream says so and the board shows the courier's progress and position.
    let board = dispatcher
        .get(&format!("/dispatch/{network}?date={date}"))
        .await;
    assert!(
        board
            .html
            .contains(&format!("/dispatch/{network}/tasks/{part}/courier"))
            && board.html.contains("data-progress>0 / "),
        "a planned delivery may be given to another courier: {}",
        board.html
    );
    assert_eq!(
        shopper_pages
            .get(&format!("/dispatch/{network}/live"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let mut live = dispatcher
        .stream(&format!("/dispatch/{network}/live"))
        .await;
    assert_eq!(live.status(), StatusCode::OK);
    let email = golmok_e2e::demo::courier_email(&app, &other).await;
    let courier = demo_login(&app, &email).await;
    let batch_id = again.body["batches"]
        .as_array()
        .and_then(|b| b.iter().find(|b| b["courier_id"] == other.as_str()))
        .and_then(|b| b["id"].as_str())
        .unwrap_or_default()
        .to_owned();
    let started = app
        .post(
            &format!("/v1/batches/{batch_id}/start"),
            Some(&courier),
            &json!({}),
        )
        .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.text);
    let shared = app
        .post(
            &format!("/v1/batches/{batch_id}/position"),
            Some(&courier),
            &json!({"location": {"lat": 37.5561, "lon": 126.9045}}),
        )
        .await;
    assert_eq!(shared.status, StatusCode::OK, "{}", shared.text);
    golmok_e2e::read_events_until(&mut live, "data: changed").await;
    let board = dispatcher
        .get(&format!("/dispatch/{network}?date={date}"))
        .await;
    assert!(
        board.html.contains("위치 ") && board.html.contains("courier&#34;:[37.5561"),
        "the courier's position on the board: {}",
        board.html
    );
    // Another dispatcher (or the cut-off) plans the slot again: the open board hears of it.
    drop(live);
    let mut live = dispatcher
        .stream(&format!("/dispatch/{network}/live"))
        .await;
    let replanned = app
        .post(
            &format!("/v1/networks/{network}/slots/{slot}/plan"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(replanned.status, StatusCode::OK, "{}", replanned.text);
    golmok_e2e::read_events_until(&mut live, "data: changed").await;
    let told = golmok_events::outbox::since(
        &app.state.db,
        &[golmok_events::Topic::network(network.as_str()).to_string()],
        "",
        1000,
    )
    .await
    .expect("the network's events");
    assert!(
        told.iter()
            .any(|e| e.payload["type"] == "slot_planned"
                && e.payload["plan_id"] == replanned.body["id"]),
        "the re-plan is told on the network's topic: {told:?}"
    );
    // Each batch not yet set out when the board planned again was replaced: its courier's
    // phone is told it is gone.
    let replaced: Vec<(String, String)> = now.body["batches"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|b| b["status"] == "planned" && b["id"] != batch_id.as_str())
        .filter_map(|b| {
            Some((
                b["id"].as_str()?.to_owned(),
                b["courier_id"].as_str()?.to_owned(),
            ))
        })
        .collect();
    assert!(!replaced.is_empty(), "{}", now.text);
    for (batch, courier) in replaced {
        let account = golmok_delivery_routing::courier::account_of(&app.state.db, &courier)
            .await
            .expect("the database")
            .expect("the courier's account");
        let heard = golmok_events::outbox::since(
            &app.state.db,
            &[golmok_events::Topic::courier(account.as_str()).to_string()],
            "",
            1000,
        )
        .await
        .expect("the courier's events");
        assert!(
            heard.iter().any(|e| e.payload["type"] == "batch_replaced"
                && e.payload["batch_id"] == batch.as_str()),
            "{batch} replaced is told to its courier: {heard:?}"
        );
    }
}

on_both_databases!(a_shop_owner_lists_a_new_good_and_edits_it);

async fn a_shop_owner_lists_a_new_good_and_edits_it(app: TestApp) {
    seeded(&app).await;
    let (mut b, shop) = owner_of(&app, "망원 두부가게").await;
    let owner_token = golmok_e2e::demo::login(&app, "merchant@demo.golmok.kr").await;
    let listed_at_start = app
        .get(
            &format!("/v1/merchants/{shop}/listings"),
            Some(&owner_token),
        )
        .await
        .body["items"]
        .as_array()
        .map_or(0, Vec::len);
    assert!(listed_at_start > 0, "the tofu shop lists goods");
    let listings = b.get(&format!("/shop/{shop}/listings")).await;
    ok(&listings);
    assert!(
        listings
            .html
            .contains(&format!("/shop/{shop}/listings/new"))
    );
    let form = b.get(&format!("/shop/{shop}/listings/new")).await;
    ok(&form);
    let new_path = format!("/shop/{shop}/listings/new");
    let fields = |title: &'static str, price: &'static str, container: &'static str| {
        vec![
            ("title", title),
            ("description", "아침마다 만드는 순두부"),
            ("price_krw", price),
            ("unit", "piece"),
            ("unit_quantity", "1"),
            ("stock", "12"),
            ("container", container),
            ("deposit_krw", "1000"),
            ("on_sale", "on"),
        ]
    };

    // Each refusal comes back beside its field, with what was typed kept.
    let not_a_price = b
        .submit(&form, &new_path, &fields("검은콩 순두부", "삼천", "none"))
        .await;
    assert_eq!(not_a_price.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        not_a_price.html.contains("id=\"price-error\""),
        "{}",
        not_a_price.html
    );
    assert!(not_a_price.html.contains("아침마다 만드는 순두부"));
    let no_title = b
        .submit(&form, &new_path, &fields("", "3000", "none"))
        .await;
    assert_eq!(no_title.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_title.html.contains("id=\"title-error\""),
        "{}",
        no_title.html
    );
    let container_on_tofu = b
        .submit(
            &form,
            &new_path,
            &fields("검은콩 순두부", "3000", "deposit"),
        )
        .await;
    assert_eq!(container_on_tofu.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(container_on_tofu.html.contains("id=\"container-error\""));
    // Nothing was written by the refusals.
    let owner_token = golmok_e2e::demo::login(&app, "merchant@demo.golmok.kr").await;
    let count = |body: serde_json::Value| body["items"].as_array().map_or(0, Vec::len);
    let shop_listings = format!("/v1/merchants/{shop}/listings");
    let after_refusals = count(app.get(&shop_listings, Some(&owner_token)).await.body);
    assert_eq!(after_refusals, listed_at_start);

    let made = b
        .submit(&form, &new_path, &fields("검은콩 순두부", "3000", "none"))
        .await;
    assert_eq!(
        made.location(),
        format!("/shop/{shop}/listings?saved=listing")
    );
    let id = listing_in(&app, &shop, "검은콩 순두부").await;
    let listing = app.get(&format!("/v1/listings/{id}"), None).await.body;
    assert_eq!(listing["price_krw"], 3000);
    assert_eq!(listing["stock"], 12);
    assert_eq!(listing["status"], "active");
    let saved = b.get(&format!("/shop/{shop}/listings?saved=listing")).await;
    assert!(
        saved
            .html
            .contains(&format!("/shop/{shop}/listings/{id}/edit"))
    );

    // Edited: a new price, and off sale (a draft).
    let edit_path = format!("/shop/{shop}/listings/{id}/edit");
    let edit = b.get(&edit_path).await;
    ok(&edit);
    assert!(edit.html.contains("value=\"3000\""));
    let mut changed = fields("검은콩 순두부", "3500", "none");
    changed.retain(|(k, _)| *k != "on_sale");
    let done = b.submit(&edit, &edit_path, &changed).await;
    assert_eq!(
        done.location(),
        format!("/shop/{shop}/listings?saved=listing")
    );
    let listing = app
        .get(&format!("/v1/listings/{id}"), Some(&owner_token))
        .await
        .body;
    assert_eq!(listing["price_krw"], 3500, "{listing}");
    assert_eq!(listing["status"], "draft");
    // The owner's own list, by status (the public list shows only what is on sale).
    let ids_in = |body: serde_json::Value| -> Vec<String> {
        body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|l| l["id"].as_str().map(str::to_owned))
            .collect()
    };
    let drafts = app
        .get(
            &format!("/v1/merchants/{shop}/listings?status=draft"),
            Some(&owner_token),
        )
        .await;
    assert!(ids_in(drafts.body).contains(&id));
    let on_sale = app
        .get(
            &format!("/v1/merchants/{shop}/listings?status=active"),
            Some(&owner_token),
        )
        .await;
    assert!(!ids_in(on_sale.body).contains(&id));
    let (stranger, _) = app.sign_up("merchant").await;
    app.get(&format!("/v1/merchants/{shop}/listings"), Some(&stranger))
        .await
        .assert_problem(403, "forbidden");

    // Another shop's listing is not edited through this shop's pages.
    let coffee = app.get("/v1/merchants?limit=100", None).await.body["items"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["name"] != "망원 두부가게"))
        .and_then(|m| m["id"].as_str())
        .map(str::to_owned)
        .expect("another shop");
    let theirs = app
        .get(&format!("/v1/listings?merchant_id={coffee}&limit=1"), None)
        .await
        .body["items"][0]["id"]
        .as_str()
        .map(str::to_owned)
        .expect("one of their listings");
    let not_mine = b.get(&format!("/shop/{shop}/listings/{theirs}/edit")).await;
    assert_eq!(not_mine.status, StatusCode::NOT_FOUND);
    let not_my_shop = b.get(&format!("/shop/{coffee}/listings/new")).await;
    assert_eq!(not_my_shop.status, StatusCode::FORBIDDEN);
}

on_both_databases!(a_shop_owner_adds_a_photo_that_shoppers_see);

use golmok_e2e::pages::a_photo;

async fn a_shop_owner_adds_a_photo_that_shoppers_see(app: TestApp) {
    seeded(&app).await;
    let (mut b, shop) = owner_of(&app, "망원 두부가게").await;
    let tofu = listing_in(&app, &shop, "국산콩 손두부").await;
    let edit = format!("/shop/{shop}/listings/{tofu}/edit");
    let upload_path = format!("/shop/{shop}/listings/{tofu}/photos");
    let form = b.get(&edit).await;
    ok(&form);
    assert!(form.html.contains("enctype=\"multipart/form-data\""));
    let csrf = form.csrf();
    let photo = a_photo();

    // Without the form's token nothing is kept.
    let forged = b
        .upload(
            &upload_path,
            &[],
            ("photo", "tofu.jpg", "image/jpeg", &photo),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // A PDF and a file over 10 MB come back with the reason beside the photo field.
    let pdf = b
        .upload(
            &upload_path,
            &[("csrf", &csrf)],
            ("photo", "menu.pdf", "application/pdf", b"%PDF-1.7 menu"),
        )
        .await;
    assert_eq!(pdf.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(pdf.html.contains("id=\"photo-error\""), "{}", pdf.html);
    assert!(pdf.html.contains("JPEG, PNG, WebP 사진만"));
    let mut huge = photo.clone();
    huge.resize(12 * 1024 * 1024, 0);
    let too_big = b
        .upload(
            &upload_path,
            &[("csrf", &csrf)],
            ("photo", "huge.jpg", "image/jpeg", &huge),
        )
        .await;
    assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE);
    // Another shop's owner cannot add one.
    let (mut other, _) = owner_of(&app, "망원 정육점").await;
    let theirs = other.get("/").await;
    let refused = other
        .upload(
            &upload_path,
            &[("csrf", &theirs.csrf())],
            ("photo", "tofu.jpg", "image/jpeg", &photo),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let listing = app.get(&format!("/v1/listings/{tofu}"), None).await;
    assert_eq!(
        listing.body["photos"],
        json!([]),
        "nothing refused was kept"
    );

    let added = b
        .upload(
            &upload_path,
            &[("csrf", &csrf)],
            ("photo", "tofu.jpg", "image/jpeg", &photo),
        )
        .await;
    assert_eq!(added.location(), edit);
    let listing = app.get(&format!("/v1/listings/{tofu}"), None).await;
    let page_url = listing.body["photos"][0]["page_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let edit_page = b.get(&edit).await;
    assert!(
        edit_page
            .html
            .contains(listing.body["photos"][0]["list_url"].as_str().unwrap())
    );

    // The shopper sees it on the listing's page, and its small size in the shop's list.
    let mut shopper = Browser::new(&app.base_url);
    let seen = shopper.get(&format!("/listings/{tofu}")).await;
    ok(&seen);
    assert!(
        seen.html.contains(&format!("src=\"{page_url}\"")),
        "{}",
        seen.html
    );
    let picture = shopper.get(&page_url).await;
    assert_eq!(picture.status, StatusCode::OK);
    assert_eq!(picture.header("content-type"), Some("image/jpeg"));

    // The owner deletes it; it is gone from the page.
    let photo_id = listing.body["photos"][0]["id"].as_str().unwrap();
    let deleted = b
        .submit(
            &edit_page,
            &format!("/shop/{shop}/listings/{tofu}/photos/{photo_id}/delete"),
            &[],
        )
        .await;
    assert_eq!(deleted.location(), edit);
    let after = shopper.get(&format!("/listings/{tofu}")).await;
    assert!(!after.html.contains(&page_url));
}

on_both_databases!(the_shopper_answers_the_shop_scale_on_the_order_page);

/// Weighed over what the payment holds, the shop asks the shopper from the weighing page; the
/// shopper approves on the order's page (and pays the difference) or declines (the line is
/// cut to what fits); the board says where each question stands.
async fn the_shopper_answers_the_shop_scale_on_the_order_page(app: TestApp) {
    seeded(&app).await;
    let (mut oil, oil_shop) = owner_of(&app, "망원동 마을기업 참기름집").await;
    let sesame = listing_in(&app, &oil_shop, "참기름").await;
    let (mut shopper, token, consortium) = mangwon_shopper(&app, "저울 손님").await;
    for (decision, weighed, charged) in [("approve", 400, 20_000), ("decline", 230, 11_500)] {
        let order = pickup_order(
            &app,
            &token,
            &consortium,
            json!([{"listing_id": sesame, "quantity": 200}]),
        )
        .await;
        let order_id = order["id"].as_str().unwrap_or_default().to_owned();
        let part = order["merchant_orders"][0]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let line = order["merchant_orders"][0]["lines"][0]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let board = oil.get(&format!("/shop/{oil_shop}/orders")).await;
        oil.submit(
            &board,
            &format!("/shop/{oil_shop}/orders/{part}/accept"),
            &[],
        )
        .await;
        // 400 ml is 20,000 won, over the 11,500 held: the page offers to cut or to ask.
        let weigh_path = format!("/shop/{oil_shop}/orders/{part}/weigh");
        let form = oil.get(&weigh_path).await;
        let net = format!("net_{line}");
        let over = oil.submit(&form, &weigh_path, &[(&net, "400")]).await;
        assert_eq!(over.status, StatusCode::CONFLICT);
        assert!(over.html.contains("data-ask-shopper"), "{}", over.html);
        let asked = oil
            .submit(&over, &weigh_path, &[(&net, "400"), ("if_over", "ask")])
            .await;
        assert_eq!(asked.location(), format!("/shop/{oil_shop}/orders"));
        let board = oil.get(&format!("/shop/{oil_shop}/orders")).await;
        assert!(board.html.contains("손님 승인 대기"), "{}", board.html);
        let refused = oil
            .submit(
                &board,
                &format!("/shop/{oil_shop}/orders/{part}/ready"),
                &[],
            )
            .await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.html);

        // The shopper reads the question on the order's page and answers it there.
        let tracking = shopper.get(&format!("/orders/{order_id}")).await;
        ok(&tracking);
        assert!(
            tracking.html.contains(&format!("data-question=\"{line}\""))
                && tracking.html.contains("추가 금액 <strong>8,500원</strong>")
                && tracking.html.contains("승인된 양만 받기 230 ml"),
            "{}",
            tracking.html
        );
        let answer_path = format!("/orders/{order_id}/parts/{part}/lines/{line}/approval");
        let answered = shopper
            .submit(&tracking, &answer_path, &[("decision", decision)])
            .await;
        assert_eq!(answered.location(), format!("/orders/{order_id}"));
        let again = shopper
            .submit(&tracking, &answer_path, &[("decision", decision)])
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT, "answered once");
        let tracking = shopper.get(&format!("/orders/{order_id}")).await;
        assert!(
            !tracking.html.contains("data-question"),
            "{}",
            tracking.html
        );

        let board = oil.get(&format!("/shop/{oil_shop}/orders")).await;
        let ready = oil
            .submit(
                &board,
                &format!("/shop/{oil_shop}/orders/{part}/ready"),
                &[],
            )
            .await;
        assert_eq!(ready.status, StatusCode::SEE_OTHER, "{}", ready.html);
        let now = app
            .get(&format!("/v1/orders/{order_id}"), Some(&token))
            .await
            .body;
        assert_eq!(
            now["merchant_orders"][0]["lines"][0]["weighed_quantity"],
            weighed
        );
        assert_eq!(now["charged_krw"], charged, "{decision}: {now}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_hears_of_new_orders_while_other_shops_are_busy_sqlite() {
    the_board_hears_of_new_orders_while_other_shops_are_busy(golmok_e2e::Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_hears_of_new_orders_while_other_shops_are_busy_postgres() {
    the_board_hears_of_new_orders_while_other_shops_are_busy(golmok_e2e::Engine::Postgres).await;
}

/// How long from an order being placed to its card being on the shop's board, while other
/// shoppers check out at other shops of the consortium as fast as they can: the probe order's
/// placing, the board's stream hearing of it, and the board redrawn with its card. Printed
/// (`--no-capture`) as the median and worst of twenty probes; asserted only that every probe
/// arrives.
async fn the_board_hears_of_new_orders_while_other_shops_are_busy(engine: golmok_e2e::Engine) {
    let app = TestApp::start_with(
        engine,
        json!({"ordering": {"checkouts_per_minute": 1_000_000}}),
    )
    .await;
    seeded(&app).await;
    let (mut oil, oil_shop) = owner_of(&app, "망원동 마을기업 참기름집").await;
    let (_, tofu_shop) = owner_of(&app, "망원 두부가게").await;
    let sesame = listing_in(&app, &oil_shop, "참기름").await;
    let tofu = listing_in(&app, &tofu_shop, "국산콩 손두부").await;
    let tofu_owner = golmok_e2e::demo::login(&app, "merchant@demo.golmok.kr").await;
    app.call(
        reqwest::Method::PATCH,
        &format!("/v1/listings/{tofu}"),
        Some(&tofu_owner),
        Some(&json!({"stock": 1_000_000})),
    )
    .await;
    let mut probe = Browser::new(&app.base_url);
    probe.sign_up("보드 손님").await;
    let token = probe.session_token().expect("signed in").to_owned();
    let consortium = probe
        .get("/")
        .await
        .link_to("consortia", "망원시장")
        .expect("Mangwon");

    // The board's stream is open (and has spoken) before the load starts.
    let mut live = oil.stream(&format!("/shop/{oil_shop}/live")).await;
    golmok_e2e::read_events_until(&mut live, "\n").await;
    // The load: four shoppers buying tofu back to back until the probes are done.
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let placed_by_load = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut load = Vec::new();
    for i in 0..4 {
        let (shopper, _) = app.sign_up("shopper").await;
        let (client, url) = (app.client().clone(), app.url("/v1/orders"));
        let body = json!({"consortium_id": consortium, "items": [{"listing_id": tofu, "quantity": 1}],
                          "fulfillment": {"kind": "pickup"}, "payment": {"provider": "offline"}});
        let (done, placed) = (done.clone(), placed_by_load.clone());
        load.push(tokio::spawn(async move {
            let mut n = 0;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                let reply = client
                    .post(&url)
                    .bearer_auth(&shopper)
                    .header("idempotency-key", format!("load-{i}-{n}"))
                    .json(&body)
                    .send()
                    .await;
                if reply.is_ok_and(|r| r.status().is_success()) {
                    placed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                n += 1;
            }
        }));
    }

    let started = std::time::Instant::now();
    let mut latencies = Vec::new();
    for _ in 0..20 {
        let placed = std::time::Instant::now();
        let order = pickup_order(
            &app,
            &token,
            &consortium,
            json!([{"listing_id": sesame, "quantity": 100}]),
        )
        .await;
        let part = order["merchant_orders"][0]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        golmok_e2e::read_events_until(&mut live, "data: changed").await;
        let board = oil.get_fragment(&format!("/shop/{oil_shop}/orders")).await;
        assert!(board.html.contains(&part), "the probe's card on the board");
        latencies.push(placed.elapsed());
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    for task in load {
        let _ = task.await;
    }
    latencies.sort();
    let loaded = placed_by_load.load(std::sync::atomic::Ordering::Relaxed);
    println!(
        "board latency on {:?} under load ({loaded} other checkouts, {:.0}/s): order placed → card on the board: median {} ms, worst {} ms (20 probes)",
        app.engine,
        loaded as f64 / started.elapsed().as_secs_f64(),
        latencies[latencies.len() / 2].as_millis(),
        latencies[latencies.len() - 1].as_millis()
    );
    assert!(loaded > 0, "the load placed orders");
}

/// How long the courier's batch page takes for a long batch: twenty tofu deliveries planned
/// together (twenty pick-ups and twenty drop-offs when one courier carries them all), the
/// page fetched ten times by its courier. Printed (`--no-capture`), not asserted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_batch_page_is_timed() {
    let app = TestApp::start_with(
        golmok_e2e::Engine::Sqlite,
        json!({"ordering": {"checkouts_per_minute": 1_000_000}}),
    )
    .await;
    seeded(&app).await;
    let owner = demo_login(&app, "merchant@demo.golmok.kr").await;
    let tofu = golmok_e2e::demo::tofu_at(app.client(), &app.base_url).await;
    app.call(
        reqwest::Method::PATCH,
        &format!("/v1/listings/{}", tofu.listing_id),
        Some(&owner),
        Some(&json!({"stock": 1_000})),
    )
    .await;
    let (shopper, _) = app.sign_up("shopper").await;
    let mut delivery = None;
    for _ in 0..20 {
        delivery = Some(golmok_e2e::demo::tofu_delivery(&app, &shopper).await);
    }
    let golmok_e2e::demo::TofuDelivery { network, slot, .. } = delivery.expect("deliveries");
    let admin = demo_login(&app, "admin@demo.golmok.kr").await;
    let planned = app
        .post(
            &format!("/v1/networks/{network}/slots/{slot}/plan"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(planned.status, StatusCode::OK, "{}", planned.text);
    let longest = planned.body["batches"]
        .as_array()
        .and_then(|b| {
            b.iter()
                .max_by_key(|b| b["stops"].as_array().map(Vec::len).unwrap_or(0))
        })
        .cloned()
        .expect("a batch");
    let stops = longest["stops"].as_array().map(Vec::len).unwrap_or(0);
    let email =
        golmok_e2e::demo::courier_email(&app, longest["courier_id"].as_str().unwrap_or_default())
            .await;
    let mut courier = Browser::new(&app.base_url);
    courier.sign_in(&email, None).await;
    let path = format!(
        "/courier/batches/{}",
        longest["id"].as_str().unwrap_or_default()
    );
    let mut times = Vec::new();
    for _ in 0..10 {
        let started = std::time::Instant::now();
        let page = courier.get(&path).await;
        times.push(started.elapsed());
        ok(&page);
        assert_eq!(page.html.matches("class=\"stop-card").count(), stops);
    }
    times.sort();
    println!(
        "batch page with {stops} stops ({} batches planned for 20 deliveries): median {} ms, worst {} ms over 10 loads ({} bytes)",
        planned.body["batches"]
            .as_array()
            .map(Vec::len)
            .unwrap_or(0),
        times[times.len() / 2].as_millis(),
        times[times.len() - 1].as_millis(),
        courier.get(&path).await.html.len()
    );
}

on_both_databases!(a_network_and_a_shop_are_paid_from_their_payouts_pages);

/// A browser signed in with a demo account.
async fn demo_browser(app: &TestApp, email: &str) -> Browser {
    let mut browser = Browser::new(&app.base_url);
    browser.sign_in(email, None).await;
    browser
}

async fn a_network_and_a_shop_are_paid_from_their_payouts_pages(app: TestApp) {
    seeded(&app).await;
    let admin_token = demo_login(&app, "admin@demo.golmok.kr").await;
    // A delivery from the tofu shop, in the coordinator's consortium: captured once the shop
    // has it ready, the network is owed its fee.
    let (shopper, _) = app.sign_up("shopper").await;
    let delivery = golmok_e2e::demo::tofu_delivery(&app, &shopper).await;
    let owner = demo_login(&app, "merchant@demo.golmok.kr").await;
    for step in ["accept", "ready"] {
        let done = app
            .post(
                &format!("/v1/merchant-orders/{}/{step}", delivery.part),
                Some(&owner),
                &json!({}),
            )
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    }
    let network = delivery.network;
    let api = format!("/v1/networks/{network}/payouts");
    let before = app.get(&api, Some(&admin_token)).await.body;
    let owed = before["owed_krw"].as_i64().unwrap_or_default();
    assert!(
        owed > 0,
        "the demo's deliveries owe the network fees: {before}"
    );
    let owed_text = crate::programme::won(owed);
    let path = format!("/dispatch/{network}/payouts");

    // Its coordinator finds the page from the board and reads it, but may not pay.
    let mut coordinator = demo_browser(&app, "coordinator@demo.golmok.kr").await;
    let board = coordinator.get(&format!("/dispatch/{network}")).await;
    ok(&board);
    assert!(
        board.html.contains(&format!("href=\"{path}\"")),
        "{}",
        board.html
    );
    let page = coordinator.get(&path).await;
    ok(&page);
    assert!(page.html.contains("받을 배송비"), "{}", page.html);
    assert!(
        page.html.contains(&owed_text),
        "{owed_text} in {}",
        page.html
    );
    assert!(
        page.html.contains("배송비</span>"),
        "a delivery fee line: {}",
        page.html
    );
    assert!(
        !page.html.contains("/payouts/pay"),
        "no pay button for a coordinator"
    );
    let refused = coordinator.submit(&page, &format!("{path}/pay"), &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // The whole statement for the books: every line, and the balance after the last is
    // what the network is owed.
    let csv_path = format!("{path}/statement.csv");
    assert!(page.html.contains(&format!("href=\"{csv_path}\"")));
    let csv = coordinator.get(&csv_path).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.header("content-type")
            .is_some_and(|c| c.starts_with("text/csv"))
    );
    let rows: Vec<&str> = csv.html.lines().collect();
    assert_eq!(rows[0], "at,kind,reference,amount_krw,balance_krw");
    assert_eq!(
        rows.len() - 1,
        before["statement"].as_array().map_or(0, Vec::len),
        "every line"
    );
    assert!(
        rows.last()
            .is_some_and(|r| r.ends_with(&format!(",{owed}"))),
        "{}",
        csv.html
    );
    // One month's: the balance brought forward first, and still what is owed at its end; a
    // month to come holds nothing but what it starts from; a month that is none is refused.
    assert!(page.html.contains("id=\"statement-month-form\""));
    let this_month = golmok_core::seoul::Month::of(chrono::Utc::now());
    let (_, next_start) = this_month.span();
    let next_month = golmok_core::seoul::Month::of(next_start);
    let month_csv = coordinator
        .get(&format!("{csv_path}?month={this_month}"))
        .await;
    assert_eq!(month_csv.status, StatusCode::OK);
    assert!(
        month_csv
            .header("content-disposition")
            .is_some_and(|d| d.contains(&format!("-{this_month}.csv")))
    );
    let month_rows: Vec<&str> = month_csv.html.lines().collect();
    assert!(
        month_rows[1].contains(",opening_balance,,0,"),
        "{}",
        month_csv.html
    );
    assert!(month_rows.len() <= rows.len() + 1);
    assert!(
        month_rows
            .last()
            .is_some_and(|r| r.ends_with(&format!(",{owed}"))),
        "{}",
        month_csv.html
    );
    let ahead = coordinator
        .get(&format!("{csv_path}?month={next_month}"))
        .await;
    assert_eq!(
        ahead.html.lines().skip(1).collect::<Vec<_>>(),
        [format!(
            "{}T00:00:00+09:00,opening_balance,,0,{owed}",
            format_args!("{next_month}-01")
        )]
    );
    assert_eq!(
        coordinator
            .get(&format!("{csv_path}?month=2026-13"))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    let merchant = demo_browser(&app, "merchant@demo.golmok.kr")
        .await
        .get(&path)
        .await;
    assert_eq!(merchant.status, StatusCode::FORBIDDEN);

    // The admin's list of whom to pay holds the network, linking its page.
    let due = app.get("/v1/admin/payouts", Some(&admin_token)).await.body;
    let listed = due["items"]
        .as_array()
        .and_then(|items| items.iter().find(|p| p["id"] == network.as_str()))
        .cloned()
        .unwrap_or_default();
    assert_eq!(listed["kind"], "network", "{due}");
    assert_eq!(listed["owed_krw"], owed);
    let mut admin = demo_browser(&app, "admin@demo.golmok.kr").await;
    let due_page = admin.get("/payouts").await;
    ok(&due_page);
    assert!(
        due_page.html.contains(&format!("href=\"{path}\"")),
        "{}",
        due_page.html
    );
    assert!(due_page.html.contains(&owed_text), "{}", due_page.html);
    assert_eq!(
        coordinator.get("/payouts").await.status,
        StatusCode::FORBIDDEN
    );

    // An admin records the bank transfer; a second press finds nothing owed.
    let page = admin.get(&path).await;
    ok(&page);
    assert!(
        page.html.contains(&format!("action=\"{path}/pay\"")),
        "{}",
        page.html
    );
    let paid = admin.submit(&page, &format!("{path}/pay"), &[]).await;
    assert_eq!(paid.location(), format!("{path}?paid=1"));
    let after = admin.get(&format!("{path}?paid=1")).await;
    assert!(
        after.html.contains("지급을 기록했습니다."),
        "{}",
        after.html
    );
    assert!(after.html.contains("class=\"owed\">0원"), "{}", after.html);
    assert!(
        after.html.contains("지급</span>"),
        "a payout line: {}",
        after.html
    );
    assert!(!after.html.contains("/payouts/pay"), "nothing left to pay");
    let again = admin.submit(&page, &format!("{path}/pay"), &[]).await;
    assert_eq!(again.location(), format!("{path}?nothing=1"));
    let settled = app.get(&api, Some(&admin_token)).await.body;
    assert_eq!(settled["owed_krw"], 0);
    assert_eq!(settled["paid_krw"], owed);
    let due_page = admin.get("/payouts").await;
    assert!(
        !due_page.html.contains(&format!("href=\"{path}\"")),
        "paid: {}",
        due_page.html
    );

    // The shop's owner reads the sale on its statement; an admin pays it from the same page.
    let shop_path = format!("/shop/{}/payouts", delivery.shop_id);
    let shop_api = format!("/v1/merchants/{}/payouts", delivery.shop_id);
    let shop_owed = app.get(&shop_api, Some(&owner)).await.body["owed_krw"]
        .as_i64()
        .unwrap_or_default();
    assert!(shop_owed > 0);
    let mut owner_browser = demo_browser(&app, "merchant@demo.golmok.kr").await;
    let page = owner_browser.get(&shop_path).await;
    ok(&page);
    assert!(
        page.html.contains("판매</span>"),
        "a sale line: {}",
        page.html
    );
    assert!(page.html.contains(&delivery.order_id), "{}", page.html);
    assert!(
        !page.html.contains("/payouts/pay"),
        "no pay button for the owner"
    );
    let refused = owner_browser
        .submit(&page, &format!("{shop_path}/pay"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let page = admin.get(&shop_path).await;
    ok(&page);
    let paid = admin.submit(&page, &format!("{shop_path}/pay"), &[]).await;
    assert_eq!(paid.location(), format!("{shop_path}?paid=1"));
    let after = owner_browser.get(&shop_path).await;
    assert!(
        after.html.contains("지급</span>"),
        "a payout line: {}",
        after.html
    );
    let shop_settled = app.get(&shop_api, Some(&owner)).await.body;
    assert_eq!(shop_settled["owed_krw"], 0);
    assert_eq!(shop_settled["payouts"][0]["amount_krw"], shop_owed);
    let again = admin.submit(&page, &format!("{shop_path}/pay"), &[]).await;
    assert_eq!(again.location(), format!("{shop_path}?nothing=1"));
}

on_both_databases!(the_shopper_cancels_an_order_until_a_shop_accepts_it);

async fn the_shopper_cancels_an_order_until_a_shop_accepts_it(app: TestApp) {
    seeded(&app).await;
    let (mut oil, oil_shop) = owner_of(&app, "망원동 마을기업 참기름집").await;
    let sesame = listing_in(&app, &oil_shop, "참기름").await;
    let stock = |listing: serde_json::Value| listing["stock"].as_i64().unwrap_or_default();
    let stock_before = stock(app.get(&format!("/v1/listings/{sesame}"), None).await.body);
    let (mut shopper, token, consortium) = mangwon_shopper(&app, "취소 손님").await;
    let items = json!([{"listing_id": sesame, "quantity": 200}]);

    // Before the shop answers: cancelled from the order's page, stock and hold given back.
    let order = pickup_order(&app, &token, &consortium, items.clone()).await;
    let order_id = order["id"].as_str().unwrap_or_default().to_owned();
    assert!(stock(app.get(&format!("/v1/listings/{sesame}"), None).await.body) < stock_before);
    let page = shopper.get(&format!("/orders/{order_id}")).await;
    ok(&page);
    assert!(
        page.html
            .contains(&format!("action=\"/orders/{order_id}/cancel\"")),
        "{}",
        page.html
    );
    let done = shopper
        .submit(&page, &format!("/orders/{order_id}/cancel"), &[])
        .await;
    assert_eq!(done.location(), format!("/orders/{order_id}"));
    let after = shopper.get(&format!("/orders/{order_id}")).await;
    assert!(after.html.contains("취소"), "{}", after.html);
    assert!(!after.html.contains("/cancel\""), "nothing left to cancel");
    let read = app
        .get(&format!("/v1/orders/{order_id}"), Some(&token))
        .await
        .body;
    assert_eq!(read["status"], "cancelled");
    assert_eq!(read["payment"]["status"], "voided");
    assert_eq!(
        stock(app.get(&format!("/v1/listings/{sesame}"), None).await.body),
        stock_before
    );

    // Another shopper may not cancel it; an accepted order is not cancelled, and the page
    // says why.
    let mut stranger = Browser::new(&app.base_url);
    stranger.sign_up("남").await;
    let order = pickup_order(&app, &token, &consortium, items).await;
    let order_id = order["id"].as_str().unwrap_or_default().to_owned();
    let part = order["merchant_orders"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let page = shopper.get(&format!("/orders/{order_id}")).await;
    let home = stranger.get("/").await;
    let refused = stranger
        .submit(&home, &format!("/orders/{order_id}/cancel"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let board = oil.get(&format!("/shop/{oil_shop}/orders")).await;
    oil.submit(
        &board,
        &format!("/shop/{oil_shop}/orders/{part}/accept"),
        &[],
    )
    .await;
    let late = shopper
        .submit(&page, &format!("/orders/{order_id}/cancel"), &[])
        .await;
    assert_eq!(
        late.location(),
        format!("/orders/{order_id}?not_cancelled=1")
    );
    let told = shopper.get(late.location()).await;
    assert!(
        told.html.contains("가게가 이미 주문을 받아"),
        "{}",
        told.html
    );
    assert!(!told.html.contains("/cancel\""), "{}", told.html);
    let read = app
        .get(&format!("/v1/orders/{order_id}"), Some(&token))
        .await
        .body;
    assert_eq!(read["merchant_orders"][0]["status"], "accepted");
}

on_both_databases!(the_shopper_adds_a_past_order_to_the_basket_again);

async fn the_shopper_adds_a_past_order_to_the_basket_again(app: TestApp) {
    seeded(&app).await;
    let (oil, oil_shop) = owner_of(&app, "망원동 마을기업 참기름집").await;
    let (tofu, tofu_shop) = owner_of(&app, "망원 두부가게").await;
    let sesame = listing_in(&app, &oil_shop, "참기름").await;
    let bean = listing_in(&app, &tofu_shop, "국산콩 손두부").await;
    let (mut shopper, token, consortium) = mangwon_shopper(&app, "단골 손님").await;
    let order = pickup_order(
        &app,
        &token,
        &consortium,
        json!([{"listing_id": sesame, "quantity": 200}, {"listing_id": bean, "quantity": 2}]),
    )
    .await;
    let order_id = order["id"].as_str().unwrap_or_default().to_owned();
    let archive = |owner: &Browser, listing: &str| {
        let (token, path) = (
            owner.session_token().unwrap_or_default().to_owned(),
            format!("/v1/listings/{listing}"),
        );
        let app = &app;
        async move {
            let done = app
                .call(reqwest::Method::DELETE, &path, Some(&token), None)
                .await;
            assert!(done.status.is_success(), "{}", done.text);
        }
    };
    // Offered once the order is over (here cancelled), not while it runs.
    let page = shopper.get(&format!("/orders/{order_id}")).await;
    assert!(!page.html.contains("/again\""), "{}", page.html);
    shopper
        .submit(&page, &format!("/orders/{order_id}/cancel"), &[])
        .await;
    let page = shopper.get(&format!("/orders/{order_id}")).await;
    ok(&page);
    assert!(
        page.html
            .contains(&format!("action=\"/orders/{order_id}/again\"")),
        "{}",
        page.html
    );

    let admin_reads = demo_browser(&app, "admin@demo.golmok.kr")
        .await
        .get(&format!("/orders/{order_id}"))
        .await;
    ok(&admin_reads);
    assert!(
        !admin_reads.html.contains("/again\""),
        "not the admin's to add"
    );

    // The tofu is sold no more: the sesame oil alone goes in again, in the amount ordered.
    archive(&tofu, &bean).await;
    let again = shopper
        .submit(&page, &format!("/orders/{order_id}/again"), &[])
        .await;
    assert_eq!(again.location(), "/basket?again=1&missing=1");
    let basket = shopper.get(again.location()).await;
    ok(&basket);
    assert!(
        basket
            .html
            .contains("지난 주문에서 다시 담은 상품: 1 · 지금 팔지 않아 빠진 상품: 1"),
        "{}",
        basket.html
    );
    assert!(basket.html.contains("참기름"), "{}", basket.html);
    assert!(!basket.html.contains("국산콩 손두부"), "{}", basket.html);
    assert!(basket.html.contains("200"), "{}", basket.html);

    // A basket holding another consortium's goods takes none of it, and the order says why.
    let consortia = app.get("/v1/consortia", None).await.body;
    let other = consortia["items"]
        .as_array()
        .and_then(|all| {
            all.iter()
                .find(|c| c["id"] != consortium.as_str() && c["status"] == "active")
        })
        .cloned()
        .expect("another consortium selling in the demo");
    let other_shop = other["members"][0]["merchant_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let elsewhere = golmok_e2e::demo::listings_of(&app, &other_shop).await[0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    shopper.submit(&basket, "/basket/clear", &[]).await;
    let listing_page = shopper.get(&format!("/listings/{elsewhere}")).await;
    shopper
        .submit(
            &listing_page,
            "/basket",
            &[("listing_id", elsewhere.as_str()), ("quantity", "1")],
        )
        .await;
    let blocked = shopper
        .submit(&page, &format!("/orders/{order_id}/again"), &[])
        .await;
    assert_eq!(
        blocked.location(),
        format!("/orders/{order_id}?not_again=basket_other_consortium")
    );
    let told = shopper.get(blocked.location()).await;
    assert!(told.html.contains("다른 협업체의 상품"), "{}", told.html);
    let held = shopper.get("/basket").await;
    assert!(
        !held.html.contains("참기름"),
        "nothing of the order: {}",
        held.html
    );
    shopper.submit(&held, "/basket/clear", &[]).await;
    let again = shopper
        .submit(&page, &format!("/orders/{order_id}/again"), &[])
        .await;
    assert_eq!(again.location(), "/basket?again=1&missing=1");

    // Someone else's order is not theirs to add.
    let mut stranger = Browser::new(&app.base_url);
    stranger.sign_up("남").await;
    let home = stranger.get("/").await;
    let refused = stranger
        .submit(&home, &format!("/orders/{order_id}/again"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);

    // With nothing of it sold any more, the basket is left as it was and the order says why.
    archive(&oil, &sesame).await;
    let none = shopper
        .submit(&page, &format!("/orders/{order_id}/again"), &[])
        .await;
    assert_eq!(
        none.location(),
        format!("/orders/{order_id}?not_again=nothing_to_add_again")
    );
    let told = shopper.get(none.location()).await;
    assert!(
        told.html.contains("이 주문의 상품은 지금 팔지 않습니다."),
        "{}",
        told.html
    );
    let basket_after = shopper.get("/basket").await;
    assert!(
        basket_after.html.contains("참기름"),
        "{}",
        basket_after.html
    );
}
