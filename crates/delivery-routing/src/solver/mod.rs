//! The route solver: pickup-and-delivery with time windows (PDPTW), two capacity
//! dimensions, a heterogeneous fleet with shifts, and partial answers when not everything
//! fits. It knows nothing of orders, couriers or the database: tasks, vehicles, a travel
//! matrix and a budget go in; routes with arrival times and unassigned tasks with reasons come
//! out.
//!
//! The objective is hierarchical: serve as many tasks as possible, then use as few vehicles as
//! possible, then drive as little as possible.
//!
//! The search is adaptive large-neighbourhood search (Ropke & Pisinger, 2006): start from a
//! regret insertion, then repeatedly remove a handful of tasks (at random, related ones, the
//! costliest, or a whole route to save a vehicle) and reinsert them by regret, accepting worse
//! answers with a cooling probability (simulated annealing). Insertion positions are checked in
//! constant time per position from each route's cached schedule: earliest service starts
//! forward, latest feasible starts backward, and running loads.
//!
//! Deterministic for a given seed and iteration budget on one thread; with only a time limit,
//! how far the search gets depends on the machine. With more threads, as many searches run
//! side by side from different seeds and share their best answer as they go.

mod model;
mod route;
mod search;
mod verify;

pub use model::{
    Budget, PlannedRoute, Problem, Reason, Solution, Stop, Task, TravelMatrix, Vehicle, Visit,
    VisitKind,
};
pub use search::solve;
pub use verify::verify;

#[cfg(test)]
mod tests;
