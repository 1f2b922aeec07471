//! Page handlers by journey. Each parses, checks the visitor, calls the domain, renders.

pub mod account;
pub mod admin;
pub mod admin_networks;
pub mod auth;
pub mod basket;
pub mod browse;
pub mod campaigns;
pub mod checkout;
pub mod courier;
pub mod dispatch;
pub mod dispatch_couriers;
pub mod listing_form;
pub mod members;
pub mod orders;
pub mod payouts;
pub mod programme;
pub mod reset;
pub mod shop;
pub mod shop_claims;
pub mod shop_containers;
pub mod shop_new;
pub mod shop_profile;
pub mod shop_sales;
pub mod shop_trade;
pub mod tours;

use askama::Template;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::Pages;
use crate::assets::{AssetUrls, URLS};
use crate::error::{ErrorPage, PageError};
use crate::i18n::Texts;
use crate::session::Visitor;

/// What the layout around every page shows: language, the visitor, the basket's size.
pub struct Chrome {
    pub t: &'static Texts,
    pub lang: &'static str,
    pub other_lang: &'static str,
    pub csrf: String,
    pub account_name: Option<String>,
    /// Whose pages these are ("" for a visitor): the phone keeps forms it could not send in a
    /// queue of this account's own.
    pub account_id: String,
    /// Signed in as a shop owner (or an admin): the header links the shop's console.
    pub is_merchant: bool,
    /// Signed in as a courier: the header links their batches.
    pub is_courier: bool,
    /// Signed in as a coordinator or admin: the header links the dispatch board.
    pub is_dispatcher: bool,
    /// Signed in as an admin: the header links whom to pay.
    pub is_admin: bool,
    pub basket_count: usize,
    /// This page's path, URL-encoded, for "switch language and come back".
    pub here_encoded: String,
    pub assets: &'static AssetUrls,
}

/// A line of a party's payouts statement as the pages show it (`statement.html`).
pub struct StatementRow {
    pub at: String,
    pub kind: &'static str,
    pub reference: String,
    pub amount: String,
}

/// How many of a statement's lines a page shows, newest first (the API has them all).
pub const STATEMENT_LINES: usize = 100;

/// The newest [`STATEMENT_LINES`] of `lines` (oldest first, as the ledger gives them), newest
/// first; a capture reads as `sale`, the party's own word for it.
pub fn statement_rows(
    lang: crate::i18n::Lang,
    lines: &[golmok_payments::ledger::StatementLine],
    sale: &'static str,
) -> Vec<StatementRow> {
    let t = lang.texts();
    lines
        .iter()
        .rev()
        .take(STATEMENT_LINES)
        .map(|l| StatementRow {
            at: crate::format::seoul_time(lang, l.at),
            kind: match l.kind.as_str() {
                "capture" => sale,
                "refund" => t.entry_refund,
                "payout" => t.entry_payout,
                "transfer" => t.entry_transfer,
                "transfer_reversal" => t.entry_transfer_back,
                "coupon" => t.entry_coupon,
                "coupon_reversal" => t.entry_coupon_back,
                _ => t.entry_other,
            },
            reference: l.reference.clone(),
            amount: crate::format::won(lang, l.amount_krw),
        })
        .collect()
}

pub(crate) fn number(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|x| x.is_finite())
}

/// A place typed or tapped on a map into a latitude and a longitude field: none when both are
/// empty, refused when half-typed or not numbers (the domain checks the ranges).
pub(crate) fn typed_place(lat: &str, lon: &str) -> Result<Option<golmok_core::Coordinates>, ()> {
    match (lat.trim(), lon.trim()) {
        ("", "") => Ok(None),
        _ => match (number(lat), number(lon)) {
            (Some(lat), Some(lon)) => Ok(Some(golmok_core::Coordinates { lat, lon })),
            _ => Err(()),
        },
    }
}

/// Which part of a statement to download: a Seoul month (`2026-12`), or all of it.
#[derive(serde::Deserialize, Default)]
pub struct StatementQuery {
    month: Option<String>,
}

/// A party's statement as a CSV download named `golmok-statement-{party}[-{month}].csv`: the
/// month asked for (carrying the balance forward from before it), or the whole of it. A month
/// that is no month is a 400: the form only sends what its month field holds.
pub fn statement_download(
    lines: &[golmok_payments::ledger::StatementLine],
    party: &str,
    query: StatementQuery,
) -> Result<Response, PageError> {
    let month = match query.month.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(typed) => Some(golmok_core::seoul::Month::parse(typed).ok_or(PageError::BadRequest)?),
    };
    let name = match month {
        Some(m) => format!("golmok-statement-{party}-{m}.csv"),
        None => format!("golmok-statement-{party}.csv"),
    };
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        golmok_payments::ledger::statement_csv(lines, month),
    )
        .into_response())
}

/// Where an admin's press of "record a bank transfer" on a payouts page at `path` leads: back
/// to the page, saying it is recorded, or that nothing was owed (a second press).
pub fn after_payout(
    paid: golmok_ordering::Result<golmok_payments::Payout>,
    path: &str,
) -> Result<Response, PageError> {
    match paid {
        Ok(_) => Ok(see_other(&format!("{path}?paid=1"))),
        Err(golmok_core::DomainError::Conflict {
            code: "nothing_owed",
            ..
        }) => Ok(see_other(&format!("{path}?nothing=1"))),
        Err(e) => Err(e.into()),
    }
}

/// What a payouts page says after [`after_payout`] brought the admin back.
pub fn payout_flash(t: &'static Texts, paid: bool, nothing: bool) -> Option<&'static str> {
    if paid {
        Some(t.payout_recorded)
    } else if nothing {
        Some(t.nothing_owed)
    } else {
        None
    }
}

/// A won amount as typed in a form, thousands' commas allowed: `Ok(None)` when left empty.
pub fn typed_won(text: &str) -> Result<Option<i64>, std::num::ParseIntError> {
    match text.replace(',', "").trim() {
        "" => Ok(None),
        digits => digits.parse().map(Some),
    }
}

/// A form with nothing but its CSRF token: a button.
#[derive(serde::Deserialize)]
pub struct NoFields {}

/// Where people reach this site, for an address printed or sent elsewhere (a QR poster, a
/// reset link): the configured public one (an admin may be working from an address others
/// cannot reach), else this server's as asked.
pub fn public_base(pages: &Pages, headers: &HeaderMap) -> String {
    match &pages.settings.public_url {
        Some(url) => url.clone(),
        None => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("localhost");
            let tls = crate::session::over_tls(&pages.settings, headers);
            format!("{}://{host}", if tls { "https" } else { "http" })
        }
    }
}

pub fn encode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|e| e.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

impl Chrome {
    pub fn of(visitor: &Visitor, basket_count: usize) -> Self {
        Chrome {
            t: visitor.lang.texts(),
            lang: visitor.lang.code(),
            other_lang: visitor.lang.other().code(),
            csrf: visitor.csrf.clone(),
            account_name: visitor.account.as_ref().map(|a| a.name.clone()),
            account_id: visitor
                .account
                .as_ref()
                .map(|a| a.id.clone())
                .unwrap_or_default(),
            is_dispatcher: visitor.account.as_ref().is_some_and(|a| {
                matches!(
                    a.role,
                    golmok_accounts::Role::Coordinator | golmok_accounts::Role::Admin
                )
            }),
            is_admin: visitor
                .account
                .as_ref()
                .is_some_and(|a| a.role == golmok_accounts::Role::Admin),
            is_courier: visitor
                .account
                .as_ref()
                .is_some_and(|a| a.role == golmok_accounts::Role::Courier),
            is_merchant: visitor.account.as_ref().is_some_and(|a| {
                matches!(
                    a.role,
                    golmok_accounts::Role::Merchant | golmok_accounts::Role::Admin
                )
            }),
            basket_count,
            here_encoded: encode(&visitor.here),
            assets: &URLS,
        }
    }

    /// With the basket's size read from the database.
    pub async fn load(pages: &Pages, visitor: &Visitor) -> Result<Self, PageError> {
        let count = golmok_ordering::basket::count(&pages.db, &visitor.basket_owner()).await?;
        Ok(Self::of(visitor, count))
    }
}

/// A Server-Sent Events stream that says `changed` whenever `topic` hears an event, or when
/// events may have been missed (a lag, a bus resubscription), with data (browsers drop an
/// event whose data is empty): the page then redraws itself
/// from the database, and does so on every reconnect too, so it never misses a change.
pub fn changes_of(pages: &Pages, account_id: &str, topic: String) -> Result<Response, PageError> {
    use std::convert::Infallible;

    use axum::response::sse::{Event, KeepAlive, Sse};
    use tokio::sync::broadcast::error::RecvError;

    let limit = pages.settings.max_streams_per_account;
    let Some(slot) = pages.live_streams.open(account_id, limit) else {
        return Err(PageError::Refused {
            status: axum::http::StatusCode::TOO_MANY_REQUESTS,
            detail: "too many live pages open for this account".into(),
        });
    };
    let mut bus = pages.bus.subscribe();
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Event, Infallible>>(16);
    // A word at once: the page (and any proxy between) knows the stream is open and
    // listening, rather than waiting for the first keep-alive.
    let _ = tx.try_send(Ok(Event::default().comment("listening")));
    let gone = tx.clone();
    tokio::spawn(async move {
        // Held while the page listens: the place frees itself when it goes away.
        let _slot = slot;
        let listen = async {
            loop {
                let changed = match bus.recv().await {
                    Ok(event) => event.topic == topic || event.is_resync(),
                    Err(RecvError::Lagged(_)) => true,
                    Err(RecvError::Closed) => return,
                };
                if changed
                    && tx
                        .send(Ok(Event::default().event("changed").data("changed")))
                        .await
                        .is_err()
                {
                    return;
                }
            }
        };
        tokio::select! {
            () = listen => {}
            () = gone.closed() => {}
        }
    });
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(std::time::Duration::from_secs(15)))
        .into_response())
}

/// Renders a template as a page with `status`.
/// A form page's status: 422 when it is shown again with what was refused, 200 otherwise.
pub fn refused_if(refused: bool) -> StatusCode {
    if refused {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    }
}

pub fn render_with(status: StatusCode, page: &impl Template) -> Result<Response, PageError> {
    let html = page.render()?;
    Ok((status, Html(html)).into_response())
}

pub fn render(page: &impl Template) -> Result<Response, PageError> {
    render_with(StatusCode::OK, page)
}

/// A 303 to `to`: after every successful form POST.
pub fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_owned())]).into_response()
}

/// Whether htmx asked, so a fragment is enough.
pub fn is_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request") && !headers.contains_key("hx-boosted")
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorView {
    c: Chrome,
    title: &'static str,
    body: &'static str,
    detail: Option<String>,
}

/// The page for an [`ErrorPage`] a handler returned, in `visitor`'s language.
pub fn error_page(visitor: &Visitor, error: &ErrorPage) -> Response {
    let t = visitor.lang.texts();
    let (title, body) = match error.status {
        StatusCode::NOT_FOUND => (t.not_found_title, t.not_found_body),
        StatusCode::FORBIDDEN if error.detail.as_deref() == Some("csrf") => {
            (t.forbidden_title, t.csrf_body)
        }
        StatusCode::FORBIDDEN => (t.forbidden_title, t.forbidden_body),
        s if s.is_server_error() => (t.error_title, t.internal_body),
        _ => (t.error_title, t.err_generic),
    };
    let detail = error
        .detail
        .clone()
        .filter(|d| d != "csrf" && !error.status.is_server_error());
    let view = ErrorView {
        c: Chrome::of(visitor, 0),
        title,
        body,
        detail,
    };
    let mut response = match view.render() {
        Ok(html) => (error.status, Html(html)).into_response(),
        Err(_) => (error.status, body).into_response(),
    };
    if error.detail.as_deref() == Some("csrf") {
        // Said apart from other refusals for the phone's queue of forms: a form sent from a
        // session that is over waits for its account to sign in again.
        response.headers_mut().insert(
            axum::http::HeaderName::from_static("x-csrf-refused"),
            axum::http::HeaderValue::from_static("1"),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::{typed_place, typed_won};

    #[test]
    fn a_place_is_both_coordinates_or_neither() {
        assert_eq!(typed_place("", " "), Ok(None));
        assert_eq!(
            typed_place("37.55", "126.9"),
            Ok(Some(golmok_core::Coordinates {
                lat: 37.55,
                lon: 126.9
            }))
        );
        assert_eq!(typed_place("37.55", ""), Err(()));
        assert_eq!(typed_place("north", "126.9"), Err(()));
    }

    #[test]
    fn a_won_amount_is_read_with_its_commas_and_empty_is_none() {
        assert_eq!(typed_won(" 3,500 "), Ok(Some(3_500)));
        assert_eq!(typed_won(""), Ok(None));
        assert_eq!(typed_won("  "), Ok(None));
        assert!(typed_won("삼천").is_err());
        assert!(typed_won("3.5").is_err());
    }
}
