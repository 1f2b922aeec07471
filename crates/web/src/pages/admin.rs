//! The admin's desk for people: accounts of any role made by hand (coordinators and admins
//! cannot sign themselves up), support agencies made with the districts they run, and which
//! coordinators act for which agency. Networks have their own pages
//! ([`super::admin_networks`]).

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use golmok_accounts::{NewAccount, Registration, Role};
use golmok_catalog::agency::{AgencyKind, NewAgency};
use golmok_core::DomainError;
use serde::Deserialize;

use super::{Chrome, encode, refused_if, render_with, see_other};
use crate::Pages;
use crate::error::PageError;
use crate::session::{CsrfForm, Visitor, all_values};

pub struct AgencyRow {
    pub id: String,
    pub name: String,
    pub districts: String,
    pub coordinators: Vec<String>,
    /// Why the last assignment to this agency was not made.
    pub error: Option<&'static str>,
    /// A regional agency's districts to tick (its own ticked, others' disabled).
    pub boxes: Vec<DistrictBox>,
    /// Why the last change of this agency was not made.
    pub change_error: Option<&'static str>,
}

/// The account form as typed (the password is never sent back).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AccountForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
}

/// The agency form as typed; its districts are the ticked boxes.
#[derive(Debug, Clone, Deserialize)]
pub struct AgencyForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
}

impl Default for AgencyForm {
    fn default() -> Self {
        Self {
            name: String::new(),
            kind: "regional".into(),
        }
    }
}

pub struct DistrictBox {
    pub name: &'static str,
    /// The agency that runs it, which leaves it unticked and disabled.
    pub run_by: Option<String>,
    pub checked: bool,
}

/// A reset link just issued, shown once for the admin to hand over.
pub struct IssuedLink {
    pub name: String,
    pub email: String,
    pub address: String,
    pub until: String,
}

/// The desk's forms as typed, each with its refusals, and a reset link just issued.
#[derive(Default)]
struct Typed {
    reset_email: String,
    reset_error: Option<&'static str>,
    issued: Option<IssuedLink>,
    account: AccountForm,
    account_errors: BTreeMap<&'static str, &'static str>,
    agency: AgencyForm,
    districts: Vec<String>,
    agency_errors: BTreeMap<&'static str, &'static str>,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    c: Chrome,
    roles: Vec<(&'static str, &'static str)>,
    form: AccountForm,
    errors: BTreeMap<&'static str, &'static str>,
    agency: AgencyForm,
    districts: Vec<DistrictBox>,
    agency_errors: BTreeMap<&'static str, &'static str>,
    agencies: Vec<AgencyRow>,
    flash: Option<&'static str>,
    reset_email: String,
    reset_error: Option<&'static str>,
    issued: Option<IssuedLink>,
}

#[derive(Deserialize, Default)]
pub struct AdminQuery {
    made: Option<String>,
    agency_made: Option<String>,
    assigned: Option<String>,
    /// The agency an assignment was refused for, and `why`.
    not_assigned: Option<String>,
    why: Option<String>,
    /// The agency a change was refused for (`why` says why), or made for.
    not_changed: Option<String>,
    changed: Option<String>,
}

async fn page(
    pages: &Pages,
    visitor: &Visitor,
    typed: Typed,
    query: AdminQuery,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Admin)?;
    let t = visitor.lang.texts();
    let assigned = golmok_catalog::agency::coordinators_by_agency(&pages.db, account).await?;
    let ids: Vec<String> = assigned.values().flatten().cloned().collect();
    let names = golmok_accounts::names_of(&pages.db, &ids).await?;
    let listed = golmok_catalog::agency::list_agencies(&pages.db).await?;
    // Seoul's districts, each with the agency running it other than `own` (its box disabled),
    // ticked where `ticked` says.
    let boxes = |own: Option<&str>, ticked: &[String]| -> Vec<DistrictBox> {
        golmok_catalog::district::SEOUL
            .iter()
            .map(|d| DistrictBox {
                name: d.name,
                run_by: listed
                    .iter()
                    .filter(|a| Some(a.id.as_str()) != own)
                    .find(|a| a.districts.iter().any(|x| x == d.name))
                    .map(|a| a.name.clone()),
                checked: ticked.iter().any(|x| x == d.name),
            })
            .collect()
    };
    let districts = boxes(None, &typed.districts);
    let agencies = listed
        .iter()
        .map(|a| AgencyRow {
            boxes: if a.kind == AgencyKind::Regional {
                boxes(Some(&a.id), &a.districts)
            } else {
                Vec::new()
            },
            change_error: (query.not_changed.as_deref() == Some(a.id.as_str())).then_some(
                match query.why.as_deref() {
                    Some("district_has_consortia") => t.err_agency_keeps_district,
                    Some("agency_name_taken") => t.err_agency_taken,
                    _ => t.err_agency_districts,
                },
            ),
            coordinators: assigned
                .get(&a.id)
                .map(|ids| ids.iter().filter_map(|id| names.get(id).cloned()).collect())
                .unwrap_or_default(),
            error: (query.not_assigned.as_deref() == Some(a.id.as_str())).then_some(
                match query.why.as_deref() {
                    Some("not_a_coordinator") => t.err_not_coordinator,
                    _ => t.err_no_account,
                },
            ),
            districts: a.districts.join(", "),
            id: a.id.clone(),
            name: a.name.clone(),
        })
        .collect();
    let flash = if query.made.is_some() {
        Some(t.account_made)
    } else if query.agency_made.is_some() {
        Some(t.agency_made)
    } else if query.changed.is_some() {
        Some(t.agency_changed)
    } else {
        query.assigned.map(|_| t.coordinator_assigned)
    };
    render_with(
        refused_if(
            !typed.account_errors.is_empty()
                || !typed.agency_errors.is_empty()
                || typed.reset_error.is_some(),
        ),
        &AdminPage {
            roles: all_roles(t),
            form: typed.account,
            errors: typed.account_errors,
            agency: typed.agency,
            districts,
            agency_errors: typed.agency_errors,
            agencies,
            flash,
            reset_email: typed.reset_email,
            reset_error: typed.reset_error,
            issued: typed.issued,
            c: Chrome::load(pages, visitor).await?,
        },
    )
}

/// `GET /admin`.
pub async fn desk(
    State(pages): State<Pages>,
    visitor: Visitor,
    Query(query): Query<AdminQuery>,
) -> Result<Response, PageError> {
    let typed = Typed {
        account: AccountForm {
            role: Role::Coordinator.as_str().to_owned(),
            ..AccountForm::default()
        },
        ..Typed::default()
    };
    page(&pages, &visitor, typed, query).await
}

/// `POST /admin/accounts`: made, or the desk again with each refusal beside its field.
pub async fn make_account(
    State(pages): State<Pages>,
    visitor: Visitor,
    CsrfForm { form, .. }: CsrfForm<AccountForm>,
) -> Result<Response, PageError> {
    visitor.require(Role::Admin)?;
    let t = visitor.lang.texts();
    let Ok(role) = form.role.parse::<Role>() else {
        let typed = Typed {
            account: form,
            account_errors: BTreeMap::from([("role", t.err_check_field)]),
            ..Typed::default()
        };
        return page(&pages, &visitor, typed, AdminQuery::default()).await;
    };
    let new = NewAccount {
        email: form.email.clone(),
        password: form.password.clone(),
        name: form.name.clone(),
        role,
    };
    let errors = match golmok_accounts::register(&pages.db, new, Registration::Privileged).await {
        Ok(_) => return Ok(see_other("/admin?made=1")),
        Err(DomainError::Invalid(v)) => {
            v.0.iter()
                .map(|f| match f.field.as_str() {
                    "email" => ("email", t.err_email),
                    "password" => ("password", t.err_password),
                    "name" => ("name", t.err_name),
                    _ => ("role", t.err_check_field),
                })
                .collect()
        }
        Err(DomainError::Conflict { .. }) => BTreeMap::from([("email", t.email_taken)]),
        Err(e) => return Err(e.into()),
    };
    let typed = Typed {
        account: AccountForm {
            password: String::new(),
            ..form
        },
        account_errors: errors,
        ..Typed::default()
    };
    page(&pages, &visitor, typed, AdminQuery::default()).await
}

/// `POST /admin/agencies`: made, or the desk again with each refusal beside its field.
pub async fn make_agency(
    State(pages): State<Pages>,
    visitor: Visitor,
    CsrfForm { form, raw }: CsrfForm<AgencyForm>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Admin)?;
    let t = visitor.lang.texts();
    let districts = all_values(&raw, "district");
    let kind = match form.kind.as_str() {
        "regional" => Some(AgencyKind::Regional),
        "metropolitan" => Some(AgencyKind::Metropolitan),
        _ => None,
    };
    let errors = match kind {
        None => BTreeMap::from([("kind", t.err_check_field)]),
        Some(kind) => {
            let new = NewAgency {
                name: form.name.clone(),
                kind,
                districts: districts.clone(),
            };
            match golmok_catalog::agency::create_agency(&pages.db, account, new).await {
                Ok(_) => return Ok(see_other("/admin?agency_made=1")),
                Err(DomainError::Invalid(v)) => {
                    v.0.iter()
                        .map(|f| match f.field.as_str() {
                            "name" => ("agency_name", t.err_name),
                            _ => ("districts", t.err_agency_districts),
                        })
                        .collect()
                }
                Err(e) => match e.conflict_code() {
                    Some("district_taken") => {
                        BTreeMap::from([("districts", t.err_agency_districts)])
                    }
                    Some("metropolitan_agency_exists") => {
                        BTreeMap::from([("kind", t.err_agency_taken)])
                    }
                    Some(_) => BTreeMap::from([("agency_name", t.err_agency_taken)]),
                    None => return Err(e.into()),
                },
            }
        }
    };
    let typed = Typed {
        agency: form,
        districts,
        agency_errors: errors,
        ..Typed::default()
    };
    page(&pages, &visitor, typed, AdminQuery::default()).await
}

#[derive(Deserialize)]
pub struct AgencyNameForm {
    #[serde(default)]
    name: String,
}

/// `POST /admin/agencies/{id}`: the agency's name and (a regional one) its districts, the
/// ticked boxes; back to the desk saying so, or why not beside the agency.
pub async fn change_agency(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(agency_id): Path<String>,
    CsrfForm { form, raw }: CsrfForm<AgencyNameForm>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Admin)?;
    let current = golmok_catalog::agency::get_agency(&pages.db, &agency_id).await?;
    let changes = golmok_catalog::agency::AgencyChanges {
        name: Some(form.name),
        districts: (current.kind == AgencyKind::Regional).then(|| all_values(&raw, "district")),
    };
    let refused = |why: &str| {
        see_other(&format!(
            "/admin?not_changed={}&why={why}",
            encode(&agency_id)
        ))
    };
    match golmok_catalog::agency::update_agency(&pages.db, account, &agency_id, changes).await {
        Ok(_) => Ok(see_other("/admin?changed=1")),
        Err(DomainError::Invalid(_)) => Ok(refused("invalid")),
        Err(DomainError::Conflict { code, .. }) => Ok(refused(code)),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    email: String,
}

/// `POST /admin/agencies/{id}/coordinators`: a coordinator account, by its email, acts for
/// the agency from now on (moved from another if it acted for one).
pub async fn assign(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(agency_id): Path<String>,
    CsrfForm { form, .. }: CsrfForm<AssignForm>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Admin)?;
    let refused = |why: &str| {
        see_other(&format!(
            "/admin?not_assigned={}&why={why}",
            encode(&agency_id)
        ))
    };
    let coordinator = match golmok_accounts::find_by_email(&pages.db, &form.email).await {
        Ok(found) => found,
        Err(DomainError::NotFound { .. }) => return Ok(refused("no_account")),
        Err(e) => return Err(e.into()),
    };
    match golmok_catalog::agency::assign_coordinator(
        &pages.db,
        account,
        &agency_id,
        &coordinator.id,
    )
    .await
    {
        Ok(_) => Ok(see_other("/admin?assigned=1")),
        Err(DomainError::Invalid(_)) => Ok(refused("not_a_coordinator")),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    email: String,
}

/// `POST /admin/resets`: a one-time reset link for the account with that email, shown on
/// the desk (once: only its digest is kept) for the admin to hand over.
pub async fn issue_reset(
    State(pages): State<Pages>,
    visitor: Visitor,
    headers: axum::http::HeaderMap,
    CsrfForm { form, .. }: CsrfForm<ResetForm>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Admin)?;
    let t = visitor.lang.texts();
    let typed = match golmok_accounts::reset::issue(&pages.db, account, &form.email).await {
        Ok(issued) => Typed {
            issued: Some(IssuedLink {
                name: issued.account.name,
                email: issued.account.email,
                address: format!(
                    "{}/reset/{}",
                    super::public_base(&pages, &headers),
                    issued.token
                ),
                until: crate::format::seoul_time(visitor.lang, issued.expires_at),
            }),
            ..Typed::default()
        },
        Err(DomainError::Invalid(_)) => Typed {
            reset_email: form.email,
            reset_error: Some(t.err_no_account),
            ..Typed::default()
        },
        Err(e) => return Err(e.into()),
    };
    page(&pages, &visitor, typed, AdminQuery::default()).await
}

pub struct AccountRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: &'static str,
    pub since: String,
    pub suspended: bool,
    /// The admin's own row has no suspend button.
    pub own: bool,
}

#[derive(Template)]
#[template(path = "admin_accounts.html")]
struct AccountsPage {
    c: Chrome,
    q: String,
    role: String,
    roles: Vec<(&'static str, &'static str)>,
    rows: Vec<AccountRow>,
    /// The next page's query string, when there is one.
    more: Option<String>,
    flash: Option<&'static str>,
}

#[derive(Deserialize, Default)]
pub struct AccountsQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    role: String,
    cursor: Option<String>,
    suspended: Option<String>,
    reinstated: Option<String>,
}

/// `GET /admin/accounts[?q=&role=]`: accounts newest first, found by part of an email or a
/// name, with a button to suspend or reinstate each.
pub async fn accounts(
    State(pages): State<Pages>,
    visitor: Visitor,
    Query(query): Query<AccountsQuery>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Admin)?;
    let t = visitor.lang.texts();
    let role = query.role.parse::<Role>().ok();
    let found = golmok_accounts::list(
        &pages.db,
        account,
        &golmok_accounts::AccountQuery {
            q: Some(query.q.clone()),
            role,
            limit: 50,
            cursor: query.cursor.clone(),
        },
    )
    .await?;
    let rows = found
        .items
        .into_iter()
        .map(|a| AccountRow {
            role: crate::format::role(t, a.role),
            since: crate::format::seoul_date(visitor.lang, a.created_at),
            suspended: a.suspended_at.is_some(),
            own: a.id == account.id,
            id: a.id,
            name: a.name,
            email: a.email,
        })
        .collect();
    let more = found.next_cursor.map(|cursor| {
        format!(
            "q={}&role={}&cursor={}",
            encode(&query.q),
            encode(&query.role),
            encode(&cursor)
        )
    });
    let flash = if query.suspended.is_some() {
        Some(t.account_suspended_done)
    } else {
        query.reinstated.map(|_| t.account_reinstated)
    };
    super::render(&AccountsPage {
        roles: all_roles(t),
        q: query.q,
        role: role.map(|r| r.as_str().to_owned()).unwrap_or_default(),
        rows,
        more,
        flash,
        c: Chrome::load(&pages, &visitor).await?,
    })
}

fn all_roles(t: &crate::i18n::Texts) -> Vec<(&'static str, &'static str)> {
    [
        Role::Coordinator,
        Role::Admin,
        Role::Merchant,
        Role::Courier,
        Role::Shopper,
    ]
    .into_iter()
    .map(|r| (r.as_str(), crate::format::role(t, r)))
    .collect()
}

/// Where a suspend or reinstate button leads back to: the list as it was searched.
#[derive(Deserialize, Default)]
pub struct BackTo {
    #[serde(default)]
    q: String,
    #[serde(default)]
    role: String,
}

impl BackTo {
    fn back(&self, done: &str) -> Response {
        see_other(&format!(
            "/admin/accounts?q={}&role={}&{done}=1",
            encode(&self.q),
            encode(&self.role)
        ))
    }
}

/// `POST /admin/accounts/{id}/suspend`.
pub async fn suspend(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    CsrfForm { form, .. }: CsrfForm<BackTo>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Admin)?;
    golmok_catalog::suspension::suspend_account(&pages.db, pages.cache.as_ref(), account, &id)
        .await?;
    Ok(form.back("suspended"))
}

/// `POST /admin/accounts/{id}/reinstate`.
pub async fn reinstate(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    CsrfForm { form, .. }: CsrfForm<BackTo>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Admin)?;
    golmok_catalog::suspension::reinstate_account(&pages.db, pages.cache.as_ref(), account, &id)
        .await?;
    Ok(form.back("reinstated"))
}

pub fn routes() -> axum::Router<crate::Pages> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/admin", get(desk))
        .route("/admin/accounts", get(accounts).post(make_account))
        .route("/admin/accounts/{id}/suspend", post(suspend))
        .route("/admin/accounts/{id}/reinstate", post(reinstate))
        .route("/admin/agencies", post(make_agency))
        .route("/admin/agencies/{id}", post(change_agency))
        .route("/admin/resets", post(issue_reset))
        .route("/admin/agencies/{id}/coordinators", post(assign))
}
