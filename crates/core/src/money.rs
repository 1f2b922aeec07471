//! Money is an integer number of won (KRW has no minor unit, at Stripe too); never a float.

/// The price of `quantity` units of a good whose `price_krw` buys `unit_quantity` units,
/// rounded half up to the won: at 2,450 won per 100 g, 437 g cost 10,706.5 → 10,707 won.
///
/// This is the one rounding rule for weighed and measured goods, used for an order's
/// estimate and for the weighed amount alike. `None` for a non-positive `unit_quantity`, a
/// negative input, or a result beyond `i64`.
pub fn price_for_quantity(price_krw: i64, unit_quantity: i64, quantity: i64) -> Option<i64> {
    if unit_quantity <= 0 || price_krw < 0 || quantity < 0 {
        return None;
    }
    let numerator = i128::from(price_krw) * i128::from(quantity);
    let denominator = i128::from(unit_quantity);
    let rounded = (2 * numerator + denominator) / (2 * denominator);
    i64::try_from(rounded).ok()
}

/// `basis_points` / 10,000 of `amount_krw`, rounded half up: a 3% commission is 300 bps.
pub fn share_of(amount_krw: i64, basis_points: u32) -> Option<i64> {
    price_for_quantity(amount_krw, 10_000, i64::from(basis_points))
}

/// `percent` of `amount_krw`, rounded up to the won: a tolerance must cover, never fall short.
pub fn percent_ceil(amount_krw: i64, percent: u32) -> Option<i64> {
    if amount_krw < 0 {
        return None;
    }
    let scaled = i128::from(amount_krw) * i128::from(percent);
    i64::try_from((scaled + 99) / 100).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rounds_half_up_to_the_won() {
        assert_eq!(price_for_quantity(2_450, 100, 437), Some(10_707)); // 10,706.5
        assert_eq!(price_for_quantity(2_400, 100, 500), Some(12_000));
        assert_eq!(price_for_quantity(1_000, 3, 1), Some(333)); // 333.33…
        assert_eq!(price_for_quantity(1_000, 3, 2), Some(667)); // 666.66…
        assert_eq!(price_for_quantity(5, 10, 1), Some(1)); // 0.5 rounds up
        assert_eq!(price_for_quantity(4, 10, 1), Some(0)); // 0.4 rounds down
        assert_eq!(price_for_quantity(3_500, 1, 2), Some(7_000)); // pieces
        assert_eq!(price_for_quantity(3_500, 1, 0), Some(0));
    }

    #[test]
    fn shares_and_tolerances() {
        assert_eq!(share_of(10_000, 300), Some(300));
        assert_eq!(share_of(12_345, 300), Some(370)); // 370.35
        assert_eq!(share_of(50, 300), Some(2)); // 1.5 rounds up
        assert_eq!(percent_ceil(10_000, 15), Some(1_500));
        assert_eq!(percent_ceil(10_001, 15), Some(1_501)); // 1,500.15 rounds up
        assert_eq!(percent_ceil(0, 15), Some(0));
    }

    #[test]
    fn refuses_what_has_no_price() {
        assert_eq!(price_for_quantity(2_400, 0, 1), None);
        assert_eq!(price_for_quantity(-1, 100, 1), None);
        assert_eq!(price_for_quantity(1, 100, -1), None);
        assert_eq!(price_for_quantity(i64::MAX, 1, 2), None);
    }

    proptest! {
        #[test]
        fn never_more_than_half_a_won_from_the_exact_price(
            price in 0i64..10_000_000, unit in 1i64..100_000, quantity in 0i64..1_000_000
        ) {
            let won = price_for_quantity(price, unit, quantity).unwrap();
            let exact = price as f64 * quantity as f64 / unit as f64;
            prop_assert!((won as f64 - exact).abs() <= 0.5 + 1e-6);
        }

        #[test]
        fn more_goods_never_cost_less(
            price in 0i64..10_000_000, unit in 1i64..100_000, quantity in 0i64..1_000_000
        ) {
            prop_assert!(
                price_for_quantity(price, unit, quantity + 1) >= price_for_quantity(price, unit, quantity)
            );
        }
    }
}
