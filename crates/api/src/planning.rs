//! Planning at each slot's cut-off.
//!
//! Without Redis, the one process plans due slots itself. With Redis, every replica's
//! scheduler turns each due slot into one job on a Redis Stream (a marker key set with `NX`
//! keeps replicas from enqueueing it twice), and `golmok worker` processes read the stream
//! through a consumer group. A job a worker took but never acknowledged (it died) is claimed
//! by another worker after `redis.job_claim_idle_secs` with `XAUTOCLAIM`; however jobs race,
//! [`plan_slot_at_cutoff`] plans a slot once.

use std::time::Duration;

use golmok_delivery_routing::planner::{plan_slot_at_cutoff, slots_due};
use redis::streams::{StreamAutoClaimReply, StreamId, StreamReadReply};
use tokio::sync::watch;

use crate::state::AppState;

pub const STREAM: &str = "golmok:planning";
pub const GROUP: &str = "planners";

/// One sweep of the scheduler: plans due slots here, or enqueues them when Redis is set.
pub async fn sweep(state: &AppState) {
    let due = match slots_due(&state.db, chrono::Utc::now()).await {
        Ok(due) => due,
        Err(e) => {
            tracing::warn!(error = %e, "finding slots to plan");
            return;
        }
    };
    for (network_id, slot_id) in due {
        match &state.redis {
            Some(redis) => {
                if let Err(e) = enqueue(&redis.conn, &network_id, &slot_id).await {
                    tracing::warn!(error = %e, slot = %slot_id, "enqueueing a planning job; the next sweep tries again");
                }
            }
            // Failures are logged; the next sweep tries again.
            None => {
                plan(state, &network_id, &slot_id, None).await;
            }
        }
    }
}

/// Adds the slot's job to the stream unless a replica did already.
pub async fn enqueue(
    conn: &redis::aio::ConnectionManager,
    network_id: &str,
    slot_id: &str,
) -> redis::RedisResult<bool> {
    let mut conn = conn.clone();
    let fresh: Option<String> = redis::cmd("SET")
        .arg(format!("golmok:planning:enqueued:{slot_id}"))
        .arg(1)
        .arg("NX")
        .arg("EX")
        .arg(2 * 24 * 3600)
        .query_async(&mut conn)
        .await?;
    if fresh.is_none() {
        return Ok(false);
    }
    redis::cmd("XADD")
        .arg(STREAM)
        .arg("*")
        .arg("network_id")
        .arg(network_id)
        .arg("slot_id")
        .arg(slot_id)
        .arg("since")
        .arg(chrono::Utc::now().to_rfc3339())
        .query_async::<String>(&mut conn)
        .await?;
    tracing::info!(slot = slot_id, "enqueued a planning job");
    Ok(true)
}

/// Plans the slot unless it was planned since `since` (its cut-off when absent). Whether
/// the job is done (planned, planned already, or its slot is gone); false when it should be
/// tried again.
async fn plan(
    state: &AppState,
    network_id: &str,
    slot_id: &str,
    since: Option<chrono::DateTime<chrono::Utc>>,
) -> bool {
    let budget = state.settings.routing.plan_budget();
    match plan_slot_at_cutoff(
        &state.db,
        state.travel_times.as_ref(),
        &golmok_ordering::delivery::PlanHistory,
        network_id,
        slot_id,
        budget,
        since,
    )
    .await
    {
        Ok(Some(_)) => {
            state.relay_nudge.notify_one();
            true
        }
        Ok(None) => {
            tracing::info!(slot = slot_id, "slot already planned since its cut-off");
            true
        }
        Err(golmok_core::DomainError::NotFound { .. }) => {
            tracing::warn!(
                slot = slot_id,
                "planning job for a slot that no longer exists"
            );
            true
        }
        Err(e) => {
            tracing::warn!(error = %e, slot = slot_id, "planning a slot at its cut-off");
            false
        }
    }
}

/// Reads planning jobs as consumer `consumer` until `stop`: first any job another worker
/// left unacknowledged for too long, then new ones. A job is acknowledged once planned (or
/// found planned); a failure leaves it pending for a retry.
pub async fn work(state: AppState, consumer: String, mut stop: watch::Receiver<bool>) {
    let Some(redis) = state.redis.clone() else {
        return;
    };
    let idle_ms = state.settings.redis.job_claim_idle_secs * 1000;
    tracing::info!(consumer = %consumer, "planning worker started");
    loop {
        if *stop.borrow() {
            return;
        }
        // Blocking reads get their own connection, whose answers may take as long as the
        // block: the shared one times out after a second, and redis-rs's default connection
        // after half a second, which would abandon every empty read mid-block.
        let blocking = redis::AsyncConnectionConfig::new().set_response_timeout(Some(
            Duration::from_millis(BLOCK_MS) + Duration::from_secs(5),
        ));
        let mut conn = match redis
            .client
            .get_multiplexed_async_connection_with_config(&blocking)
            .await
        {
            Ok(conn) => conn,
            Err(e) => {
                tracing::warn!(error = %e, "worker cannot reach Redis; retrying");
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(1)) => continue,
                    _ = stop.wait_for(|s| *s) => return,
                }
            }
        };
        let created: redis::RedisResult<()> = redis::cmd("XGROUP")
            .arg("CREATE")
            .arg(STREAM)
            .arg(GROUP)
            .arg("0")
            .arg("MKSTREAM")
            .query_async(&mut conn)
            .await;
        if let Err(e) = created
            && e.code() != Some("BUSYGROUP")
        {
            tracing::warn!(error = %e, "creating the planners group");
        }
        loop {
            let job = tokio::select! {
                job = next_job(&mut conn, &consumer, idle_ms) => job,
                _ = stop.wait_for(|s| *s) => return,
            };
            let job = match job {
                Ok(Some(job)) => job,
                Ok(None) => continue,
                Err(e) => {
                    tracing::warn!(error = %e, "reading planning jobs; reconnecting");
                    break;
                }
            };
            let field = |name: &str| match job.map.get(name) {
                Some(redis::Value::BulkString(b)) => String::from_utf8(b.clone()).ok(),
                _ => None,
            };
            let (Some(network_id), Some(slot_id)) = (field("network_id"), field("slot_id")) else {
                tracing::warn!(job = %job.id, "malformed planning job; dropping it");
                let _ = ack(&mut conn, &job.id).await;
                continue;
            };
            // A job asks for a plan made after it was enqueued (at or after the cut-off).
            let since = field("since")
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
                .map(|t| t.with_timezone(&chrono::Utc));
            tracing::info!(job = %job.id, slot = %slot_id, consumer = %consumer, "planning job taken");
            if plan(&state, &network_id, &slot_id, since).await
                && let Err(e) = ack(&mut conn, &job.id).await
            {
                tracing::warn!(error = %e, job = %job.id, "acknowledging a planning job");
            }
        }
    }
}

/// How long one read waits for a new job before looking for abandoned ones again.
const BLOCK_MS: u64 = 5000;

async fn next_job(
    conn: &mut redis::aio::MultiplexedConnection,
    consumer: &str,
    idle_ms: u64,
) -> redis::RedisResult<Option<StreamId>> {
    let claimed: StreamAutoClaimReply = redis::cmd("XAUTOCLAIM")
        .arg(STREAM)
        .arg(GROUP)
        .arg(consumer)
        .arg(idle_ms)
        .arg("0-0")
        .arg("COUNT")
        .arg(1)
        .query_async(conn)
        .await?;
    if let Some(job) = claimed.claimed.into_iter().next() {
        tracing::info!(job = %job.id, "claimed a planning job another worker left unfinished");
        return Ok(Some(job));
    }
    let read: Option<StreamReadReply> = redis::cmd("XREADGROUP")
        .arg("GROUP")
        .arg(GROUP)
        .arg(consumer)
        .arg("COUNT")
        .arg(1)
        .arg("BLOCK")
        .arg(BLOCK_MS)
        .arg("STREAMS")
        .arg(STREAM)
        .arg(">")
        .query_async(conn)
        .await?;
    Ok(read.and_then(|r| r.keys.into_iter().next()?.ids.into_iter().next()))
}

async fn ack(conn: &mut redis::aio::MultiplexedConnection, id: &str) -> redis::RedisResult<()> {
    redis::cmd("XACK")
        .arg(STREAM)
        .arg(GROUP)
        .arg(id)
        .query_async::<i64>(conn)
        .await
        .map(|_| ())
}
