//! Accounts and sessions over HTTP, on SQLite and PostgreSQL.

use golmok_e2e::pages::Browser;
use golmok_e2e::{Engine, PASSWORD, TestApp, on_both_databases};
use reqwest::StatusCode;
use serde_json::json;

on_both_databases!(
    signup_returns_a_token_that_identifies_the_account,
    login_opens_a_new_session,
    a_taken_email_is_409_whatever_its_case,
    a_wrong_password_and_an_unknown_email_look_the_same,
    repeated_failed_logins_are_rate_limited,
    logout_revokes_the_token,
    requests_without_a_usable_token_are_401,
    signup_validates_every_field,
    only_an_admin_creates_coordinators_and_admins,
    a_person_renames_and_changes_the_password_from_the_account_page,
    an_admin_makes_a_coordinator_account_and_assigns_it_an_agency,
    a_person_who_forgot_the_password_sets_a_new_one_with_an_admins_link,
    a_reset_link_works_once_over_the_api_and_a_newer_one_replaces_it,
    an_admin_suspends_an_account_and_reinstates_it,
    a_person_changes_the_email_they_sign_in_with,
    a_suspended_shop_owner_s_goods_are_held_off_sale_until_reinstated,
);

async fn signup_returns_a_token_that_identifies_the_account(app: TestApp) {
    let reply = app
        .post(
            "/v1/auth/signup",
            None,
            &json!({"email": "Minji.Kim@Example.com", "password": PASSWORD, "name": " 김민지 ", "role": "shopper"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let account = &reply.body["account"];
    assert_eq!(account["email"], "minji.kim@example.com");
    assert_eq!(account["name"], "김민지");
    assert_eq!(account["role"], "shopper");
    assert!(account["id"].as_str().unwrap().starts_with("acc_"));
    assert!(reply.body.get("password").is_none() && account.get("password_hash").is_none());
    let token = reply.body["token"].as_str().unwrap();

    let me = app.get("/v1/me", Some(token)).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text);
    assert_eq!(&me.body, account);
}

async fn login_opens_a_new_session(app: TestApp) {
    let (signup_token, account) = app.sign_up("merchant").await;
    let reply = app
        .post(
            "/v1/auth/login",
            None,
            &json!({"email": account["email"].as_str().unwrap().to_uppercase(), "password": PASSWORD}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["account"], account);
    let login_token = reply.body["token"].as_str().unwrap();
    assert_ne!(login_token, signup_token);
    for token in [login_token, signup_token.as_str()] {
        let me = app.get("/v1/me", Some(token)).await;
        assert_eq!(me.body["id"], account["id"]);
    }
}

async fn a_taken_email_is_409_whatever_its_case(app: TestApp) {
    let (_, account) = app.sign_up("shopper").await;
    let email = account["email"].as_str().unwrap().to_uppercase();
    let reply = app
        .post(
            "/v1/auth/signup",
            None,
            &json!({"email": email, "password": PASSWORD, "name": "Someone else", "role": "courier"}),
        )
        .await;
    reply.assert_problem(409, "email_taken");
    assert_eq!(reply.failed_fields(), ["email"]);
}

async fn a_wrong_password_and_an_unknown_email_look_the_same(app: TestApp) {
    let (_, account) = app.sign_up("shopper").await;
    let wrong_password = app
        .post(
            "/v1/auth/login",
            None,
            &json!({"email": account["email"], "password": "not the password"}),
        )
        .await;
    let unknown_email = app
        .post(
            "/v1/auth/login",
            None,
            &json!({"email": "nobody@example.com", "password": "not the password"}),
        )
        .await;
    wrong_password.assert_problem(401, "bad_credentials");
    unknown_email.assert_problem(401, "bad_credentials");
    assert_eq!(wrong_password.body, unknown_email.body);
}

async fn repeated_failed_logins_are_rate_limited(app: TestApp) {
    let (_, account) = app.sign_up("shopper").await;
    let wrong = json!({"email": account["email"], "password": "guess"});
    for _ in 0..5 {
        app.post("/v1/auth/login", None, &wrong)
            .await
            .assert_problem(401, "bad_credentials");
    }
    let limited = app.post("/v1/auth/login", None, &wrong).await;
    limited.assert_problem(429, "rate_limited");
    let retry_after: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!(retry_after > 0);
    // Locked out means locked out: the right password waits too.
    let right = json!({"email": account["email"], "password": PASSWORD});
    app.post("/v1/auth/login", None, &right)
        .await
        .assert_problem(429, "rate_limited");
    // Another account is not affected.
    let (_, other) = app.sign_up("shopper").await;
    let reply = app
        .post(
            "/v1/auth/login",
            None,
            &json!({"email": other["email"], "password": PASSWORD}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
}

async fn logout_revokes_the_token(app: TestApp) {
    let (token, _) = app.sign_up("courier").await;
    let reply = app.post("/v1/auth/logout", Some(&token), &json!({})).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text);
    let me = app.get("/v1/me", Some(&token)).await;
    me.assert_problem(401, "invalid_token");
    assert!(me.body["detail"].as_str().unwrap().contains("revoked"));
    assert!(me.header("www-authenticate").unwrap().starts_with("Bearer"));
}

async fn requests_without_a_usable_token_are_401(app: TestApp) {
    let missing = app.get("/v1/me", None).await;
    missing.assert_problem(401, "missing_token");
    assert_eq!(missing.header("www-authenticate"), Some("Bearer"));

    let reply = app
        .client()
        .get(app.url("/v1/me"))
        .header("authorization", "Basic dXNlcjpwYXNz")
        .send()
        .await
        .unwrap();
    TestApp::read(reply)
        .await
        .assert_problem(401, "missing_token");

    app.get("/v1/me", Some("gmk_forged"))
        .await
        .assert_problem(401, "invalid_token");
    app.get("/v1/me", Some("nonsense"))
        .await
        .assert_problem(401, "invalid_token");
}

async fn signup_validates_every_field(app: TestApp) {
    let reply = app
        .post(
            "/v1/auth/signup",
            None,
            &json!({"email": "not-an-email", "password": "short", "name": "", "role": "shopper"}),
        )
        .await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.failed_fields(), ["email", "password", "name"]);

    let reply = app
        .post(
            "/v1/auth/signup",
            None,
            &json!({"email": "a@example.com", "password": PASSWORD, "name": "A", "role": "wizard"}),
        )
        .await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.failed_fields(), ["role"]);
}

async fn only_an_admin_creates_coordinators_and_admins(app: TestApp) {
    let coordinator = json!({"email": "coord@example.com", "password": PASSWORD, "name": "마포 코디", "role": "coordinator"});

    let signup = app.post("/v1/auth/signup", None, &coordinator).await;
    signup.assert_problem(422, "validation_failed");
    assert_eq!(signup.failed_fields(), ["role"]);

    let (shopper, _) = app.sign_up("shopper").await;
    app.post("/v1/admin/accounts", Some(&shopper), &coordinator)
        .await
        .assert_problem(403, "forbidden");
    app.post("/v1/admin/accounts", None, &coordinator)
        .await
        .assert_problem(401, "missing_token");

    let admin = app.admin().await;
    let created = app
        .post("/v1/admin/accounts", Some(&admin), &coordinator)
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.body["role"], "coordinator");

    let login = app
        .post(
            "/v1/auth/login",
            None,
            &json!({"email": "coord@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(login.status, StatusCode::OK);
    assert_eq!(login.body["account"]["role"], "coordinator");
}

mod expiry {
    use super::*;

    async fn an_expired_token_is_refused(engine: Engine) {
        let app = TestApp::start_with(engine, json!({"auth": {"token_ttl_secs": 1}})).await;
        let (token, _) = app.sign_up("shopper").await;
        assert_eq!(app.get("/v1/me", Some(&token)).await.status, StatusCode::OK);
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let me = app.get("/v1/me", Some(&token)).await;
        me.assert_problem(401, "invalid_token");
        assert!(me.body["detail"].as_str().unwrap().contains("expired"));
    }

    #[tokio::test]
    async fn sqlite() {
        an_expired_token_is_refused(Engine::Sqlite).await;
    }

    #[tokio::test]
    async fn postgres() {
        an_expired_token_is_refused(Engine::Postgres).await;
    }
}

async fn a_person_renames_and_changes_the_password_from_the_account_page(app: TestApp) {
    let mut browser = Browser::new(&app.base_url);
    let email = browser.sign_up("처음 이름").await;
    // The same person signed in on a phone app too.
    let login = |password: &'static str| {
        let (app, email) = (&app, email.clone());
        async move {
            app.post(
                "/v1/auth/login",
                None,
                &json!({"email": email, "password": password}),
            )
            .await
        }
    };
    let phone = login(PASSWORD).await.body["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let page = browser.get("/account").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(page.html.contains(&email), "{}", page.html);
    assert!(
        page.html.contains("href=\"/account\""),
        "linked in the header"
    );

    // The name: refused when empty, beside its field; then changed for every session.
    let empty = browser
        .submit(&page, "/account/name", &[("name", " ")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.html.contains("id=\"name-error\""));
    let renamed = browser
        .submit(&page, "/account/name", &[("name", "새 이름")])
        .await;
    assert_eq!(renamed.location(), "/account?renamed=1");
    assert_eq!(
        app.get("/v1/me", Some(&phone)).await.body["name"],
        "새 이름"
    );

    // The password: the current one must be right, the new one long enough and different.
    let new_password = "a newer longer password";
    for (current, new, field) in [
        ("not the password", new_password, "current-password-error"),
        (PASSWORD, "short", "new-password-error"),
        (PASSWORD, PASSWORD, "new-password-error"),
    ] {
        let refused = browser
            .submit(
                &page,
                "/account/password",
                &[("current_password", current), ("new_password", new)],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert!(refused.html.contains(&format!("id=\"{field}\"")), "{field}");
        assert!(
            !refused.html.contains(current),
            "a password is never sent back"
        );
    }
    let changed = browser
        .submit(
            &page,
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", new_password),
            ],
        )
        .await;
    assert_eq!(changed.location(), "/account?password=1");
    // This browser stays signed in; the phone is signed out; the old password opens nothing.
    let after = browser.get(changed.location()).await;
    assert_eq!(after.status, StatusCode::OK);
    assert!(after.html.contains("id=\"account-flash\""));
    assert_eq!(
        app.get("/v1/me", Some(&phone)).await.status,
        StatusCode::UNAUTHORIZED
    );
    login(PASSWORD).await.assert_problem(401, "bad_credentials");
    let app_token = login("a newer longer password").await.body["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    // Over the API, and guessing the current password is throttled as logins are.
    let renamed = app
        .patch(
            "/v1/me",
            Some(&app_token),
            &json!({"name": "앱에서 바꾼 이름"}),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text);
    assert_eq!(renamed.body["name"], "앱에서 바꾼 이름");
    let guess = json!({"current_password": "guess", "new_password": "whatever long"});
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(
            app.post("/v1/me/password", Some(&app_token), &guess)
                .await
                .status,
        );
    }
    assert_eq!(statuses[0], StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
}

async fn an_admin_makes_a_coordinator_account_and_assigns_it_an_agency(app: TestApp) {
    golmok_e2e::demo::seeded(&app).await;
    let mut admin = Browser::new(&app.base_url);
    admin.sign_in("admin@demo.golmok.kr", None).await;
    let desk = admin.get("/admin").await;
    assert_eq!(desk.status, StatusCode::OK, "{}", desk.html);
    let mut coordinator = Browser::new(&app.base_url);
    coordinator
        .sign_in("coordinator@demo.golmok.kr", None)
        .await;
    assert_eq!(
        coordinator.get("/admin").await.status,
        StatusCode::FORBIDDEN
    );

    // Refusals beside their fields; the password is never sent back.
    let email = format!("coord-{}@example.com", uuid::Uuid::new_v4().simple());
    for (fields, error) in [
        (
            [
                ("name", "새 코디"),
                ("email", "not an email"),
                ("password", PASSWORD),
            ],
            "email-error",
        ),
        (
            [
                ("name", "새 코디"),
                ("email", "shopper@demo.golmok.kr"),
                ("password", PASSWORD),
            ],
            "email-error",
        ),
        (
            [
                ("name", "새 코디"),
                ("email", email.as_str()),
                ("password", "short"),
            ],
            "password-error",
        ),
    ] {
        let mut form = fields.to_vec();
        form.push(("role", "coordinator"));
        let refused = admin.submit(&desk, "/admin/accounts", &form).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
        assert!(refused.html.contains(&format!("id=\"{error}\"")), "{error}");
        assert!(!refused.html.contains(PASSWORD), "no password sent back");
    }
    let made = admin
        .submit(
            &desk,
            "/admin/accounts",
            &[
                ("name", "새 코디"),
                ("email", &email),
                ("password", PASSWORD),
                ("role", "coordinator"),
            ],
        )
        .await;
    assert_eq!(made.location(), "/admin?made=1");

    // Assigned to the first regional agency by the account's email.
    let agencies = app.get("/v1/agencies", None).await.body;
    let agency = agencies["items"]
        .as_array()
        .and_then(|items| items.iter().find(|a| a["kind"] == "regional"))
        .and_then(|a| a["id"].as_str())
        .unwrap_or_default()
        .to_owned();
    let assign = format!("/admin/agencies/{agency}/coordinators");
    for (who, why) in [
        ("nobody@example.com", "no_account"),
        ("shopper@demo.golmok.kr", "not_a_coordinator"),
    ] {
        let refused = admin.submit(&desk, &assign, &[("email", who)]).await;
        assert_eq!(
            refused.location(),
            format!("/admin?not_assigned={agency}&why={why}")
        );
        let said = admin.get(refused.location()).await;
        assert!(said.html.contains(&format!("id=\"assign-error-{agency}\"")));
    }
    let assigned = admin.submit(&desk, &assign, &[("email", &email)]).await;
    assert_eq!(assigned.location(), "/admin?assigned=1");
    let desk = admin.get(assigned.location()).await;
    let card = desk.html[desk
        .html
        .find(&format!("id=\"agency-{agency}\""))
        .unwrap_or(0)..]
        .split("</article>")
        .next()
        .unwrap_or_default()
        .to_owned();
    assert!(card.contains("새 코디"), "{card}");

    // The new coordinator signs in with the first password and lands on their agency.
    let mut newcomer = Browser::new(&app.base_url);
    newcomer.sign_in(&email, Some(PASSWORD)).await;
    let programme = newcomer.get("/programme").await;
    assert_eq!(
        programme.location(),
        format!("/programme/agencies/{agency}")
    );
}

/// The address a reset link's text field on the admin's desk holds.
fn reset_address(html: &str) -> String {
    let start = html.find("id=\"reset-address\"").map_or(0, |i| i);
    let tag = &html[html[..start].rfind('<').unwrap_or(0)..];
    let at = tag
        .find("value=\"")
        .map(|i| i + 7)
        .expect("the link's address");
    tag[at..at + tag[at..].find('"').unwrap_or(0)].to_owned()
}

async fn a_person_who_forgot_the_password_sets_a_new_one_with_an_admins_link(app: TestApp) {
    golmok_e2e::demo::seeded(&app).await;
    let email = "shopper@demo.golmok.kr";
    let phone = golmok_e2e::demo::login(&app, email).await;
    // Guessing locked the account out, as it does before someone asks for help.
    let guess = json!({"email": email, "password": "is it this one"});
    for _ in 0..5 {
        app.post("/v1/auth/login", None, &guess).await;
    }
    app.post("/v1/auth/login", None, &guess)
        .await
        .assert_problem(429, "rate_limited");

    let mut admin = Browser::new(&app.base_url);
    admin.sign_in("admin@demo.golmok.kr", None).await;
    let desk = admin.get("/admin").await;
    assert!(desk.html.contains("id=\"reset-form\""));
    let unknown = admin
        .submit(&desk, "/admin/resets", &[("email", "nobody@example.com")])
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.html.contains("id=\"reset-error\""));
    let issued = admin
        .submit(&desk, "/admin/resets", &[("email", email)])
        .await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.html);
    let address = reset_address(&issued.html);
    let path = address
        .find("/reset/gmr_")
        .map(|i| address[i..].to_owned())
        .unwrap_or_else(|| panic!("a reset link: {address}"));
    assert!(
        address.starts_with("http://"),
        "a whole address to send: {address}"
    );
    let mut coordinator = Browser::new(&app.base_url);
    coordinator
        .sign_in("coordinator@demo.golmok.kr", None)
        .await;
    let own = coordinator.get("/").await;
    assert_eq!(
        coordinator
            .submit(&own, "/admin/resets", &[("email", email)])
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // The person opens it, signed out: whose account it is, and a new password.
    let mut person = Browser::new(&app.base_url);
    let form = person.get(&path).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    assert!(form.html.contains(email));
    let short = person.submit(&form, &path, &[("password", "short")]).await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.html.contains("id=\"password-error\""));
    let forged = person
        .post(&path, &[("password", "a brand new password")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "no CSRF token");
    let set = person
        .submit(&form, &path, &[("password", "a brand new password")])
        .await;
    assert_eq!(set.location(), "/signin?reset=1");
    assert!(
        person
            .get("/signin?reset=1")
            .await
            .html
            .contains("id=\"reset-done\"")
    );
    assert_eq!(
        app.get("/v1/me", Some(&phone)).await.status,
        StatusCode::UNAUTHORIZED,
        "every session signed out"
    );
    let old = log_in(&app, email, golmok_demo::seed::DEMO_PASSWORD).await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    let new = log_in(&app, email, "a brand new password").await;
    assert_eq!(
        new.status,
        StatusCode::OK,
        "the lock-out forgotten with the reset: {}",
        new.text
    );

    // Once only.
    let again = person.get(&path).await;
    assert_eq!(again.status, StatusCode::GONE);
    assert!(again.html.contains("id=\"reset-spent\""));
    let replay = person
        .submit(&form, &path, &[("password", "yet another password")])
        .await;
    assert_eq!(replay.status, StatusCode::GONE);
    assert_eq!(
        person.get("/reset/gmr_nothing").await.status,
        StatusCode::NOT_FOUND
    );
}

async fn a_reset_link_works_once_over_the_api_and_a_newer_one_replaces_it(app: TestApp) {
    golmok_e2e::demo::seeded(&app).await;
    let admin = golmok_e2e::demo::login(&app, "admin@demo.golmok.kr").await;
    let coordinator = golmok_e2e::demo::login(&app, "coordinator@demo.golmok.kr").await;
    let body = json!({"email": "merchant@demo.golmok.kr"});
    assert_eq!(
        app.post("/v1/admin/password-resets", Some(&coordinator), &body)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let unknown = app
        .post(
            "/v1/admin/password-resets",
            Some(&admin),
            &json!({"email": "nobody@example.com"}),
        )
        .await;
    assert_eq!(
        unknown.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unknown.text
    );
    let first = app
        .post("/v1/admin/password-resets", Some(&admin), &body)
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    let second = app
        .post("/v1/admin/password-resets", Some(&admin), &body)
        .await;
    let token = |r: &golmok_e2e::Reply| r.body["token"].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        second.body["path"],
        format!("/reset/{}", token(&second)),
        "{}",
        second.text
    );
    let at = |t: String| format!("/v1/password-resets/{t}");
    let replaced = app
        .post(
            &at(token(&first)),
            None,
            &json!({"password": "a brand new password"}),
        )
        .await;
    assert_eq!(replaced.status, StatusCode::CONFLICT, "{}", replaced.text);
    let short = app
        .post(&at(token(&second)), None, &json!({"password": "short"}))
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    let set = app
        .post(
            &at(token(&second)),
            None,
            &json!({"password": "a brand new password"}),
        )
        .await;
    assert_eq!(set.status, StatusCode::NO_CONTENT, "{}", set.text);
    let once = app
        .post(
            &at(token(&second)),
            None,
            &json!({"password": "another new password"}),
        )
        .await;
    assert_eq!(once.status, StatusCode::CONFLICT);
    assert_eq!(
        app.post(
            &at("gmr_unknown".into()),
            None,
            &json!({"password": "a brand new password"})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let login = log_in(&app, "merchant@demo.golmok.kr", "a brand new password").await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.text);
}

async fn an_admin_suspends_an_account_and_reinstates_it(app: TestApp) {
    golmok_e2e::demo::seeded(&app).await;
    let email = "courier@demo.golmok.kr";
    let password = golmok_demo::seed::DEMO_PASSWORD;
    let phone = golmok_e2e::demo::login(&app, email).await;
    let admin_token = golmok_e2e::demo::login(&app, "admin@demo.golmok.kr").await;
    let couriers = app
        .get(
            "/v1/admin/accounts?role=courier&limit=100",
            Some(&admin_token),
        )
        .await;
    assert_eq!(couriers.status, StatusCode::OK, "{}", couriers.text);
    let id = couriers.body["items"]
        .as_array()
        .and_then(|a| a.iter().find(|a| a["email"] == email))
        .and_then(|a| a["id"].as_str())
        .expect("the demo courier")
        .to_owned();
    assert!(
        couriers.body["items"]
            .as_array()
            .is_some_and(|a| a.iter().all(|a| a["role"] == "courier")),
        "{}",
        couriers.text
    );
    assert_eq!(
        app.get("/v1/admin/accounts?role=wizard", Some(&admin_token))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // Found by part of a name or an email whatever its case; `%` and `_` mean themselves.
    app.post(
        "/v1/auth/signup",
        None,
        &json!({"email": "minji.kim@example.com", "password": PASSWORD, "name": "Minji KIM", "role": "shopper"}),
    )
    .await;
    let found = |q: &'static str| {
        let token = admin_token.clone();
        let app = &app;
        async move {
            app.get(&format!("/v1/admin/accounts?q={q}"), Some(&token))
                .await
                .body["items"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|a| a["name"].as_str().map(str::to_owned))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        }
    };
    assert_eq!(found("mINJI").await, ["Minji KIM"]);
    assert_eq!(found("MINJI.KIM%40EXAMPLE").await, ["Minji KIM"]);
    assert!(found("%25").await.is_empty(), "a typed % matches only a %");
    assert!(
        found("minji_kim").await.is_empty(),
        "a typed _ matches only an _"
    );

    let mut admin = Browser::new(&app.base_url);
    admin.sign_in("admin@demo.golmok.kr", None).await;
    assert!(
        admin
            .get("/admin")
            .await
            .html
            .contains("href=\"/admin/accounts\"")
    );
    let found = admin.get("/admin/accounts?q=COURIER%40demo").await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.html);
    assert_eq!(
        found.html.matches("class=\"line account").count(),
        1,
        "{}",
        found.html
    );
    let own = admin.get("/admin/accounts?q=admin%40demo").await;
    assert!(own.html.contains("admin@demo.golmok.kr"));
    assert!(
        !own.html.contains("/suspend\""),
        "no button for the admin's own account"
    );
    let own_id = app.get("/v1/me", Some(&admin_token)).await.body["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let yourself = app
        .post(
            &format!("/v1/admin/accounts/{own_id}/suspend"),
            Some(&admin_token),
            &json!({}),
        )
        .await;
    assert_eq!(yourself.status, StatusCode::CONFLICT, "{}", yourself.text);

    let mut coordinator = Browser::new(&app.base_url);
    coordinator
        .sign_in("coordinator@demo.golmok.kr", None)
        .await;
    assert_eq!(
        coordinator.get("/admin/accounts").await.status,
        StatusCode::FORBIDDEN
    );
    let theirs = coordinator.get("/").await;
    assert_eq!(
        coordinator
            .submit(&theirs, &format!("/admin/accounts/{id}/suspend"), &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // Suspended: signed out everywhere, and neither the API nor the pages let it in.
    let suspended = admin
        .submit(
            &found,
            &format!("/admin/accounts/{id}/suspend"),
            &[("q", "COURIER@demo"), ("role", "")],
        )
        .await;
    assert_eq!(
        suspended.location(),
        "/admin/accounts?q=COURIER%40demo&role=&suspended=1"
    );
    let listed = admin.get(suspended.location()).await;
    assert!(listed.html.contains("정지됨"), "{}", listed.html);
    assert!(
        listed
            .html
            .contains(&format!("/admin/accounts/{id}/reinstate"))
    );
    assert_eq!(
        app.get("/v1/me", Some(&phone)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let login = log_in(&app, email, password).await;
    assert_eq!(login.status, StatusCode::FORBIDDEN, "{}", login.text);
    let wrong = log_in(&app, email, "not the password").await;
    assert_eq!(
        wrong.status,
        StatusCode::UNAUTHORIZED,
        "a wrong password says nothing more"
    );
    let mut rider = Browser::new(&app.base_url);
    let form = rider.get("/signin").await;
    let refused = rider
        .submit(
            &form,
            "/signin",
            &[("email", email), ("password", password)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.html.contains("정지된 계정입니다"),
        "{}",
        refused.html
    );

    let reinstated = admin
        .submit(
            &listed,
            &format!("/admin/accounts/{id}/reinstate"),
            &[("q", "COURIER@demo"), ("role", "")],
        )
        .await;
    assert!(reinstated.location().ends_with("&reinstated=1"));
    let login = log_in(&app, email, password).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.text);
    assert_eq!(
        app.post(
            "/v1/admin/accounts/acc_nobody/suspend",
            Some(&admin_token),
            &json!({})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}

/// A login over the API, as a phone app makes it.
async fn log_in(app: &TestApp, email: &str, password: &str) -> golmok_e2e::Reply {
    app.post(
        "/v1/auth/login",
        None,
        &json!({"email": email, "password": password}),
    )
    .await
}

async fn a_person_changes_the_email_they_sign_in_with(app: TestApp) {
    let mut browser = Browser::new(&app.base_url);
    let email = browser.sign_up("이메일 바꾸는 사람").await;
    let mut other = Browser::new(&app.base_url);
    let taken = other.sign_up("다른 사람").await;
    let phone = app
        .post(
            "/v1/auth/login",
            None,
            &json!({"email": email, "password": PASSWORD}),
        )
        .await
        .body["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let page = browser.get("/account").await;
    assert!(page.html.contains("id=\"email-form\""), "{}", page.html);

    // Refused beside its field: malformed, the same, another's (whatever its case), or without
    // the right password; the email as typed stays, the password never comes back.
    let shouted = taken.to_uppercase();
    for (new, password, field) in [
        ("not an email", PASSWORD, "new-email-error"),
        (email.as_str(), PASSWORD, "new-email-error"),
        (shouted.as_str(), PASSWORD, "new-email-error"),
        (
            "fresh@example.kr",
            "not the password",
            "email-password-error",
        ),
    ] {
        let refused = browser
            .submit(
                &page,
                "/account/email",
                &[("email", new), ("current_password", password)],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert!(
            refused.html.contains(&format!("id=\"{field}\"")),
            "{new}: {}",
            refused.html
        );
        assert!(refused.html.contains(&format!("value=\"{new}\"")));
        assert!(!refused.html.contains(password));
    }
    assert_eq!(
        app.get("/v1/me", Some(&phone)).await.body["email"],
        email.as_str(),
        "nothing changed"
    );

    let changed = browser
        .submit(
            &page,
            "/account/email",
            &[
                ("email", " New.Address@Example.KR "),
                ("current_password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(changed.location(), "/account?email=1");
    let after = browser.get(changed.location()).await;
    assert!(
        after.html.contains("new.address@example.kr"),
        "{}",
        after.html
    );
    assert!(after.html.contains("id=\"account-flash\""));
    // Every session stays; the new email signs in, the old one no longer does.
    assert_eq!(
        app.get("/v1/me", Some(&phone)).await.body["email"],
        "new.address@example.kr"
    );
    let sign_in = |email: &str| {
        let body = json!({"email": email, "password": PASSWORD});
        let app = &app;
        async move { app.post("/v1/auth/login", None, &body).await }
    };
    assert_eq!(
        sign_in("new.address@example.kr").await.status,
        StatusCode::OK
    );
    sign_in(&email).await.assert_problem(401, "bad_credentials");

    // Over the API: another's email is a 409 on the field; a wrong password a 422.
    let clash = app
        .post(
            "/v1/me/email",
            Some(&phone),
            &json!({"email": taken, "current_password": PASSWORD}),
        )
        .await;
    clash.assert_problem(409, "email_taken");
    let wrong = app
        .post(
            "/v1/me/email",
            Some(&phone),
            &json!({"email": "third@example.kr", "current_password": "guess"}),
        )
        .await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        wrong.text
    );
    let moved = app
        .post(
            "/v1/me/email",
            Some(&phone),
            &json!({"email": "third@example.kr", "current_password": PASSWORD}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
    assert_eq!(moved.body["email"], "third@example.kr");
}

async fn a_suspended_shop_owner_s_goods_are_held_off_sale_until_reinstated(app: TestApp) {
    golmok_e2e::demo::seeded(&app).await;
    let admin = golmok_e2e::demo::login(&app, "admin@demo.golmok.kr").await;
    let shopper = golmok_e2e::demo::login(&app, "shopper@demo.golmok.kr").await;
    let tofu = golmok_e2e::demo::tofu_at(app.client(), &app.base_url).await;
    let consortium = tofu.consortium_id();
    let owner = golmok_accounts::find_by_email(&app.state.db, "merchant@demo.golmok.kr")
        .await
        .expect("the tofu shop's owner");
    let shop_listings = || async {
        app.get(
            &format!("/v1/listings?merchant_id={}&limit=100", tofu.shop_id),
            None,
        )
        .await
        .body["items"]
            .as_array()
            .map_or(0, Vec::len)
    };
    let on_sale = shop_listings().await;
    assert!(on_sale > 0);
    // A draft the owner keeps back stays a draft through it all.
    let draft = app
        .post(
            &format!("/v1/merchants/{}/listings", tofu.shop_id),
            Some(&golmok_e2e::demo::login(&app, "merchant@demo.golmok.kr").await),
            &json!({"title": "시험 두유", "description": "", "price_krw": 2_000, "unit": "piece", "unit_quantity": 1, "stock": 5, "refill": false, "status": "draft"}),
        )
        .await;
    assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.text);
    let draft_id = draft.body["id"].as_str().unwrap().to_owned();
    let order = || async {
        app.post(
            "/v1/orders",
            Some(&shopper),
            &json!({"consortium_id": consortium, "items": [{"listing_id": tofu.listing_id, "quantity": 1}],
                    "fulfillment": {"kind": "pickup"}, "payment": {"provider": "offline"}}),
        )
        .await
    };
    let status_of = |id: String| {
        let app = &app;
        async move { app.get(&format!("/v1/listings/{id}"), None).await.body["status"].clone() }
    };

    let suspended = app
        .post(
            &format!("/v1/admin/accounts/{}/suspend", owner.id),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(suspended.status, StatusCode::OK, "{}", suspended.text);
    assert_eq!(status_of(tofu.listing_id.clone()).await, "held");
    assert_eq!(status_of(draft_id.clone()).await, "draft");
    assert_eq!(shop_listings().await, 0, "nothing of the shop on sale");
    let refused = order().await;
    assert!(
        refused.status.is_client_error(),
        "{} {}",
        refused.status,
        refused.text
    );
    let page = golmok_e2e::pages::Browser::new(&app.base_url)
        .get(&format!("/consortia/{consortium}"))
        .await;
    assert!(
        !page.html.contains(&tofu.listing_id),
        "off the consortium's page"
    );
    let shop_page = golmok_e2e::pages::Browser::new(&app.base_url)
        .get(&format!("/shops/{}", tofu.shop_id))
        .await;
    assert!(
        shop_page.html.contains("id=\"shop-held\""),
        "the shop says it is not selling"
    );
    // Only reinstatement lifts the hold; nobody sets it by hand.
    let lifted = app
        .patch(
            &format!("/v1/listings/{}", tofu.listing_id),
            Some(&admin),
            &json!({"status": "active"}),
        )
        .await;
    lifted.assert_problem(409, "listing_held");
    let set = app
        .patch(
            &format!("/v1/listings/{draft_id}"),
            Some(&admin),
            &json!({"status": "held"}),
        )
        .await;
    assert_eq!(set.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", set.text);

    let reinstated = app
        .post(
            &format!("/v1/admin/accounts/{}/reinstate", owner.id),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(reinstated.status, StatusCode::OK, "{}", reinstated.text);
    assert_eq!(status_of(tofu.listing_id.clone()).await, "active");
    assert_eq!(status_of(draft_id).await, "draft");
    assert_eq!(shop_listings().await, on_sale);
    assert!(
        !golmok_e2e::pages::Browser::new(&app.base_url)
            .get(&format!("/shops/{}", tofu.shop_id))
            .await
            .html
            .contains("id=\"shop-held\"")
    );
    let placed = order().await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.text);
}
