//! sea-orm entities mirroring the catalog tables of the migrations. Relations are joined
//! explicitly in queries; the rules live in the modules beside this one.

pub mod agency;
pub mod agency_coordinator;
pub mod agency_district;
pub mod campaign;
pub mod campaign_listing;
pub mod consortium;
pub mod consortium_member;
pub mod listing;
pub mod listing_term;
pub mod membership_event;
pub mod merchant;
