//! Who may call what: every route of the API, called by each of eleven callers, answers the
//! status this table says — and a refused call writes nothing.
//!
//! The callers, in the order they call (strangers first, so that a write by someone entitled
//! to it never changes what a stranger meets): anonymous; another shopper; another merchant
//! (with a shop of their own); another courier; a coordinator of another agency; a
//! coordinator of the metropolitan agency; then the shopper the order is theirs; the merchant
//! whose shop sells in it; the courier who rides it; a coordinator of the agency that runs
//! the consortium; an admin.
//!
//! Every operation in the OpenAPI document must have a row, and every row an operation: a
//! route added without its row fails this test. `GOLMOK_RECORD_PERMISSIONS=1` prints what
//! each caller got, in the table's own format, for reviewing a new route's row.

use std::collections::{BTreeMap, BTreeSet};

use golmok_e2e::demo::{login, tofu_delivery};
use golmok_e2e::{Engine, TestApp, on_both_engines};
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, FromQueryResult, JsonValue, Statement};
use serde_json::{Value, json};

on_both_engines!(every_route_answers_each_caller_as_the_table_says);

const CALLERS: [&str; 11] = [
    "anonymous",
    "another shopper",
    "another merchant",
    "another courier",
    "coordinator of another agency",
    "metropolitan coordinator",
    "the shopper",
    "the merchant",
    "the courier",
    "the agency's coordinator",
    "admin",
];

/// One route: its method, its path as the OpenAPI document spells it, the path called (with
/// the fixture's ids as `{placeholders}`), the JSON body sent (`""` for none), and what each
/// caller gets, in [`CALLERS`] order.
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

#[rustfmt::skip]
const TABLE: &[Row] = &[
    // The server itself: open to all.
    ("GET", "/healthz", "/healthz", "", "200 200 200 200 200 200 200 200 200 200 200"),
    ("GET", "/readyz", "/readyz", "", "200 200 200 200 200 200 200 200 200 200 200"),
    ("GET", "/metrics", "/metrics", "", "200 200 200 200 200 200 200 200 200 200 200"),
    // Accounts. An admin makes accounts of any role; anyone signs up as a shopper.
    ("GET", "/v1/me", "/v1/me", "", "401 200 200 200 200 200 200 200 200 200 200"),
    ("PATCH", "/v1/me", "/v1/me", r#"{"name": "이름 {n}"}"#, "401 200 200 200 200 200 200 200 200 200 200"),
    ("POST", "/v1/me/password", "/v1/me/password", r#"{"current_password": "not it", "new_password": "a long new password"}"#, "401 422 422 422 422 422 422 422 422 422 422"),
    ("POST", "/v1/me/email", "/v1/me/email", r#"{"current_password": "not it", "email": "someone.new@example.kr"}"#, "401 422 422 422 422 422 422 422 422 422 422"),
    ("POST", "/v1/auth/login", "/v1/auth/login", r#"{"email": "shopper@demo.golmok.kr", "password": "golmok-demo"}"#, "200 200 200 200 200 200 200 200 200 200 200"),
    ("POST", "/v1/auth/signup", "/v1/auth/signup", r#"{"email": "signup-{n}@example.com", "password": "a long password", "name": "가입", "role": "shopper"}"#, "201 201 201 201 201 201 201 201 201 201 201"),
    ("POST", "/v1/admin/accounts", "/v1/admin/accounts", r#"{"email": "made-{n}@example.com", "password": "a long password", "name": "만든 계정", "role": "shopper"}"#, "401 403 403 403 403 403 403 403 403 403 201"),
    // Agencies: read by all, made and staffed by admins.
    ("GET", "/v1/agencies", "/v1/agencies", "", "200 200 200 200 200 200 200 200 200 200 200"),
    ("GET", "/v1/agencies/{id}", "/v1/agencies/{agency}", "", "200 200 200 200 200 200 200 200 200 200 200"),
    ("PATCH", "/v1/agencies/{id}", "/v1/agencies/{agency}", r#"{}"#, "401 403 403 403 403 403 403 403 403 403 200"),
    ("POST", "/v1/agencies", "/v1/agencies", r#"{"name": "새 지원기관 {n}", "kind": "regional", "districts": ["강동구"]}"#, "401 403 403 403 403 403 403 403 403 403 201"),
    ("POST", "/v1/agencies/{id}/coordinators", "/v1/agencies/{agency}/coordinators", r#"{"account_id": "{spare_coordinator}"}"#, "401 403 403 403 403 403 403 403 403 403 200"),
    // The programme: the consortium's own agency records it, the metropolitan agency reads
    // it, the consortium's members read its projects and events and record their stall's
    // sales; coordinators elsewhere get 403. Before the consortia's rows: the other merchant's
    // shop is not a member yet.
    // Alley pages and stamp tours: public to read; the consortium's agency makes them; a
    // member shop reads its own stamp code; anyone signed in takes a stamp.
    ("POST", "/v1/consortia/{id}/tours", "/v1/consortia/{consortium}/tours", r#"{"kind": "alley", "title": "골목 {n}", "stops": [{"merchant_id": "{shop}"}]}"#, "401 403 403 403 403 403 403 403 403 201 201"),
    ("GET", "/v1/consortia/{id}/tours", "/v1/consortia/{consortium}/tours", "", "200 200 200 200 200 200 200 200 200 200 200"),
    ("GET", "/v1/tours", "/v1/tours", "", "200 200 200 200 200 200 200 200 200 200 200"),
    ("GET", "/v1/tours/{id}", "/v1/tours/{tour}", "", "200 200 200 200 200 200 200 200 200 200 200"),
    ("PATCH", "/v1/tours/{id}", "/v1/tours/{tour}", r#"{"story": "이야기 {n}"}"#, "401 403 403 403 403 403 403 403 403 200 200"),
    ("GET", "/v1/tours/{id}/codes", "/v1/tours/{tour}/codes", "", "401 403 403 403 403 403 403 200 403 200 200"),
    ("POST", "/v1/tours/{id}/stamps", "/v1/tours/{tour}/stamps", r#"{"code": "{stamp_code}"}"#, "401 201 201 201 201 201 201 201 201 201 201"),
    ("GET", "/v1/tours/{id}/stamps", "/v1/tours/{tour}/stamps", "", "401 200 200 200 200 200 200 200 200 200 200"),
    ("GET", "/v1/me/coupons", "/v1/me/coupons", "", "401 200 200 200 200 200 200 200 200 200 200"),
    ("POST", "/v1/tours/{id}/photos", "/v1/tours/{tour}/photos?caption=%EA%B3%A8%EB%AA%A9", "<a photo>", "401 403 403 403 403 403 403 403 403 201 201"),
    ("GET", "/v1/tours/{id}/photos/{photo_id}", "/v1/tours/{tour}/photos/tph_nobodys", "", "404 404 404 404 404 404 404 404 404 404 404"),
    // Member-to-member trade: a shop's owner buys and sells for it; either side reads an
    // order, each step is its side's (the tofu shop sells in the fixture's orders).
    ("POST", "/v1/merchants/{id}/member-orders", "/v1/merchants/{shop}/member-orders", r#"{"seller_merchant_id": "{buyer_shop}", "lines": [{"listing_id": "{buyer_listing}", "quantity": {buyer_quantity}}]}"#, "401 403 403 403 403 403 403 201 403 403 201"),
    ("GET", "/v1/merchants/{id}/member-orders", "/v1/merchants/{shop}/member-orders", "", "401 403 403 403 403 403 403 200 403 403 200"),
    ("GET", "/v1/member-orders/{id}", "/v1/member-orders/{member_order}", "", "401 404 404 404 404 404 404 200 404 404 200"),
    ("POST", "/v1/member-orders/{id}/accept", "/v1/member-orders/{member_order}/accept", "", "401 404 404 404 404 404 404 200 404 404 200"),
    ("POST", "/v1/member-orders/{id}/hand-over", "/v1/member-orders/{member_order}/hand-over", "", "401 404 404 404 404 404 404 200 404 404 200"),
    ("POST", "/v1/member-orders/{id}/reject", "/v1/member-orders/{member_order_2}/reject", "", "401 404 404 404 404 404 404 200 404 404 200"),
    ("POST", "/v1/member-orders/{id}/cancel", "/v1/member-orders/{member_order_3}/cancel", "", "401 404 404 404 404 404 404 403 404 404 200"),
    ("GET", "/v1/merchants/{id}/member-statements", "/v1/merchants/{shop}/member-statements", "", "401 403 403 403 403 403 403 200 403 403 200"),
    ("POST", "/v1/merchants/{id}/member-statements/{buyer_id}/settlements", "/v1/merchants/{shop}/member-statements/{buyer_shop}/settlements", r#"{"month": "{month}", "amount_krw": 1}"#, "401 403 403 403 403 403 403 201 403 403 201"),
    ("POST", "/v1/consortia/{id}/projects", "/v1/consortia/{consortium}/projects", r#"{"kind": "branding", "title": "골목 간판 {n}", "budget_krw": 1000000}"#, "401 403 403 403 403 403 403 403 403 201 201"),
    ("GET", "/v1/consortia/{id}/projects", "/v1/consortia/{consortium}/projects", "", "401 403 403 403 403 200 403 200 403 200 200"),
    ("GET", "/v1/projects/{id}", "/v1/projects/{project}", "", "401 403 403 403 403 200 403 200 403 200 200"),
    ("PATCH", "/v1/projects/{id}", "/v1/projects/{project}", r#"{"status": "running"}"#, "401 403 403 403 403 403 403 403 403 200 200"),
    ("POST", "/v1/projects/{id}/milestones", "/v1/projects/{project}/milestones", r#"{"title": "시안 {n}", "due_on": "2030-01-01"}"#, "401 403 403 403 403 403 403 403 403 201 201"),
    ("PATCH", "/v1/projects/{id}/milestones/{milestone_id}", "/v1/projects/{project}/milestones/{milestone}", r#"{"status": "done"}"#, "401 403 403 403 403 403 403 403 403 200 200"),
    ("POST", "/v1/projects/{id}/files", "/v1/projects/{project}/files?name=%EC%8B%9C%EC%95%88", "<a photo>", "401 403 403 403 403 403 403 403 403 201 201"),
    ("GET", "/v1/projects/{id}/files/{file_id}", "/v1/projects/{project}/files/pfl_nobodys", "", "401 403 403 403 403 404 403 404 403 404 404"),
    ("POST", "/v1/projects/{id}/spending", "/v1/projects/{project}/spending", r#"{"amount_krw": 1000, "spent_on": "2026-11-30", "note": "인쇄"}"#, "401 403 403 403 403 403 403 403 403 201 201"),
    ("POST", "/v1/agencies/{id}/support-sessions", "/v1/agencies/{agency}/support-sessions", r#"{"kind": "education", "held_on": "2026-11-30", "hours": 1.5, "consortium_id": "{consortium}", "merchant_ids": ["{shop}"]}"#, "401 403 403 403 403 403 403 403 403 201 201"),
    ("GET", "/v1/agencies/{id}/support-sessions", "/v1/agencies/{agency}/support-sessions", "", "401 403 403 403 403 200 403 403 403 200 200"),
    ("GET", "/v1/agencies/{id}/support-totals", "/v1/agencies/{agency}/support-totals", "", "401 403 403 403 403 200 403 403 403 200 200"),
    ("PUT", "/v1/campaigns/{id}/shops", "/v1/campaigns/{event}/shops", r#"{"merchant_ids": ["{shop}"]}"#, "401 403 403 403 403 403 403 403 403 200 200"),
    ("POST", "/v1/campaigns/{id}/stall-sales", "/v1/campaigns/{event}/stall-sales", r#"{"merchant_id": "{shop}", "amount_krw": 5000, "description": "두부 한 판", "payment_method": "cash"}"#, "401 404 404 404 404 404 404 201 404 404 201"),
    ("GET", "/v1/campaigns/{id}/stall-sales", "/v1/campaigns/{event}/stall-sales?merchant_id={shop}", "", "401 403 403 403 403 200 403 200 403 200 200"),
    ("POST", "/v1/campaigns/{id}/visitors", "/v1/campaigns/{event}/visitors", r#"{"visitors": 12}"#, "401 403 403 403 403 403 403 403 403 201 201"),
    ("GET", "/v1/campaigns/{id}/figures", "/v1/campaigns/{event}/figures", "", "401 403 403 403 403 200 403 200 403 200 200"),
    ("GET", "/v1/reports/programme", "/v1/reports/programme", "", "401 403 403 403 403 200 403 403 403 403 200"),
    ("GET", "/v1/reports/agencies/{id}", "/v1/reports/agencies/{agency}", "", "401 403 403 403 403 200 403 403 403 200 200"),
    ("GET", "/v1/reports/consortia/{id}/programme", "/v1/reports/consortia/{consortium}/programme?by=week", "", "401 403 403 403 403 200 403 403 403 200 200"),
    // Consortia: coordinators of the agency running the district manage them, and the
    // metropolitan agency's coordinators manage every one (agency::ensure_manages).
    ("GET", "/v1/consortia", "/v1/consortia", "", "200 200 200 200 200 200 200 200 200 200 200"),
    ("GET", "/v1/consortia/{id}", "/v1/consortia/{consortium}", "", "200 200 200 200 200 200 200 200 200 200 200"),
    ("GET", "/v1/consortia/{id}/member-candidates", "/v1/consortia/{consortium}/member-candidates?q=%EB%91%90%EB%B6%80", "", "401 403 403 403 403 200 403 403 403 200 200"),
    ("GET", "/v1/consortia/{id}/membership-events", "/v1/consortia/{consortium}/membership-events", "", "200 200 200 200 200 200 200 200 200 200 200"),
    ("POST", "/v1/consortia", "/v1/consortia", r#"{"name": "새 협의체 {n}", "district": "마포구"}"#, "401 403 403 403 403 201 403 403 403 201 201"),
    ("PATCH", "/v1/consortia/{id}", "/v1/consortia/{consortium}", r#"{"network_id": "{network}"}"#, "401 403 403 403 403 200 403 403 403 200 200"),
    ("POST", "/v1/consortia/{id}/members", "/v1/consortia/{consortium}/members", r#"{"merchant_id": "{spare_shop}"}"#, "401 403 403 403 403 201 403 403 403 409 409"),
    ("GET", "/v1/reports/consortia/{id}", "/v1/reports/consortia/{consortium}", "", "401 403 403 403 403 200 403 403 403 200 200"),
    ("POST", "/v1/campaigns", "/v1/campaigns", r#"{"consortium_id": "{consortium}", "kind": "promotion", "title": "장날 {n}", "starts_at": "2030-01-01T00:00:00Z", "ends_at": "2030-01-02T00:00:00Z"}"#, "401 403 403 403 403 201 403 403 403 201 201"),
    ("GET", "/v1/campaigns", "/v1/campaigns", "", "200 200 200 200 200 200 200 200 200 200 200"),
    ("GET", "/v1/campaigns/{id}", "/v1/campaigns/{event}", "", "200 200 200 200 200 200 200 200 200 200 200"),
    ("PATCH", "/v1/campaigns/{id}", "/v1/campaigns/{event}", r#"{"place": "망원시장 입구"}"#, "401 403 403 403 403 200 403 403 403 200 200"),
    // Shops and listings: their owner and admins.
    ("GET", "/v1/merchants", "/v1/merchants", "", "200 200 200 200 200 200 200 200 200 200 200"),
    ("GET", "/v1/merchants/{id}", "/v1/merchants/{shop}", "", "200 200 200 200 200 200 200 200 200 200 200"),
    ("POST", "/v1/merchants", "/v1/merchants", r#"{"name": "새 가게 {n}", "kind": "small_business", "location": {"lat": 37.556, "lon": 126.906}, "address": "망원로 1"}"#, "401 403 201 403 403 403 403 201 403 403 201"),
    ("PATCH", "/v1/merchants/{id}", "/v1/merchants/{shop}", r#"{"address": "서울 마포구 망원로 8길 21"}"#, "401 403 403 403 403 403 403 200 403 403 200"),
    ("GET", "/v1/merchants/{id}/listings", "/v1/merchants/{shop}/listings", "", "401 403 403 403 403 403 403 200 403 403 200"),
    ("POST", "/v1/merchants/{id}/listings", "/v1/merchants/{shop}/listings", r#"{"title": "두부 {n}", "price_krw": 3000, "unit": "piece", "unit_quantity": 1, "stock": 5, "refill": false}"#, "401 403 403 403 403 403 403 201 403 403 201"),
    ("GET", "/v1/merchants/{id}/orders", "/v1/merchants/{shop}/orders", "", "401 403 403 403 403 403 403 200 403 403 200"),
    ("GET", "/v1/merchants/{id}/events", "/v1/merchants/{shop}/events", "", "401 403 403 403 403 403 403 200 403 403 200"),
    ("GET", "/v1/merchants/{id}/payouts", "/v1/merchants/{shop}/payouts", "", "401 403 403 403 403 403 403 200 403 403 200"),
    ("POST", "/v1/merchants/{id}/payouts", "/v1/merchants/{shop}/payouts", r#"{}"#, "401 403 403 403 403 403 403 403 403 403 201"),
    // Whom an admin pays next.
    ("GET", "/v1/admin/payouts", "/v1/admin/payouts", "", "401 403 403 403 403 403 403 403 403 403 200"),
    // Claims: a shop answers its own once (an admin finds it answered); the shopper claims
    // about their own collected part (someone else's order is as good as none); an order's
    // claims for its shopper, its shops and admins; a shop's for its owner.
    ("POST", "/v1/claims/{id}/answer", "/v1/claims/{claim}/answer", r#"{"refund_krw": 1000, "answer": "죄송합니다"}"#, "401 403 403 403 403 403 403 200 403 403 409"),
    ("POST", "/v1/merchant-orders/{id}/claims", "/v1/merchant-orders/{claim_part}/claims", r#"{"reason": "남은 두부도 상했어요"}"#, "401 404 404 404 404 404 201 404 404 404 404"),
    ("POST", "/v1/claims/{id}/photos", "/v1/claims/{claim}/photos", "<a photo>", "401 404 404 404 404 404 409 404 404 404 404"),
    ("GET", "/v1/claims/{id}/photos/{photo_id}", "/v1/claims/{claim}/photos/cph_nobodys", "", "401 404 404 404 404 404 404 404 404 404 404"),
    ("GET", "/v1/orders/{id}/claims", "/v1/orders/{claim_order}/claims", "", "401 404 404 404 404 404 200 200 404 404 200"),
    ("GET", "/v1/merchants/{id}/claims", "/v1/merchants/{shop}/claims", "", "401 403 403 403 403 403 403 200 403 403 200"),
    ("GET", "/v1/admin/claims", "/v1/admin/claims", "", "401 403 403 403 403 403 403 403 403 403 200"),
    // A network's payouts: read by those who run it, paid by an admin.
    ("GET", "/v1/networks/{id}/payouts", "/v1/networks/{network}/payouts", "", "401 403 403 403 403 200 403 403 403 200 200"),
    ("POST", "/v1/networks/{id}/payouts", "/v1/networks/{network}/payouts", r#"{}"#, "401 403 403 403 403 403 403 403 403 403 201"),
    ("POST", "/v1/merchants/{id}/payout-account", "/v1/merchants/{shop}/payout-account", r#"{}"#, "401 403 403 403 403 403 403 409 403 403 403"),
    ("GET", "/v1/listings", "/v1/listings", "", "200 200 200 200 200 200 200 200 200 200 200"),
    ("GET", "/v1/listings/{id}", "/v1/listings/{listing}", "", "200 200 200 200 200 200 200 200 200 200 200"),
    ("PATCH", "/v1/listings/{id}", "/v1/listings/{listing}", r#"{"stock": 500}"#, "401 403 403 403 403 403 403 200 403 403 200"),
    ("POST", "/v1/listings/{id}/photos", "/v1/listings/{spare_listing}/photos", "<a photo>", "401 403 403 403 403 403 403 201 403 403 201"),
    ("DELETE", "/v1/listings/{id}/photos/{photo_id}", "/v1/listings/{spare_listing}/photos/{photo}", "", "401 403 403 403 403 403 403 204 403 403 404"),
    // Orders: a stranger's order is not found; an admin acts as anyone; a merchant order
    // answers only to its shop.
    ("GET", "/v1/orders", "/v1/orders", "", "401 200 200 200 200 200 200 200 200 200 200"),
    ("POST", "/v1/orders", "/v1/orders", r#"{"consortium_id": "{consortium}", "items": [{"listing_id": "{listing}", "quantity": 1}], "fulfillment": {"kind": "pickup"}, "payment": {"provider": "offline"}}"#, "401 201 403 403 403 403 201 403 403 403 201"),
    ("GET", "/v1/orders/{id}", "/v1/orders/{order}", "", "401 404 404 404 404 404 200 200 404 404 200"),
    ("GET", "/v1/orders/{id}/events", "/v1/orders/{order}/events", "", "401 404 404 404 404 404 200 200 404 404 200"),
    ("POST", "/v1/orders/{id}/payment/received", "/v1/orders/{order}/payment/received", r#"{}"#, "401 403 403 403 403 403 403 403 403 403 200"),
    ("POST", "/v1/orders/{id}/refunds", "/v1/orders/{order}/refunds", r#"{"reason": "표 검사", "amount_krw": 100}"#, "401 403 403 403 403 403 403 403 403 403 201"),
    ("GET", "/v1/admin/refused-payment-calls", "/v1/admin/refused-payment-calls", "", "401 403 403 403 403 403 403 403 403 403 200"),
    ("POST", "/v1/merchant-orders/{id}/accept", "/v1/merchant-orders/{part}/accept", r#"{}"#, "401 404 404 404 404 404 404 409 404 404 409"),
    ("POST", "/v1/merchant-orders/{id}/reject", "/v1/merchant-orders/{part}/reject", r#"{"reason": "재고 없음"}"#, "401 404 404 404 404 404 404 409 404 404 409"),
    ("POST", "/v1/merchant-orders/{id}/weigh", "/v1/merchant-orders/{part}/weigh", r#"{"lines": [{"line_id": "{line}", "net_quantity": 1}]}"#, "401 404 404 404 404 404 404 409 404 404 409"),
    ("POST", "/v1/merchant-orders/{id}/lines/{line_id}/container-return", "/v1/merchant-orders/{part}/lines/{line}/container-return", r#"{"received_by": "shop"}"#, "401 403 404 403 403 403 403 409 403 403 409"),
    // Only the order's shopper answers a weighing question; the fixture's line has none.
    ("POST", "/v1/merchant-orders/{id}/lines/{line_id}/approval", "/v1/merchant-orders/{part}/lines/{line}/approval", r#"{"decision": "approve"}"#, "401 404 404 404 404 404 404 404 404 404 404"),
    ("POST", "/v1/merchant-orders/{id}/ready", "/v1/merchant-orders/{part}/ready", r#"{}"#, "401 404 404 404 404 404 404 409 404 404 409"),
    ("POST", "/v1/merchant-orders/{id}/collect", "/v1/merchant-orders/{part}/collect", r#"{}"#, "401 404 404 404 404 404 404 409 404 404 409"),
    ("POST", "/v1/merchant-orders/{id}/pickup", "/v1/merchant-orders/{part}/pickup", r#"{}"#, "401 404 404 404 404 409 409 404 404 409 409"),
    // The courier's, before any re-planning replaces the batch.
    ("GET", "/v1/couriers/me/batches", "/v1/couriers/me/batches", "", "401 403 403 403 403 403 403 403 200 403 403"),
    ("GET", "/v1/couriers/me/handed-over", "/v1/couriers/me/handed-over", "", "401 403 403 403 403 403 403 403 200 403 403"),
    ("GET", "/v1/couriers/me/events", "/v1/couriers/me/events", "", "401 403 403 200 403 403 403 403 200 403 200"),
    ("POST", "/v1/batches/{id}/start", "/v1/batches/{batch}/start", r#"{}"#, "401 403 403 404 403 403 403 403 200 403 404"),
    ("POST", "/v1/batches/{id}/courier", "/v1/batches/{batch}/courier", r#"{"courier_id": "{courier}"}"#, "401 403 403 403 403 422 403 403 403 422 422"),
    ("POST", "/v1/batches/{id}/position", "/v1/batches/{batch}/position", r#"{"location": {"lat": 37.556, "lon": 126.905}}"#, "401 403 403 404 403 403 403 403 200 403 404"),
    // Proof files: taken by the stop's courier (an admin may), read by its courier, the
    // network's dispatchers and admins; the fixture's file id is nobody's.
    ("POST", "/v1/stops/{id}/proof-files", "/v1/stops/{pickup_stop}/proof-files?kind=photo", "<a photo>", "401 403 403 403 403 403 403 403 201 403 201"),
    ("GET", "/v1/stops/{id}/proof-files/{file_id}", "/v1/stops/{pickup_stop}/proof-files/prf_nobodys", "", "401 404 404 404 404 404 404 404 404 404 404"),
    ("POST", "/v1/stops/{id}/complete", "/v1/stops/{pickup_stop}/complete", r#"{"proof": {"kind": "code", "value": "0000"}}"#, "401 403 403 403 403 403 403 403 422 403 422"),
    ("POST", "/v1/stops/{id}/fail", "/v1/stops/{dropoff_stop}/fail", r#"{"reason": "nobody_home"}"#, "401 403 403 403 403 403 403 403 200 403 409"),
    // Dispatch: the network's agency (and the metropolitan agency), admins.
    ("POST", "/v1/merchant-orders/{id}/reschedule", "/v1/merchant-orders/{part}/reschedule", r#"{"slot_id": "{slot}"}"#, "401 404 404 404 404 409 422 404 404 409 422"),
    ("POST", "/v1/merchant-orders/{id}/courier", "/v1/merchant-orders/{part}/courier", r#"{"courier_id": "{courier}"}"#, "401 403 403 403 403 409 403 403 403 409 409"),
    ("GET", "/v1/networks", "/v1/networks", "", "200 200 200 200 200 200 200 200 200 200 200"),
    ("GET", "/v1/networks/{id}", "/v1/networks/{network}", "", "200 200 200 200 200 200 200 200 200 200 200"),
    ("PATCH", "/v1/networks/{id}", "/v1/networks/{network}", r#"{"delivery_fee_krw": 3000}"#, "401 403 403 403 403 403 403 403 403 403 200"),
    ("POST", "/v1/networks/{id}/waves", "/v1/networks/{network}/waves", r#"{"name": "야간 {n}", "start": "20:00", "end": "21:00", "cutoff": "19:00"}"#, "401 403 403 403 403 403 403 403 403 403 201"),
    ("PUT", "/v1/networks/{id}/waves/{wave_id}", "/v1/networks/{network}/waves/{wave}", r#"{"name": "점심", "start": "11:30", "end": "13:30", "cutoff": "10:30"}"#, "401 403 403 403 403 403 403 403 403 403 409"),
    ("POST", "/v1/networks/{id}/waves/{wave_id}/retire", "/v1/networks/{network}/waves/{wave}/retire", "", "401 403 403 403 403 403 403 403 403 403 200"),
    ("POST", "/v1/networks/{id}/waves/{wave_id}/restore", "/v1/networks/{network}/waves/{wave}/restore", "", "401 403 403 403 403 403 403 403 403 403 200"),
    ("GET", "/v1/networks/{id}/slots", "/v1/networks/{network}/slots?date={date}", "", "200 200 200 200 200 200 200 200 200 200 200"),
    ("POST", "/v1/networks", "/v1/networks", r#"{"name": "새 공동배송 {n}", "hub": {"lat": 37.556, "lon": 126.906}, "area": {"type": "Polygon", "coordinates": [[[126.88, 37.54], [126.94, 37.54], [126.94, 37.58], [126.88, 37.58], [126.88, 37.54]]]}, "waves": [{"name": "점심", "start": "11:00", "end": "13:00", "cutoff": "10:00"}]}"#, "401 403 403 403 403 403 403 403 403 403 201"),
    ("GET", "/v1/networks/{id}/slots/{slot_id}/plan", "/v1/networks/{network}/slots/{slot}/plan", "", "401 403 403 403 403 200 403 403 403 200 200"),
    ("GET", "/v1/networks/{id}/slots/{slot_id}/left-out", "/v1/networks/{network}/slots/{slot}/left-out", "", "401 403 403 403 403 200 403 403 403 200 200"),
    ("POST", "/v1/networks/{id}/slots/{slot_id}/plan", "/v1/networks/{network}/slots/{slot}/plan", r#"{}"#, "401 403 403 403 403 200 403 403 403 200 200"),
    ("POST", "/v1/couriers", "/v1/couriers", r#"{"account_id": "{spare_courier}", "network_id": "{network}", "vehicle": "cargo_bike", "capacity": {"kg": 60, "liters": 120}, "shift": {"start": "00:00", "end": "23:59"}}"#, "401 403 403 403 403 201 403 403 403 409 409"),
    // Stripe is not configured here: its webhook is not found for anyone.
    ("POST", "/v1/webhooks/stripe", "/v1/webhooks/stripe", r#"{}"#, "404 404 404 404 404 404 404 404 404 404 404"),
    // What takes something away, last.
    ("POST", "/v1/orders/{id}/cancel", "/v1/orders/{order}/cancel", r#"{}"#, "401 404 404 404 404 404 409 404 404 404 409"),
    ("POST", "/v1/campaigns/{id}/cancel", "/v1/campaigns/{promotion}/cancel", r#"{}"#, "401 403 403 403 403 200 403 403 403 200 200"),
    ("DELETE", "/v1/listings/{id}", "/v1/listings/{spare_listing}", "", "401 403 403 403 403 403 403 204 403 403 409"),
    ("DELETE", "/v1/consortia/{id}/members/{merchant_id}", "/v1/consortia/{consortium}/members/{spare_shop}", "", "401 403 403 403 403 200 403 403 403 404 404"),
    ("PUT", "/v1/couriers/{id}", "/v1/couriers/{spare_courier_id}", r#"{"vehicle": "cargo_bike", "capacity": {"kg": 50, "liters": 100}, "shift": {"start": "09:00", "end": "18:00"}}"#, "401 403 403 403 403 200 403 403 403 200 200"),
    ("GET", "/v1/admin/accounts", "/v1/admin/accounts?role=courier", "", "401 403 403 403 403 403 403 403 403 403 200"),
    ("POST", "/v1/admin/accounts/{id}/suspend", "/v1/admin/accounts/acc_nobody/suspend", r#"{}"#, "401 403 403 403 403 403 403 403 403 403 404"),
    ("POST", "/v1/admin/accounts/{id}/reinstate", "/v1/admin/accounts/acc_nobody/reinstate", r#"{}"#, "401 403 403 403 403 403 403 403 403 403 404"),
    ("POST", "/v1/admin/password-resets", "/v1/admin/password-resets", r#"{"email": "shopper@demo.golmok.kr"}"#, "401 403 403 403 403 403 403 403 403 403 201"),
    ("POST", "/v1/password-resets/{token}", "/v1/password-resets/gmr_unknown", r#"{"password": "a long new password"}"#, "404 404 404 404 404 404 404 404 404 404 404"),
    ("POST", "/v1/couriers/{id}/withdraw", "/v1/couriers/{spare_courier_id}/withdraw", r#"{}"#, "401 403 403 403 403 200 404 404 404 404 404"),
    ("POST", "/v1/auth/logout", "/v1/auth/logout", r#"{}"#, "401 204 204 204 204 204 204 204 204 204 204"),
];

/// A body that is a photo rather than JSON.
const PHOTO: &str = "<a photo>";

fn tiny_png() -> Vec<u8> {
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(image::RgbImage::new(8, 8))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    png
}

/// What the callers act on: ids by placeholder, and each caller's token.
struct Fixture {
    ids: BTreeMap<&'static str, String>,
    tokens: Vec<Option<String>>,
}

async fn created_account(app: &TestApp, admin: &str, role: &str) -> (String, String) {
    let email = format!("{role}-{}@example.com", uuid::Uuid::new_v4().simple());
    let made = app
        .post(
            "/v1/admin/accounts",
            Some(admin),
            &json!({"email": email, "password": "a long password", "name": role, "role": role}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let token = app
        .post(
            "/v1/auth/login",
            None,
            &json!({"email": email, "password": "a long password"}),
        )
        .await
        .body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    (made.body["id"].as_str().unwrap().to_owned(), token)
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_owned()
}

async fn fixture(app: &TestApp) -> Fixture {
    golmok_e2e::demo::seeded(app).await;
    let admin = login(app, "admin@demo.golmok.kr").await;
    let shopper = login(app, "shopper@demo.golmok.kr").await;
    let merchant = login(app, "merchant@demo.golmok.kr").await;
    let coordinator = login(app, "coordinator@demo.golmok.kr").await;
    let (other_shopper, _) = app.sign_up("shopper").await;
    let (other_merchant, _) = app.sign_up("merchant").await;
    let (_, other_courier) = created_account(app, &admin, "courier").await;
    let agencies = app.get("/v1/agencies", None).await.body["items"].clone();
    let agency_of = |kind: &str, skip: usize| {
        agencies
            .as_array()
            .and_then(|a| a.iter().filter(|a| a["kind"] == kind).nth(skip))
            .map(id)
            .unwrap()
    };
    let delivery = tofu_delivery(app, &shopper).await;
    let consortium = app
        .get(&format!("/v1/orders/{}", delivery.order_id), Some(&shopper))
        .await
        .body["consortium_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let owning = app
        .get(&format!("/v1/consortia/{consortium}"), None)
        .await
        .body["agency_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let other_regional = [agency_of("regional", 0), agency_of("regional", 1)]
        .into_iter()
        .find(|a| *a != owning)
        .unwrap();
    let mut coordinators = Vec::new();
    for agency in [other_regional, agency_of("metropolitan", 0)] {
        let (account, token) = created_account(app, &admin, "coordinator").await;
        let assigned = app
            .post(
                &format!("/v1/agencies/{agency}/coordinators"),
                Some(&admin),
                &json!({"account_id": account}),
            )
            .await;
        assert_eq!(assigned.status, StatusCode::OK, "{}", assigned.text);
        coordinators.push(token);
    }
    let spare_shop = app
        .post(
            "/v1/merchants",
            Some(&other_merchant),
            &json!({"name": "다른 가게", "kind": "small_business", "location": {"lat": 37.556, "lon": 126.906}, "address": "망원로 2"}),
        )
        .await;
    assert_eq!(
        spare_shop.status,
        StatusCode::CREATED,
        "{}",
        spare_shop.text
    );
    let spare_listing = app
        .post(
            &format!("/v1/merchants/{}/listings", delivery.shop_id),
            Some(&merchant),
            &json!({"title": "남는 두부", "price_krw": 3000, "unit": "piece", "unit_quantity": 1, "stock": 5, "refill": false}),
        )
        .await;
    assert_eq!(spare_listing.status, StatusCode::CREATED);
    let photo = app
        .client()
        .post(app.url(&format!("/v1/listings/{}/photos", id(&spare_listing.body))))
        .bearer_auth(&merchant)
        .header("content-type", "image/png")
        .body(tiny_png())
        .send()
        .await
        .unwrap();
    assert_eq!(photo.status(), StatusCode::CREATED);
    let photo = photo.json::<Value>().await.unwrap()["photos"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (spare_coordinator, _) = created_account(app, &admin, "coordinator").await;
    let (spare_courier, _) = created_account(app, &admin, "courier").await;

    // The tofu is made ready and planned: a batch with its courier.
    for action in ["accept", "ready"] {
        let done = app
            .post(
                &format!("/v1/merchant-orders/{}/{action}", delivery.part),
                Some(&merchant),
                &json!({}),
            )
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.text);
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
    assert_eq!(planned.status, StatusCode::OK, "{}", planned.text);
    let batch = planned.body["batches"][0].clone();
    let stop = |kind: &str| {
        batch["stops"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["kind"] == kind))
            .map(id)
            .unwrap()
    };
    let rider = golmok_delivery_routing::courier::get_courier(
        &app.state.db,
        batch["courier_id"].as_str().unwrap(),
    )
    .await
    .unwrap();
    let rider_email = golmok_accounts::find(&app.state.db, &rider.account_id)
        .await
        .unwrap()
        .email;
    let courier = login(app, &rider_email).await;
    let line = delivery.order["merchant_orders"][0]["lines"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // A courier of the network who rides nothing today, for withdrawing.
    let spare_courier_id = app
        .post(
            "/v1/couriers",
            Some(&admin),
            &json!({"account_id": spare_courier, "network_id": delivery.network, "vehicle": "cargo_bike", "capacity": {"kg": 60, "liters": 120}, "shift": {"start": "00:00", "end": "23:59"}}),
        )
        .await;
    assert_eq!(spare_courier_id.status, StatusCode::CREATED);
    let (another_spare_courier, _) = created_account(app, &admin, "courier").await;

    // A joint project with a milestone, and a festival running now with the tofu shop's stall.
    let project = app
        .post(
            &format!("/v1/consortia/{consortium}/projects"),
            Some(&admin),
            &json!({"kind": "festival", "title": "골목 축제", "budget_krw": 3000000,
                    "milestones": [{"title": "부스 배치", "due_on": "2030-01-01"}]}),
        )
        .await;
    assert_eq!(project.status, StatusCode::CREATED, "{}", project.text);
    let now = chrono::Utc::now();
    let event = app
        .post(
            "/v1/campaigns",
            Some(&admin),
            &json!({"consortium_id": consortium, "kind": "festival", "title": "골목 축제 날",
                    "starts_at": now - chrono::Duration::hours(1), "ends_at": now + chrono::Duration::hours(5)}),
        )
        .await;
    assert_eq!(event.status, StatusCode::CREATED, "{}", event.text);
    let stalls = app
        .put(
            &format!("/v1/campaigns/{}/shops", id(&event.body)),
            Some(&admin),
            &json!({"merchant_ids": [delivery.shop_id]}),
        )
        .await;
    assert_eq!(stalls.status, StatusCode::OK, "{}", stalls.text);

    let promotion = app
        .post(
            "/v1/campaigns",
            Some(&admin),
            &json!({"consortium_id": consortium, "kind": "promotion", "title": "두부 할인",
                    "starts_at": "2030-01-01T00:00:00Z", "ends_at": "2030-01-02T00:00:00Z",
                    "discount": {"kind": "percent", "percent": 10}}),
        )
        .await;
    assert_eq!(promotion.status, StatusCode::CREATED, "{}", promotion.text);

    // A stamp tour of the tofu shop and another member, and the tofu shop's signed code.
    let members = app
        .get(&format!("/v1/consortia/{consortium}"), None)
        .await
        .body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["merchant_id"].as_str().unwrap().to_owned())
        .filter(|m| *m != delivery.shop_id)
        .collect::<Vec<_>>();
    let tour = app
        .post(
            &format!("/v1/consortia/{consortium}/tours"),
            Some(&admin),
            &json!({"kind": "stamp_tour", "title": "두부 골목 스탬프", "coupon_krw": 2000,
                    "stops": [{"merchant_id": delivery.shop_id}, {"merchant_id": members[0]}]}),
        )
        .await;
    assert_eq!(tour.status, StatusCode::CREATED, "{}", tour.text);
    let codes = app
        .get(&format!("/v1/tours/{}/codes", id(&tour.body)), Some(&admin))
        .await;
    assert_eq!(codes.status, StatusCode::OK, "{}", codes.text);
    let stamp_code = codes.body["items"][0]["code"].as_str().unwrap().to_owned();

    // Three orders a fellow member places with the tofu shop, on account.
    let buyer_shop = members[0].clone();
    let buyer_owner = app
        .get(&format!("/v1/merchants/{buyer_shop}"), None)
        .await
        .body["owner_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let buyer_token = login(
        app,
        &golmok_accounts::find(&app.state.db, &buyer_owner)
            .await
            .unwrap()
            .email,
    )
    .await;
    let mut member_orders = Vec::new();
    for _ in 0..3 {
        let placed = app
            .post(
                &format!("/v1/merchants/{buyer_shop}/member-orders"),
                Some(&buyer_token),
                &json!({"seller_merchant_id": delivery.shop_id,
                        "lines": [{"listing_id": delivery.order["merchant_orders"][0]["lines"][0]["listing_id"], "quantity": 1}]}),
            )
            .await;
        assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.text);
        member_orders.push(id(&placed.body));
    }
    let buyer_listing = app
        .get(
            &format!("/v1/listings?merchant_id={buyer_shop}&limit=1"),
            None,
        )
        .await
        .body["items"][0]
        .clone();

    // A pick-up the shopper collected, with a claim about it waiting for the shop.
    let collected = app
        .post(
            "/v1/orders",
            Some(&shopper),
            &json!({"consortium_id": consortium,
                    "items": [{"listing_id": delivery.order["merchant_orders"][0]["lines"][0]["listing_id"], "quantity": 1}],
                    "fulfillment": {"kind": "pickup"}, "payment": {"provider": "offline"}}),
        )
        .await;
    assert_eq!(collected.status, StatusCode::CREATED, "{}", collected.text);
    let claim_part = id(&collected.body["merchant_orders"][0]);
    for action in ["accept", "ready", "collect"] {
        let done = app
            .post(
                &format!("/v1/merchant-orders/{claim_part}/{action}"),
                Some(&merchant),
                &json!({}),
            )
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    }
    let claim = app
        .post(
            &format!("/v1/merchant-orders/{claim_part}/claims"),
            Some(&shopper),
            &json!({"reason": "두부가 터졌어요"}),
        )
        .await;
    assert_eq!(claim.status, StatusCode::CREATED, "{}", claim.text);

    let ids = BTreeMap::from([
        ("claim", id(&claim.body)),
        ("claim_order", id(&collected.body)),
        ("claim_part", claim_part),
        ("buyer_shop", buyer_shop),
        ("buyer_listing", id(&buyer_listing)),
        ("buyer_quantity", buyer_listing["unit_quantity"].to_string()),
        ("member_order", member_orders[0].clone()),
        ("member_order_2", member_orders[1].clone()),
        ("member_order_3", member_orders[2].clone()),
        (
            "month",
            golmok_ordering::member_trade::month_of(chrono::Utc::now()),
        ),
        ("tour", id(&tour.body)),
        ("stamp_code", stamp_code),
        ("promotion", id(&promotion.body)),
        ("project", id(&project.body)),
        ("milestone", id(&project.body["milestones"][0])),
        ("event", id(&event.body)),
        ("agency", owning),
        ("consortium", consortium),
        ("shop", delivery.shop_id.clone()),
        (
            "listing",
            delivery.order["merchant_orders"][0]["lines"][0]["listing_id"]
                .as_str()
                .unwrap()
                .to_owned(),
        ),
        ("spare_shop", id(&spare_shop.body)),
        ("spare_listing", id(&spare_listing.body)),
        ("photo", photo),
        ("spare_coordinator", spare_coordinator),
        ("spare_courier", another_spare_courier),
        ("spare_courier_id", id(&spare_courier_id.body)),
        ("order", delivery.order_id.clone()),
        ("part", delivery.part.clone()),
        ("line", line),
        ("network", delivery.network.clone()),
        ("slot", delivery.slot.clone()),
        ("wave", delivery.slot.split_once('@').unwrap().0.to_owned()),
        ("date", delivery.date.to_string()),
        ("batch", id(&batch)),
        ("courier", rider.id.clone()),
        ("pickup_stop", stop("pickup")),
        ("dropoff_stop", stop("dropoff")),
    ]);
    let [other_agency, metropolitan] = [coordinators[0].clone(), coordinators[1].clone()];
    Fixture {
        ids,
        tokens: vec![
            None,
            Some(other_shopper),
            Some(other_merchant),
            Some(other_courier),
            Some(other_agency),
            Some(metropolitan),
            Some(shopper),
            Some(merchant),
            Some(courier),
            Some(coordinator),
            Some(admin),
        ],
    }
}

fn fill(template: &str, ids: &BTreeMap<&'static str, String>, n: usize) -> String {
    let mut filled = template.replace("{n}", &n.to_string());
    for (name, value) in ids {
        filled = filled.replace(&format!("{{{name}}}"), value);
    }
    filled
}

/// Which tables a call wrote to, noted by row triggers the test adds on every table of the
/// migrated database: a row inserted, deleted, or updated to anything other than it was.
/// Reading the whole database around each refused call took minutes on PostgreSQL; the
/// triggers see the same writes for one small query.
struct WriteLog;

const WRITE_LOG: &str = "permission_writes";

impl WriteLog {
    async fn install(app: &TestApp) -> Self {
        let db = &app.state.db;
        let list = match app.engine {
            Engine::Sqlite => {
                "SELECT name AS t FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            }
            Engine::Postgres => "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'",
        };
        let tables = texts(app, list).await;
        let mut ddl = vec![format!(
            "CREATE TABLE {WRITE_LOG} (table_name TEXT NOT NULL)"
        )];
        match app.engine {
            Engine::Postgres => {
                ddl.push(format!(
                    "CREATE FUNCTION note_write() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN INSERT INTO {WRITE_LOG} VALUES (TG_TABLE_NAME); RETURN NULL; END $$"
                ));
                for t in &tables {
                    ddl.push(format!(
                        "CREATE TRIGGER note_insert_delete AFTER INSERT OR DELETE ON \"{t}\" \
                         FOR EACH ROW EXECUTE FUNCTION note_write()"
                    ));
                    ddl.push(format!(
                        "CREATE TRIGGER note_update AFTER UPDATE ON \"{t}\" FOR EACH ROW \
                         WHEN (to_jsonb(OLD) IS DISTINCT FROM to_jsonb(NEW)) \
                         EXECUTE FUNCTION note_write()"
                    ));
                }
            }
            Engine::Sqlite => {
                for t in &tables {
                    let columns = texts(
                        app,
                        &format!("SELECT name AS t FROM pragma_table_info('{t}')"),
                    )
                    .await;
                    let differs: Vec<String> = columns
                        .iter()
                        .map(|c| format!("OLD.\"{c}\" IS NOT NEW.\"{c}\""))
                        .collect();
                    let note = format!("BEGIN INSERT INTO {WRITE_LOG} VALUES ('{t}'); END");
                    ddl.push(format!(
                        "CREATE TRIGGER \"note_insert_{t}\" AFTER INSERT ON \"{t}\" {note}"
                    ));
                    ddl.push(format!(
                        "CREATE TRIGGER \"note_delete_{t}\" AFTER DELETE ON \"{t}\" {note}"
                    ));
                    ddl.push(format!(
                        "CREATE TRIGGER \"note_update_{t}\" AFTER UPDATE ON \"{t}\" WHEN {} {note}",
                        differs.join(" OR ")
                    ));
                }
            }
        }
        for statement in ddl {
            db.execute_unprepared(&statement).await.unwrap();
        }
        Self
    }

    /// Forgets what was written so far, once the outbox relay has published every event
    /// (it marks them published in the background: its writes are not the next call's).
    async fn clear(&self, app: &TestApp) {
        let db = &app.state.db;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            // One row is enough to know; a count would read back as NULL through SQLite.
            let unpublished = JsonValue::find_by_statement(Statement::from_string(
                db.get_database_backend(),
                "SELECT id FROM outbox WHERE published_at IS NULL LIMIT 1",
            ))
            .one(db)
            .await
            .unwrap();
            if unpublished.is_none() {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the outbox relay left {unpublished:?} unpublished"
            );
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        app.state
            .db
            .execute_unprepared(&format!("DELETE FROM {WRITE_LOG}"))
            .await
            .unwrap();
    }

    /// The tables written since the last [`WriteLog::clear`], named once each.
    async fn written(&self, app: &TestApp) -> Vec<String> {
        texts(
            app,
            &format!("SELECT DISTINCT table_name AS t FROM {WRITE_LOG} ORDER BY table_name"),
        )
        .await
    }
}

/// The text column `t` of every row `sql` selects.
async fn texts(app: &TestApp, sql: &str) -> Vec<String> {
    let db = &app.state.db;
    JsonValue::find_by_statement(Statement::from_string(db.get_database_backend(), sql))
        .all(db)
        .await
        .unwrap()
        .iter()
        .map(|row| row["t"].as_str().unwrap().to_owned())
        .collect()
}

async fn call(app: &TestApp, method: &str, path: &str, body: &str, token: Option<&str>) -> u16 {
    let mut request = app.client().request(
        Method::from_bytes(method.as_bytes()).unwrap(),
        app.url(path),
    );
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if body == PHOTO {
        request = request.header("content-type", "image/png").body(tiny_png());
    } else if !body.is_empty() {
        request = request
            .header("content-type", "application/json")
            .body(body.to_owned());
    }
    // Streams answer with their headers and then stay open: the status is all we read.
    request.send().await.unwrap().status().as_u16()
}

async fn every_route_answers_each_caller_as_the_table_says(engine: Engine) {
    // No background job: what changes in the database is what the calls changed.
    let app = TestApp::start_with(
        engine,
        json!({"ordering": {"expiry_sweep_secs": 86_400}, "routing": {"planner_sweep_secs": 86_400},
               "payments": {"reconcile_every_secs": 86_400}}),
    )
    .await;
    let documented: BTreeSet<(String, String)> = {
        let doc = app.get("/openapi.json", None).await.body;
        doc["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(path, ops)| {
                ops.as_object()
                    .unwrap()
                    .keys()
                    .map(|m| (m.to_uppercase(), path.clone()))
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let tabled: BTreeSet<(String, String)> = TABLE
        .iter()
        .map(|(m, p, ..)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    let missing: Vec<_> = documented.difference(&tabled).collect();
    let stale: Vec<_> = tabled.difference(&documented).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "routes without a row in the permission table: {missing:?}; rows for no route: {stale:?}"
    );
    assert_eq!(tabled.len(), TABLE.len(), "a route has two rows");

    let fixture = fixture(&app).await;
    let log = WriteLog::install(&app).await;
    // The log sees a write through the API, and not an update that changes nothing.
    log.clear(&app).await;
    app.state
        .db
        .execute_unprepared("UPDATE accounts SET name = name")
        .await
        .unwrap();
    assert_eq!(log.written(&app).await, Vec::<String>::new());
    let admin = fixture.tokens[CALLERS.len() - 1].clone().unwrap();
    created_account(&app, &admin, "shopper").await;
    let written = log.written(&app).await;
    assert!(
        written.contains(&"accounts".to_owned()) && written.contains(&"sessions".to_owned()),
        "{written:?}"
    );

    let record = std::env::var_os("GOLMOK_RECORD_PERMISSIONS").is_some();
    let mut wrong = Vec::new();
    let mut n = 0;
    for (method, route, path, body, expected) in TABLE {
        let expected: Vec<u16> = expected.split(' ').map(|s| s.parse().unwrap()).collect();
        assert_eq!(expected.len(), CALLERS.len(), "{method} {route}");
        let mut got = Vec::new();
        for (caller, token) in fixture.tokens.iter().enumerate() {
            n += 1;
            let path = fill(path, &fixture.ids, n);
            let body = fill(body, &fixture.ids, n);
            let refused = matches!(expected[caller], 401 | 403 | 404);
            if refused {
                log.clear(&app).await;
            }
            let status = call(&app, method, &path, &body, token.as_deref()).await;
            got.push(status);
            if status != expected[caller] {
                wrong.push(format!(
                    "{method} {route} by {}: {status}, not {}",
                    CALLERS[caller], expected[caller]
                ));
            }
            if refused {
                let written = log.written(&app).await;
                if !written.is_empty() {
                    wrong.push(format!(
                        "{method} {route} by {}: refused with {status}, yet wrote to {written:?}",
                        CALLERS[caller]
                    ));
                }
            }
        }
        if record {
            let got: Vec<String> = got.iter().map(u16::to_string).collect();
            println!(
                "    (\"{method}\", \"{route}\", \"{path}\", r#\"{body}\"#, \"{}\"),",
                got.join(" ")
            );
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
