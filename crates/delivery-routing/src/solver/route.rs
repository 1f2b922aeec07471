//! Routes with their schedules cached, and the constant-time-per-position insertion checks
//! the search is built on.

use super::model::{Problem, Vehicle};

/// Floating-point slack on time-window checks.
pub(crate) const EPS: f64 = 1e-7;

/// The stops of all tasks as one array: task `t`'s pickup is node `2t`, its delivery `2t + 1`.
pub(crate) struct Nodes {
    pub loc: Vec<usize>,
    pub early: Vec<f64>,
    pub late: Vec<f64>,
    pub service: Vec<f64>,
    /// What the stop adds to the load: the size at a pickup, minus it at a delivery.
    pub demand: Vec<[i64; 2]>,
    /// Whether the task has a pickup stop (else its goods start on board).
    pub has_pickup: Vec<bool>,
}

impl Nodes {
    pub fn new(problem: &Problem) -> Self {
        let n = problem.tasks.len() * 2;
        let mut nodes = Nodes {
            loc: vec![0; n],
            early: vec![0.0; n],
            late: vec![f64::INFINITY; n],
            service: vec![0.0; n],
            demand: vec![[0, 0]; n],
            has_pickup: vec![false; problem.tasks.len()],
        };
        for (t, task) in problem.tasks.iter().enumerate() {
            if let Some(p) = task.pickup {
                nodes.loc[2 * t] = p.location;
                nodes.early[2 * t] = p.window.0;
                nodes.late[2 * t] = p.window.1;
                nodes.service[2 * t] = p.service;
                nodes.demand[2 * t] = task.size;
                nodes.has_pickup[t] = true;
            }
            let d = task.delivery;
            nodes.loc[2 * t + 1] = d.location;
            nodes.early[2 * t + 1] = d.window.0;
            nodes.late[2 * t + 1] = d.window.1;
            nodes.service[2 * t + 1] = d.service;
            nodes.demand[2 * t + 1] = [-task.size[0], -task.size[1]];
        }
        nodes
    }
}

fn add(a: [i64; 2], b: [i64; 2]) -> [i64; 2] {
    [a[0] + b[0], a[1] + b[1]]
}

fn fits(load: [i64; 2], capacity: [i64; 2]) -> bool {
    load[0] <= capacity[0] && load[1] <= capacity[1]
}

fn max2(a: [i64; 2], b: [i64; 2]) -> [i64; 2] {
    [a[0].max(b[0]), a[1].max(b[1])]
}

/// When a vehicle must be back: the end of its shift, or earlier if its routes are limited in
/// duration.
pub(crate) fn end_deadline(v: &Vehicle) -> f64 {
    match v.max_duration {
        Some(d) => v.shift.1.min(v.shift.0 + d),
        None => v.shift.1,
    }
}

/// A vehicle's route: the nodes it visits between leaving its start and reaching its end,
/// with the schedule of every position cached (position 0 is the start, the last the end).
#[derive(Debug, Clone)]
pub(crate) struct Route {
    pub vehicle: usize,
    pub seq: Vec<usize>,
    start: Vec<f64>,
    latest: Vec<f64>,
    load: Vec<[i64; 2]>,
    prefix_max: Vec<[i64; 2]>,
    pub distance: f64,
    pub feasible: bool,
}

/// Where a task goes: its pickup after position `i`, its delivery after position `j`
/// (positions of the route before the insertion; `j == i` puts the delivery right after the
/// pickup). A task without a pickup uses `j` only.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Insertion {
    pub cost: f64,
    pub i: usize,
    pub j: usize,
}

pub(crate) struct Ctx<'a> {
    pub problem: &'a Problem,
    pub nodes: &'a Nodes,
}

impl Ctx<'_> {
    #[inline]
    fn vehicle(&self, r: &Route) -> &Vehicle {
        &self.problem.vehicles[r.vehicle]
    }

    /// The matrix location of position `pos` of route `r`.
    #[inline]
    fn loc(&self, r: &Route, pos: usize) -> usize {
        if pos == 0 {
            self.vehicle(r).start
        } else if pos == r.seq.len() + 1 {
            self.vehicle(r).end
        } else {
            self.nodes.loc[r.seq[pos - 1]]
        }
    }

    #[inline]
    fn service(&self, r: &Route, pos: usize) -> f64 {
        if pos == 0 || pos == r.seq.len() + 1 {
            0.0
        } else {
            self.nodes.service[r.seq[pos - 1]]
        }
    }

    #[inline]
    fn early(&self, r: &Route, pos: usize) -> f64 {
        if pos == 0 || pos == r.seq.len() + 1 {
            self.vehicle(r).shift.0
        } else {
            self.nodes.early[r.seq[pos - 1]]
        }
    }

    #[inline]
    fn dist(&self, a: usize, b: usize) -> f64 {
        self.problem.matrix.distance(a, b)
    }

    #[inline]
    fn time(&self, r: &Route, a: usize, b: usize) -> f64 {
        self.problem.matrix.time(self.vehicle(r).profile, a, b)
    }
}

impl Route {
    pub fn new(vehicle: usize) -> Self {
        Route {
            vehicle,
            seq: Vec::new(),
            start: Vec::new(),
            latest: Vec::new(),
            load: Vec::new(),
            prefix_max: Vec::new(),
            distance: 0.0,
            feasible: true,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.seq.is_empty()
    }

    /// Service start time of position `pos` (0 = leaving the start).
    pub fn start_time(&self, pos: usize) -> f64 {
        self.start[pos]
    }

    /// Recomputes the cached schedule, loads and distance.
    pub fn refresh(&mut self, ctx: &Ctx<'_>) {
        let k = self.seq.len();
        let vehicle = ctx.vehicle(self);
        let capacity = vehicle.capacity;
        let deadline = end_deadline(vehicle);
        self.start.clear();
        self.load.clear();
        self.prefix_max.clear();
        let mut on_board = [0, 0];
        for &node in &self.seq {
            if node % 2 == 1 && !ctx.nodes.has_pickup[node / 2] {
                on_board = add(
                    on_board,
                    [-ctx.nodes.demand[node][0], -ctx.nodes.demand[node][1]],
                );
            }
        }
        let mut feasible = fits(on_board, capacity);
        let mut distance = 0.0;
        self.start.push(vehicle.shift.0);
        self.load.push(on_board);
        self.prefix_max.push(on_board);
        for pos in 1..=k + 1 {
            let (from, to) = (ctx.loc(self, pos - 1), ctx.loc(self, pos));
            distance += ctx.dist(from, to);
            let arrival =
                self.start[pos - 1] + ctx.service(self, pos - 1) + ctx.time(self, from, to);
            if pos == k + 1 {
                feasible &= arrival <= deadline + EPS;
                self.start.push(arrival);
                self.load.push(self.load[pos - 1]);
            } else {
                let node = self.seq[pos - 1];
                let start = arrival.max(ctx.nodes.early[node]);
                feasible &= start <= ctx.nodes.late[node] + EPS;
                let load = add(self.load[pos - 1], ctx.nodes.demand[node]);
                feasible &= fits(load, capacity);
                self.start.push(start);
                self.load.push(load);
            }
            let pm = max2(self.prefix_max[pos - 1], self.load[pos]);
            self.prefix_max.push(pm);
        }
        self.latest.clear();
        self.latest.resize(k + 2, 0.0);
        self.latest[k + 1] = deadline;
        for pos in (0..=k).rev() {
            let (from, to) = (ctx.loc(self, pos), ctx.loc(self, pos + 1));
            let by_next = self.latest[pos + 1] - ctx.time(self, from, to) - ctx.service(self, pos);
            let own = if pos == 0 {
                f64::INFINITY
            } else {
                ctx.nodes.late[self.seq[pos - 1]]
            };
            self.latest[pos] = own.min(by_next);
        }
        self.distance = distance;
        self.feasible = feasible;
    }

    /// The cheapest feasible place for task `t`, by added distance.
    pub fn best_insertion(&self, ctx: &Ctx<'_>, t: usize) -> Option<Insertion> {
        self.best_insertion_below(ctx, t, f64::INFINITY)
    }

    /// As [`Route::best_insertion`], but only places cheaper than `bound` are of interest:
    /// since a detour never shortens a route (distances obey the triangle inequality), a
    /// pickup position already costing `bound` is not followed further.
    pub fn best_insertion_below(&self, ctx: &Ctx<'_>, t: usize, bound: f64) -> Option<Insertion> {
        let task = &ctx.problem.tasks[t];
        if task.vehicle.is_some_and(|v| v != self.vehicle) {
            return None;
        }
        let mut best = Cheapest {
            limit: bound,
            found: None,
        };
        let delivery = NodeTimes::of(ctx, 2 * t + 1);
        if ctx.nodes.has_pickup[t] {
            let pair = PairSearch::new(self, ctx, t, delivery);
            for i in 0..=self.seq.len() {
                if !self.pickup_at(ctx, &pair, i, &mut best) {
                    break;
                }
            }
        } else {
            self.delivery_alone(ctx, task.size, &delivery, &mut best);
        }
        best.found
    }

    /// A task with no pick-up: the delivery alone at its cheapest feasible place.
    fn delivery_alone(&self, ctx: &Ctx<'_>, size: [i64; 2], d: &NodeTimes, best: &mut Cheapest) {
        let capacity = ctx.vehicle(self).capacity;
        for j in 0..=self.seq.len() {
            if !fits(add(self.prefix_max[j], size), capacity) {
                break;
            }
            let a = ctx.loc(self, j);
            let td = (self.start[j] + ctx.service(self, j) + ctx.time(self, a, d.loc)).max(d.early);
            if td > d.late + EPS {
                break;
            }
            let next = ctx.loc(self, j + 1);
            let arrival = td + d.service + ctx.time(self, d.loc, next);
            if arrival.max(ctx.early(self, j + 1)) <= self.latest[j + 1] + EPS {
                let cost = ctx.dist(a, d.loc) + ctx.dist(d.loc, next) - ctx.dist(a, next);
                best.offer(cost, j, j);
            }
        }
    }

    /// The pick-up after position `i`, with its delivery right after it or further on.
    /// `false` once no later pick-up position can be reached in time.
    fn pickup_at(&self, ctx: &Ctx<'_>, pair: &PairSearch, i: usize, best: &mut Cheapest) -> bool {
        let (p, d) = (&pair.pickup, &pair.delivery);
        let a = ctx.loc(self, i);
        let reach = self.start[i] + ctx.service(self, i) + ctx.time(self, a, p.loc);
        if reach > p.late + EPS {
            return false;
        }
        if !fits(add(self.load[i], pair.size), pair.capacity) {
            return true;
        }
        let tp = reach.max(p.early);
        let after_i = ctx.loc(self, i + 1);
        let pickup_cost = ctx.dist(a, p.loc) + ctx.dist(p.loc, after_i) - ctx.dist(a, after_i);
        if pickup_cost >= best.limit {
            return true;
        }
        // Delivery right after the pickup.
        let td = (tp + p.service + ctx.time(self, p.loc, d.loc)).max(d.early);
        if td <= d.late + EPS {
            let arrival = td + d.service + ctx.time(self, d.loc, after_i);
            if arrival.max(ctx.early(self, i + 1)) <= self.latest[i + 1] + EPS {
                let cost = ctx.dist(a, p.loc) + ctx.dist(p.loc, d.loc) + ctx.dist(d.loc, after_i)
                    - ctx.dist(a, after_i);
                best.offer(cost, i, i);
            }
        }
        if i < self.seq.len() && pickup_cost + pair.least_from[i + 1] < best.limit {
            self.delivery_later(ctx, pair, i, tp + p.service, pickup_cost, best);
        }
        true
    }

    /// Delivery after a later position: walk the schedule the pick-up shifted forward, while
    /// a cheaper place may lie ahead.
    fn delivery_later(
        &self,
        ctx: &Ctx<'_>,
        pair: &PairSearch,
        i: usize,
        departure: f64,
        pickup_cost: f64,
        best: &mut Cheapest,
    ) {
        let d = &pair.delivery;
        let mut prev_loc = pair.pickup.loc;
        let mut prev_departure = departure;
        for j in i + 1..=self.seq.len() {
            if pickup_cost + pair.least_from[j] >= best.limit {
                break;
            }
            let loc = ctx.loc(self, j);
            let start = (prev_departure + ctx.time(self, prev_loc, loc)).max(ctx.early(self, j));
            if start > self.latest[j] + EPS {
                break;
            }
            if !fits(add(self.load[j], pair.size), pair.capacity) {
                break;
            }
            let td = (start + ctx.service(self, j) + ctx.time(self, loc, d.loc)).max(d.early);
            if td <= d.late + EPS && pickup_cost + pair.detour[j] < best.limit {
                let next = ctx.loc(self, j + 1);
                let arrival = td + d.service + ctx.time(self, d.loc, next);
                if arrival.max(ctx.early(self, j + 1)) <= self.latest[j + 1] + EPS {
                    best.offer(pickup_cost + pair.detour[j], i, j);
                }
            }
            prev_loc = loc;
            prev_departure = start + ctx.service(self, j);
        }
    }

    /// Applies an insertion found by [`Route::best_insertion`].
    pub fn insert(&mut self, ctx: &Ctx<'_>, t: usize, at: Insertion) {
        if ctx.nodes.has_pickup[t] {
            if at.j == at.i {
                self.seq.insert(at.i, 2 * t);
                self.seq.insert(at.i + 1, 2 * t + 1);
            } else {
                self.seq.insert(at.j, 2 * t + 1);
                self.seq.insert(at.i, 2 * t);
            }
        } else {
            self.seq.insert(at.j, 2 * t + 1);
        }
        self.refresh(ctx);
    }

    /// Takes task `t` off the route; true if it was on it.
    pub fn remove(&mut self, ctx: &Ctx<'_>, t: usize) -> bool {
        let before = self.seq.len();
        self.seq.retain(|&n| n / 2 != t);
        let removed = self.seq.len() != before;
        if removed {
            self.refresh(ctx);
        }
        removed
    }

    /// The tasks on this route, each once, in the order of their first stop.
    pub fn tasks(&self) -> Vec<usize> {
        let mut tasks = Vec::with_capacity(self.seq.len() / 2 + 1);
        for &n in &self.seq {
            if !tasks.contains(&(n / 2)) {
                tasks.push(n / 2);
            }
        }
        tasks
    }

    /// What removing task `t` would save in distance.
    pub fn removal_gain(&self, ctx: &Ctx<'_>, t: usize) -> f64 {
        let mut without = self.seq.clone();
        without.retain(|&n| n / 2 != t);
        let vehicle = ctx.vehicle(self);
        let mut distance = 0.0;
        let mut prev = vehicle.start;
        for &n in &without {
            distance += ctx.dist(prev, ctx.nodes.loc[n]);
            prev = ctx.nodes.loc[n];
        }
        distance += ctx.dist(prev, vehicle.end);
        self.distance - distance
    }
}

/// The cheapest insertion found so far, below a limit that tightens with each find.
struct Cheapest {
    limit: f64,
    found: Option<Insertion>,
}

impl Cheapest {
    fn offer(&mut self, cost: f64, i: usize, j: usize) {
        if cost < self.limit {
            self.limit = cost;
            self.found = Some(Insertion { cost, i, j });
        }
    }
}

/// A node's place and time window, read once per search.
struct NodeTimes {
    loc: usize,
    early: f64,
    late: f64,
    service: f64,
}

impl NodeTimes {
    fn of(ctx: &Ctx<'_>, node: usize) -> Self {
        Self {
            loc: ctx.nodes.loc[node],
            early: ctx.nodes.early[node],
            late: ctx.nodes.late[node],
            service: ctx.nodes.service[node],
        }
    }
}

/// What inserting a pick-up and delivery pair into one route needs at every position.
struct PairSearch {
    pickup: NodeTimes,
    delivery: NodeTimes,
    size: [i64; 2],
    capacity: [i64; 2],
    /// What dropping the delivery between positions j and j + 1 adds...
    detour: Vec<f64>,
    /// ...and the least of it from j on: a lower bound that lets whole pick-up positions be
    /// skipped once a cheap place is known.
    least_from: Vec<f64>,
}

impl PairSearch {
    fn new(route: &Route, ctx: &Ctx<'_>, t: usize, delivery: NodeTimes) -> Self {
        let k = route.seq.len();
        let mut detour = Vec::with_capacity(k + 1);
        for j in 0..=k {
            let (a, b) = (ctx.loc(route, j), ctx.loc(route, j + 1));
            detour.push(ctx.dist(a, delivery.loc) + ctx.dist(delivery.loc, b) - ctx.dist(a, b));
        }
        let mut least_from = detour.clone();
        for j in (0..k).rev() {
            least_from[j] = least_from[j].min(least_from[j + 1]);
        }
        Self {
            pickup: NodeTimes::of(ctx, 2 * t),
            delivery,
            size: ctx.problem.tasks[t].size,
            capacity: ctx.vehicle(route).capacity,
            detour,
            least_from,
        }
    }
}
