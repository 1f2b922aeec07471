//! The programme: what the support agencies and consortia do beyond selling.
//!
//! Owns joint projects of a consortium (공동프로젝트: plan, budget, milestones, spending,
//! outcome), support work recorded by an agency's coordinators (education, consulting, PR,
//! marketing, and the coordinators' own training), festivals' and market days' stalls (the
//! member shops taking part, their in-person sales, the visitors counted), alley pages and
//! stamp tours (a walking route of member shops, signed stamp codes, the coupon a completed
//! tour earns), and the reports
//! that roll a consortium's figures up to its regional agency and to the whole programme.
//!
//! Reads agencies, consortia, members, campaigns and listings from `golmok-catalog` and
//! online sales from `golmok-ordering`'s figures; it writes only its own tables (and a
//! listing's stock when a stall sells from it). Nothing calls back into it. Forming a
//! consortium and changing its settings go through [`consortia`], which checks the network
//! chosen against `golmok-delivery-routing`'s areas before the catalog writes; so does
//! changing a network, whose area must keep reaching the consortia it serves.
//!
//! Who may do what is one rule ([`access`]): coordinators act in their own agency's
//! consortia, the metropolitan agency's coordinators read everything, a consortium's members
//! read its projects and record their own stall sales, admins do everything.

pub mod access;
pub mod consortia;
pub mod entities;
pub mod events;
pub mod projects;
pub mod report;
pub mod support;
pub mod tours;

pub use golmok_core::{DomainError, Result};
