//! Listing photos: the shop's owner uploads a JPEG, PNG or WebP up to 10 MB; what is stored is
//! re-encoded in two sizes with nothing of the camera's metadata (no GPS position); anything
//! else is refused with a clear error (a PDF 422, a wrong content type 415, 12 MB 413); the
//! photos show on the listing and leave with it. On a local folder (both engines) and on a
//! real S3-compatible server (moto, from PyPI) that the test starts.

use std::io::Cursor;
use std::time::{Duration, Instant};

use golmok_e2e::demo::{login, tofu_at};
use golmok_e2e::processes::{Process, free_port};
use golmok_e2e::{Engine, TestApp, on_both_databases};
use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, RgbImage};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

on_both_databases!(photos_are_stripped_resized_and_refused_when_not_photos);

/// A 2400×1600 camera JPEG carrying an EXIF segment with a GPS position and the phone's name.
pub(crate) fn camera_photo() -> Vec<u8> {
    let picture = RgbImage::from_fn(2400, 1600, |x, y| {
        image::Rgb([(x / 10 % 256) as u8, (y / 7 % 256) as u8, 120])
    });
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode_image(&DynamicImage::ImageRgb8(picture))
        .unwrap();
    let exif = b"Exif\0\0MM\0*GPSLatitude 37.5563N GPSLongitude 126.9016E Galaxy S24";
    let mut tagged = jpeg[..2].to_vec();
    tagged.extend_from_slice(&[0xFF, 0xE1]);
    tagged.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    tagged.extend_from_slice(exif);
    tagged.extend_from_slice(&jpeg[2..]);
    tagged
}

async fn upload(
    app: &TestApp,
    listing: &str,
    token: &str,
    content_type: &str,
    body: Vec<u8>,
) -> golmok_e2e::Reply {
    let reply = app
        .client()
        .post(app.url(&format!("/v1/listings/{listing}/photos")))
        .bearer_auth(token)
        .header("content-type", content_type)
        // A refused upload is answered before it is read whole, and the server then closes
        // the connection: never hand that connection to the next request.
        .header("connection", "close")
        .body(body)
        .send()
        .await
        .unwrap();
    TestApp::read(reply).await
}

/// A stored file's bytes, through the server.
async fn fetch(app: &TestApp, url: &str) -> (StatusCode, Vec<u8>, String) {
    let reply = app.client().get(app.url(url)).send().await.unwrap();
    let status = reply.status();
    let kind = reply
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, reply.bytes().await.unwrap().to_vec(), kind)
}

/// Uploads the camera photo as the tofu shop's owner and checks everything about it; returns
/// the listing's id and the photo as listed.
async fn photo_round_trip(app: &TestApp) -> (String, Value) {
    golmok_e2e::demo::seeded(app).await;
    let tofu = tofu_at(app.client(), &app.base_url).await;
    let owner = login(app, "merchant@demo.golmok.kr").await;
    let (stranger, _) = app.sign_up("merchant").await;
    let listing = tofu.listing_id.clone();
    let photo = camera_photo();

    upload(app, &listing, &stranger, "image/jpeg", photo.clone())
        .await
        .assert_problem(403, "forbidden");
    let added = upload(app, &listing, &owner, "image/jpeg", photo.clone()).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);
    let shown = &added.body["photos"][0];
    assert_eq!(
        (shown["width"].as_u64(), shown["height"].as_u64()),
        (Some(1280), Some(853))
    );
    let mut sizes = Vec::new();
    for (url_field, longest) in [("list_url", 480), ("page_url", 1280)] {
        let (status, bytes, kind) = fetch(app, shown[url_field].as_str().unwrap()).await;
        assert_eq!((status, kind.as_str()), (StatusCode::OK, "image/jpeg"));
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("Exif") && !text.contains("GPS") && !text.contains("Galaxy"),
            "metadata left the server in {url_field}"
        );
        let stored = image::load_from_memory(&bytes).unwrap();
        assert_eq!(stored.width().max(stored.height()), longest);
        sizes.push(format!(
            "{url_field} {}×{} {} bytes",
            stored.width(),
            stored.height(),
            bytes.len()
        ));
    }
    println!(
        "a {} byte camera photo became: {}",
        photo.len(),
        sizes.join(", ")
    );
    // The listing as anyone reads it shows the photo at once (its cached copy was dropped).
    let read = app.get(&format!("/v1/listings/{listing}"), None).await;
    assert_eq!(read.body["photos"][0], *shown);
    (listing, shown.clone())
}

async fn photos_are_stripped_resized_and_refused_when_not_photos(app: TestApp) {
    let (listing, shown) = photo_round_trip(&app).await;
    let owner = login(&app, "merchant@demo.golmok.kr").await;

    // What is not a photo, whatever it claims to be.
    let pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n".to_vec();
    let refused = upload(&app, &listing, &owner, "image/jpeg", pdf.clone()).await;
    refused.assert_problem(422, "validation_failed");
    assert!(
        refused.text.contains("JPEG, PNG or WebP"),
        "{}",
        refused.text
    );
    upload(&app, &listing, &owner, "application/pdf", pdf)
        .await
        .assert_problem(415, "unsupported_media_type");
    let mut huge = camera_photo();
    huge.resize(12 * 1024 * 1024, 0);
    upload(&app, &listing, &owner, "image/jpeg", huge)
        .await
        .assert_problem(413, "payload_too_large");
    let photos = app.get(&format!("/v1/listings/{listing}"), None).await.body["photos"].clone();
    assert_eq!(
        photos.as_array().map(Vec::len),
        Some(1),
        "nothing refused was kept"
    );

    // A PNG with transparency and a WebP are photos too.
    let mut png = Vec::new();
    DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(
        300,
        300,
        image::Rgba([10, 200, 10, 128]),
    ))
    .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
    .unwrap();
    let mut webp = Vec::new();
    DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(
        64,
        64,
        image::Rgba([200, 10, 10, 255]),
    ))
    .write_to(&mut Cursor::new(&mut webp), image::ImageFormat::WebP)
    .unwrap();
    assert_eq!(
        upload(&app, &listing, &owner, "image/png", png)
            .await
            .status,
        StatusCode::CREATED
    );
    let with_webp = upload(&app, &listing, &owner, "image/webp", webp).await;
    assert_eq!(with_webp.status, StatusCode::CREATED, "{}", with_webp.text);
    assert_eq!(with_webp.body["photos"].as_array().map(Vec::len), Some(3));

    // Deleting takes it off the listing and out of the store.
    let id = shown["id"].as_str().unwrap();
    let deleted = app
        .call(
            Method::DELETE,
            &format!("/v1/listings/{listing}/photos/{id}"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text);
    assert_eq!(
        fetch(&app, shown["page_url"].as_str().unwrap()).await.0,
        StatusCode::NOT_FOUND
    );
    let left = app.get(&format!("/v1/listings/{listing}"), None).await.body["photos"].clone();
    assert_eq!(left.as_array().map(Vec::len), Some(2));
    assert!(!left.to_string().contains(id));
    // A key that tries to leave the store names nothing.
    assert_eq!(
        fetch(&app, "/media/../golmok.db").await.0,
        StatusCode::NOT_FOUND
    );
}

/// moto's S3 server, from the virtualenv `scripts/test` prepares (`GOLMOK_TEST_MOTO_SERVER`).
fn moto_server() -> Option<String> {
    let path = std::env::var("GOLMOK_TEST_MOTO_SERVER").ok()?;
    std::path::Path::new(&path).exists().then_some(path)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photos_go_to_an_s3_compatible_bucket() {
    let Some(moto) = moto_server() else {
        eprintln!(
            "skipped: no S3-compatible server (scripts/test installs moto[server] from PyPI into target/s3-venv and sets GOLMOK_TEST_MOTO_SERVER)"
        );
        return;
    };
    let port = free_port();
    let _server = Process(
        std::process::Command::new(moto)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let endpoint = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while reqwest::get(&endpoint).await.is_err() {
        assert!(Instant::now() < deadline, "moto never answered");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let app = TestApp::start_with(
        Engine::Sqlite,
        json!({"storage": {"kind": "s3", "s3": {"endpoint": endpoint, "bucket": "golmok-photos",
            "region": "us-east-1", "access_key": "test", "secret_key": "test",
            "path_style": true, "create_bucket": true}}}),
    )
    .await;
    let (listing, shown) = photo_round_trip(&app).await;
    // The files are in the bucket itself (private: nobody reads them but the server).
    let key = shown["page_url"]
        .as_str()
        .unwrap()
        .trim_start_matches("/media/");
    let anonymous = reqwest::get(format!("{endpoint}/golmok-photos/{key}"))
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::FORBIDDEN);
    let stored = app
        .state
        .store
        .get(key)
        .await
        .unwrap()
        .expect("in the bucket");
    assert_eq!(stored.content_type, "image/jpeg");
    let owner = login(&app, "merchant@demo.golmok.kr").await;
    let id = shown["id"].as_str().unwrap();
    let deleted = app
        .call(
            Method::DELETE,
            &format!("/v1/listings/{listing}/photos/{id}"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert!(
        app.state.store.get(key).await.unwrap().is_none(),
        "deleted from the bucket"
    );
}
