//! Catalog: what Golmok sells and who sells it.
//!
//! Owns support agencies and their districts (and which coordinators act for them),
//! merchants, consortia (협업체) and the membership rule that makes one `active`, listings
//! with their stock and prices (refill goods sold by weight or volume included), campaigns
//! (refill markets, alley festivals, promotions) and listing search.
//!
//! Does not own baskets, orders or reservations: `golmok-ordering` reserves stock through
//! functions of this crate. Knows nothing of payments or delivery beyond a consortium's
//! optional network id.
//!
//! Who may do what is decided here, from the caller's [`golmok_accounts::Account`]: owners
//! edit their merchants and listings, coordinators manage the consortia of their agency's
//! districts (the metropolitan agency's coordinators, all of them), admins anything.
//!
//! Reads of single listings and consortia go through a [`golmok_core::Cache`]; every write
//! invalidates the keys it changed after its transaction commits.

pub mod agency;
pub mod campaign;
pub mod consortium;
pub mod district;
pub mod entities;
pub mod hours;
pub mod listing;
pub mod membership;
pub mod merchant;
pub mod photos;
pub mod read_cache;
pub mod search;
mod sql;
pub mod suspension;

pub use agency::{Agency, AgencyKind, NewAgency};
pub use campaign::{Campaign, CampaignKind, CampaignPatch, CampaignQuery, Discount, NewCampaign};
pub use consortium::{
    Consortium, ConsortiumPatch, ConsortiumStatus, Member, MembershipEvent, NewConsortium,
};
pub use listing::{
    Container, ContainerPolicy, Listing, ListingPatch, ListingPhoto, ListingQuery, ListingStatus,
    NewListing, Unit,
};
pub use merchant::{
    Merchant, MerchantKind, MerchantPatch, NearbyMerchant, NewMerchant, OpeningHours,
};

pub use golmok_core::{DomainError, Result};
