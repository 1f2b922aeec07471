//! A shop owner's listing form: a new listing, or an edit of one, with every refusal shown
//! beside its field in the owner's language. The rules are the catalog's
//! (`golmok_catalog::listing`); this page turns the form into a `NewListing` or a
//! `ListingPatch` and the catalog's field errors back into texts.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use golmok_catalog::{
    Container, ContainerPolicy, Listing, ListingPatch, ListingPhoto, ListingStatus, Merchant,
    NewListing, Unit,
};
use golmok_core::{DomainError, ValidationErrors};
use golmok_storage::photo;
use serde::Deserialize;

use super::shop::owned_shop;
use super::{Chrome, render, render_with, see_other};
use crate::Pages;
use crate::error::PageError;
use crate::i18n::Texts;
use crate::session::{CsrfForm, CsrfUpload, Visitor};

/// The form as typed: every field text, so a refused form comes back as it was sent.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListingForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    price_krw: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    unit_quantity: String,
    #[serde(default)]
    stock: String,
    refill: Option<String>,
    #[serde(default)]
    container: String,
    #[serde(default)]
    deposit_krw: String,
    #[serde(default)]
    packaging_grams: String,
    /// Empty: fellow members pay the shop's price.
    #[serde(default)]
    member_price_krw: String,
    on_sale: Option<String>,
}

impl ListingForm {
    fn of(l: &Listing) -> Self {
        Self {
            title: l.title.clone(),
            description: l.description.clone(),
            category: l.category.clone(),
            price_krw: l.price_krw.to_string(),
            unit: l.unit.as_str().to_owned(),
            unit_quantity: l.unit_quantity.to_string(),
            stock: l.stock.to_string(),
            refill: l.refill.then(|| "on".to_owned()),
            container: l
                .container
                .map(|c| c.policy.as_str().to_owned())
                .unwrap_or_else(|| "none".to_owned()),
            deposit_krw: l
                .container
                .and_then(|c| c.deposit_krw)
                .map(|d| d.to_string())
                .unwrap_or_default(),
            packaging_grams: match l.packaging_grams {
                0 => String::new(),
                g => g.to_string(),
            },
            member_price_krw: l
                .member_price_krw
                .map(|p| p.to_string())
                .unwrap_or_default(),
            on_sale: (l.status == ListingStatus::Active).then(|| "on".to_owned()),
        }
    }
}

/// Each field's refusal, in the owner's language.
#[derive(Debug, Default)]
pub struct FormErrors {
    title: Option<&'static str>,
    price: Option<&'static str>,
    stock: Option<&'static str>,
    container: Option<&'static str>,
    general: Option<&'static str>,
}

impl FormErrors {
    fn any(&self) -> bool {
        self.title.is_some()
            || self.price.is_some()
            || self.stock.is_some()
            || self.container.is_some()
            || self.general.is_some()
    }

    /// The catalog's field errors, each beside the field it names.
    fn of(t: &Texts, refused: &ValidationErrors) -> Self {
        let mut errors = Self::default();
        for e in &refused.0 {
            match e.field.as_str() {
                "title" => errors.title = Some(t.err_listing_title),
                "price_krw" | "unit_quantity" | "unit" => errors.price = Some(t.err_price),
                "stock" => errors.stock = Some(t.err_whole_number),
                f if f.starts_with("container") => errors.container = Some(t.err_container),
                _ => errors.general = Some(t.err_listing_form),
            }
        }
        errors
    }
}

/// What the form says, as the catalog takes it; the fields that do not parse, otherwise.
struct Parsed {
    title: String,
    description: String,
    category: String,
    price_krw: i64,
    unit: Unit,
    unit_quantity: i64,
    stock: i64,
    refill: bool,
    container: Option<Container>,
    status: ListingStatus,
    packaging_grams: i64,
    member_price_krw: Option<i64>,
}

fn parse(t: &Texts, form: &ListingForm) -> Result<Parsed, FormErrors> {
    let mut errors = FormErrors::default();
    let whole = |s: &str| s.trim().parse::<i64>().ok().filter(|n| *n >= 0);
    let price = whole(&form.price_krw);
    let unit_quantity = whole(&form.unit_quantity).filter(|q| *q >= 1);
    if price.is_none() || unit_quantity.is_none() {
        errors.price = Some(t.err_price);
    }
    let stock = whole(&form.stock);
    if stock.is_none() {
        errors.stock = Some(t.err_whole_number);
    }
    let container = match ContainerPolicy::parse(form.container.trim()) {
        None => None,
        Some(ContainerPolicy::BringYourOwn) => Some(Container {
            policy: ContainerPolicy::BringYourOwn,
            deposit_krw: None,
        }),
        Some(ContainerPolicy::Deposit) => match whole(&form.deposit_krw) {
            Some(deposit) => Some(Container {
                policy: ContainerPolicy::Deposit,
                deposit_krw: Some(deposit),
            }),
            None => {
                errors.container = Some(t.err_container);
                None
            }
        },
    };
    let packaging = match form.packaging_grams.trim() {
        "" => Some(0),
        g => whole(g),
    };
    if packaging.is_none() {
        errors.container = Some(t.err_whole_number);
    }
    let member_price = match form.member_price_krw.trim() {
        "" => Some(None),
        p => whole(p).filter(|p| *p >= 1).map(Some),
    };
    if member_price.is_none() {
        errors.price = Some(t.err_price);
    }
    if errors.any() {
        return Err(errors);
    }
    Ok(Parsed {
        member_price_krw: member_price.flatten(),
        // Only a refill replaces packaging; on other goods the field is ignored.
        packaging_grams: if form.refill.is_some() {
            packaging.unwrap_or(0)
        } else {
            0
        },
        title: form.title.trim().to_owned(),
        description: form.description.trim().to_owned(),
        category: form.category.trim().to_owned(),
        price_krw: price.unwrap_or_default(),
        unit: Unit::parse(form.unit.trim()).unwrap_or(Unit::Piece),
        unit_quantity: unit_quantity.unwrap_or(1),
        stock: stock.unwrap_or_default(),
        refill: form.refill.is_some(),
        container,
        status: if form.on_sale.is_some() {
            ListingStatus::Active
        } else {
            ListingStatus::Draft
        },
    })
}

#[derive(Template)]
#[template(path = "shop_listing_form.html")]
struct FormPage {
    c: Chrome,
    shop: Merchant,
    editing: bool,
    action: String,
    form: ListingForm,
    errors: FormErrors,
    /// When editing: the listing's id and photos, and why the last upload was refused.
    listing_id: String,
    photos: Vec<ListingPhoto>,
    photo_error: Option<String>,
}

async fn form_page(
    pages: &Pages,
    visitor: &Visitor,
    shop: Merchant,
    listing_id: Option<&str>,
    form: ListingForm,
    errors: FormErrors,
) -> Result<FormPage, PageError> {
    let action = match listing_id {
        Some(id) => format!("/shop/{}/listings/{id}/edit", shop.id),
        None => format!("/shop/{}/listings/new", shop.id),
    };
    let photos = match listing_id {
        Some(id) => {
            golmok_catalog::listing::get_listing(&pages.db, pages.cache.as_ref(), id)
                .await?
                .photos
        }
        None => Vec::new(),
    };
    Ok(FormPage {
        c: Chrome::load(pages, visitor).await?,
        shop,
        editing: listing_id.is_some(),
        action,
        form,
        errors,
        listing_id: listing_id.unwrap_or_default().to_owned(),
        photos,
        photo_error: None,
    })
}

/// `GET /shop/{id}/listings/new`: an empty form, by the piece, on sale.
pub async fn new_form(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let (_, shop) = owned_shop(&pages, &visitor, &id).await?;
    let form = ListingForm {
        unit: "piece".into(),
        unit_quantity: "1".into(),
        stock: "0".into(),
        container: "none".into(),
        on_sale: Some("on".into()),
        ..ListingForm::default()
    };
    render(&form_page(&pages, &visitor, shop, None, form, FormErrors::default()).await?)
}

/// `POST /shop/{id}/listings/new`: the listing is made, or the form comes back with each
/// refusal beside its field.
pub async fn create(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    CsrfForm { form, .. }: CsrfForm<ListingForm>,
) -> Result<Response, PageError> {
    let (account, shop) = owned_shop(&pages, &visitor, &id).await?;
    let t = visitor.lang.texts();
    let refused = match parse(t, &form) {
        Err(errors) => errors,
        Ok(p) => {
            let new = NewListing {
                title: p.title,
                description: p.description,
                category: p.category,
                price_krw: p.price_krw,
                unit: p.unit,
                unit_quantity: p.unit_quantity,
                stock: p.stock,
                refill: p.refill,
                container: p.container,
                status: Some(p.status),
                unit_weight_grams: None,
                unit_volume_millilitres: None,
                packaging_grams: Some(p.packaging_grams),
                member_price_krw: p.member_price_krw,
            };
            match golmok_catalog::listing::create_listing(&pages.db, &account, &id, new).await {
                Ok(_) => return Ok(see_other(&format!("/shop/{id}/listings?saved=listing"))),
                Err(DomainError::Invalid(v)) => FormErrors::of(t, &v),
                Err(other) => return Err(other.into()),
            }
        }
    };
    let page = form_page(&pages, &visitor, shop, None, form, refused).await?;
    render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// `GET /shop/{id}/listings/{listing}/edit`: the listing's form, filled in.
pub async fn edit_form(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((id, listing_id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (_, shop) = owned_shop(&pages, &visitor, &id).await?;
    let listing = shop_listing(&pages, &shop, &listing_id).await?;
    let form = ListingForm::of(&listing);
    let page = form_page(
        &pages,
        &visitor,
        shop,
        Some(&listing_id),
        form,
        Default::default(),
    );
    render(&page.await?)
}

/// `POST /shop/{id}/listings/{listing}/edit`: every field saved, or the form back with each
/// refusal beside its field.
pub async fn update(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((id, listing_id)): Path<(String, String)>,
    CsrfForm { form, .. }: CsrfForm<ListingForm>,
) -> Result<Response, PageError> {
    let (account, shop) = owned_shop(&pages, &visitor, &id).await?;
    shop_listing(&pages, &shop, &listing_id).await?;
    let t = visitor.lang.texts();
    let refused = match parse(t, &form) {
        Err(errors) => errors,
        Ok(p) => {
            let patch = ListingPatch {
                title: Some(p.title),
                description: Some(p.description),
                category: Some(p.category),
                price_krw: Some(p.price_krw),
                unit: Some(p.unit),
                unit_quantity: Some(p.unit_quantity),
                stock: Some(p.stock),
                refill: Some(p.refill),
                container: Some(p.container),
                status: Some(p.status),
                unit_weight_grams: None,
                unit_volume_millilitres: None,
                packaging_grams: Some(p.packaging_grams),
                member_price_krw: Some(p.member_price_krw),
            };
            let cache = pages.cache.as_ref();
            let saved = golmok_catalog::listing::update_listing(
                &pages.db,
                cache,
                &account,
                &listing_id,
                patch,
            );
            match saved.await {
                Ok(_) => return Ok(see_other(&format!("/shop/{id}/listings?saved=listing"))),
                Err(DomainError::Invalid(v)) => FormErrors::of(t, &v),
                Err(other) => return Err(other.into()),
            }
        }
    };
    let page = form_page(&pages, &visitor, shop, Some(&listing_id), form, refused).await?;
    render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// A listing of this shop (another shop's is not found here).
async fn shop_listing(
    pages: &Pages,
    shop: &Merchant,
    listing_id: &str,
) -> Result<Listing, PageError> {
    let listing =
        golmok_catalog::listing::get_listing(&pages.db, pages.cache.as_ref(), listing_id).await?;
    if listing.merchant_id != shop.id || listing.status == ListingStatus::Archived {
        return Err(PageError::NotFound);
    }
    Ok(listing)
}

/// `POST /shop/{id}/listings/{listing}/photos` (a form with one file): the photo is added and
/// the owner is back on the listing's form, or the form says beside the photos why not.
pub async fn upload_photo(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((id, listing_id)): Path<(String, String)>,
    request: axum::extract::Request,
) -> Result<Response, PageError> {
    let (account, shop) = owned_shop(&pages, &visitor, &id).await?;
    shop_listing(&pages, &shop, &listing_id).await?;
    let t = visitor.lang.texts();
    let refused = match CsrfUpload::read(request, "photo", photo::MAX_BYTES).await {
        Err(PageError::TooLarge) => (StatusCode::PAYLOAD_TOO_LARGE, t.err_photo_size),
        Err(other) => return Err(other),
        Ok(upload) if upload.file.is_empty() => {
            (StatusCode::UNPROCESSABLE_ENTITY, t.err_photo_missing)
        }
        Ok(upload) => {
            let added = golmok_catalog::photos::add_photo(
                &pages.db,
                pages.cache.as_ref(),
                pages.store.as_ref(),
                &account,
                &listing_id,
                upload.file,
            );
            match added.await {
                Ok(_) => return Ok(see_other(&format!("/shop/{id}/listings/{listing_id}/edit"))),
                Err(DomainError::Invalid(_)) => {
                    (StatusCode::UNPROCESSABLE_ENTITY, t.err_photo_type)
                }
                Err(DomainError::TooLarge(_)) => (StatusCode::PAYLOAD_TOO_LARGE, t.err_photo_size),
                Err(DomainError::Conflict {
                    code: "too_many_photos",
                    ..
                }) => (StatusCode::CONFLICT, t.err_photo_count),
                Err(other) => return Err(other.into()),
            }
        }
    };
    let listing = shop_listing(&pages, &shop, &listing_id).await?;
    let form = ListingForm::of(&listing);
    let mut page = form_page(
        &pages,
        &visitor,
        shop,
        Some(&listing_id),
        form,
        Default::default(),
    )
    .await?;
    page.photo_error = Some(refused.1.to_owned());
    render_with(refused.0, &page)
}

/// `POST /shop/{id}/listings/{listing}/photos/{photo}/delete`.
pub async fn delete_photo(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((id, listing_id, photo_id)): Path<(String, String, String)>,
    CsrfForm { .. }: CsrfForm<std::collections::HashMap<String, String>>,
) -> Result<Response, PageError> {
    let (account, shop) = owned_shop(&pages, &visitor, &id).await?;
    shop_listing(&pages, &shop, &listing_id).await?;
    golmok_catalog::photos::delete_photo(
        &pages.db,
        pages.cache.as_ref(),
        pages.store.as_ref(),
        &account,
        &listing_id,
        &photo_id,
    )
    .await?;
    Ok(see_other(&format!("/shop/{id}/listings/{listing_id}/edit")))
}

/// The listing form's routes, beside the shop's console.
pub fn routes() -> axum::Router<crate::Pages> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/shop/{id}/listings/new", get(new_form).post(create))
        .route(
            "/shop/{id}/listings/{listing}/edit",
            get(edit_form).post(update),
        )
        .route(
            "/shop/{id}/listings/{listing}/photos",
            // A photo somewhat over 10 MB is read whole and refused on the page with its
            // reason; cutting the upload off would leave the browser a reset connection.
            post(upload_photo).layer(axum::extract::DefaultBodyLimit::max(4 * photo::MAX_BYTES)),
        )
        .route(
            "/shop/{id}/listings/{listing}/photos/{photo}/delete",
            post(delete_photo),
        )
}
