//! The shopper's whole journey in a real headless Chromium, driven over WebDriver
//! (Debian's `chromium` and `chromium-driver`), against the real app on the demo data:
//! sign up, find 두부 by search, fill a basket from three shops with a weighed refill, pick
//! a delivery slot and a pin on the map, pay offline, watch the order change when the shop
//! accepts it through the API. A screenshot of each step lands in
//! `target/tmp/browser-screenshots/` and its path is printed.
//!
//! Without chromium and chromedriver the test says it skipped, and why.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
use fantoccini::{Client, ClientBuilder, Locator};
use golmok_e2e::{Engine, TestApp};
use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-screenshots");
    std::fs::create_dir_all(&dir).expect("a screenshot folder");
    dir
}

async fn shoot(browser: &Client, step: &str) {
    let png = browser.screenshot().await.expect("a screenshot");
    let path = screenshots().join(format!("{step}.png"));
    std::fs::write(&path, png).expect("the screenshot is written");
    println!("screenshot: {}", path.display());
}

struct Driver {
    process: tokio::process::Child,
    url: String,
    _profile: tempfile::TempDir,
}

async fn start_chromedriver() -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let process = tokio::process::Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("chromedriver starts");
    let url = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for _ in 0..100 {
        if client.get(format!("{url}/status")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Driver {
        process,
        url,
        _profile: tempfile::tempdir().expect("a profile folder"),
    }
}

async fn open_browser(driver: &Driver) -> Client {
    open_browser_in(driver, driver._profile.path()).await
}

/// A browser session with its own profile (its own cookies: another person).
async fn open_browser_in(driver: &Driver, profile: &Path) -> Client {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "prefs": { "intl.accept_languages": "ko-KR,ko" },
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--lang=ko-KR",
                "--window-size=412,915",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .expect("a WebDriver session in chromium")
}

async fn text_of(browser: &Client) -> String {
    // Between pages (a navigation in flight) there may be no main element yet.
    match browser.find(Locator::Css("main")).await {
        Ok(main) => main.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// The text of the element `css` finds. A live page may redraw between finding the element
/// and reading it (a stale element): find it again.
async fn text_at(b: &Client, css: &str) -> Result<String, String> {
    let mut last = String::new();
    for _ in 0..10 {
        match b.find(Locator::Css(css)).await {
            Ok(element) => match element.text().await {
                Ok(text) => return Ok(text),
                Err(e) => last = format!("{css}: {e}"),
            },
            Err(e) => last = format!("{css}: {e}"),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Err(last)
}

/// Waits up to 15 s for the page's main text to contain `needle`.
async fn wait_for_text(browser: &Client, needle: &str) -> String {
    let mut seen = String::new();
    for _ in 0..150 {
        seen = text_of(browser).await;
        if seen.contains(needle) {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no {needle:?} on the page within 15 s; it reads: {seen}");
}

/// Signs the browser out (when signed in) and in again as a demo account, landing on `next`.
async fn sign_in_as(
    browser: &Client,
    app: &TestApp,
    email: &str,
    next: &str,
) -> Result<(), String> {
    // The page signed in may be a live one: its button is clicked by `click`, which finds
    // it again when a redraw lands between finding and clicking.
    let sign_out = "form[action='/signout'] button";
    if browser.find(Locator::Css(sign_out)).await.is_ok() {
        click(browser, sign_out).await?;
        wait_for_text(browser, "진행 중인 캠페인").await;
    }
    browser
        .goto(&app.url(&format!("/signin?next={}", next.replace('/', "%2F"))))
        .await
        .map_err(|e| e.to_string())?;
    fill(browser, "#email", email).await;
    fill(browser, "#password", golmok_demo::seed::DEMO_PASSWORD).await;
    click(browser, "main form button[type=submit]").await
}

async fn click_link_starting(browser: &Client, text: &str) {
    browser
        .find(Locator::XPath(&format!(
            "//main//a[starts-with(normalize-space(.), '{text}')]"
        )))
        .await
        .unwrap_or_else(|e| panic!("a link {text:?}: {e}"))
        .click()
        .await
        .expect("the link is clicked");
}

async fn fill(browser: &Client, css: &str, value: &str) {
    let field = browser.find(Locator::Css(css)).await.expect("the field");
    field.clear().await.expect("the field is cleared");
    field.send_keys(value).await.expect("typed");
}

/// On a listing page: sets the quantity and adds it; htmx answers with the message in place.
async fn add_to_basket(browser: &Client, quantity: &str) {
    fill(browser, "#quantity", quantity).await;
    browser
        .find(Locator::Css("form.add button[type=submit]"))
        .await
        .expect("the add button")
        .click()
        .await
        .expect("clicked");
    wait_for_text(browser, "장바구니에 담았습니다").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shopper_orders_from_three_shops_and_watches_the_order_live() {
    in_chromium_with_phone(journey).await;
}

/// `b` is the shopper's browser throughout; `c` the shop's counter, then the courier's phone.
async fn journey(app: &TestApp, b: &Client, c: &Client) -> Result<(), String> {
    // Sign up.
    b.goto(&app.url("/signup"))
        .await
        .map_err(|e| e.to_string())?;
    fill(b, "#name", "브라우저 구매자").await;
    fill(b, "#email", "browser-shopper@example.com").await;
    fill(b, "#password", golmok_e2e::PASSWORD).await;
    shoot(b, "01-sign-up").await;
    b.find(Locator::Css("main form button[type=submit]"))
        .await
        .map_err(|e| e.to_string())?
        .click()
        .await
        .map_err(|e| e.to_string())?;
    let home = wait_for_text(b, "진행 중인 캠페인").await;
    assert!(home.contains("망원시장 골목 협업체"), "{home}");
    shoot(b, "02-home").await;

    // Find 두부 by search.
    fill(b, "#q", "두부").await;
    b.find(Locator::Css("form.search button"))
        .await
        .map_err(|e| e.to_string())?
        .click()
        .await
        .map_err(|e| e.to_string())?;
    wait_for_text(b, "국산콩 손두부").await;
    shoot(b, "03-search").await;
    click_link_starting(b, "국산콩 손두부").await;
    wait_for_text(b, "3,500원").await;
    add_to_basket(b, "2").await;
    let count = text_at(b, "#basket-count").await?;
    assert_eq!(count, "1", "the header's count follows without a reload");
    shoot(b, "04-listing-added").await;

    // Two more shops of the same consortium: a weighed refill and coffee beans.
    click_link_starting(b, "망원 두부가게").await;
    wait_for_text(b, "소속 협업체").await;
    click_link_starting(b, "망원시장").await;
    wait_for_text(b, "회원 가게").await;
    click_link_starting(b, "참기름").await;
    let oil = wait_for_text(b, "100 ml당").await;
    assert!(oil.contains("용기"), "the container policy: {oil}");
    add_to_basket(b, "200").await;
    shoot(b, "05-refill-added").await;
    b.back().await.map_err(|e| e.to_string())?;
    wait_for_text(b, "회원 가게").await;
    click_link_starting(b, "하우스 블렌드 원두").await;
    wait_for_text(b, "100 g당").await;
    add_to_basket(b, "300").await;

    // The basket, grouped by shop.
    b.goto(&app.url("/basket"))
        .await
        .map_err(|e| e.to_string())?;
    wait_for_text(b, "장바구니").await;
    let groups = b
        .find_all(Locator::Css(".shop-group"))
        .await
        .map_err(|e| e.to_string())?;
    assert_eq!(groups.len(), 3, "three shops");
    shoot(b, "06-basket").await;

    // Checkout: a delivery slot, an address, a pin inside the network's area.
    click_link_starting(b, "주문하기").await;
    wait_for_text(b, "배송 시간").await;
    b.find(Locator::Css("input[name=slot_id]"))
        .await
        .map_err(|e| e.to_string())?
        .click()
        .await
        .map_err(|e| e.to_string())?;
    fill(b, "#address", "서울 마포구 망원로 100").await;
    let map = b
        .find(Locator::Css("#map"))
        .await
        .map_err(|e| e.to_string())?;
    // Where the hub (inside the area) is drawn, relative to the map's centre.
    let offset: Value = b
        .execute(
            "const el = document.getElementById('map');
             const [lat, lon] = el.dataset.hub.split(',').map(Number);
             const p = el.leafletMap.latLngToContainerPoint([lat, lon]);
             el.scrollIntoView({block: 'center'});
             return [p.x - el.clientWidth / 2, p.y - el.clientHeight / 2];",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    let (dx, dy) = (
        offset[0].as_f64().unwrap_or(0.0),
        offset[1].as_f64().unwrap_or(0.0),
    );
    let tap = MouseActions::new("finger".into())
        .then(PointerAction::MoveToElement {
            element: map,
            duration: None,
            x: dx,
            y: dy,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    b.perform_actions(tap).await.map_err(|e| e.to_string())?;
    let pinned = wait_for_text(b, "배송 지역 안입니다").await;
    assert!(!pinned.contains("배송 지역 밖"), "{pinned}");
    let circles = b
        .find_all(Locator::Css("#map path.leaflet-interactive"))
        .await
        .map_err(|e| e.to_string())?;
    assert_eq!(circles.len(), 2, "the area and the pin are drawn");
    shoot(b, "07-checkout-pinned").await;
    b.find(Locator::Css("#place-order"))
        .await
        .map_err(|e| e.to_string())?
        .click()
        .await
        .map_err(|e| e.to_string())?;
    let order = wait_for_text(b, "접수 대기").await;
    assert!(order.contains("배송 시간"), "{order}");
    let url = b.current_url().await.map_err(|e| e.to_string())?;
    let order_id = url
        .path()
        .strip_prefix("/orders/")
        .ok_or_else(|| format!("not on an order page: {url}"))?
        .to_owned();
    shoot(b, "08-order-placed").await;

    // The tofu shop accepts through the API; the open page changes without a reload.
    let owner = app
        .post(
            "/v1/auth/login",
            None,
            &json!({"email": "merchant@demo.golmok.kr", "password": golmok_demo::seed::DEMO_PASSWORD}),
        )
        .await;
    let owner = owner.body["token"].as_str().unwrap_or_default().to_owned();
    let orders = app.get("/v1/merchants?limit=100", None).await.body["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let tofu_shop = orders
        .iter()
        .find(|m| m["name"] == "망원 두부가게")
        .and_then(|m| m["id"].as_str())
        .ok_or("the tofu shop")?
        .to_owned();
    let parts = app
        .get(&format!("/v1/merchants/{tofu_shop}/orders"), Some(&owner))
        .await;
    let part = parts.body["items"]
        .as_array()
        .and_then(|items| items.iter().find(|p| p["order_id"] == order_id.as_str()))
        .and_then(|p| p["id"].as_str())
        .ok_or_else(|| format!("the tofu shop's part of {order_id}: {}", parts.text))?
        .to_owned();
    // The page listens before the shop acts (its stream is open).
    for _ in 0..150 {
        let open = b
            .execute("return document.body.dataset.live === 'open';", vec![])
            .await
            .map_err(|e| e.to_string())?;
        if open == Value::Bool(true) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    b.execute("window.__notReloaded = true; return true;", vec![])
        .await
        .map_err(|e| e.to_string())?;
    let accepted = app
        .post(
            &format!("/v1/merchant-orders/{part}/accept"),
            Some(&owner),
            &json!({}),
        )
        .await;
    assert_eq!(accepted.status.as_u16(), 200, "{}", accepted.text);
    wait_for_text(b, "가게 확인").await;
    let same_page = b
        .execute("return window.__notReloaded === true;", vec![])
        .await
        .map_err(|e| e.to_string())?;
    assert_eq!(same_page, Value::Bool(true), "no reload happened");
    shoot(b, "09-order-accepted-live").await;

    // The tofu is packed, the wave is planned, and its courier rides it from a phone.
    let ready = app
        .post(
            &format!("/v1/merchant-orders/{part}/ready"),
            Some(&owner),
            &json!({}),
        )
        .await;
    assert_eq!(ready.status.as_u16(), 200, "{}", ready.text);
    let admin = app
        .post(
            "/v1/auth/login",
            None,
            &json!({"email": "admin@demo.golmok.kr", "password": golmok_demo::seed::DEMO_PASSWORD}),
        )
        .await
        .body["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let order = app
        .get(&format!("/v1/orders/{order_id}"), Some(&owner))
        .await;
    let slot = order.body["fulfillment"]["slot_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let network = order.body["fulfillment"]["network_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let plan = app
        .post(
            &format!("/v1/networks/{network}/slots/{slot}/plan"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(plan.status.as_u16(), 200, "{}", plan.text);
    let batch = plan.body["batches"]
        .as_array()
        .and_then(|batches| {
            batches.iter().find(|b| {
                b["stops"]
                    .as_array()
                    .is_some_and(|s| s.iter().any(|s| s["merchant_order_id"] == part.as_str()))
            })
        })
        .cloned()
        .ok_or("a batch carrying the tofu")?;
    let stops = batch["stops"].as_array().cloned().unwrap_or_default();
    let pickup = stops
        .iter()
        .find(|s| s["merchant_order_id"] == part.as_str() && s["kind"] == "pickup")
        .and_then(|s| s["id"].as_str())
        .ok_or("the tofu pick-up")?
        .to_owned();
    let email =
        golmok_e2e::demo::courier_email(app, batch["courier_id"].as_str().unwrap_or_default())
            .await;

    // The shopper keeps the order's page open and reads the code for the door off it.
    b.goto(&app.url(&format!("/orders/{order_id}")))
        .await
        .map_err(|e| e.to_string())?;
    // The page redraws itself as its stream connects: read the code once it holds still.
    let mut door_code = String::new();
    for _ in 0..50 {
        let read = match b.find(Locator::Css("[data-handover-code]")).await {
            Ok(code) => code.text().await.ok(),
            Err(_) => None,
        };
        if let Some(code) = read.filter(|c| !c.is_empty()) {
            door_code = code;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if door_code.is_empty() {
        return Err("no code for the door on the order page".into());
    }

    // The tofu shop's owner looks at the board on the counter's screen, then the courier rides.
    sign_in_as(c, app, "merchant@demo.golmok.kr", "/shop").await?;
    let board = wait_for_text(c, "주문 현황판").await;
    assert!(
        board.contains("픽업 코드") && board.contains("국산콩 손두부"),
        "{board}"
    );
    shoot(c, "10-shop-board").await;
    sign_in_as(c, app, &email, "/courier").await?;
    wait_for_text(c, "배송 묶음").await;
    c.find(Locator::Css(&format!(
        "a[href='/courier/batches/{}']",
        batch["id"].as_str().unwrap_or_default()
    )))
    .await
    .map_err(|e| e.to_string())?
    .click()
    .await
    .map_err(|e| e.to_string())?;
    wait_for_text(c, "배송 경로").await;
    // The map is drawn once Leaflet (deferred) has run.
    let mut markers = 0;
    for _ in 0..50 {
        markers = c
            .find_all(Locator::Css("#route-map path.stop-marker"))
            .await
            .map_err(|e| e.to_string())?
            .len();
        if markers == stops.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if markers != stops.len() {
        shoot(c, "11-courier-batch-failed").await;
    }
    assert_eq!(markers, stops.len(), "one marker per stop on the map");
    shoot(c, "11-courier-batch").await;
    // The shop reads its pick-up code off its board and tells the courier.
    let code = app
        .get(&format!("/v1/orders/{order_id}"), Some(&owner))
        .await
        .body["merchant_orders"][0]["pickup_code"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    // The connection drops as the courier sends the shop's code, twice: both wait on the
    // phone; when it returns they go, and the pick-up is made once.
    set_offline(c, true).await?;
    complete_with_code(c, &pickup, &code).await?;
    wait_for_text(c, "1건을 휴대폰에 보관했습니다").await;
    complete_with_code(c, &pickup, &code).await?;
    wait_for_text(c, "2건을 휴대폰에 보관했습니다").await;
    shoot(c, "12-courier-offline-queued").await;
    let waiting = app
        .get(&format!("/v1/orders/{order_id}"), Some(&owner))
        .await;
    assert_eq!(
        waiting.body["merchant_orders"][0]["status"], "ready",
        "nothing reached the server while offline"
    );
    set_offline(c, false).await?;
    let mut status = Value::Null;
    for _ in 0..100 {
        status = app
            .get(&format!("/v1/orders/{order_id}"), Some(&owner))
            .await
            .body["merchant_orders"][0]["status"]
            .clone();
        if status == "picked_up" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, "picked_up", "sent once the connection came back");
    wait_for_text(c, "배송 경로").await;
    shoot(c, "13-courier-picked-up").await;

    // At the door: a wrong code is refused and changes nothing; the shopper's code with a
    // photo of the hand-over delivers, and the shopper's open page says so without a reload.
    let dropoff = stops
        .iter()
        .find(|s| s["merchant_order_id"] == part.as_str() && s["kind"] == "dropoff")
        .and_then(|s| s["id"].as_str())
        .unwrap_or_default()
        .to_owned();
    let wrong = if door_code == "0000" { "1111" } else { "0000" };
    complete_with_code(c, &dropoff, wrong).await?;
    wait_for_text(c, "전달 코드가 맞지 않습니다").await;
    shoot(c, "14-courier-wrong-code").await;
    let files = tempfile::tempdir().map_err(|e| e.to_string())?;
    let photo = files.path().join("door.jpg");
    // A camera's photo, larger than the phone keeps.
    image::RgbImage::from_fn(2400, 1800, |x, y| {
        image::Rgb([(x % 250) as u8, 90, (y % 250) as u8])
    })
    .save(&photo)
    .map_err(|e| e.to_string())?;
    let form = c
        .find(Locator::Css(&format!(
            "form[action='/courier/stops/{dropoff}/photo']"
        )))
        .await
        .map_err(|e| e.to_string())?;
    c.find(Locator::Css(&format!(
        "details:has(form[action='/courier/stops/{dropoff}/photo']) summary"
    )))
    .await
    .map_err(|e| e.to_string())?
    .click()
    .await
    .map_err(|e| e.to_string())?;
    form.find(Locator::Css("input[name=photo]"))
        .await
        .map_err(|e| e.to_string())?
        .send_keys(&photo.display().to_string())
        .await
        .map_err(|e| e.to_string())?;
    form.find(Locator::Css("input[name=code]"))
        .await
        .map_err(|e| e.to_string())?
        .send_keys(&door_code)
        .await
        .map_err(|e| e.to_string())?;
    shoot(c, "15-courier-code-and-photo").await;
    // In a basement with no network: the photo waits on the phone with the code, and goes
    // when the network is back.
    set_offline(c, true).await?;
    form.find(Locator::Css("button[type=submit]"))
        .await
        .map_err(|e| e.to_string())?
        .click()
        .await
        .map_err(|e| e.to_string())?;
    wait_for_text(c, "1건을 휴대폰에 보관했습니다").await;
    let kept = golmok_delivery_routing::proof::files_of(&app.state.db, &dropoff)
        .await
        .map_err(|e| e.to_string())?;
    if !kept.is_empty() {
        return Err("the photo reached the server while the phone was offline".into());
    }
    // The phone keeps it as a JPEG at most 1600 px a side, in its database for pages: the
    // queue itself holds only the form and the photo's key.
    let queued = c
        .execute_async(
            "var done = arguments[arguments.length - 1];
             var key = Object.keys(localStorage).filter(function (k) { return k.indexOf('golmok-queue:') === 0; })[0];
             var text = localStorage.getItem(key), item = JSON.parse(text)[0];
             var open = indexedDB.open('golmok-files');
             open.onerror = function () { done('no database'); };
             open.onsuccess = function () {
               var get = open.result.transaction('files').objectStore('files').get(item.file.key);
               get.onerror = function () { done('no photo'); };
               get.onsuccess = function () {
                 var blob = get.result, img = new Image();
                 if (!blob) { done('no photo under ' + item.file.key); return; }
                 img.onload = function () { done([blob.type, img.naturalWidth, img.naturalHeight, text.length < 4096]); };
                 img.onerror = function () { done('unreadable'); };
                 img.src = URL.createObjectURL(blob);
               };
             };",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    if queued != json!(["image/jpeg", 1600, 1200, true]) {
        return Err(format!("the phone kept the photo as {queued}"));
    }
    set_offline(c, false).await?;
    wait_for_text(b, "배달 완료").await;
    shoot(b, "16-order-delivered-live").await;
    let delivered = app
        .get(&format!("/v1/orders/{order_id}"), Some(&owner))
        .await
        .body;
    let deliveries = delivered["events"]
        .as_array()
        .map(|e| e.iter().filter(|e| e["to"] == "delivered").count())
        .unwrap_or_default();
    assert_eq!(deliveries, 1, "delivered once: {delivered}");
    let proved = golmok_delivery_routing::proof::files_of(&app.state.db, &dropoff)
        .await
        .map_err(|e| e.to_string())?;
    assert_eq!(proved.len(), 1, "the door's photo kept with the stop");
    // Sent, the photo no longer takes room on the phone.
    let left = c
        .execute_async(
            "var done = arguments[arguments.length - 1];
             var open = indexedDB.open('golmok-files'), tries = 0;
             open.onsuccess = function () {
               (function check() {
                 var count = open.result.transaction('files').objectStore('files').count();
                 count.onsuccess = function () {
                   if (count.result === 0 || ++tries > 50) done(count.result);
                   else setTimeout(check, 100);
                 };
               })();
             };",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    if left != json!(0) {
        return Err(format!("{left} photos left on the phone after sending"));
    }

    Ok(())
}

/// A command of chromedriver's own (beyond WebDriver): `endpoint` under the session, and
/// its JSON body.
#[derive(Debug)]
struct ChromiumCommand {
    endpoint: &'static str,
    body: Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for ChromiumCommand {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/{}",
            session_id.unwrap_or_default(),
            self.endpoint
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}

/// chromedriver's network conditions: `offline` drops the page's connection as a tunnel
/// would.
async fn set_offline(c: &Client, offline: bool) -> Result<(), String> {
    c.issue_cmd(ChromiumCommand {
        endpoint: "chromium/network_conditions",
        body: json!({"network_conditions": {
            "offline": offline, "latency": 0,
            "download_throughput": 1_000_000, "upload_throughput": 1_000_000,
        }}),
    })
    .await
    .map(|_| ())
    .map_err(|e| format!("network conditions: {e}"))
}

/// Types `code` into the stop's code form on the open batch page and sends it.
async fn complete_with_code(c: &Client, stop: &str, code: &str) -> Result<(), String> {
    // The route page redraws live (a position, a replan): when the form is swapped out
    // between finding it and typing, find it again.
    let mut last = String::new();
    for _ in 0..10 {
        match type_code_and_submit(c, stop, code).await {
            Ok(()) => return Ok(()),
            Err(e) => last = format!("completing stop {stop}: {e}"),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Err(last)
}

async fn type_code_and_submit(c: &Client, stop: &str, code: &str) -> Result<(), String> {
    let form = c
        .find(Locator::Css(&format!(
            "form[action='/courier/stops/{stop}/complete']"
        )))
        .await
        .map_err(|e| e.to_string())?;
    let field = form
        .find(Locator::Css("input[name=value]"))
        .await
        .map_err(|e| e.to_string())?;
    field.clear().await.map_err(|e| e.to_string())?;
    field.send_keys(code).await.map_err(|e| e.to_string())?;
    form.find(Locator::Css("button[type=submit]"))
        .await
        .map_err(|e| e.to_string())?
        .click()
        .await
        .map_err(|e| e.to_string())
}

/// The app on the demo data and a chromedriver for it; `None`, saying it skipped and why,
/// when Chromium or its driver is missing.
async fn chromium_on_demo_data() -> Option<(TestApp, Driver)> {
    for tool in [CHROMIUM, CHROMEDRIVER] {
        if !Path::new(tool).exists() {
            println!("skipped: {tool} is missing; install Debian's chromium and chromium-driver");
            return None;
        }
    }
    let app = TestApp::start(Engine::Sqlite).await;
    golmok_demo::seed::demo(&app.state.db, app.state.cache.as_ref())
        .await
        .expect("the demo data");
    Some((app, start_chromedriver().await))
}

/// Runs `journey` in a fresh Chromium against the app on the demo data; says it skipped
/// (and why) when Chromium or its driver is missing.
async fn in_chromium<F>(journey: F)
where
    F: AsyncFnOnce(&TestApp, &Client) -> Result<(), String>,
{
    let Some((app, mut driver)) = chromium_on_demo_data().await else {
        return;
    };
    let browser = open_browser(&driver).await;
    let outcome = journey(&app, &browser).await;
    let _ = browser.close().await;
    let _ = driver.process.kill().await;
    outcome.unwrap_or_else(|e| panic!("{e}"));
}

/// The shop's side in Chromium: the board takes a new order, the counter weighs a refill
/// (the price and whether it fits shown as it is typed), a line weighed over what the
/// payment holds is put to the shopper, whose answer reaches the open board live; then a
/// photo is added to a listing, and a PDF and a 12 MB file are refused with the reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shop_weighs_at_the_counter_asks_the_shopper_and_adds_a_photo() {
    in_chromium(counter).await;
}

/// The grain shop of Yeonhui, its owner's email, and its brown rice (900 won per 100 g).
async fn grain_shop(app: &TestApp) -> (String, String, String, String) {
    let shops = app.get("/v1/merchants?limit=100", None).await.body;
    let shop = shops["items"]
        .as_array()
        .and_then(|s| s.iter().find(|m| m["name"] == "연희 곡물가게"))
        .cloned()
        .expect("the grain shop");
    let shop_id = shop["id"].as_str().unwrap_or_default().to_owned();
    let owner = golmok_accounts::find(&app.state.db, shop["owner_id"].as_str().unwrap_or_default())
        .await
        .expect("its owner");
    let rice = golmok_e2e::demo::listings_of(app, &shop_id)
        .await
        .iter()
        .find(|l| l["title"] == "유기농 현미")
        .and_then(|l| l["id"].as_str())
        .expect("brown rice")
        .to_owned();
    let consortia = app.get("/v1/consortia?limit=100", None).await.body;
    let mut consortium = String::new();
    for c in consortia["items"].as_array().into_iter().flatten() {
        let id = c["id"].as_str().unwrap_or_default();
        let members = app.get(&format!("/v1/consortia/{id}"), None).await.body;
        if members.to_string().contains(&shop_id) {
            consortium = id.to_owned();
        }
    }
    (shop_id, owner.email, rice, consortium)
}

/// Places a pick-up order of `grams` of rice for `shopper`: (merchant order, line).
async fn rice_order(
    app: &TestApp,
    shopper: &str,
    consortium: &str,
    rice: &str,
    grams: i64,
) -> Result<(String, String, String), String> {
    let order = app
        .post(
            "/v1/orders",
            Some(shopper),
            &json!({"consortium_id": consortium, "items": [{"listing_id": rice, "quantity": grams}],
                    "fulfillment": {"kind": "pickup"}, "payment": {"provider": "offline"}}),
        )
        .await;
    if order.status != reqwest::StatusCode::CREATED {
        return Err(format!("the order: {}", order.text));
    }
    let field = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    Ok((
        field(&order.body["id"]),
        field(&order.body["merchant_orders"][0]["id"]),
        field(&order.body["merchant_orders"][0]["lines"][0]["id"]),
    ))
}

async fn click(b: &Client, css: &str) -> Result<(), String> {
    // A live page may redraw between finding the element and clicking it: find it again.
    let mut last = String::new();
    for _ in 0..10 {
        match b.find(Locator::Css(css)).await {
            Ok(element) => match element.click().await {
                Ok(()) => return Ok(()),
                Err(e) => last = format!("{css}: {e}"),
            },
            Err(e) => last = format!("{css}: {e}"),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Err(last)
}

/// Waits (up to 5 s) for the order to have been charged `krw`, read through the API.
async fn charged_becomes(
    app: &TestApp,
    shopper: &str,
    order_id: &str,
    krw: i64,
    what: &str,
) -> Result<(), String> {
    let mut got = Value::Null;
    for _ in 0..50 {
        got = app
            .get(&format!("/v1/orders/{order_id}"), Some(shopper))
            .await
            .body["charged_krw"]
            .clone();
        if got == json!(krw) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("{what}{got}"))
}

async fn counter(app: &TestApp, b: &Client) -> Result<(), String> {
    let (shop, owner, rice, consortium) = grain_shop(app).await;
    let shopper = golmok_e2e::demo::login(app, "shopper@demo.golmok.kr").await;
    let board_path = format!("/shop/{shop}/orders");

    // The board is open before the order exists; the order appears on it without a reload.
    sign_in_as(b, app, &owner, &board_path).await?;
    wait_for_text(b, "주문 현황판").await;
    let placed = std::time::Instant::now();
    let (first, part, line) = rice_order(app, &shopper, &consortium, &rice, 400).await?;
    // The card carries the order's number, as the shopper reads it at the counter.
    let short: String = first
        .chars()
        .skip(first.chars().count().saturating_sub(6))
        .collect();
    wait_for_text(b, &format!("#{short}")).await;
    println!(
        "board latency (idle): order placed → card shown in {} ms",
        placed.elapsed().as_millis()
    );
    click(
        b,
        &format!("form[action='/shop/{shop}/orders/{part}/accept'] button"),
    )
    .await?;
    wait_for_text(b, "계량하기").await;

    // The counter: gross 837 g less a 400 g jar is 437 g, 3,933 won, inside the authorisation.
    b.goto(&app.url(&format!("/shop/{shop}/orders/{part}/weigh")))
        .await
        .map_err(|e| e.to_string())?;
    fill(b, &format!("#gross_{line}"), "837").await;
    fill(b, &format!("#tare_{line}"), "400").await;
    let typed = wait_for_text(b, "3,933원").await;
    if !typed.contains("승인 범위 안") {
        return Err(format!("the live price: {typed}"));
    }
    shoot(b, "20-weighing-437g").await;
    click(b, "form.weigh button[type=submit]:not([name])").await?;
    wait_for_text(b, "437 g").await;
    shoot(b, "21-board-weighed").await;
    click(
        b,
        &format!("form[action='/shop/{shop}/orders/{part}/ready'] button"),
    )
    .await?;
    charged_becomes(app, &shopper, &first, 3_933, "the 437 g order charged ").await?;

    // Another order weighs over: 520 g is 4,680 won, over the 4,140 held; the shop asks.
    let (second, part, line) = rice_order(app, &shopper, &consortium, &rice, 400).await?;
    let short: String = second
        .chars()
        .skip(second.chars().count().saturating_sub(6))
        .collect();
    wait_for_text(b, &format!("#{short}")).await;
    click(
        b,
        &format!("form[action='/shop/{shop}/orders/{part}/accept'] button"),
    )
    .await?;
    wait_for_text(b, "계량하기").await;
    b.goto(&app.url(&format!("/shop/{shop}/orders/{part}/weigh")))
        .await
        .map_err(|e| e.to_string())?;
    fill(b, &format!("#net_{line}"), "520").await;
    wait_for_text(b, "승인 범위를 넘습니다").await;
    click(b, "form.weigh button[type=submit]:not([name])").await?;
    wait_for_text(b, "손님께 승인 요청").await;
    shoot(b, "22-weighing-over").await;
    click(b, "button[data-ask-shopper]").await?;
    wait_for_text(b, "손님 승인 대기").await;
    // Until the shopper answers, the card says why it cannot be marked ready instead of
    // offering a button the server would refuse.
    wait_for_text(b, "손님이 추가 금액에 답하면").await;
    let ready_buttons = b
        .find_all(Locator::Css(&format!(
            "form[action='/shop/{shop}/orders/{part}/ready'] button"
        )))
        .await
        .map_err(|e| e.to_string())?;
    if !ready_buttons.is_empty() {
        return Err("the board offers ready while the shopper has not answered".into());
    }
    shoot(b, "23-board-waiting-for-shopper").await;

    // The shopper approves on the order's page.
    sign_in_as(
        b,
        app,
        "shopper@demo.golmok.kr",
        &format!("/orders/{second}"),
    )
    .await?;
    wait_for_text(b, "추가 금액").await;
    shoot(b, "24-order-asks-the-shopper").await;
    click(b, "button[data-approve]").await?;
    wait_for_text(b, "손님이 승인함").await;

    // Back at the counter the board says so; marked ready, the capture is the approved total.
    sign_in_as(b, app, &owner, &board_path).await?;
    wait_for_text(b, "손님이 승인함").await;
    shoot(b, "25-board-approved").await;
    click(
        b,
        &format!("form[action='/shop/{shop}/orders/{part}/ready'] button"),
    )
    .await?;
    charged_becomes(app, &shopper, &second, 4_680, "the approved order charged ").await?;

    // A photo for the listing; a PDF and a 12 MB file are refused with the reason.
    let edit = app.url(&format!("/shop/{shop}/listings/{rice}/edit"));
    let files = tempfile::tempdir().map_err(|e| e.to_string())?;
    let photo = files.path().join("rice.jpg");
    let picture = image::RgbImage::from_fn(900, 600, |x, y| {
        image::Rgb([(x % 200) as u8, 120, (y % 200) as u8])
    });
    picture.save(&photo).map_err(|e| e.to_string())?;
    let pdf = files.path().join("menu.pdf");
    std::fs::write(&pdf, b"%PDF-1.7 menu").map_err(|e| e.to_string())?;
    let huge = files.path().join("huge.jpg");
    let mut bytes = std::fs::read(&photo).map_err(|e| e.to_string())?;
    bytes.resize(12 * 1024 * 1024, 0);
    std::fs::write(&huge, bytes).map_err(|e| e.to_string())?;
    for (file, expect) in [
        (&pdf, "JPEG, PNG, WebP 사진만"),
        (&huge, "10MB"),
        (&photo, "사진 삭제"),
    ] {
        b.goto(&edit).await.map_err(|e| e.to_string())?;
        b.find(Locator::Css("#photo"))
            .await
            .map_err(|e| e.to_string())?
            .send_keys(&file.display().to_string())
            .await
            .map_err(|e| e.to_string())?;
        b.find(Locator::Css("#photos form[enctype] button[type=submit]"))
            .await
            .map_err(|e| e.to_string())?
            .click()
            .await
            .map_err(|e| e.to_string())?;
        wait_for_text(b, expect).await;
    }
    shoot(b, "26-listing-photo").await;
    let listing = app.get(&format!("/v1/listings/{rice}"), None).await.body;
    if listing["photos"].as_array().map(Vec::len) != Some(1) {
        return Err(format!("one photo kept: {listing}"));
    }
    // The shopper's listing page shows it.
    b.goto(&app.url(&format!("/listings/{rice}")))
        .await
        .map_err(|e| e.to_string())?;
    wait_for_text(b, "유기농 현미").await;
    let src = b
        .find(Locator::Css(".photos img"))
        .await
        .map_err(|e| format!("the photo on the listing page: {e}"))?
        .attr("src")
        .await
        .map_err(|e| e.to_string())?
        .unwrap_or_default();
    if !src.starts_with("/media/") {
        return Err(format!("the photo's address: {src}"));
    }
    shoot(b, "27-shopper-sees-the-photo").await;

    // Collected, the rice turns out wet: the shopper claims from the order's page, and the
    // counter refunds part of it from the board's claim card.
    let owner_token = golmok_e2e::demo::login(app, &owner).await;
    let collected = app
        .post(
            &format!("/v1/merchant-orders/{part}/collect"),
            Some(&owner_token),
            &json!({}),
        )
        .await;
    if collected.status != reqwest::StatusCode::OK {
        return Err(format!("collected: {}", collected.text));
    }
    sign_in_as(
        b,
        app,
        "shopper@demo.golmok.kr",
        &format!("/orders/{second}"),
    )
    .await?;
    wait_for_text(b, "문제가 있나요?").await;
    click(b, "details.claim-form summary").await?;
    fill(
        b,
        "details.claim-form textarea[name=reason]",
        "현미가 젖어 있었어요",
    )
    .await;
    fill(b, "details.claim-form input[name=asked_krw]", "2000").await;
    click(b, "details.claim-form button[type=submit]").await?;
    wait_for_text(b, "가게에 알렸습니다").await;
    // A photo of the wet rice goes with the claim while it waits.
    b.find(Locator::Css(".claim-photo-form input[name=photo]"))
        .await
        .map_err(|e| e.to_string())?
        .send_keys(&photo.display().to_string())
        .await
        .map_err(|e| e.to_string())?;
    click(b, ".claim-photo-form button[type=submit]").await?;
    wait_for_text(b, "사진을 문의에 더했습니다").await;
    if b.find(Locator::Css(".claim-photos img")).await.is_err() {
        return Err("the claim's photo is not on the order's page".into());
    }
    shoot(b, "28-claim-sent").await;
    sign_in_as(b, app, &owner, &board_path).await?;
    wait_for_text(b, "현미가 젖어 있었어요").await;
    fill(b, ".claim-card input[name=refund_krw]", "1500").await;
    fill(b, ".claim-card input[name=answer]", "젖은 만큼 돌려드려요").await;
    shoot(b, "29-board-claim").await;
    click(b, ".claim-card button[value=refund]").await?;
    wait_for_text(b, "문의에 답했습니다").await;
    let refunded = app
        .get(&format!("/v1/orders/{second}"), Some(&shopper))
        .await
        .body;
    if refunded["merchant_orders"][0]["refunded_krw"] != 1500 {
        return Err(format!("1,500 won refunded: {refunded}"));
    }
    // Another claim reaches the open board live, flashing (and chiming).
    let second_claim = app
        .post(
            &format!("/v1/merchant-orders/{part}/claims"),
            Some(&shopper),
            &json!({"reason": "봉투도 찢어져 있었어요"}),
        )
        .await;
    if second_claim.status != reqwest::StatusCode::CREATED {
        return Err(format!("the second claim: {}", second_claim.text));
    }
    wait_for_text(b, "봉투도 찢어져 있었어요").await;
    if b.find(Locator::Css(".claims.arrived")).await.is_err() {
        return Err("the new claim did not flash on the board".into());
    }
    Ok(())
}

/// The dispatcher's desk in Chromium: a day's board with the plan on the map, a planned
/// delivery given to another courier from its select, a re-plan from its button, and the
/// delivery still with that courier; screenshots of the board before and after.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dispatcher_gives_a_delivery_to_another_courier_and_replans() {
    in_chromium(desk).await;
}

async fn desk(app: &TestApp, b: &Client) -> Result<(), String> {
    let (shopper, _) = app.sign_up("shopper").await;
    let golmok_e2e::demo::TofuDelivery {
        part,
        network,
        slot,
        date,
        ..
    } = golmok_e2e::demo::tofu_delivery(app, &shopper).await;
    let admin = golmok_e2e::demo::login(app, "admin@demo.golmok.kr").await;
    let plan_path = format!("/v1/networks/{network}/slots/{slot}/plan");
    let planned = app.post(&plan_path, Some(&admin), &json!({})).await;
    if planned.status != reqwest::StatusCode::OK {
        return Err(format!("the plan: {}", planned.text));
    }
    let carrier = |plan: &Value| {
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
    let first = carrier(&planned.body);
    let other = golmok_delivery_routing::courier::couriers_of(&app.state.db, &network)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|c| c.id)
        .find(|c| *c != first)
        .ok_or("a second courier")?;

    sign_in_as(
        b,
        app,
        "coordinator@demo.golmok.kr",
        &format!("/dispatch/{network}?date={date}"),
    )
    .await?;
    wait_for_text(b, "다시 계획").await;
    // The board redraws itself once its stream opens: act on it after that.
    for _ in 0..100 {
        let open = b
            .execute("return document.body.dataset.live === 'open';", vec![])
            .await
            .map_err(|e| e.to_string())?;
        if open == Value::Bool(true) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut routes = 0;
    for _ in 0..50 {
        routes = b
            .find_all(Locator::Css("#dispatch-map path.stop-marker"))
            .await
            .map_err(|e| e.to_string())?
            .len();
        if routes > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if routes == 0 {
        return Err("no stops drawn on the dispatch map".into());
    }
    shoot(b, "30-dispatch-board").await;
    // A redraw between finding the select and using it makes it stale: find it again.
    let mut chosen = Err(String::new());
    for _ in 0..20 {
        chosen = match b.find(Locator::Css(&format!("#move-{part}"))).await {
            Ok(select) => select
                .select_by_value(&other)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(format!("the delivery's courier select: {e}")),
        };
        if chosen.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    chosen?;
    click(
        b,
        &format!("form[action='/dispatch/{network}/tasks/{part}/courier'] button"),
    )
    .await?;
    // The form's answer lands when it lands: ask the API until it says so.
    let mut moved = String::new();
    for _ in 0..50 {
        moved = carrier(&app.get(&plan_path, Some(&admin)).await.body);
        if moved == other {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if moved != other {
        return Err("the delivery did not go to the other courier".into());
    }
    // The redirected board opens its stream and redraws: press re-plan on the board as it
    // then stands.
    let replan = format!("form[action='/dispatch/{network}/slots/{slot}/plan'] button");
    let plan_id = |plan: &Value| plan["id"].as_str().unwrap_or_default().to_owned();
    let before = plan_id(&app.get(&plan_path, Some(&admin)).await.body);
    let mut replanned = false;
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        if click(b, &replan).await.is_err() {
            continue;
        }
        for _ in 0..30 {
            if plan_id(&app.get(&plan_path, Some(&admin)).await.body) != before {
                replanned = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        if replanned {
            break;
        }
    }
    if !replanned {
        return Err("the re-plan button made no new plan".into());
    }
    wait_for_text(b, "다시 계획").await;
    shoot(b, "31-dispatch-board-replanned").await;
    let kept = carrier(&app.get(&plan_path, Some(&admin)).await.body);
    if kept != other {
        return Err(format!(
            "the re-plan gave the delivery to {kept}, not {other}"
        ));
    }
    // The board links the network's delivery-fee payouts.
    click(b, &format!("a[href='/dispatch/{network}/payouts']")).await?;
    wait_for_text(b, "받을 배송비").await;
    shoot(b, "64-network-payouts").await;
    Ok(())
}

/// A courier stops mid-route, in Chromium: their phone keeps a drop-off made with no
/// network, the dispatcher hands the rest of the batch to another courier from the board,
/// whose phone names whom to collect the tofu on board from; then the first phone finds the
/// network again, and the drop-off counts from when it was made.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dispatcher_hands_a_batch_under_way_to_another_courier() {
    in_chromium_with_phone(rescue).await;
}

/// As [`in_chromium`], with a second Chromium of its own profile: a phone whose connection
/// drops while the first browser goes on.
async fn in_chromium_with_phone<F>(journey: F)
where
    F: AsyncFnOnce(&TestApp, &Client, &Client) -> Result<(), String>,
{
    let Some((app, mut driver)) = chromium_on_demo_data().await else {
        return;
    };
    let browser = open_browser(&driver).await;
    let profile = tempfile::tempdir().expect("a profile folder");
    let phone = open_browser_in(&driver, profile.path()).await;
    let outcome = journey(&app, &browser, &phone).await;
    let _ = browser.close().await;
    let _ = phone.close().await;
    let _ = driver.process.kill().await;
    outcome.unwrap_or_else(|e| panic!("{e}"));
}

/// `b` is the dispatcher's desk, then the second courier's phone; `p` the first courier's.
async fn rescue(app: &TestApp, b: &Client, p: &Client) -> Result<(), String> {
    let on = golmok_e2e::demo::tofu_under_way(app).await;
    on.pick_up(app).await;
    let second = golmok_e2e::demo::another_courier(app, &on.network, &on.first).await;
    let code = on.dropoff_code.as_str().unwrap_or_default().to_owned();
    let dropoff_made = || async {
        use sea_orm::EntityTrait;
        golmok_delivery_routing::entities::stop::Entity::find_by_id(on.dropoff.as_str())
            .one(&app.state.db)
            .await
            .ok()
            .flatten()
            .filter(|s| s.status == golmok_delivery_routing::StopStatus::Completed)
            .and_then(|s| s.done_at)
    };

    // At the door with no network, the first courier hands the tofu over: the drop-off waits
    // on the phone. Hearing nothing, the dispatcher hands the batch on.
    let first_email = golmok_e2e::demo::courier_email(app, &on.first).await;
    sign_in_as(
        p,
        app,
        &first_email,
        &format!("/courier/batches/{}", on.batch_id),
    )
    .await?;
    wait_for_text(p, "진행 중").await;
    set_offline(p, true).await?;
    complete_with_code(p, &on.dropoff, &code).await?;
    wait_for_text(p, "1건을 휴대폰에 보관했습니다").await;
    shoot(p, "34-courier-offline-before-hand-over").await;
    if dropoff_made().await.is_some() {
        return Err("the drop-off reached the server while the phone was offline".into());
    }
    let courier_of_batch = || async {
        use sea_orm::EntityTrait;
        golmok_delivery_routing::entities::route_batch::Entity::find_by_id(on.batch_id.as_str())
            .one(&app.state.db)
            .await
            .ok()
            .flatten()
            .map(|b| b.courier_id)
            .unwrap_or_default()
    };
    sign_in_as(
        b,
        app,
        "coordinator@demo.golmok.kr",
        &format!("/dispatch/{}?date={}", on.network, on.date),
    )
    .await?;
    wait_for_text(b, "남은 경로 넘기기").await;
    b.execute(
        "document.getElementById(arguments[0]).scrollIntoView();",
        vec![json!(format!("batch-{}", on.batch_id))],
    )
    .await
    .map_err(|e| e.to_string())?;
    shoot(b, "32-dispatch-hand-over").await;
    // The board redraws live: find the select again when a redraw lands in between.
    let mut passed = false;
    for _ in 0..20 {
        let chosen = match b
            .find(Locator::Css(&format!("#hand-over-{}", on.batch_id)))
            .await
        {
            Ok(select) => select.select_by_value(&second).await.is_ok(),
            Err(_) => false,
        };
        if chosen
            && click(
                b,
                &format!(
                    "form[action='/dispatch/{}/batches/{}/courier'] button",
                    on.network, on.batch_id
                ),
            )
            .await
            .is_ok()
        {
            for _ in 0..30 {
                if courier_of_batch().await == second {
                    passed = true;
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        if passed {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    if !passed {
        return Err("the board's hand-over did not pass the batch on".into());
    }
    wait_for_text(b, "넘겨받음:").await;

    let email = golmok_e2e::demo::courier_email(app, &second).await;
    sign_in_as(b, app, &email, "/courier").await?;
    wait_for_text(b, "진행 중").await;
    b.goto(&app.url(&format!("/courier/batches/{}", on.batch_id)))
        .await
        .map_err(|e| e.to_string())?;
    let text = wait_for_text(b, "다른 기사님에게서 넘겨받은 경로입니다").await;
    if !text.contains("실린 짐 1") {
        return Err(format!(
            "the phone does not count the tofu on board: {text}"
        ));
    }
    shoot(b, "33-courier-handed-over").await;
    // The second courier's page listens for changes to their batches.
    let mut listening = false;
    for _ in 0..100 {
        let open = b
            .execute("return document.body.dataset.live === 'open';", vec![])
            .await
            .map_err(|e| e.to_string())?;
        if open == Value::Bool(true) {
            listening = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if !listening {
        return Err("the courier's batch page never listened for changes".into());
    }

    // The first courier's phone finds the network again and sends the drop-off, which counts
    // at the time it was made, before the hand-over; the phone then lists the batch as
    // handed away.
    set_offline(p, false).await?;
    let mut made = None;
    for _ in 0..100 {
        made = dropoff_made().await;
        if made.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let made = made.ok_or("the kept drop-off never reached the server")?;
    let handed_at = {
        use sea_orm::EntityTrait;
        golmok_delivery_routing::entities::route_batch::Entity::find_by_id(on.batch_id.as_str())
            .one(&app.state.db)
            .await
            .ok()
            .flatten()
            .and_then(|b| b.handed_over_at)
            .ok_or("the batch's hand-over")?
    };
    if made >= handed_at {
        return Err(format!(
            "the drop-off was recorded when it arrived ({made}), not when it was made, before \
             the hand-over at {handed_at}"
        ));
    }
    wait_for_text(p, "다른 기사님께 넘긴 경로").await;
    shoot(p, "35-courier-late-stop-sent").await;

    // The second courier's open page redraws by itself: the batch done, nothing left to
    // collect or deliver.
    let dropoff_form = format!("form[action='/courier/stops/{}/complete']", on.dropoff);
    let mut text = String::new();
    for _ in 0..100 {
        text = text_of(b).await;
        if !text.contains("다른 기사님에게서 넘겨받은 경로입니다")
            && b.find(Locator::Css(&dropoff_form)).await.is_err()
        {
            shoot(b, "36-courier-batch-done-live").await;
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!(
        "the second courier's page still has the tofu to deliver: {text}"
    ))
}

/// A Chrome DevTools command through chromedriver (`goog/cdp/execute`): what the phone's
/// sensors and permission prompts would say.
async fn devtools(c: &Client, cmd: &'static str, params: Value) -> Result<(), String> {
    c.issue_cmd(ChromiumCommand {
        endpoint: "goog/cdp/execute",
        body: json!({"cmd": cmd, "params": params}),
    })
    .await
    .map(|_| ())
    .map_err(|e| format!("{cmd}: {e}"))
}

/// The courier's phone in the street, in Chromium: the batch started from its page, the
/// position shared once the courier ticks the box (the phone's location set through
/// DevTools, the permission granted as the courier would) and the stops re-timed from it;
/// at the door the recipient signs on the screen with a finger, and the signature is the
/// stop's proof.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_courier_shares_their_position_and_takes_a_signature_at_the_door() {
    in_chromium(signed_for).await;
}

async fn signed_for(app: &TestApp, c: &Client) -> Result<(), String> {
    let (shopper, _) = app.sign_up("shopper").await;
    let delivery = golmok_e2e::demo::tofu_delivery(app, &shopper).await;
    let owner = golmok_e2e::demo::login(app, "merchant@demo.golmok.kr").await;
    let admin = golmok_e2e::demo::login(app, "admin@demo.golmok.kr").await;
    for action in ["accept", "ready"] {
        let moved = app
            .post(
                &format!("/v1/merchant-orders/{}/{action}", delivery.part),
                Some(&owner),
                &json!({}),
            )
            .await;
        if moved.status != reqwest::StatusCode::OK {
            return Err(format!("{action}: {}", moved.text));
        }
    }
    let planned = app
        .post(
            &format!(
                "/v1/networks/{}/slots/{}/plan",
                delivery.network, delivery.slot
            ),
            Some(&admin),
            &json!({}),
        )
        .await;
    let batch = planned.body["batches"]
        .as_array()
        .and_then(|batches| {
            batches.iter().find(|b| {
                b["stops"].as_array().is_some_and(|s| {
                    s.iter()
                        .any(|s| s["merchant_order_id"] == delivery.part.as_str())
                })
            })
        })
        .cloned()
        .ok_or_else(|| format!("no batch carries the delivery: {}", planned.text))?;
    let batch_id = batch["id"].as_str().unwrap_or_default().to_owned();
    let stop = |kind: &str| {
        batch["stops"]
            .as_array()
            .and_then(|s| {
                s.iter()
                    .find(|s| s["merchant_order_id"] == delivery.part.as_str() && s["kind"] == kind)
            })
            .and_then(|s| s["id"].as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let (pickup, dropoff) = (stop("pickup"), stop("dropoff"));
    let email =
        golmok_e2e::demo::courier_email(app, batch["courier_id"].as_str().unwrap_or_default())
            .await;
    let courier = golmok_e2e::demo::login(app, &email).await;

    // The phone is a few streets from the hub.
    let hub = app
        .get(&format!("/v1/networks/{}", delivery.network), None)
        .await
        .body["hub"]
        .clone();
    let (lat, lon) = (
        hub["lat"].as_f64().unwrap_or_default() + 0.004,
        hub["lon"].as_f64().unwrap_or_default() - 0.003,
    );
    devtools(
        c,
        "Browser.grantPermissions",
        json!({"permissions": ["geolocation"], "origin": app.base_url.trim_end_matches('/')}),
    )
    .await?;
    devtools(
        c,
        "Emulation.setGeolocationOverride",
        json!({"latitude": lat, "longitude": lon, "accuracy": 10}),
    )
    .await?;

    sign_in_as(c, app, &email, &format!("/courier/batches/{batch_id}")).await?;
    wait_for_text(c, "배송 경로").await;
    click(
        c,
        &format!("form[action='/courier/batches/{batch_id}/start'] button"),
    )
    .await?;
    wait_for_text(c, "위치").await;
    click(c, "input[data-share-position]").await?;
    let mine = format!("/v1/couriers/me/batches?date={}", delivery.date);
    let mut shared = Value::Null;
    for _ in 0..100 {
        let batches = app.get(&mine, Some(&courier)).await.body;
        shared = batches["items"]
            .as_array()
            .and_then(|b| b.iter().find(|b| b["id"] == batch_id.as_str()))
            .map(|b| b["courier_position"].clone())
            .unwrap_or(Value::Null);
        if !shared.is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let at = &shared["location"];
    if (at["lat"].as_f64().unwrap_or_default() - lat).abs() > 1e-6
        || (at["lon"].as_f64().unwrap_or_default() - lon).abs() > 1e-6
    {
        return Err(format!("the ticked box shared no position: {shared}"));
    }
    shoot(c, "40-courier-sharing-position").await;

    // The shop's code at the pick-up; then the door, where the recipient signs.
    let code = app
        .get(&format!("/v1/orders/{}", delivery.order_id), Some(&owner))
        .await
        .body["merchant_orders"][0]["pickup_code"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    complete_with_code(c, &pickup, &code).await?;
    wait_for_text(c, "배송 경로").await;
    let signing =
        format!("details:has(form[action='/courier/stops/{dropoff}/photo'][data-signature])");
    click(c, &format!("{signing} summary")).await?;
    let pad = c
        .find(Locator::Css(&format!("{signing} canvas")))
        .await
        .map_err(|e| e.to_string())?;
    let mut stroke = MouseActions::new("finger".into())
        .then(PointerAction::MoveToElement {
            element: pad,
            duration: None,
            x: -120.0,
            y: 20.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        });
    for (x, y) in [
        (30.0, -40.0),
        (30.0, 50.0),
        (30.0, -45.0),
        (30.0, 40.0),
        (40.0, -30.0),
    ] {
        stroke = stroke.then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(50)),
            x,
            y,
        });
    }
    stroke = stroke.then(PointerAction::Up {
        button: MOUSE_BUTTON_LEFT,
    });
    c.perform_actions(stroke).await.map_err(|e| e.to_string())?;
    shoot(c, "41-courier-signature").await;
    // Signed in a stairwell with no network: the signature waits on the phone, and goes when
    // the network is back.
    set_offline(c, true).await?;
    click(c, &format!("{signing} button[type=submit]")).await?;
    wait_for_text(c, "1건을 휴대폰에 보관했습니다").await;
    let waiting = app
        .get(&format!("/v1/orders/{}", delivery.order_id), Some(&shopper))
        .await
        .body["merchant_orders"][0]["status"]
        .clone();
    if waiting == "delivered" {
        return Err("the signature reached the server while the phone was offline".into());
    }
    set_offline(c, false).await?;
    let mut status = Value::Null;
    for _ in 0..100 {
        status = app
            .get(&format!("/v1/orders/{}", delivery.order_id), Some(&shopper))
            .await
            .body["merchant_orders"][0]["status"]
            .clone();
        if status == "delivered" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if status != "delivered" {
        shoot(c, "41-courier-signature-failed").await;
        return Err(format!("the signed stop did not deliver: {status}"));
    }
    wait_for_text(c, "배송 경로").await;
    shoot(c, "42-courier-signed-for").await;
    let files = golmok_delivery_routing::proof::files_of(&app.state.db, &dropoff)
        .await
        .map_err(|e| e.to_string())?;
    if files.len() != 1 {
        return Err(format!(
            "one signature kept with the stop, not {}",
            files.len()
        ));
    }
    let done = app.get(&mine, Some(&courier)).await.body;
    let proof = done["items"]
        .as_array()
        .and_then(|b| b.iter().find(|b| b["id"] == batch_id.as_str()))
        .and_then(|b| b["stops"].as_array())
        .and_then(|s| s.iter().find(|s| s["id"] == dropoff.as_str()))
        .map(|s| s["proof"].clone())
        .unwrap_or(Value::Null);
    if proof["kind"] != "signature" {
        return Err(format!("the stop's proof: {proof}"));
    }
    // The drawn signature is what was kept: a PNG with ink on it, not a blank pad.
    let png = app
        .client()
        .get(app.url(proof["file_url"].as_str().unwrap_or_default()))
        .bearer_auth(&courier)
        .send()
        .await
        .map_err(|e| e.to_string())?
        .bytes()
        .await
        .map_err(|e| e.to_string())?;
    let image = image::load_from_memory(&png)
        .map_err(|e| format!("the signature file: {e}"))?
        .to_luma8();
    let ink = image.pixels().filter(|p| p.0[0] < 100).count();
    if ink < 50 {
        return Err(format!("the kept signature has {ink} dark pixels"));
    }
    Ok(())
}

/// The programme in Chromium: a coordinator records a support session and picks a
/// festival's five stalls on their pages, the tofu shop's owner records two sales at the
/// stall's quick-sale page, and the agency's page shows them (its chart drawn, its CSV
/// link); screenshots of each page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_runs_a_festival_and_a_stall_sells_at_it() {
    in_chromium(festival).await;
}

async fn festival(app: &TestApp, b: &Client) -> Result<(), String> {
    let coordinator = golmok_e2e::demo::login(app, "coordinator@demo.golmok.kr").await;
    let tofu = golmok_e2e::demo::tofu_at(app.client(), &app.base_url).await;
    let consortium = tofu.consortium_id();
    let agency = tofu.consortium["agency_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let now = chrono::Utc::now();
    let made = app
        .post(
            "/v1/campaigns",
            Some(&coordinator),
            &json!({"consortium_id": consortium, "kind": "festival", "title": "망원 골목 축제 (오늘)",
                    "place": "망원시장 입구", "starts_at": now - chrono::Duration::hours(1),
                    "ends_at": now + chrono::Duration::hours(6)}),
        )
        .await;
    if made.status != reqwest::StatusCode::CREATED {
        return Err(format!("the festival: {}", made.text));
    }
    let event = made.body["id"].as_str().unwrap_or_default().to_owned();
    let before = app
        .get(
            &format!("/v1/campaigns/{event}/figures"),
            Some(&coordinator),
        )
        .await
        .body;
    assert_eq!(before["sales"], 0);

    // The support session, from its form.
    sign_in_as(b, app, "coordinator@demo.golmok.kr", "/programme").await?;
    wait_for_text(b, "사업 현황").await;
    shoot(b, "50-programme-agency-before").await;
    b.goto(&app.url(&format!("/programme/agencies/{agency}/support")))
        .await
        .map_err(|e| e.to_string())?;
    wait_for_text(b, "지원 활동 기록").await;
    fill(b, "#hours", "2.5").await;
    click(
        b,
        &format!("input[name='consortium_id'][value='{consortium}']"),
    )
    .await?;
    let ticks = b
        .find_all(Locator::Css(&format!(
            "input[name='merchant_ids.{consortium}']"
        )))
        .await
        .map_err(|e| e.to_string())?;
    for tick in ticks.iter().take(3) {
        tick.click().await.map_err(|e| e.to_string())?;
    }
    fill(b, "#notes", "축제 부스 운영 교육").await;
    shoot(b, "51-programme-support-form").await;
    click(b, "#support-form button[type=submit]").await?;
    wait_for_text(b, "기록했습니다").await;
    wait_for_text(b, "축제 부스 운영 교육").await;

    // The festival's stalls: five member shops, the tofu shop among them.
    b.goto(&app.url(&format!("/programme/events/{event}")))
        .await
        .map_err(|e| e.to_string())?;
    wait_for_text(b, "부스를 여는 가게").await;
    click(b, &format!("#stalls-form input[value='{}']", tofu.shop_id)).await?;
    let boxes = b
        .find_all(Locator::Css("#stalls-form input[type=checkbox]"))
        .await
        .map_err(|e| e.to_string())?;
    let mut ticked = 1;
    for cb in boxes {
        if ticked == 5 {
            break;
        }
        let value = cb.attr("value").await.map_err(|e| e.to_string())?;
        if value.as_deref() == Some(tofu.shop_id.as_str()) {
            continue;
        }
        cb.click().await.map_err(|e| e.to_string())?;
        ticked += 1;
    }
    click(b, "#stalls-form button[type=submit]").await?;
    // The saved stalls come back as the event's page again: count its stall rows.
    let mut stalls = 0;
    for _ in 0..50 {
        stalls = b
            .find_all(Locator::Css("table.stalls tr"))
            .await
            .map_err(|e| e.to_string())?
            .len();
        if stalls == 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if stalls != 5 {
        return Err(format!("{stalls} stalls, not 5"));
    }
    fill(b, "#visitors", "160").await;
    click(b, "#visitors-form button[type=submit]").await?;
    let mut shown = String::new();
    for _ in 0..50 {
        shown = text_of(b).await;
        if shown.contains("160") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if !shown.contains("160") {
        return Err(format!("no visitors counted: {shown}"));
    }
    shoot(b, "52-programme-festival").await;

    // The tofu shop's owner, at the stall: two pieces of tofu by card, a tasting set in gift
    // certificates.
    sign_in_as(
        b,
        app,
        "merchant@demo.golmok.kr",
        &format!("/shop/{}/stall", tofu.shop_id),
    )
    .await?;
    wait_for_text(b, "망원 골목 축제 (오늘)").await;
    click(
        b,
        &format!("a[href='/shop/{}/stall/{event}']", tofu.shop_id),
    )
    .await?;
    wait_for_text(b, "판매 기록").await;
    b.find(Locator::Css("#listing_id"))
        .await
        .map_err(|e| e.to_string())?
        .select_by_value(&tofu.listing_id)
        .await
        .map_err(|e| e.to_string())?;
    fill(b, "#quantity", "2").await;
    click(b, "input[name=payment_method][value=card]").await?;
    click(b, "#sale-form button[type=submit]").await?;
    wait_for_text(b, "국산콩 손두부 ×2").await;
    fill(b, "#amount_krw", "5000").await;
    fill(b, "#description", "순두부 시식 세트").await;
    click(b, "input[name=payment_method][value=gift_certificate]").await?;
    click(b, "#sale-form button[type=submit]").await?;
    wait_for_text(b, "순두부 시식 세트").await;
    shoot(b, "53-stall-quick-sale").await;
    // The festival's network drops: two sales wait on the phone, the form emptied for the
    // next customer each time, and go (once each) when it is back.
    set_offline(b, true).await?;
    for (n, amount, what) in [(1, "3000", "콩물 한 병"), (2, "2000", "비지 한 봉")] {
        fill(b, "#amount_krw", amount).await;
        fill(b, "#description", what).await;
        click(b, "#sale-form button[type=submit]").await?;
        wait_for_text(b, &format!("{n}건을 휴대폰에 보관했습니다")).await;
        let left = b
            .find(Locator::Css("#description"))
            .await
            .map_err(|e| e.to_string())?
            .prop("value")
            .await
            .map_err(|e| e.to_string())?
            .unwrap_or_default();
        if !left.is_empty() {
            return Err(format!("the form kept {left:?} after queueing the sale"));
        }
    }
    shoot(b, "76-stall-offline-queued").await;
    set_offline(b, false).await?;
    wait_for_text(b, "비지 한 봉").await;
    wait_for_text(b, "콩물 한 병").await;
    // Offline again, and the session ends while the sale waits (signed out elsewhere,
    // expired): back online it is refused as from a session that is over, so it stays on the
    // phone, and goes once the owner signs in again.
    set_offline(b, true).await?;
    fill(b, "#amount_krw", "1500").await;
    fill(b, "#description", "두유 한 잔").await;
    click(b, "#sale-form button[type=submit]").await?;
    wait_for_text(b, "1건을 휴대폰에 보관했습니다").await;
    b.delete_all_cookies().await.map_err(|e| e.to_string())?;
    set_offline(b, false).await?;
    wait_for_text(b, "다시 로그인하면 보냅니다").await;
    shoot(b, "77-stall-kept-until-sign-in").await;
    let stall_page = b.current_url().await.map_err(|e| e.to_string())?;
    let sales_now = || async {
        app.get(
            &format!("/v1/campaigns/{event}/figures"),
            Some(&coordinator),
        )
        .await
        .body["sales"]
            .clone()
    };
    if sales_now().await != 4 {
        return Err("a sale from an ended session was recorded".into());
    }
    // Signed out already: from a page without the sign-out button.
    b.goto(&app.url("/")).await.map_err(|e| e.to_string())?;
    sign_in_as(b, app, "merchant@demo.golmok.kr", stall_page.path()).await?;
    wait_for_text(b, "두유 한 잔").await;
    let queue_left = b
        .execute(
            "return Object.keys(localStorage).filter(function (k) { return k.indexOf('golmok-queue:') === 0 && JSON.parse(localStorage.getItem(k)).length > 0; }).length;",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    if queue_left != json!(0) {
        return Err(format!("{queue_left} queues still hold forms"));
    }
    let tofu_price = app
        .get(&format!("/v1/listings/{}", tofu.listing_id), None)
        .await
        .body["price_krw"]
        .as_i64()
        .unwrap_or_default();
    let after = app
        .get(
            &format!("/v1/campaigns/{event}/figures"),
            Some(&coordinator),
        )
        .await
        .body;
    if after["sales"] != 5
        || after["sales_krw"] != 2 * tofu_price + 5_000 + 3_000 + 2_000 + 1_500
        || after["visitors"] != 160
    {
        return Err(format!("the festival's figures: {after}"));
    }

    // The agency's page, by week, with the stall's sales in it.
    sign_in_as(
        b,
        app,
        "coordinator@demo.golmok.kr",
        &format!("/programme/agencies/{agency}"),
    )
    .await?;
    wait_for_text(b, "망원시장 골목 협업체").await;
    click(b, "a[href$='?by=week']").await?;
    wait_for_text(b, "주별").await;
    let bars = b
        .find_all(Locator::Css("figure.programme-chart rect.in-person"))
        .await
        .map_err(|e| e.to_string())?
        .len();
    if bars < 8 {
        return Err(format!("{bars} weeks on the chart"));
    }
    b.find(Locator::Css("a[href^='/programme/report.csv']"))
        .await
        .map_err(|e| format!("the CSV link: {e}"))?;
    shoot(b, "54-programme-agency-after").await;
    Ok(())
}

/// A stamp tour in Chromium: the coordinator makes a three-shop tour from the consortium's
/// tours page and opens its QR posters; a visitor opens each shop's code (what scanning it
/// does), takes the three stamps and gets the coupon, then spends it at checkout: the basket
/// and the checkout show it, and the order carries it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_walks_a_stamp_tour_and_spends_the_coupon_at_checkout() {
    in_chromium(stamp_tour).await;
}

async fn stamp_tour(app: &TestApp, b: &Client) -> Result<(), String> {
    let tofu = golmok_e2e::demo::tofu_at(app.client(), &app.base_url).await;
    let consortium = tofu.consortium_id();
    let members = tofu.other_members();
    let route = [tofu.shop_id.clone(), members[0].clone(), members[1].clone()];

    sign_in_as(b, app, "coordinator@demo.golmok.kr", "/programme").await?;
    wait_for_text(b, "사업 현황").await;
    b.goto(&app.url(&format!("/programme/consortia/{consortium}/tours")))
        .await
        .map_err(|e| e.to_string())?;
    wait_for_text(b, "새 골목 페이지").await;
    fill(b, "#title", "망원 두부 골목 스탬프").await;
    fill(b, "#story", "두부가게에서 시작해 시장 골목을 걷습니다.").await;
    fill(b, "#coupon_krw", "3000").await;
    for (n, shop) in route.iter().enumerate() {
        fill(b, &format!("#order_{shop}"), &(n + 1).to_string()).await;
    }
    shoot(b, "55-tour-form").await;
    click(b, "#tour-form button[type=submit]").await?;
    let page = wait_for_text(b, "걷는 길").await;
    assert!(page.contains("3,000원"), "{page}");
    let tour = b
        .current_url()
        .await
        .map_err(|e| e.to_string())?
        .path()
        .trim_start_matches("/tours/")
        .to_owned();
    shoot(b, "56-tour-public").await;
    b.goto(&app.url(&format!("/tours/{tour}/codes")))
        .await
        .map_err(|e| e.to_string())?;
    wait_for_text(b, "QR 포스터").await;
    let posters = b
        .find_all(Locator::Css("figure.qr-poster"))
        .await
        .map_err(|e| e.to_string())?;
    let mut paths = Vec::new();
    for p in &posters {
        let path = p
            .attr("data-path")
            .await
            .map_err(|e| e.to_string())?
            .unwrap_or_default();
        // No public address configured: the code opens the address the coordinator used.
        let address = p.attr("data-address").await.map_err(|e| e.to_string())?;
        assert_eq!(
            address,
            Some(app.url(&path)),
            "the address a poster's code opens"
        );
        paths.push(path);
    }
    assert_eq!(paths.len(), 3, "one poster per shop");
    let svgs = b
        .find_all(Locator::Css("figure.qr-poster svg"))
        .await
        .map_err(|e| e.to_string())?;
    assert_eq!(svgs.len(), 3, "each poster has its QR code drawn");
    shoot(b, "57-tour-qr-posters").await;

    // The visitor scans each shop's code: the page it opens takes the stamp.
    sign_in_as(b, app, "shopper@demo.golmok.kr", &paths[0]).await?;
    for (i, path) in paths.iter().enumerate() {
        if i > 0 {
            b.goto(&app.url(path)).await.map_err(|e| e.to_string())?;
        }
        wait_for_text(b, "스탬프 찍기").await;
        click(b, "#take-stamp").await?;
        wait_for_text(b, &format!("{} / 3", i + 1)).await;
    }
    let done = wait_for_text(b, "완주").await;
    let code = text_at(b, "#coupon-code").await?;
    assert_eq!(code.len(), 8, "{done}");
    shoot(b, "58-tour-complete").await;

    // Spent at checkout: the basket shows it, the checkout applies it.
    b.goto(&app.url(&format!("/listings/{}", tofu.listing_id)))
        .await
        .map_err(|e| e.to_string())?;
    add_to_basket(b, "2").await;
    b.goto(&app.url("/basket"))
        .await
        .map_err(|e| e.to_string())?;
    let basket = wait_for_text(b, "결제할 때 쓸 수 있는 쿠폰").await;
    assert!(basket.contains(&code), "{basket}");
    b.goto(&app.url("/checkout"))
        .await
        .map_err(|e| e.to_string())?;
    wait_for_text(b, "쿠폰 적용 시 합계").await;
    click(b, "input[name=fulfillment][value=pickup]").await?;
    shoot(b, "59-checkout-coupon").await;
    click(b, "#place-order").await?;
    wait_for_text(b, "접수 대기").await;
    let order_id = b
        .current_url()
        .await
        .map_err(|e| e.to_string())?
        .path()
        .trim_start_matches("/orders/")
        .to_owned();
    let shopper = golmok_e2e::demo::login(app, "shopper@demo.golmok.kr").await;
    let order = app
        .get(&format!("/v1/orders/{order_id}"), Some(&shopper))
        .await
        .body;
    let goods = order["items_total_krw"].as_i64().unwrap_or(0);
    assert_eq!(
        order["coupon_krw"].as_i64(),
        Some(goods.min(3000)),
        "{order}"
    );
    let coupons = app.get("/v1/me/coupons", Some(&shopper)).await.body;
    assert_eq!(
        coupons["items"][0]["merchant_order_id"],
        order["merchant_orders"][0]["id"]
    );
    Ok(())
}

/// Member trade on a co-delivery route, in Chromium: the tofu shop orders from a fellow
/// member on its trade page and picks tomorrow's slot; the seller's page shows the pick-up
/// code and accepts; the slot is planned; on the courier's phone the route carries the goods
/// from one shop to the other, each stop completed with its shop's code; the buyer's page then
/// shows the order handed over and owed on the month's statement.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_courier_carries_member_trade_between_two_shops() {
    in_chromium(member_trade_route).await;
}

async fn member_trade_route(app: &TestApp, b: &Client) -> Result<(), String> {
    let tofu = golmok_e2e::demo::tofu_at(app.client(), &app.base_url).await;
    let network = tofu.consortium["network_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let buyer = tofu.shop_id.clone();
    let seller = tofu.other_members()[0].clone();
    let slot = golmok_e2e::demo::first_slot(app, &network, golmok_e2e::demo::tomorrow()).await;
    let listing = golmok_e2e::demo::listings_of(app, &seller)
        .await
        .first()
        .cloned()
        .unwrap_or_default();
    let offer = format!("{seller}|{}", listing["id"].as_str().unwrap_or_default());

    // The buyer orders on its trade page, carried in tomorrow's slot.
    sign_in_as(
        b,
        app,
        "merchant@demo.golmok.kr",
        &format!("/shop/{buyer}/trade"),
    )
    .await?;
    wait_for_text(b, "회원 가게에서 사기").await;
    for (select, value) in [("#offer", offer.as_str()), ("#slot_id", slot.as_str())] {
        b.find(Locator::Css(select))
            .await
            .map_err(|e| e.to_string())?
            .select_by_value(value)
            .await
            .map_err(|e| format!("{select}: {e}"))?;
    }
    fill(
        b,
        "#quantity",
        &listing["unit_quantity"].as_i64().unwrap_or(1).to_string(),
    )
    .await;
    shoot(b, "60-trade-by-courier").await;
    click(b, "#trade-form button[type=submit]").await?;
    wait_for_text(b, "받을 때 코드").await;
    let door_code = text_at(b, ".handover-code").await?;
    let token = golmok_e2e::demo::login(app, "merchant@demo.golmok.kr").await;
    let order = app
        .get(
            &format!("/v1/merchants/{buyer}/member-orders"),
            Some(&token),
        )
        .await
        .body["items"][0]
        .clone();
    let id = order["id"].as_str().unwrap_or_default().to_owned();
    if order["slot_id"] != slot.as_str() {
        return Err(format!("the order is not in the slot: {order}"));
    }

    // The seller's page: the pick-up code, and the order accepted.
    let owner = app.get(&format!("/v1/merchants/{seller}"), None).await.body["owner_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let seller_email = golmok_accounts::find(&app.state.db, &owner)
        .await
        .map_err(|e| e.to_string())?
        .email;
    sign_in_as(b, app, &seller_email, &format!("/shop/{seller}/trade")).await?;
    wait_for_text(b, "픽업 코드").await;
    let pickup_code = text_at(b, &format!("#mo-{id} .handover-code")).await?;
    show_order(b, &id).await?;
    shoot(b, "61-trade-seller-pickup-code").await;
    click(
        b,
        &format!("form[action='/shop/{seller}/trade/{id}/accept'] button"),
    )
    .await?;
    wait_for_text(b, "접수됨").await;

    // Planned; the courier's phone carries it from shop to shop.
    let admin = golmok_e2e::demo::login(app, "admin@demo.golmok.kr").await;
    let planned = app
        .post(
            &format!("/v1/networks/{network}/slots/{slot}/plan"),
            Some(&admin),
            &json!({}),
        )
        .await;
    let batch = planned.body["batches"]
        .as_array()
        .and_then(|all| all.iter().find(|b| b.to_string().contains(&id)))
        .cloned()
        .ok_or_else(|| format!("no route carries the member order: {}", planned.text))?;
    let batch_id = batch["id"].as_str().unwrap_or_default().to_owned();
    let stop = |kind: &str| {
        batch["stops"]
            .as_array()
            .and_then(|s| {
                s.iter()
                    .find(|s| s["merchant_order_id"] == id.as_str() && s["kind"] == kind)
            })
            .and_then(|s| s["id"].as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let (pickup, dropoff) = (stop("pickup"), stop("dropoff"));
    let courier =
        golmok_e2e::demo::courier_email(app, batch["courier_id"].as_str().unwrap_or_default())
            .await;
    sign_in_as(b, app, &courier, &format!("/courier/batches/{batch_id}")).await?;
    wait_for_text(b, "배송 경로").await;
    click(
        b,
        &format!("form[action='/courier/batches/{batch_id}/start'] button"),
    )
    .await?;
    let route = wait_for_text(b, "상호거래").await;
    if !route.contains(&tofu_name(app, &buyer).await) {
        return Err(format!(
            "the drop-off does not name the buying shop: {route}"
        ));
    }
    shoot(b, "62-courier-member-trade").await;
    complete_with_code(b, &pickup, &pickup_code).await?;
    member_order_becomes(app, &token, &id, "picked_up").await?;
    b.goto(&app.url(&format!("/courier/batches/{batch_id}")))
        .await
        .map_err(|e| e.to_string())?;
    wait_for_text(b, "배송 경로").await;
    complete_with_code(b, &dropoff, &door_code).await?;
    member_order_becomes(app, &token, &id, "handed_over").await?;

    // The buyer's page: handed over, and owed on this month's statement.
    sign_in_as(
        b,
        app,
        "merchant@demo.golmok.kr",
        &format!("/shop/{buyer}/trade"),
    )
    .await?;
    let page = wait_for_text(b, "전달됨").await;
    if !page.contains("배달 완료") {
        return Err(format!("the delivery is not shown done: {page}"));
    }
    let statement = text_at(b, &format!("#pair-{seller} .balance")).await?;
    if !statement.contains('−') && !statement.contains('-') {
        return Err(format!(
            "the buyer owes nothing on the statement: {statement}"
        ));
    }
    show_order(b, &id).await?;
    shoot(b, "63-trade-handed-over").await;
    Ok(())
}

/// Scrolls the trade page to member order `id`, for its screenshot.
async fn show_order(b: &Client, id: &str) -> Result<(), String> {
    b.execute(
        "document.getElementById(arguments[0]).scrollIntoView()",
        vec![json!(format!("mo-{id}"))],
    )
    .await
    .map(|_| ())
    .map_err(|e| e.to_string())
}

/// Waits up to 10 s for member order `id` to reach `status`.
async fn member_order_becomes(
    app: &TestApp,
    token: &str,
    id: &str,
    status: &str,
) -> Result<(), String> {
    let mut seen = Value::Null;
    for _ in 0..100 {
        seen = app
            .get(&format!("/v1/member-orders/{id}"), Some(token))
            .await
            .body["status"]
            .clone();
        if seen == status {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("the member order is {seen}, not {status}"))
}

async fn tofu_name(app: &TestApp, shop: &str) -> String {
    app.get(&format!("/v1/merchants/{shop}"), None).await.body["name"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// A new shop in Chromium: its owner signs up, registers it with a tap on the map for its
/// place; a coordinator forms a consortium on the agency's page and admits it with four
/// shops nearby, one button each, until the consortium sells.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_shop_is_placed_on_the_map_and_admitted_to_a_new_consortium() {
    in_chromium(new_shop).await;
}

/// What the field `css` holds now (typed, or written by a script).
async fn value_of(b: &Client, css: &str) -> Result<String, String> {
    Ok(b.find(Locator::Css(css))
        .await
        .map_err(|e| e.to_string())?
        .prop("value")
        .await
        .map_err(|e| e.to_string())?
        .unwrap_or_default())
}

/// Taps the map `css` and reads the latitude its script wrote into the `#lat` field.
async fn tapped_latitude(b: &Client, css: &str) -> Result<f64, String> {
    click(b, css).await?;
    let lat = value_of(b, "#lat").await?;
    lat.parse()
        .map_err(|_| format!("no latitude from the map: {lat:?}"))
}

async fn new_shop(app: &TestApp, b: &Client) -> Result<(), String> {
    b.goto(&app.url("/signup"))
        .await
        .map_err(|e| e.to_string())?;
    fill(b, "#name", "골목 빵집 사장").await;
    let email = format!("baker-{}@example.com", uuid::Uuid::new_v4().simple());
    fill(b, "#email", &email).await;
    fill(b, "#password", golmok_e2e::PASSWORD).await;
    click(b, "input[name=role][value=merchant]").await?;
    click(b, "main form button[type=submit]").await?;
    wait_for_text(b, "진행 중인 캠페인").await;
    b.goto(&app.url("/shop")).await.map_err(|e| e.to_string())?;
    click(b, "#register-shop").await?;
    wait_for_text(b, "가게 등록").await;
    fill(b, "#name", "망원 골목빵집 협동조합").await;
    b.find(Locator::Css("#kind"))
        .await
        .map_err(|e| e.to_string())?
        .select_by_value("cooperative")
        .await
        .map_err(|e| e.to_string())?;
    fill(b, "#address", "서울 마포구 망원로 40").await;
    // A tap on the map is the shop's place: the script writes it into the two fields.
    let lat = tapped_latitude(b, "#shop-map").await?;
    // It opens on the whole city; where in it the tap lands depends on the scroll.
    if !(37.42..=37.71).contains(&lat) {
        return Err(format!("the map's tap landed at {lat}, outside Seoul"));
    }
    shoot(b, "65-shop-register").await;
    // Typed over, as an owner who knows the place: in Mangwon, by the market.
    fill(b, "#lat", "37.5561").await;
    fill(b, "#lon", "126.9012").await;
    click(b, "#shop-new-form button[type=submit]").await?;
    wait_for_text(b, "가게가 등록되었습니다").await;

    sign_in_as(b, app, "coordinator@demo.golmok.kr", "/programme").await?;
    wait_for_text(b, "새 협업체 만들기").await;
    fill(b, "#consortium-name", "망원 골목 새 협업체").await;
    b.find(Locator::Css("#consortium-district"))
        .await
        .map_err(|e| e.to_string())?
        .select_by_value("마포구")
        .await
        .map_err(|e| e.to_string())?;
    click(b, "#forming-form button[type=submit]").await?;
    wait_for_text(b, "협업체를 만들었습니다").await;
    // The newest shops first while it has no member: the bakery, then the shops nearest it.
    let bakery = golmok_e2e::demo::merchant_named(app, "망원 골목빵집 협동조합").await["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    click(b, &format!("#candidate-{bakery} button")).await?;
    wait_for_text(b, "회원이 되었습니다").await;
    // The nearest shop each time, until five members of both sides make it sell.
    let mut status = String::new();
    for admitted in 2..=9 {
        click(b, "li.candidate button").await?;
        wait_for_text(b, &format!("회원 가게 ({admitted})")).await;
        status = text_at(b, "#consortium-status").await?;
        if status == "판매 중" {
            if admitted < 5 {
                return Err(format!("selling with {admitted} members"));
            }
            break;
        }
    }
    if status != "판매 중" {
        return Err(format!("nine members, yet: {status}"));
    }
    shoot(b, "66-consortium-members").await;
    Ok(())
}

/// A new co-delivery network in Chromium: the admin chooses a district (the select sends
/// itself), ticks two neighbourhoods, taps the hub on the district's map, and lands on the
/// network's page with its area drawn; a wave's times are changed there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_draws_a_new_network_and_moves_its_lunch_wave() {
    in_chromium(new_network).await;
}

async fn new_network(app: &TestApp, b: &Client) -> Result<(), String> {
    sign_in_as(b, app, "admin@demo.golmok.kr", "/admin").await?;
    click(b, "#networks-link").await?;
    wait_for_text(b, "새 공동배송망").await;
    b.find(Locator::Css("#choose-district"))
        .await
        .map_err(|e| e.to_string())?
        .select_by_value("서대문구")
        .await
        .map_err(|e| e.to_string())?;
    // No button pressed: the select sent its form, and the district's neighbourhoods follow.
    wait_for_text(b, "연희동").await;
    fill(b, "#name", "연희 공동배송").await;
    for name in ["연희동", "창천동"] {
        let code = golmok_delivery_routing::area::neighbourhoods_in("서대문구")
            .find(|n| n.name == name)
            .map(|n| n.code.clone())
            .unwrap_or_default();
        click(b, &format!("input[name=neighbourhood][value=\"{code}\"]")).await?;
    }
    // The map fits the district: a tap on it lands in Seodaemun.
    let lat = tapped_latitude(b, "#hub-map").await?;
    if !(37.54..=37.62).contains(&lat) {
        return Err(format!("the tap landed at {lat}, outside Seodaemun"));
    }
    shoot(b, "67-network-new").await;
    // The hub typed over: by Yeonhui's community centre, inside the two neighbourhoods.
    fill(b, "#lat", "37.5660").await;
    fill(b, "#lon", "126.9310").await;
    click(b, "#network-form button[type=submit]").await?;
    wait_for_text(b, "공동배송망을 만들었습니다").await;
    let drawn: i64 = b
        .execute(
            "return document.querySelectorAll('#hub-map path.leaflet-interactive').length;",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?
        .as_i64()
        .unwrap_or_default();
    if drawn < 2 {
        return Err(format!("the area and the hub drawn: {drawn} shapes"));
    }
    let lunch = "form.wave-form input[name=start]";
    let start = b
        .find(Locator::Css(lunch))
        .await
        .map_err(|e| e.to_string())?;
    start.send_keys("1130").await.map_err(|e| e.to_string())?;
    click(b, "form.wave-form button[type=submit]").await?;
    wait_for_text(b, "저장했습니다").await;
    shoot(b, "68-network-page").await;
    let network = golmok_e2e::demo::network_named(app, "연희 공동배송").await;
    let waves = app.get(&format!("/v1/networks/{network}"), None).await.body["waves"].clone();
    if waves[0]["start"] != "11:30" || waves[0]["end"] != "13:00" {
        return Err(format!("the lunch wave: {waves}"));
    }
    Ok(())
}

/// A promotion in Chromium: the agency's coordinator makes one for the tofu from the
/// consortium's campaigns page; a shopper's basket then shows the tofu at its sale price
/// beside its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_makes_a_promotion_and_the_basket_shows_the_sale_price() {
    in_chromium(promotion).await;
}

/// Starts the new-campaign form of the campaigns page `b` is on: its kind and title, running
/// from an hour ago for `hours`.
async fn new_campaign(b: &Client, kind: &str, title: &str, hours: i64) -> Result<(), String> {
    wait_for_text(b, "새 캠페인").await;
    b.find(Locator::Css("#kind"))
        .await
        .map_err(|e| e.to_string())?
        .select_by_value(kind)
        .await
        .map_err(|e| e.to_string())?;
    fill(b, "#title", title).await;
    // A datetime-local field types differently in each locale: its value is set as the
    // browser's own picker would.
    let at = |hours: i64| {
        (chrono::Utc::now() + chrono::Duration::hours(hours))
            .with_timezone(&golmok_delivery_routing::network::seoul())
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    };
    b.execute(
        "document.getElementById('starts').value = arguments[0]; document.getElementById('ends').value = arguments[1];",
        vec![at(-1).into(), at(hours).into()],
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok(())
}

async fn promotion(app: &TestApp, b: &Client) -> Result<(), String> {
    let tofu = golmok_e2e::demo::tofu_at(app.client(), &app.base_url).await;
    let consortium = tofu.consortium_id();
    sign_in_as(
        b,
        app,
        "coordinator@demo.golmok.kr",
        &format!("/programme/consortia/{consortium}"),
    )
    .await?;
    click(b, "#campaigns-link").await?;
    new_campaign(b, "promotion", "김장철 두부 할인", 72).await?;
    b.find(Locator::Css("#discount"))
        .await
        .map_err(|e| e.to_string())?
        .select_by_value("percent")
        .await
        .map_err(|e| e.to_string())?;
    fill(b, "#amount", "20").await;
    click(
        b,
        &format!("#campaign-form input[value=\"{}\"]", tofu.listing_id),
    )
    .await?;
    click(b, "#campaign-form button[type=submit]").await?;
    wait_for_text(b, "캠페인을 만들었습니다").await;
    let state = text_at(b, "article.campaign .campaign-state").await?;
    if state != "진행 중" {
        return Err(format!("the new promotion reads {state:?}"));
    }
    shoot(b, "69-campaigns").await;

    sign_in_as(
        b,
        app,
        "shopper@demo.golmok.kr",
        &format!("/listings/{}", tofu.listing_id),
    )
    .await?;
    add_to_basket(b, "1").await;
    b.goto(&app.url("/basket"))
        .await
        .map_err(|e| e.to_string())?;
    let basket = wait_for_text(b, "국산콩 손두부").await;
    let was = text_at(b, "del.list-amount").await?;
    if !basket.contains("할인") || was.is_empty() {
        return Err(format!("no sale price in the basket: {basket}"));
    }
    shoot(b, "70-basket-sale-price").await;
    Ok(())
}

/// A festival pinned in Chromium: the agency's coordinator makes one from the consortium's
/// campaigns page, tapping where it is held on the district's map; shoppers' home page then
/// shows its place with a link their phone's map opens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_pins_a_festival_on_the_map_and_shoppers_find_it() {
    in_chromium(festival_pin).await;
}

async fn festival_pin(app: &TestApp, b: &Client) -> Result<(), String> {
    let tofu = golmok_e2e::demo::tofu_at(app.client(), &app.base_url).await;
    let consortium = tofu.consortium_id();
    sign_in_as(
        b,
        app,
        "coordinator@demo.golmok.kr",
        &format!("/programme/consortia/{consortium}/campaigns"),
    )
    .await?;
    new_campaign(b, "festival", "망원 김장 골목 축제", 30).await?;
    fill(b, "#place", "망원시장 입구").await;
    // The map fits the consortium's district (Mapo): a tap on it lands there.
    let lat = tapped_latitude(b, "#campaign-map").await?;
    if !(37.53..=37.60).contains(&lat) {
        return Err(format!("the tap landed at {lat}, outside Mapo"));
    }
    shoot(b, "74-festival-pin").await;
    click(
        b,
        &format!("#campaign-form input[value=\"{}\"]", tofu.listing_id),
    )
    .await?;
    click(b, "#campaign-form button[type=submit]").await?;
    wait_for_text(b, "캠페인을 만들었습니다").await;

    click(b, "form[action='/signout'] button").await?;
    let home = wait_for_text(b, "망원 김장 골목 축제").await;
    if !home.contains("망원시장 입구") {
        return Err(format!("no place on the home page's card: {home}"));
    }
    let link: String = b
        .execute(
            "var a = Array.from(document.querySelectorAll('ul.campaigns li')).find(function (li) { return li.textContent.indexOf('망원 김장 골목 축제') >= 0; }); var m = a && a.querySelector('a.map-link'); return m ? m.href : '';",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?
        .as_str()
        .unwrap_or_default()
        .to_owned();
    if !link.starts_with("https://map.kakao.com/link/map/") || !link.contains(&format!(",{lat}")) {
        return Err(format!("the festival's map link: {link:?} (tapped {lat})"));
    }
    shoot(b, "75-home-festival-on-the-map").await;
    Ok(())
}

/// A forgotten password in Chromium: the admin issues a reset link on the desk, the shop
/// owner opens it signed out, sets a new password and signs in with it; the admin then
/// finds and suspends a courier's account.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shop_owner_sets_a_new_password_with_a_link_the_admin_hands_over() {
    in_chromium(password_reset).await;
}

async fn password_reset(app: &TestApp, b: &Client) -> Result<(), String> {
    sign_in_as(b, app, "admin@demo.golmok.kr", "/admin").await?;
    wait_for_text(b, "비밀번호 재설정 링크").await;
    fill(b, "#reset-email", "merchant@demo.golmok.kr").await;
    click(b, "#reset-form button[type=submit]").await?;
    wait_for_text(b, "유효 기한").await;
    let link = value_of(b, "#reset-address").await?;
    if !link.contains("/reset/gmr_") {
        return Err(format!("no reset link on the desk: {link:?}"));
    }
    shoot(b, "71-admin-reset-link").await;

    click(b, "form[action='/signout'] button").await?;
    wait_for_text(b, "진행 중인 캠페인").await;
    b.goto(&link).await.map_err(|e| e.to_string())?;
    wait_for_text(b, "merchant@demo.golmok.kr").await;
    fill(b, "#password", "a fresh counter password").await;
    shoot(b, "72-new-password").await;
    click(b, "#new-password-form button[type=submit]").await?;
    wait_for_text(b, "새 비밀번호를 정했습니다").await;
    fill(b, "#email", "merchant@demo.golmok.kr").await;
    fill(b, "#password", "a fresh counter password").await;
    click(b, "main form button[type=submit]").await?;
    wait_for_text(b, "진행 중인 캠페인").await;
    // Signed in with the new password: the shop's console is theirs.
    b.goto(&app.url("/shop")).await.map_err(|e| e.to_string())?;
    wait_for_text(b, "망원 두부가게").await;

    sign_in_as(
        b,
        app,
        "admin@demo.golmok.kr",
        "/admin/accounts?role=courier",
    )
    .await?;
    wait_for_text(b, "courier@demo.golmok.kr").await;
    let courier = golmok_accounts::find_by_email(&app.state.db, "courier@demo.golmok.kr")
        .await
        .map_err(|e| e.to_string())?;
    click(b, &format!("#account-{} button", courier.id)).await?;
    wait_for_text(b, "계정을 정지했습니다").await;
    shoot(b, "73-admin-accounts").await;
    Ok(())
}
