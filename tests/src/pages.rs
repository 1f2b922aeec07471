//! A browser without a browser, for testing pages: keeps cookies, follows no redirect on its
//! own, reads the CSRF token a page's forms carry and posts forms as a browser would.

use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::StatusCode;

/// A page as it came back.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub html: String,
}

impl Page {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Where a 303 sends the browser.
    #[track_caller]
    pub fn location(&self) -> &str {
        assert_eq!(self.status, StatusCode::SEE_OTHER, "{}", self.html);
        self.header("location").expect("a Location header")
    }

    /// The CSRF token the page's forms carry.
    #[track_caller]
    pub fn csrf(&self) -> String {
        self.input_value("csrf")
            .expect("a form with a csrf field on the page")
    }

    /// The value of the first input named `name`.
    pub fn input_value(&self, name: &str) -> Option<String> {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self.html.find(&marker)? + marker.len();
        let end = self.html[start..].find('"')? + start;
        Some(self.html[start..end].to_owned())
    }

    /// The value of the input whose id is `id`, wherever its attributes stand.
    pub fn field_value(&self, id: &str) -> Option<String> {
        let start = self.html.find(&format!("id=\"{id}\""))?;
        let tag = &self.html[start..start + self.html[start..].find('>')?];
        let at = tag.find(" value=\"")? + " value=\"".len();
        Some(tag[at..at + tag[at..].find('"')?].to_owned())
    }

    /// Every value of inputs named `name` (radio buttons), in page order.
    pub fn input_values(&self, name: &str) -> Vec<String> {
        let marker = format!("name=\"{name}\" value=\"");
        self.html
            .match_indices(&marker)
            .filter_map(|(i, _)| {
                let start = i + marker.len();
                let end = self.html[start..].find('"')? + start;
                Some(self.html[start..end].to_owned())
            })
            .collect()
    }

    /// The ids in links of the form `/{kind}/{id}`, in page order, each once.
    pub fn linked_ids(&self, kind: &str) -> Vec<String> {
        let marker = format!("href=\"/{kind}/");
        let mut ids: Vec<String> = Vec::new();
        for (i, _) in self.html.match_indices(&marker) {
            let start = i + marker.len();
            let Some(len) = self.html[start..].find(['"', '?']) else {
                continue;
            };
            let id = self.html[start..start + len].to_owned();
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        ids
    }

    /// The id of the link whose text starts with `text`: `<a href="/listings/ID">text…`.
    pub fn link_to(&self, kind: &str, text: &str) -> Option<String> {
        let marker = format!("href=\"/{kind}/");
        self.html.match_indices(&marker).find_map(|(i, _)| {
            let start = i + marker.len();
            let end = self.html[start..].find('"')? + start;
            let after = self.html[end..].find('>')? + end + 1;
            self.html[after..]
                .trim_start()
                .starts_with(text)
                .then(|| self.html[start..end].to_owned())
        })
    }
}

/// One browser: its cookies and a client that does not follow redirects.
pub struct Browser {
    base_url: String,
    client: reqwest::Client,
    pub cookies: BTreeMap<String, String>,
}

impl Browser {
    pub fn new(base_url: &str) -> Self {
        Browser {
            base_url: base_url.to_owned(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(30))
                .build()
                .expect("an HTTP client"),
            cookies: BTreeMap::new(),
        }
    }

    /// The session's cookies, as the browser sends them.
    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn read(&mut self, response: reqwest::Response) -> Page {
        for set in response.headers().get_all("set-cookie") {
            let Ok(set) = set.to_str() else { continue };
            let first = set.split(';').next().unwrap_or_default();
            if let Some((name, value)) = first.split_once('=') {
                if value.is_empty() || set.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        let status = response.status();
        let headers = response.headers().clone();
        let html = response.text().await.expect("a readable body");
        Page {
            status,
            headers,
            html,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let response = self
            .client
            .get(format!("{}{path}", self.base_url))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .expect("the app answers");
        self.read(response).await
    }

    /// Opens a live page's event stream with this browser's session, and leaves it open.
    pub async fn stream(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base_url))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .expect("the stream answers")
    }

    /// A GET as htmx sends it.
    pub async fn get_fragment(&mut self, path: &str) -> Page {
        let response = self
            .client
            .get(format!("{}{path}", self.base_url))
            .header("cookie", self.cookie_header())
            .header("hx-request", "true")
            .send()
            .await
            .expect("the app answers");
        self.read(response).await
    }

    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = serde_urlencoded::to_string(fields).expect("a form body");
        let response = self
            .client
            .post(format!("{}{path}", self.base_url))
            .header("cookie", self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("the app answers");
        self.read(response).await
    }

    /// Posts a `multipart/form-data` form as a browser sends a file input: `fields` as text,
    /// then one file.
    pub async fn upload(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &str, &str, &[u8]),
    ) -> Page {
        let (field, filename, mime, bytes) = file;
        let boundary = "----golmok-test-boundary-7d1f";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\nContent-Type: {mime}\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let response = self
            .client
            .post(format!("{}{path}", self.base_url))
            .header("cookie", self.cookie_header())
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            // A refused upload is answered before it is read whole and its connection closed:
            // it must not go back to the pool for the next request.
            .header("connection", "close")
            .body(body)
            .send()
            .await
            .expect("the app answers");
        self.read(response).await
    }

    /// Posts the form with the CSRF token of `on` added.
    pub async fn submit(&mut self, on: &Page, path: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = on.csrf();
        let mut all: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(path, &all).await
    }

    /// Signs up through the page as a shopper and returns the new account's email.
    pub async fn sign_up(&mut self, name: &str) -> String {
        self.sign_up_as(name, "shopper").await
    }

    /// Signs up through the page with `role` (shopper, merchant or courier) and returns the
    /// new account's email.
    pub async fn sign_up_as(&mut self, name: &str, role: &str) -> String {
        let email = format!("page-{}@example.com", uuid::Uuid::new_v4().simple());
        let form = self.get("/signup").await;
        let done = self
            .submit(
                &form,
                "/signup",
                &[
                    ("name", name),
                    ("email", &email),
                    ("password", crate::PASSWORD),
                    ("role", role),
                ],
            )
            .await;
        assert_eq!(done.location(), "/", "{}", done.html);
        email
    }

    /// Signs in through the page as `email` (a demo account's password when `password` is
    /// `None`).
    pub async fn sign_in(&mut self, email: &str, password: Option<&str>) -> Page {
        let form = self.get("/signin").await;
        let password = password.unwrap_or(golmok_demo::seed::DEMO_PASSWORD);
        self.submit(
            &form,
            "/signin",
            &[("email", email), ("password", password)],
        )
        .await
    }

    /// The session cookie's token: the same a bearer client holds.
    pub fn session_token(&self) -> Option<&str> {
        self.cookies.get("golmok_session").map(String::as_str)
    }
}

/// A small JPEG, as a phone would send it.
pub fn a_photo() -> Vec<u8> {
    let picture = image::RgbImage::from_fn(900, 600, |x, y| {
        image::Rgb([(x % 200) as u8, (y % 200) as u8, 150])
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
        .encode_image(&image::DynamicImage::ImageRgb8(picture))
        .expect("a JPEG of a picture made in memory");
    jpeg
}
