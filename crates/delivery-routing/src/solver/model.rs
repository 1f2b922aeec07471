use std::time::Duration;

use serde::{Deserialize, Serialize};

/// One place to be, with when service may start and how long it takes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Stop {
    /// Index into the travel matrix.
    pub location: usize,
    /// Service may start at `window.0` at the earliest (waiting if early) and must start by
    /// `window.1`.
    pub window: (f64, f64),
    pub service: f64,
}

/// Goods to carry: picked up at `pickup` and dropped at `delivery` on the same route. Without
/// a pickup the goods start on board (a depot delivery, or goods a courier already carries).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub pickup: Option<Stop>,
    pub delivery: Stop,
    /// Two dimensions, for example grams and millilitres.
    pub size: [i64; 2],
    /// Must be served by this vehicle (it already carries the goods, or holds them for a shop).
    pub vehicle: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vehicle {
    pub start: usize,
    pub end: usize,
    /// Leaves `start` at `shift.0`, must be back at `end` by `shift.1`.
    pub shift: (f64, f64),
    pub capacity: [i64; 2],
    /// Which travel-time table of the matrix this vehicle moves by.
    pub profile: usize,
    /// Longest a route may last, from leaving the start to arriving at the end.
    pub max_duration: Option<f64>,
}

/// Distances (for the objective) and travel times per profile, `n × n`, row-major.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TravelMatrix {
    pub size: usize,
    pub distance: Vec<f64>,
    pub times: Vec<Vec<f64>>,
}

impl TravelMatrix {
    /// A matrix whose travel time equals distance (the benchmarks' convention).
    pub fn from_distances(size: usize, distance: Vec<f64>) -> Self {
        Self {
            size,
            times: vec![distance.clone()],
            distance,
        }
    }

    #[inline]
    pub fn distance(&self, from: usize, to: usize) -> f64 {
        self.distance[from * self.size + to]
    }

    #[inline]
    pub fn time(&self, profile: usize, from: usize, to: usize) -> f64 {
        self.times[profile][from * self.size + to]
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    pub tasks: Vec<Task>,
    pub vehicles: Vec<Vehicle>,
    pub matrix: TravelMatrix,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budget {
    pub time_limit: Duration,
    /// Stop after this many search iterations even with time left (for reproducible runs).
    pub iterations: Option<u64>,
    pub seed: u64,
    /// Stop once the search has settled (its best answer stood long enough, measured in
    /// iterations): what planning wants. Off, it runs to the time limit or the iterations.
    pub stop_when_settled: bool,
    /// Searches run side by side, sharing their best answer; 1 is one search, deterministic
    /// per seed under an iteration budget.
    pub threads: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitKind {
    Pickup,
    Delivery,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Visit {
    pub task: usize,
    pub kind: VisitKind,
    pub arrival: f64,
    /// When service starts: the arrival, or the window's opening if earlier.
    pub start: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlannedRoute {
    pub vehicle: usize,
    pub visits: Vec<Visit>,
    pub distance: f64,
    /// Arrival back at the vehicle's end.
    pub end_time: f64,
}

/// Why a task is not on any route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Larger than every vehicle that may carry it.
    TooLarge,
    /// No vehicle can reach its stops within their windows and its shift, even carrying
    /// nothing else.
    OutOfTime,
    /// Each alone would fit, but the fleet is full.
    NoCapacityLeft,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::TooLarge => "too_large",
            Reason::OutOfTime => "out_of_time",
            Reason::NoCapacityLeft => "no_capacity_left",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Solution {
    pub routes: Vec<PlannedRoute>,
    pub unassigned: Vec<(usize, Reason)>,
    pub distance: f64,
    pub vehicles: usize,
    pub iterations: u64,
    /// The iteration, and the time since the solver was called, that found the answer.
    pub iterations_to_best: u64,
    pub time_to_best: std::time::Duration,
    /// When the search stopped: its budget ran out or it settled.
    pub time_to_stop: std::time::Duration,
}
