//! The server's background jobs, each named, with its schedule, in one list ([`schedule`]).
//!
//! Every job is safe on several replicas at once: each re-reads what it moves in its own
//! transaction (or, for planning with Redis, hands the slot to one worker through the
//! stream), so two replicas running the same job at once do the work once.

use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::state::AppState;

/// A job the server runs on a timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// Merchant orders no merchant accepted in time expire and give their stock back.
    ExpireUnaccepted,
    /// Orders whose card authorisation is about to lapse are captured or voided.
    SettleLapsingAuthorizations,
    /// Weighed lines the shopper did not approve within the shop's waiting time are cut to
    /// what the payment holds.
    LapseWeightApprovals,
    /// Transfers the provider failed to take, or that waited for an account, are sent.
    SendWaitingTransfers,
    /// Published events over a week old are deleted: live listeners resume at most a week back.
    PruneEvents,
    /// Slots past their cut-off are planned here, or enqueued for the workers with Redis.
    PlanAtCutoffs,
    /// Provider calls a crash left unanswered are made again, or (a dead checkout's
    /// authorisation) cancelled.
    ReconcilePayments,
}

impl Job {
    pub fn name(self) -> &'static str {
        match self {
            Job::ExpireUnaccepted => "expire_unaccepted",
            Job::SettleLapsingAuthorizations => "settle_lapsing_authorizations",
            Job::LapseWeightApprovals => "lapse_weight_approvals",
            Job::SendWaitingTransfers => "send_waiting_transfers",
            Job::PruneEvents => "prune_events",
            Job::PlanAtCutoffs => "plan_at_cutoffs",
            Job::ReconcilePayments => "reconcile_payments",
        }
    }

    /// Runs the job once; what it did, for the log, or why it failed.
    async fn run(self, state: &AppState) -> Result<usize, String> {
        let done = match self {
            Job::ExpireUnaccepted => {
                golmok_ordering::lifecycle::expire_stale(state.ordering()).await
            }
            Job::SettleLapsingAuthorizations => {
                golmok_ordering::lifecycle::settle_lapsing_authorizations(state.ordering()).await
            }
            Job::LapseWeightApprovals => {
                golmok_ordering::approvals::lapse_unanswered(state.ordering()).await
            }
            Job::SendWaitingTransfers => {
                golmok_ordering::payouts::send_waiting_transfers(state.ordering()).await
            }
            Job::PruneEvents => {
                let week_ago = chrono::Utc::now() - chrono::Duration::days(7);
                return golmok_events::outbox::prune(&state.db, week_ago)
                    .await
                    .map(|n| n as usize)
                    .map_err(|e| e.to_string());
            }
            Job::PlanAtCutoffs => {
                crate::planning::sweep(state).await;
                return Ok(0);
            }
            Job::ReconcilePayments => {
                let settings = &state.settings.payments;
                let secs = |s: u64| chrono::Duration::seconds(s.min(i64::MAX as u64) as i64);
                let patience = golmok_ordering::payment_calls::Patience {
                    settle_after: secs(settings.settle_calls_after_secs),
                    abandon_after: secs(settings.abandon_checkouts_after_secs),
                };
                golmok_ordering::payment_calls::reconcile(state.ordering(), patience)
                    .await
                    .map(|r| r.finished + r.undone)
            }
        };
        done.map_err(|e| e.to_string())
    }
}

/// Every job and how often it runs, from the server's settings.
pub fn schedule(state: &AppState) -> Vec<(Job, Duration)> {
    let orders = Duration::from_secs(state.settings.ordering.expiry_sweep_secs);
    let planning = Duration::from_secs(state.settings.routing.planner_sweep_secs);
    let payments = Duration::from_secs(state.settings.payments.reconcile_every_secs);
    vec![
        (Job::ExpireUnaccepted, orders),
        (Job::SettleLapsingAuthorizations, orders),
        (Job::LapseWeightApprovals, orders),
        (Job::SendWaitingTransfers, orders),
        (Job::PruneEvents, orders),
        (Job::PlanAtCutoffs, planning),
        (Job::ReconcilePayments, payments),
    ]
}

/// Starts every scheduled job; each stops when `stop` turns true.
pub fn spawn_all(state: &AppState, stop: &watch::Receiver<bool>) -> Vec<JoinHandle<()>> {
    schedule(state)
        .into_iter()
        .map(|(job, every)| tokio::spawn(run_every(state.clone(), job, every, stop.clone())))
        .collect()
}

async fn run_every(state: AppState, job: Job, every: Duration, mut stop: watch::Receiver<bool>) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        match job.run(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(job = job.name(), done = n, "background job"),
            Err(e) => tracing::warn!(job = job.name(), error = %e, "background job failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_job_has_its_own_name() {
        let jobs = [
            Job::ExpireUnaccepted,
            Job::SettleLapsingAuthorizations,
            Job::LapseWeightApprovals,
            Job::SendWaitingTransfers,
            Job::PruneEvents,
            Job::PlanAtCutoffs,
            Job::ReconcilePayments,
        ];
        let names: std::collections::BTreeSet<_> = jobs.iter().map(|j| j.name()).collect();
        assert_eq!(names.len(), jobs.len());
    }
}
