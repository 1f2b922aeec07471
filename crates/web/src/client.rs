//! Who is on the other end of a request, for the limits that protect sign-in, sign-up and the
//! live streams: the network address, and how many live streams each account holds open.
//! Shared by the pages and the JSON API.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::extract::ConnectInfo;
use axum::http::request::Parts;

/// The client's address: the last `X-Forwarded-For` entry when a trusted proxy in front
/// sets it (one it appended, not one the client wrote), else the connection's peer.
pub fn address(parts: &Parts, trust_forwarded_for: bool) -> Option<IpAddr> {
    if trust_forwarded_for
        && let Some(forwarded) = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok())
    {
        return Some(forwarded);
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| peer.ip())
}

/// Live event streams open per account, on this replica. A stream holds its [`StreamSlot`]
/// for as long as it is open.
#[derive(Debug, Clone, Default)]
pub struct LiveStreams {
    open: Arc<Mutex<HashMap<String, usize>>>,
}

/// One open stream of an account; dropping it (the stream ended) frees the place.
#[derive(Debug)]
pub struct StreamSlot {
    streams: LiveStreams,
    account_id: String,
}

impl LiveStreams {
    /// A place for one more stream of `account_id`, unless it has `limit` open already.
    pub fn open(&self, account_id: &str, limit: usize) -> Option<StreamSlot> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let count = open.entry(account_id.to_owned()).or_default();
        if *count >= limit {
            return None;
        }
        *count += 1;
        Some(StreamSlot {
            streams: self.clone(),
            account_id: account_id.to_owned(),
        })
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self.streams.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(&self.account_id) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.account_id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_stream_frees_its_place() {
        let streams = LiveStreams::default();
        let first = streams.open("acc_1", 2).unwrap();
        let _second = streams.open("acc_1", 2).unwrap();
        assert!(streams.open("acc_1", 2).is_none());
        assert!(streams.open("acc_2", 2).is_some());
        drop(first);
        let third = streams.open("acc_1", 2);
        assert!(third.is_some());
        assert!(
            streams.open("acc_1", 2).is_none(),
            "the freed place is taken again"
        );
    }

    #[test]
    fn a_forwarded_address_counts_only_behind_a_trusted_proxy() {
        let request = axum::http::Request::builder()
            .header("x-forwarded-for", "203.0.113.9, 198.51.100.7")
            .body(())
            .unwrap();
        let (mut parts, ()) = request.into_parts();
        parts
            .extensions
            .insert(ConnectInfo(SocketAddr::from(([10, 0, 0, 2], 4000))));
        assert_eq!(address(&parts, true), "198.51.100.7".parse().ok());
        assert_eq!(address(&parts, false), "10.0.0.2".parse().ok());
    }
}
