//! End-to-end tests, one binary: the real app on a free port, spoken to over HTTP (and in a
//! real browser), on SQLite and PostgreSQL. One binary rather than one per file: each links
//! the whole server, and nineteen copies of it cost CI minutes and gigabytes of disk.

mod accounts;
mod approvals;
mod backup;
mod batch_hand_over;
mod browser;
mod campaigns;
mod capacity;
mod catalog;
mod claims;
mod containers;
mod couriers;
mod edges;
mod handover;
mod limits;
mod member_trade;
mod membership;
mod networks;
mod ordering;
mod permissions;
mod photos;
mod planning;
mod programme;
mod provider_calls;
mod scale_out;
mod seed;
mod shop_profile;
mod stripe;
mod tours;
mod web;
