use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What an account may do. Admin may do whatever any other role may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Shopper,
    Merchant,
    Courier,
    Coordinator,
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Shopper,
        Role::Merchant,
        Role::Courier,
        Role::Coordinator,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Shopper => "shopper",
            Role::Merchant => "merchant",
            Role::Courier => "courier",
            Role::Coordinator => "coordinator",
            Role::Admin => "admin",
        }
    }

    /// Roles anyone may give themselves at signup. Coordinators act for a support agency and
    /// admins run the platform, so only an admin (or the CLI) creates those.
    pub fn is_self_service(self) -> bool {
        matches!(self, Role::Shopper | Role::Merchant | Role::Courier)
    }

    /// Whether an account of this role may act where `allowed` roles may.
    pub fn may_act_as_any_of(self, allowed: &[Role]) -> bool {
        self == Role::Admin || allowed.contains(&self)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown role `{0}`")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
        assert!("superuser".parse::<Role>().is_err());
    }

    #[test]
    fn only_shoppers_merchants_and_couriers_sign_themselves_up() {
        let self_service: Vec<_> = Role::ALL
            .into_iter()
            .filter(|r| r.is_self_service())
            .collect();
        assert_eq!(self_service, [Role::Shopper, Role::Merchant, Role::Courier]);
    }

    #[test]
    fn admin_acts_as_any_role_and_others_only_as_themselves() {
        assert!(Role::Admin.may_act_as_any_of(&[Role::Merchant]));
        assert!(Role::Merchant.may_act_as_any_of(&[Role::Merchant, Role::Coordinator]));
        assert!(!Role::Shopper.may_act_as_any_of(&[Role::Merchant]));
        assert!(!Role::Coordinator.may_act_as_any_of(&[]));
    }
}
