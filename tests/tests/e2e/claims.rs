//! A shopper's claim about goods collected from a shop, made on the order's page, answered on
//! the shop's board with a refund or a decline; the money goes back as the claim says.

use golmok_e2e::pages::{Browser, Page};
use golmok_e2e::{TestApp, on_both_databases};
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_databases!(a_shopper_claims_about_collected_goods_and_the_shop_refunds_then_declines);

#[track_caller]
fn ok(page: &Page) {
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
}

async fn tofu_shop(app: &TestApp) -> (String, String) {
    let shop = golmok_e2e::demo::merchant_named(app, "망원 두부가게").await["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let tofu = golmok_e2e::demo::listings_of(app, &shop)
        .await
        .iter()
        .find(|l| l["title"] == "국산콩 손두부")
        .and_then(|l| l["id"].as_str())
        .unwrap_or_default()
        .to_owned();
    (shop, tofu)
}

/// Sends the claim form of `page` as a browser does (multipart, its file input empty
/// unless a photo is chosen).
async fn claim_form(
    shopper: &mut Browser,
    page: &Page,
    form: &str,
    fields: &[(&str, &str)],
    photo: Option<&[u8]>,
) -> Page {
    let csrf = page.csrf();
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    let file = match photo {
        Some(bytes) => ("photo", "tofu.jpg", "image/jpeg", bytes),
        None => ("photo", "", "application/octet-stream", &[][..]),
    };
    shopper.upload(form, &all, file).await
}

fn claims_of(order: &Value) -> Vec<Value> {
    order["items"].as_array().cloned().unwrap_or_default()
}

async fn a_shopper_claims_about_collected_goods_and_the_shop_refunds_then_declines(app: TestApp) {
    golmok_e2e::demo::seeded(&app).await;
    let (shop, tofu) = tofu_shop(&app).await;
    let mut shopper = Browser::new(&app.base_url);
    shopper.sign_up("두부 손님").await;
    let token = shopper.session_token().unwrap_or_default().to_owned();
    let consortium = shopper
        .get("/")
        .await
        .link_to("consortia", "망원시장")
        .expect("Mangwon");
    // Two pieces of tofu at 3,500 won, collected at the shop.
    let placed = app
        .post(
            "/v1/orders",
            Some(&token),
            &json!({"consortium_id": consortium, "items": [{"listing_id": tofu, "quantity": 2}],
                    "fulfillment": {"kind": "pickup"}, "payment": {"provider": "offline"}}),
        )
        .await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.text);
    let order = placed.body["id"].as_str().unwrap_or_default().to_owned();
    let part = placed.body["merchant_orders"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let path = format!("/orders/{order}");
    let claim_api = format!("/v1/merchant-orders/{part}/claims");

    // Nothing to claim about before the goods are handed over.
    let page = shopper.get(&path).await;
    ok(&page);
    assert!(!page.html.contains("/claim\""), "{}", page.html);
    let early = app
        .post(
            &claim_api,
            Some(&token),
            &json!({"reason": "아직 안 왔어요"}),
        )
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.text);
    assert!(
        early.body["type"]
            .as_str()
            .is_some_and(|t| t.ends_with("/not_delivered")),
        "{}",
        early.text
    );
    let owner = golmok_e2e::demo::login(&app, "merchant@demo.golmok.kr").await;
    for step in ["accept", "ready"] {
        let done = app
            .post(
                &format!("/v1/merchant-orders/{part}/{step}"),
                Some(&owner),
                &json!({}),
            )
            .await;
        assert_eq!(done.status, StatusCode::OK, "{step}: {}", done.text);
    }
    // Ready at the counter: the board hands it over, under the number the shopper reads.
    let mut merchant = Browser::new(&app.base_url);
    merchant.sign_in("merchant@demo.golmok.kr", None).await;
    let board_path = format!("/shop/{shop}/orders");
    let board = merchant.get(&board_path).await;
    ok(&board);
    let number: String = order.chars().skip(order.chars().count() - 6).collect();
    assert!(board.html.contains(&format!("#{number}")), "{}", board.html);
    let collect = format!("/shop/{shop}/orders/{part}/collect");
    assert!(
        board.html.contains(&format!("action=\"{collect}\"")),
        "{}",
        board.html
    );
    let handed = merchant.submit(&board, &collect, &[]).await;
    assert_eq!(handed.location(), board_path);
    let board = merchant.get(&board_path).await;
    assert!(!board.html.contains(&format!("action=\"{collect}\"")));

    // Collected: the page offers a claim, at most what was paid.
    let page = shopper.get(&path).await;
    ok(&page);
    let form = format!("{path}/parts/{part}/claim");
    assert!(
        page.html.contains(&format!("action=\"{form}\"")),
        "{}",
        page.html
    );
    assert!(page.html.contains("최대 7,000원"), "{}", page.html);
    assert!(page.html.contains("수령 완료"), "collected, not delivered");
    let too_much = claim_form(
        &mut shopper,
        &page,
        &form,
        &[("reason", "두부가 터졌어요"), ("asked_krw", "9000")],
        None,
    )
    .await;
    assert_eq!(
        too_much.location(),
        format!("{path}?not_claimed={part}&why=exceeds_refundable#claim-error-{part}")
    );
    let said = shopper.get(too_much.location()).await;
    assert!(
        said.html.contains(&format!("id=\"claim-error-{part}\"")),
        "{}",
        said.html
    );
    assert!(said.html.contains("환불할 수 있는 금액보다 많습니다"));
    let wordless = claim_form(
        &mut shopper,
        &page,
        &form,
        &[("reason", " "), ("asked_krw", "")],
        None,
    )
    .await;
    assert_eq!(
        wordless.location(),
        format!("{path}?not_claimed={part}&why=reason#claim-error-{part}")
    );
    let not_a_photo = claim_form(
        &mut shopper,
        &page,
        &form,
        &[("reason", "두부 한 모가 터져서 왔어요"), ("asked_krw", "")],
        Some(b"%PDF-1.4 not a photo"),
    )
    .await;
    assert_eq!(
        not_a_photo.location(),
        format!("{path}?not_claimed={part}&why=photo#claim-error-{part}")
    );
    assert!(
        shopper
            .get(not_a_photo.location())
            .await
            .html
            .contains("JPEG, PNG, WebP")
    );
    let photo = golmok_e2e::pages::a_photo();
    let sent = claim_form(
        &mut shopper,
        &page,
        &form,
        &[
            ("reason", "두부 한 모가 터져서 왔어요"),
            ("asked_krw", "3,500"),
        ],
        Some(&photo),
    )
    .await;
    assert_eq!(sent.location(), format!("{path}?claimed=1"));
    let page = shopper.get(sent.location()).await;
    ok(&page);
    // The photo goes with the claim: the shopper sees it, the shop's owner too, nobody else.
    let shown = page
        .html
        .split("src=\"/claims/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|rest| format!("/claims/{rest}"))
        .expect("the claim's photo on the order's page");
    let seen = shopper.get(&shown).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert_eq!(seen.header("content-type"), Some("image/jpeg"));
    let mut stranger_page = Browser::new(&app.base_url);
    stranger_page.sign_up("지나가는 사람").await;
    assert_eq!(
        stranger_page.get(&shown).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(page.html.contains("id=\"order-notice\""));
    assert!(page.html.contains("두부 한 모가 터져서 왔어요"));
    assert!(page.html.contains("가게 답변 대기"));
    assert!(
        !page.html.contains(&format!("action=\"{form}\"")),
        "one claim waits at a time"
    );
    // Another photo from the order's page while the claim waits (one must be chosen).
    let add_prefix = format!("{path}/parts/{part}/claims/");
    let add_form = page
        .html
        .split(&format!("action=\"{add_prefix}"))
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|rest| format!("{add_prefix}{rest}"))
        .expect("the form adding a photo to the waiting claim");
    let none = claim_form(&mut shopper, &page, &add_form, &[], None).await;
    assert_eq!(
        none.location(),
        format!("{path}?not_claimed={part}&why=photo_missing#claim-error-{part}")
    );
    assert!(
        shopper
            .get(none.location())
            .await
            .html
            .contains("더할 사진을 골라 주세요")
    );
    let added = claim_form(&mut shopper, &page, &add_form, &[], Some(&photo)).await;
    assert_eq!(added.location(), format!("{path}?photo_added=1"));
    let page = shopper.get(added.location()).await;
    ok(&page);
    assert!(page.html.contains("사진을 문의에 더했습니다"));
    assert_eq!(
        page.html.matches("src=\"/claims/").count(),
        2,
        "{}",
        page.html
    );
    let again = app
        .post(&claim_api, Some(&token), &json!({"reason": "또"}))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(
        again.body["type"]
            .as_str()
            .is_some_and(|t| t.ends_with("/claim_open")),
        "{}",
        again.text
    );
    let (stranger, _) = app.sign_up("shopper").await;
    let theirs = app
        .post(&claim_api, Some(&stranger), &json!({"reason": "남의 주문"}))
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    let (other_owner, _) = app.sign_up("merchant").await;
    // Support sees it waiting, oldest first, linking the order.
    let admin_token = golmok_e2e::demo::login(&app, "admin@demo.golmok.kr").await;
    let waiting = app.get("/v1/admin/claims", Some(&admin_token)).await.body;
    assert_eq!(claims_of(&waiting).len(), 1, "{waiting}");
    assert_eq!(
        app.get("/v1/admin/claims", Some(&owner)).await.status,
        StatusCode::FORBIDDEN
    );
    let mut admin = Browser::new(&app.base_url);
    admin.sign_in("admin@demo.golmok.kr", None).await;
    let desk = admin.get("/payouts").await;
    ok(&desk);
    assert!(
        desk.html.contains(&format!(
            "<a href=\"/orders/{order}\">두부 한 모가 터져서 왔어요</a>"
        )),
        "{}",
        desk.html
    );
    assert_eq!(
        app.get(&format!("/v1/merchants/{shop}/claims"), Some(&other_owner))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // The shop sees it on its board, the refund offered at what was asked.
    let mut merchant = Browser::new(&app.base_url);
    merchant.sign_in("merchant@demo.golmok.kr", None).await;
    let board_path = format!("/shop/{shop}/orders");
    let board = merchant.get(&board_path).await;
    ok(&board);
    assert!(
        board.html.contains("두부 한 모가 터져서 왔어요"),
        "{}",
        board.html
    );
    let claims = app
        .get(&format!("/v1/merchants/{shop}/claims"), Some(&owner))
        .await
        .body;
    let claim = claims_of(&claims)[0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(claims_of(&claims)[0]["refundable_krw"], 7000);
    assert!(board.html.contains("value=\"3500\""), "{}", board.html);
    // The shopper's photo on the board, for the owner to open; more over the API, up to four.
    assert!(
        board.html.contains(&format!("src=\"{shown}\"")),
        "{}",
        board.html
    );
    assert_eq!(merchant.get(&shown).await.status, StatusCode::OK);
    assert_eq!(
        claims_of(&claims)[0]["photos"].as_array().map(Vec::len),
        Some(2)
    );
    let photos_api = format!("/v1/claims/{claim}/photos");
    let send_photo = |token: String| {
        let (app, path, photo) = (&app, photos_api.clone(), photo.clone());
        async move {
            app.client()
                .post(format!("{}{path}", app.base_url))
                .bearer_auth(token)
                .header("content-type", "image/jpeg")
                .body(photo)
                .send()
                .await
                .expect("the app answers")
                .status()
        }
    };
    assert_eq!(
        send_photo(owner.clone()).await,
        StatusCode::NOT_FOUND,
        "the shopper's own"
    );
    for _ in 0..2 {
        assert_eq!(send_photo(token.clone()).await, StatusCode::CREATED);
    }
    assert_eq!(
        send_photo(token.clone()).await,
        StatusCode::CONFLICT,
        "four at most"
    );
    // Four shown: the page offers no more, and a form sent from before is refused beside it.
    let full = shopper.get(&path).await;
    assert_eq!(full.html.matches("src=\"/claims/").count(), 4);
    assert!(!full.html.contains(&add_form));
    let fifth = claim_form(&mut shopper, &page, &add_form, &[], Some(&photo)).await;
    assert_eq!(
        fifth.location(),
        format!("{path}?not_claimed={part}&why=too_many_photos#claim-error-{part}")
    );
    assert!(
        shopper
            .get(fifth.location())
            .await
            .html
            .contains("사진은 4장까지")
    );
    let photo_url = app
        .get(&format!("/v1/merchants/{shop}/claims"), Some(&owner))
        .await
        .body["items"][0]["photos"][3]["url"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let read = app.get(&photo_url, Some(&owner)).await;
    assert_eq!(read.status, StatusCode::OK, "{photo_url}");
    assert_eq!(
        app.get(&photo_url, Some(&other_owner)).await.status,
        StatusCode::NOT_FOUND
    );
    let answer = format!("/shop/{shop}/claims/{claim}/answer");
    let silent = merchant
        .submit(&board, &answer, &[("decision", "decline"), ("answer", "")])
        .await;
    assert_eq!(
        silent.location(),
        format!("{board_path}?claim_error=answer")
    );
    let over = merchant
        .submit(
            &board,
            &answer,
            &[
                ("decision", "refund"),
                ("refund_krw", "8000"),
                ("answer", ""),
            ],
        )
        .await;
    assert_eq!(
        over.location(),
        format!("{board_path}?claim_error=exceeds_refundable")
    );
    let refunded = merchant
        .submit(
            &board,
            &answer,
            &[
                ("decision", "refund"),
                ("refund_krw", "3500"),
                ("answer", "죄송합니다, 한 모 값을 돌려드려요"),
            ],
        )
        .await;
    assert_eq!(
        refunded.location(),
        format!("{board_path}?claim_answered=1")
    );
    let board = merchant.get(refunded.location()).await;
    let waiting = app.get("/v1/admin/claims", Some(&admin_token)).await.body;
    assert!(claims_of(&waiting).is_empty(), "answered: {waiting}");
    assert!(board.html.contains("id=\"claim-flash\""));
    assert!(
        !board.html.contains("data-claim=\""),
        "answered: off the board"
    );
    let twice = merchant
        .submit(
            &board,
            &answer,
            &[
                ("decision", "refund"),
                ("refund_krw", "100"),
                ("answer", ""),
            ],
        )
        .await;
    assert_eq!(
        twice.location(),
        format!("{board_path}?claim_error=claim_answered")
    );

    // The money went back: a refund of 3,500 won from the tofu shop's part.
    let now = app
        .get(&format!("/v1/orders/{order}"), Some(&token))
        .await
        .body;
    assert_eq!(now["merchant_orders"][0]["refunded_krw"], 3500, "{now}");
    let refunds = now["refunds"].as_array().cloned().unwrap_or_default();
    assert_eq!(refunds.len(), 1, "{now}");
    assert_eq!(refunds[0]["amount_krw"], 3500);
    let read = app
        .get(&format!("/v1/orders/{order}/claims"), Some(&token))
        .await
        .body;
    assert_eq!(claims_of(&read)[0]["status"], "refunded");
    assert_eq!(claims_of(&read)[0]["refunded_krw"], 3500);
    assert_eq!(claims_of(&read)[0]["refundable_krw"], 3500);
    assert_eq!(
        app.get(&format!("/v1/orders/{order}/claims"), Some(&stranger))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let page = shopper.get(&path).await;
    assert!(page.html.contains("환불됨"), "{}", page.html);
    assert!(page.html.contains("죄송합니다, 한 모 값을 돌려드려요"));
    assert!(
        page.html.contains("최대 3,500원"),
        "the rest may be claimed"
    );

    // A second claim, declined with the shop's reason.
    // Sent URL-encoded, as a page opened before the form took a photo would: still taken.
    let forged = shopper.post(&form, &[("reason", "위조된 요청")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "no CSRF token");
    let sent = shopper
        .submit(&page, &form, &[("reason", "나머지 한 모도 맛이 이상해요")])
        .await;
    assert_eq!(sent.location(), format!("{path}?claimed=1"));
    let board = merchant.get(&board_path).await;
    let second = claims_of(
        &app.get(&format!("/v1/merchants/{shop}/claims"), Some(&owner))
            .await
            .body,
    )[0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        board.html.contains("value=\"3500\""),
        "without an amount asked, all that is refundable is offered: {}",
        board.html
    );
    let second_photos = format!("{add_prefix}{second}/photos");
    let waiting = shopper.get(&path).await;
    assert!(waiting.html.contains(&second_photos), "{}", waiting.html);
    let declined = merchant
        .submit(
            &board,
            &format!("/shop/{shop}/claims/{second}/answer"),
            &[("decision", "decline"), ("answer", "당일 만든 두부입니다")],
        )
        .await;
    assert_eq!(
        declined.location(),
        format!("{board_path}?claim_answered=1")
    );
    let page = shopper.get(&path).await;
    assert!(page.html.contains("거절됨"), "{}", page.html);
    assert!(page.html.contains("당일 만든 두부입니다"));
    assert!(
        !page.html.contains(&second_photos),
        "an answered claim takes no more photos"
    );
    let late = claim_form(&mut shopper, &waiting, &second_photos, &[], Some(&photo)).await;
    assert_eq!(
        late.location(),
        format!("{path}?not_claimed={part}&why=claim_answered#claim-error-{part}")
    );
    let now = app
        .get(&format!("/v1/orders/{order}"), Some(&token))
        .await
        .body;
    assert_eq!(
        now["merchant_orders"][0]["refunded_krw"], 3500,
        "no more money moved"
    );

    // The shop's record keeps both answers, the newest first; another shop's owner may not
    // read it.
    let record = merchant.get(&format!("/shop/{shop}/claims")).await;
    ok(&record);
    assert!(
        board
            .html
            .contains(&format!("href=\"/shop/{shop}/claims\""))
    );
    assert_eq!(
        record.html.matches("class=\"line claim\"").count(),
        2,
        "{}",
        record.html
    );
    let declined_at = record
        .html
        .find("당일 만든 두부입니다")
        .expect("the decline's reason");
    let refunded_at = record.html.find("환불됨 3,500원").expect("the refund");
    assert!(declined_at < refunded_at, "the newest answer first");
    let mut stranger_shop = Browser::new(&app.base_url);
    stranger_shop.sign_up_as("다른 가게", "merchant").await;
    assert_eq!(
        stranger_shop
            .get(&format!("/shop/{shop}/claims"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // Support refunds from the order's page too: only an admin sees the form.
    assert!(!page.html.contains("/refund\""), "not the shopper's form");
    let support = admin.get(&path).await;
    ok(&support);
    let refund_form = format!("{path}/refund");
    assert!(support.html.contains(&format!("action=\"{refund_form}\"")));
    let over = admin
        .submit(
            &support,
            &refund_form,
            &[
                ("part", &part),
                ("amount_krw", "5000"),
                ("reason", "고객센터 보상"),
            ],
        )
        .await;
    assert_eq!(
        over.location(),
        format!("{path}?not_refunded=exceeds_refundable")
    );
    let done = admin
        .submit(
            &support,
            &refund_form,
            &[
                ("part", &part),
                ("amount_krw", "500"),
                ("reason", "고객센터 보상"),
            ],
        )
        .await;
    assert_eq!(done.location(), format!("{path}?refunded=1"));
    let now = app
        .get(&format!("/v1/orders/{order}"), Some(&token))
        .await
        .body;
    assert_eq!(now["merchant_orders"][0]["refunded_krw"], 4000, "{now}");
    assert!(shopper.get(&path).await.html.contains("고객센터 보상"));
    assert_eq!(
        shopper
            .submit(&page, &refund_form, &[("reason", "셀프 환불")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // Tofu and rice cake together: the tofu collected while the rice cake shop still decides
    // is not paid for yet, so there is nothing to give back and no claim is offered.
    let rice_cake_shop = golmok_e2e::demo::merchant_named(&app, "망원 떡집").await["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let rice_cake = golmok_e2e::demo::listings_of(&app, &rice_cake_shop).await[0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let placed = app
        .post(
            "/v1/orders",
            Some(&token),
            &json!({"consortium_id": consortium,
                    "items": [{"listing_id": tofu, "quantity": 1}, {"listing_id": rice_cake, "quantity": 1}],
                    "fulfillment": {"kind": "pickup"}, "payment": {"provider": "offline"}}),
        )
        .await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.text);
    let both = placed.body["id"].as_str().unwrap_or_default().to_owned();
    let tofu_part = placed.body["merchant_orders"]
        .as_array()
        .and_then(|parts| parts.iter().find(|p| p["merchant_id"] == shop.as_str()))
        .and_then(|p| p["id"].as_str())
        .unwrap_or_default()
        .to_owned();
    for step in ["accept", "ready", "collect"] {
        let done = app
            .post(
                &format!("/v1/merchant-orders/{tofu_part}/{step}"),
                Some(&owner),
                &json!({}),
            )
            .await;
        assert_eq!(done.status, StatusCode::OK, "{step}: {}", done.text);
    }
    let page = shopper.get(&format!("/orders/{both}")).await;
    ok(&page);
    assert!(page.html.contains("수령 완료"), "{}", page.html);
    assert!(!page.html.contains("/claim\""), "{}", page.html);
    let unpaid = app
        .post(
            &format!("/v1/merchant-orders/{tofu_part}/claims"),
            Some(&token),
            &json!({"reason": "두부가 상했어요"}),
        )
        .await;
    assert_eq!(unpaid.status, StatusCode::CONFLICT, "{}", unpaid.text);
    assert!(
        unpaid.body["type"]
            .as_str()
            .is_some_and(|t| t.ends_with("/not_paid_yet")),
        "{}",
        unpaid.text
    );
}
