//! A shop owner registers a shop: its name, what kind of business it is (the membership rule
//! counts small businesses and social-economy enterprises), its address and its place on the
//! map, and a phone. It sells once a consortium's coordinator admits it; until then the owner
//! sets its hours and prepares its listings.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use golmok_accounts::Role;
use golmok_catalog::merchant::{MerchantKind, NewMerchant};
use golmok_core::{Coordinates, DomainError, ValidationErrors};
use serde::Deserialize;

use super::{Chrome, refused_if, render_with, see_other};
use crate::Pages;
use crate::error::PageError;
use crate::format;
use crate::i18n::Texts;
use crate::session::{CsrfForm, Visitor};

/// Where the map opens before a place is picked: Seoul City Hall, the whole city in view.
const MAP_START: (f64, f64) = (37.5665, 126.9780);

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    lat: String,
    #[serde(default)]
    lon: String,
}

#[derive(Debug, Default)]
pub struct RegisterErrors {
    name: Option<&'static str>,
    kind: Option<&'static str>,
    address: Option<&'static str>,
    phone: Option<&'static str>,
    location: Option<&'static str>,
    general: Option<String>,
}

impl RegisterErrors {
    fn any(&self) -> bool {
        self.name.is_some()
            || self.kind.is_some()
            || self.address.is_some()
            || self.phone.is_some()
            || self.location.is_some()
            || self.general.is_some()
    }

    /// The catalog's refusals beside the fields they name.
    fn of(t: &Texts, v: &ValidationErrors) -> Self {
        let mut errors = Self::default();
        for f in &v.0 {
            match f.field.split('.').next().unwrap_or_default() {
                "name" => errors.name = Some(t.err_name),
                "address" => errors.address = Some(t.err_shop_address),
                "phone" => errors.phone = Some(t.err_phone),
                "location" => errors.location = Some(t.err_shop_location),
                _ => errors.general = Some(format!("{}: {}", f.field, f.message)),
            }
        }
        errors
    }
}

#[derive(Template)]
#[template(path = "shop_new.html")]
struct RegisterPage {
    c: Chrome,
    form: RegisterForm,
    errors: RegisterErrors,
    kinds: Vec<(&'static str, &'static str)>,
    start: String,
    tile_url: String,
    tile_attribution: String,
}

async fn page(
    pages: &Pages,
    visitor: &Visitor,
    form: RegisterForm,
    errors: RegisterErrors,
) -> Result<Response, PageError> {
    let t = visitor.lang.texts();
    render_with(
        refused_if(errors.any()),
        &RegisterPage {
            kinds: MerchantKind::ALL
                .into_iter()
                .map(|k| (k.as_str(), format::merchant_kind(t, k)))
                .collect(),
            start: format!("{},{}", MAP_START.0, MAP_START.1),
            tile_url: pages.settings.map_tile_url.clone().unwrap_or_default(),
            tile_attribution: pages.settings.map_attribution.clone().unwrap_or_default(),
            form,
            errors,
            c: Chrome::load(pages, visitor).await?,
        },
    )
}

/// `GET /shop/new`.
pub async fn form(State(pages): State<Pages>, visitor: Visitor) -> Result<Response, PageError> {
    visitor.require(Role::Merchant)?;
    page(
        &pages,
        &visitor,
        RegisterForm::default(),
        RegisterErrors::default(),
    )
    .await
}

/// What the form says, or what is wrong with it before the catalog is asked.
fn parse(t: &Texts, form: &RegisterForm) -> Result<NewMerchant, RegisterErrors> {
    let mut errors = RegisterErrors::default();
    let kind = MerchantKind::parse(form.kind.trim());
    if kind.is_none() {
        errors.kind = Some(t.err_check_field);
    }
    let number = |s: &str| s.trim().parse::<f64>().ok().filter(|x| x.is_finite());
    let location = match (number(&form.lat), number(&form.lon)) {
        (Some(lat), Some(lon)) => Some(Coordinates { lat, lon }),
        _ => {
            errors.location = Some(t.err_shop_location);
            None
        }
    };
    let (Some(kind), Some(location)) = (kind, location) else {
        // Said now too, rather than after the place is fixed (the catalog checks them again).
        if form.name.trim().is_empty() {
            errors.name = Some(t.err_name);
        }
        if form.address.trim().is_empty() {
            errors.address = Some(t.err_shop_address);
        }
        return Err(errors);
    };
    let phone = form.phone.trim();
    Ok(NewMerchant {
        name: form.name.clone(),
        kind,
        location,
        address: form.address.clone(),
        opening_hours: None,
        hours_exceptions: None,
        phone: (!phone.is_empty()).then(|| phone.to_owned()),
        pickup_instructions: None,
        approval_wait_minutes: None,
    })
}

/// `POST /shop/new`: registered, then on to its profile to set its hours; or back with each
/// refusal beside its field.
pub async fn register(
    State(pages): State<Pages>,
    visitor: Visitor,
    CsrfForm { form, .. }: CsrfForm<RegisterForm>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Merchant)?;
    let t = visitor.lang.texts();
    let errors = match parse(t, &form) {
        Err(errors) => errors,
        Ok(new) => match golmok_catalog::merchant::create_merchant(&pages.db, account, new).await {
            Ok(shop) => return Ok(see_other(&format!("/shop/{}/profile?welcome=1", shop.id))),
            Err(DomainError::Invalid(v)) => RegisterErrors::of(t, &v),
            Err(other) => return Err(other.into()),
        },
    };
    page(&pages, &visitor, form, errors).await
}

pub fn routes() -> axum::Router<crate::Pages> {
    axum::Router::new().route("/shop/new", axum::routing::get(form).post(register))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn a_form_without_a_place_or_a_kind_is_refused_beside_both_fields() {
        let t = Lang::En.texts();
        let errors = parse(
            t,
            &RegisterForm {
                name: "골목 빵집".into(),
                kind: "bakery".into(),
                lat: "37.55".into(),
                lon: "".into(),
                ..RegisterForm::default()
            },
        )
        .expect_err("refused");
        assert_eq!(errors.kind, Some(t.err_check_field));
        assert_eq!(errors.location, Some(t.err_shop_location));
        let new = parse(
            t,
            &RegisterForm {
                name: "골목 빵집".into(),
                kind: "cooperative".into(),
                address: "서울 마포구 망원로 1".into(),
                phone: " ".into(),
                lat: "37.5563".into(),
                lon: "126.9050".into(),
            },
        )
        .expect("parsed");
        assert_eq!(new.kind, MerchantKind::Cooperative);
        assert_eq!(new.phone, None);
    }
}
