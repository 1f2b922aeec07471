//! The shop's profile as its owner keeps it: hours for each weekday, the days that differ
//! (holidays, short days), a phone, and how shoppers collect pick-up orders. Every refusal is
//! shown beside its field in the owner's language; the rules are the catalog's.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use golmok_catalog::hours::HoursException;
use golmok_catalog::{Merchant, MerchantPatch, OpeningHours};
use golmok_core::DomainError;
use serde::Deserialize;

use super::shop::owned_shop;
use super::{Chrome, render, render_with, see_other};
use crate::Pages;
use crate::error::PageError;
use crate::i18n::{Lang, Texts};
use crate::session::{CsrfForm, Visitor};

const DAYS: [(&str, &str, &str); 7] = [
    ("mon", "월", "Mon"),
    ("tue", "화", "Tue"),
    ("wed", "수", "Wed"),
    ("thu", "목", "Thu"),
    ("fri", "금", "Fri"),
    ("sat", "토", "Sat"),
    ("sun", "일", "Sun"),
];

/// The form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    mon: String,
    #[serde(default)]
    tue: String,
    #[serde(default)]
    wed: String,
    #[serde(default)]
    thu: String,
    #[serde(default)]
    fri: String,
    #[serde(default)]
    sat: String,
    #[serde(default)]
    sun: String,
    #[serde(default)]
    exceptions: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    pickup_instructions: String,
    #[serde(default)]
    approval_wait_minutes: String,
}

impl ProfileForm {
    fn day(&self, key: &str) -> &str {
        match key {
            "mon" => &self.mon,
            "tue" => &self.tue,
            "wed" => &self.wed,
            "thu" => &self.thu,
            "fri" => &self.fri,
            "sat" => &self.sat,
            _ => &self.sun,
        }
    }

    fn of(shop: &Merchant) -> Self {
        let spans = |key: &str| {
            shop.opening_hours
                .as_ref()
                .and_then(|h| h.0.get(key))
                .map(|s| spans_text(s))
                .unwrap_or_default()
        };
        let exceptions = shop
            .hours_exceptions
            .iter()
            .map(|e| {
                let hours = if e.spans.is_empty() {
                    "휴무".to_owned()
                } else {
                    spans_text(&e.spans)
                };
                match &e.note {
                    Some(note) => format!("{} {hours} {note}", e.date),
                    None => format!("{} {hours}", e.date),
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        Self {
            mon: spans("mon"),
            tue: spans("tue"),
            wed: spans("wed"),
            thu: spans("thu"),
            fri: spans("fri"),
            sat: spans("sat"),
            sun: spans("sun"),
            exceptions,
            phone: shop.phone.clone().unwrap_or_default(),
            pickup_instructions: shop.pickup_instructions.clone().unwrap_or_default(),
            approval_wait_minutes: shop.approval_wait_minutes.to_string(),
        }
    }
}

fn spans_text(spans: &[[String; 2]]) -> String {
    spans
        .iter()
        .map(|[o, c]| format!("{o}-{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `10:00-13:00, 14:00-19:00` as spans; empty is closed.
fn parse_spans(typed: &str) -> Option<Vec<[String; 2]>> {
    typed
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|span| {
            let (open, close) = span.split_once(['-', '–', '~'])?;
            let time = |t: &str| {
                let t = t.trim();
                let (h, m) = t.split_once(':')?;
                let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
                Some(format!("{h:02}:{m:02}"))
            };
            Some([time(open)?, time(close)?])
        })
        .collect()
}

/// One line a day: `2026-12-25 휴무 성탄절`, `2026-12-31 10:00-15:00`.
fn parse_exceptions(typed: &str) -> Option<Vec<HoursException>> {
    typed
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let (date, rest) = line.split_once(char::is_whitespace)?;
            let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
            let rest = rest.trim();
            let (hours, note) = match rest.split_once(char::is_whitespace) {
                Some((h, n)) if !h.contains(',') => (h, Some(n.trim().to_owned())),
                _ => (rest, None),
            };
            let closed = ["휴무", "closed", "Closed"].contains(&hours);
            let spans = if closed {
                Vec::new()
            } else {
                parse_spans(hours)?
            };
            if !closed && spans.is_empty() {
                return None;
            }
            Some(HoursException {
                date,
                spans,
                note: note.filter(|n| !n.is_empty()),
            })
        })
        .collect()
}

/// Messages beside the fields.
#[derive(Debug, Default)]
pub struct ProfileErrors {
    days: Vec<(&'static str, &'static str)>,
    exceptions: Option<&'static str>,
    phone: Option<&'static str>,
    approval_wait: Option<&'static str>,
    general: Option<String>,
}

impl ProfileErrors {
    fn any(&self) -> bool {
        !self.days.is_empty()
            || self.exceptions.is_some()
            || self.phone.is_some()
            || self.approval_wait.is_some()
            || self.general.is_some()
    }

    pub fn day(&self, key: &str) -> Option<&'static str> {
        self.days.iter().find(|(k, _)| *k == key).map(|(_, m)| *m)
    }
}

fn parse(t: &Texts, form: &ProfileForm) -> Result<MerchantPatch, ProfileErrors> {
    let mut errors = ProfileErrors::default();
    let mut hours = OpeningHours::default();
    for (key, _, _) in DAYS {
        match parse_spans(form.day(key)) {
            Some(spans) if spans.is_empty() => {}
            Some(spans) => {
                hours.0.insert(key.to_owned(), spans);
            }
            None => errors.days.push((key, t.err_hours)),
        }
    }
    let exceptions = parse_exceptions(&form.exceptions);
    if exceptions.is_none() {
        errors.exceptions = Some(t.err_exceptions);
    }
    let wait = form.approval_wait_minutes.trim();
    let approval_wait_minutes = if wait.is_empty() {
        None
    } else {
        match wait.parse::<u32>() {
            Ok(minutes) => Some(minutes),
            Err(_) => {
                errors.approval_wait = Some(t.err_approval_wait);
                None
            }
        }
    };
    if errors.any() {
        return Err(errors);
    }
    let text = |s: &str| Some(Some(s.trim().to_owned()).filter(|s| !s.is_empty()));
    Ok(MerchantPatch {
        opening_hours: Some((!hours.0.is_empty()).then_some(hours)),
        hours_exceptions: exceptions,
        phone: text(&form.phone),
        pickup_instructions: text(&form.pickup_instructions),
        approval_wait_minutes,
        ..MerchantPatch::default()
    })
}

/// The catalog's refusals beside the fields they name.
fn refused(t: &Texts, v: &golmok_core::ValidationErrors) -> ProfileErrors {
    let mut errors = ProfileErrors::default();
    for f in &v.0 {
        if let Some((key, _, _)) = DAYS
            .iter()
            .find(|(k, _, _)| f.field.starts_with(&format!("opening_hours.{k}")))
        {
            errors.days.push((key, t.err_hours));
        } else if f.field.starts_with("hours_exceptions") {
            errors.exceptions = Some(t.err_exceptions);
        } else if f.field == "phone" {
            errors.phone = Some(t.err_phone);
        } else if f.field == "approval_wait_minutes" {
            errors.approval_wait = Some(t.err_approval_wait);
        } else {
            errors.general = Some(format!("{}: {}", f.field, f.message));
        }
    }
    errors
}

pub struct DayRow {
    pub key: &'static str,
    pub name: &'static str,
    pub value: String,
    pub error: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "shop_profile.html")]
struct ProfilePage {
    c: Chrome,
    shop: Merchant,
    days: Vec<DayRow>,
    form: ProfileForm,
    errors: ProfileErrors,
    saved: bool,
    /// Just registered: what comes next.
    welcome: bool,
}

async fn page(
    pages: &Pages,
    visitor: &Visitor,
    shop: Merchant,
    form: ProfileForm,
    errors: ProfileErrors,
    saved: bool,
) -> Result<ProfilePage, PageError> {
    let days = DAYS
        .iter()
        .map(|(key, ko, en)| DayRow {
            key,
            name: match visitor.lang {
                Lang::Ko => ko,
                Lang::En => en,
            },
            value: form.day(key).to_owned(),
            error: errors.day(key),
        })
        .collect();
    Ok(ProfilePage {
        c: Chrome::load(pages, visitor).await?,
        shop,
        days,
        form,
        errors,
        saved,
        welcome: false,
    })
}

#[derive(Deserialize)]
pub struct Saved {
    saved: Option<String>,
    welcome: Option<String>,
}

/// `GET /shop/{id}/profile`.
pub async fn form(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<Saved>,
) -> Result<Response, PageError> {
    let (_, shop) = owned_shop(&pages, &visitor, &id).await?;
    let form = ProfileForm::of(&shop);
    let page = page(
        &pages,
        &visitor,
        shop,
        form,
        ProfileErrors::default(),
        q.saved.is_some(),
    )
    .await?;
    render(&ProfilePage {
        welcome: q.welcome.is_some(),
        ..page
    })
}

/// `POST /shop/{id}/profile`: saved, or back with each refusal beside its field.
pub async fn save(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    CsrfForm { form, .. }: CsrfForm<ProfileForm>,
) -> Result<Response, PageError> {
    let (account, shop) = owned_shop(&pages, &visitor, &id).await?;
    let t = visitor.lang.texts();
    let errors = match parse(t, &form) {
        Err(errors) => errors,
        Ok(patch) => {
            let saved = golmok_catalog::merchant::update_merchant(
                &pages.db,
                pages.cache.as_ref(),
                &account,
                &id,
                patch,
            );
            match saved.await {
                Ok(_) => return Ok(see_other(&format!("/shop/{id}/profile?saved=1"))),
                Err(DomainError::Invalid(v)) => refused(t, &v),
                Err(other) => return Err(other.into()),
            }
        }
    };
    let page = page(&pages, &visitor, shop, form, errors, false).await?;
    render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

pub fn routes() -> axum::Router<crate::Pages> {
    axum::Router::new().route("/shop/{id}/profile", axum::routing::get(form).post(save))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_read_as_owners_write_them() {
        assert_eq!(
            parse_spans("10:00-13:00, 14:00–19:00"),
            Some(vec![
                ["10:00".to_owned(), "13:00".to_owned()],
                ["14:00".to_owned(), "19:00".to_owned()]
            ])
        );
        assert_eq!(
            parse_spans("9:30~18:00"),
            Some(vec![["09:30".to_owned(), "18:00".to_owned()]])
        );
        assert_eq!(parse_spans(""), Some(vec![]));
        assert_eq!(parse_spans("아침"), None);
        let days = parse_exceptions("2026-12-25 휴무 성탄절\n\n2026-12-31 10:00-15:00").unwrap();
        assert_eq!(days.len(), 2);
        assert!(days[0].spans.is_empty());
        assert_eq!(days[0].note.as_deref(), Some("성탄절"));
        assert_eq!(
            days[1].spans,
            vec![["10:00".to_owned(), "15:00".to_owned()]]
        );
        assert!(parse_exceptions("크리스마스 휴무").is_none());
    }
}
