//! How numbers, amounts, times and domain words read on a page, in the page's language.

use chrono::{DateTime, Utc};
use golmok_catalog::{CampaignKind, Listing, MerchantKind, Unit};
use golmok_ordering::{MerchantOrderStatus, OrderStatus};

use crate::i18n::{Lang, Texts};

/// `12,345`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `12,345원` in Korean, `₩12,345` in English.
pub fn won(lang: Lang, amount: i64) -> String {
    match lang {
        Lang::Ko => format!("{}원", thousands(amount)),
        Lang::En => format!("₩{}", thousands(amount)),
    }
}

pub fn unit_label(t: &Texts, unit: Unit) -> &'static str {
    match unit {
        Unit::Piece => t.unit_piece,
        Unit::Gram => "g",
        Unit::Ml => "ml",
    }
}

/// `3개` / `350 g`.
pub fn quantity(t: &Texts, unit: Unit, amount: i64) -> String {
    match unit {
        Unit::Piece => format!("{} {}", thousands(amount), t.unit_piece),
        _ => format!("{} {}", thousands(amount), unit_label(t, unit)),
    }
}

pub fn unit_from_str(s: &str) -> Unit {
    match s {
        "gram" => Unit::Gram,
        "ml" => Unit::Ml,
        _ => Unit::Piece,
    }
}

/// `2,400원 / 100 g`.
pub fn listing_price(lang: Lang, l: &Listing) -> String {
    if l.unit == Unit::Piece && l.unit_quantity == 1 {
        return won(lang, l.price_krw);
    }
    format!(
        "{} / {}",
        won(lang, l.price_krw),
        quantity(lang.texts(), l.unit, l.unit_quantity)
    )
}

/// For goods sold by weight or volume: the price of 100 g or 100 ml, `2,400원 100 g당`.
pub fn per_hundred(lang: Lang, l: &Listing) -> Option<String> {
    let t = lang.texts();
    let label = match l.unit {
        Unit::Gram => t.per_100g,
        Unit::Ml => t.per_100ml,
        Unit::Piece => return None,
    };
    let price = golmok_core::money::price_for_quantity(l.price_krw, l.unit_quantity, 100)?;
    Some(match lang {
        Lang::Ko => format!("{label} {}", won(lang, price)),
        Lang::En => format!("{} {label}", won(lang, price)),
    })
}

/// The step and first value of a quantity field: pieces one by one, weighed goods by 10 g or
/// 10 ml starting at the amount the price is given for.
pub fn quantity_step(l: &Listing) -> (i64, i64) {
    match l.unit {
        Unit::Piece => (1, 1),
        _ => (10, l.unit_quantity.max(10)),
    }
}

/// A time as read in Seoul: `12월 3일 11:00` / `3 Dec 11:00`.
/// Kakao Map's page of a place pinned at `at` and labelled `label`: what a phone opens in its
/// map app (no key, no script of theirs on our pages).
pub fn kakao_map(label: &str, at: golmok_core::Coordinates) -> String {
    format!(
        "https://map.kakao.com/link/map/{},{},{}",
        map_label(label),
        at.lat,
        at.lon
    )
}

/// A place's name inside a map app's link path: percent-encoded, a space as `%20` (a `+`
/// there is a plus sign, not a space as in a form).
pub fn map_label(label: &str) -> String {
    crate::pages::encode(label).replace('+', "%20")
}

pub fn seoul_time(lang: Lang, at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&golmok_delivery_routing::network::seoul());
    match lang {
        Lang::Ko => local.format("%-m월 %-d일 %H:%M").to_string(),
        Lang::En => local.format("%-d %b %H:%M").to_string(),
    }
}

/// A Seoul date: `12월 3일` / `3 Dec`.
pub fn seoul_date(lang: Lang, at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&golmok_delivery_routing::network::seoul());
    match lang {
        Lang::Ko => local.format("%-m월 %-d일").to_string(),
        Lang::En => local.format("%-d %b").to_string(),
    }
}

/// `11:00`.
pub fn seoul_clock(at: DateTime<Utc>) -> String {
    at.with_timezone(&golmok_delivery_routing::network::seoul())
        .format("%H:%M")
        .to_string()
}

/// Whether a shop is open now, as a shopper reads it: `영업 중 · 21:00까지`, `영업 전 · 10:00에
/// 열어요`, `휴무 · 12월 26일 10:00에 열어요`. `None` when the shop gave no hours.
pub fn openness(lang: Lang, shop: &golmok_catalog::Merchant, now: DateTime<Utc>) -> Option<String> {
    use golmok_catalog::hours::Openness;
    let t = lang.texts();
    Some(match shop.openness(now)? {
        Openness::Open { until } => t.open_until.replace("{}", &seoul_clock(until)),
        Openness::Closed { opens_at: Some(at) }
            if seoul_date(lang, at) == seoul_date(lang, now) =>
        {
            t.opens_today_at.replace("{}", &seoul_clock(at))
        }
        Openness::Closed { opens_at: Some(at) } => t.opens_on.replace("{}", &seoul_time(lang, at)),
        Openness::Closed { opens_at: None } => t.closed_for_now.to_owned(),
    })
}

/// Why a plan left a delivery out, as its reader says it.
pub fn left_out_reason(t: &Texts, reason: &str) -> &'static str {
    match reason {
        "too_large" => t.reason_too_large,
        "out_of_time" => t.reason_out_of_time,
        "no_courier" => t.reason_no_courier,
        _ => t.reason_no_capacity_left,
    }
}

/// What an account is, in the reader's words.
pub fn role(t: &Texts, role: golmok_accounts::Role) -> &'static str {
    use golmok_accounts::Role;
    match role {
        Role::Shopper => t.role_shopper,
        Role::Merchant => t.role_merchant,
        Role::Courier => t.role_courier,
        Role::Coordinator => t.role_coordinator,
        Role::Admin => t.role_admin,
    }
}

pub fn merchant_kind(t: &Texts, kind: MerchantKind) -> &'static str {
    match kind {
        MerchantKind::SmallBusiness => t.kind_small_business,
        MerchantKind::SocialEnterprise => t.kind_social_enterprise,
        MerchantKind::Cooperative => t.kind_cooperative,
        MerchantKind::VillageEnterprise => t.kind_village_enterprise,
        MerchantKind::SelfSufficiencyEnterprise => t.kind_self_sufficiency_enterprise,
    }
}

pub fn campaign_kind(t: &Texts, kind: CampaignKind) -> &'static str {
    match kind {
        CampaignKind::RefillMarket => t.campaign_refill_market,
        CampaignKind::Festival => t.campaign_festival,
        CampaignKind::Promotion => t.campaign_promotion,
    }
}

pub fn order_status(t: &Texts, s: OrderStatus) -> &'static str {
    match s {
        OrderStatus::Placed => t.order_status_placed,
        OrderStatus::Completed => t.order_status_completed,
        OrderStatus::Cancelled => t.order_status_cancelled,
    }
}

pub fn merchant_order_status(t: &Texts, s: MerchantOrderStatus) -> &'static str {
    use MerchantOrderStatus as S;
    match s {
        S::Pending => t.mo_placed,
        S::Accepted => t.mo_accepted,
        S::Rejected => t.mo_rejected,
        S::Ready => t.mo_ready,
        S::PickedUp => t.mo_picked_up,
        S::Delivered => t.mo_delivered,
        S::Cancelled => t.mo_cancelled,
        S::Expired => t.mo_expired,
        S::Failed => t.mo_failed,
    }
}

pub fn member_order_status(
    t: &Texts,
    s: &golmok_ordering::member_trade::MemberOrderStatus,
) -> &'static str {
    use golmok_ordering::member_trade::MemberOrderStatus as S;
    match *s {
        S::Placed => t.mt_placed,
        S::Accepted => t.mt_accepted,
        S::PickedUp => t.mt_picked_up,
        S::HandedOver => t.mt_handed_over,
        S::Rejected => t.mt_rejected,
        S::Cancelled => t.mt_cancelled,
    }
}

/// Where a carried delivery stands, by routing's status code.
pub fn delivery_status(t: &Texts, code: &str) -> &'static str {
    match code {
        "open" => t.dl_open,
        "planned" => t.dl_planned,
        "picked_up" => t.dl_picked_up,
        "delivered" => t.dl_delivered,
        "withdrawn" => t.dl_withdrawn,
        _ => t.dl_pickup,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_map_link_writes_a_space_as_a_space_and_a_plus_as_a_plus() {
        assert_eq!(map_label("망원 1+1"), "%EB%A7%9D%EC%9B%90%201%2B1");
        assert_eq!(
            kakao_map(
                "a b",
                golmok_core::Coordinates {
                    lat: 37.5,
                    lon: 126.9
                }
            ),
            "https://map.kakao.com/link/map/a%20b,37.5,126.9"
        );
    }

    #[test]
    fn amounts_read_in_each_language() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(-1_234_567), "-1,234,567");
        assert_eq!(won(Lang::Ko, 12_345), "12,345원");
        assert_eq!(won(Lang::En, 12_345), "₩12,345");
    }

    #[test]
    fn seoul_is_nine_hours_ahead() {
        let at = DateTime::parse_from_rfc3339("2026-12-02T02:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        assert_eq!(seoul_clock(at), "11:00");
        assert_eq!(seoul_time(Lang::Ko, at), "12월 2일 11:00");
    }
}
