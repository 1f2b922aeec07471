//! Routes with their schedules cached, and the constant-time-per-position insertion checks
//! the search is built on.

use super::model::{Problem, TravelMatrix, Vehicle};

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

/// The travel matrix again, read by destination: the leg from `a` into `b` at `b * n + a`.
/// An insertion looks up the legs from every stop of a route into the new stop; by
/// destination they lie in one short row, where the matrix itself would scatter them over
/// megabytes (a 300-task wave's matrices do not fit a core's cache).
pub(crate) struct Inbound {
    distance: Vec<f64>,
    times: Vec<Vec<f64>>,
}

impl Inbound {
    pub fn new(matrix: &TravelMatrix) -> Self {
        let n = matrix.size;
        let transpose = |m: &[f64]| {
            let mut t = vec![0.0; n * n];
            for from in 0..n {
                for to in 0..n {
                    t[to * n + from] = m[from * n + to];
                }
            }
            t
        };
        Self {
            distance: transpose(&matrix.distance),
            times: matrix.times.iter().map(|m| transpose(m)).collect(),
        }
    }
}

fn add(a: [i64; 2], b: [i64; 2]) -> [i64; 2] {
    [a[0] + b[0], a[1] + b[1]]
}

fn fits(load: [i64; 2], capacity: [i64; 2]) -> bool {
    load[0] <= capacity[0] && load[1] <= capacity[1]
}

/// The later of two times. `f64::max` handles NaN, which no time here is, at the cost of a
/// fifth of the insertion walks' instructions (measured with callgrind on a real wave).
#[inline]
fn later(a: f64, b: f64) -> f64 {
    if a < b { b } else { a }
}

/// The earlier of two times (see [`later`]).
#[inline]
fn earlier(a: f64, b: f64) -> f64 {
    if b < a { b } else { a }
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

/// What the insertion checks read at one position of a route, kept side by side so that a
/// walk along the route touches one array.
#[derive(Debug, Clone, Copy)]
struct Position {
    /// The matrix location (the vehicle's start at position 0, its end at the last).
    loc: usize,
    early: f64,
    service: f64,
    /// When service starts (leaving the start at position 0, arriving at the end at the last).
    start: f64,
    /// The latest service may start without making a later position late.
    latest: f64,
    /// On board when leaving.
    load: [i64; 2],
    /// The most on board anywhere up to here.
    prefix_max: [i64; 2],
    /// The leg to the next position (nothing after the end).
    dist_next: f64,
    time_next: f64,
}

/// A vehicle's route: the nodes it visits between leaving its start and reaching its end,
/// with the schedule of every position cached (position 0 is the start, the last the end).
#[derive(Debug)]
pub(crate) struct Route {
    pub vehicle: usize,
    pub seq: Vec<usize>,
    at: Vec<Position>,
    pub distance: f64,
    pub feasible: bool,
}

/// Copying into an existing route reuses its buffers: the search copies whole solutions
/// every iteration.
impl Clone for Route {
    fn clone(&self) -> Self {
        Route {
            vehicle: self.vehicle,
            seq: self.seq.clone(),
            at: self.at.clone(),
            distance: self.distance,
            feasible: self.feasible,
        }
    }

    fn clone_from(&mut self, other: &Self) {
        self.vehicle = other.vehicle;
        self.seq.clone_from(&other.seq);
        self.at.clone_from(&other.at);
        self.distance = other.distance;
        self.feasible = other.feasible;
    }
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
    pub inbound: &'a Inbound,
}

/// What every search reads of a problem, worked out once: each node's place and times, and
/// the matrix by destination. Searches borrow it through a [`Ctx`].
pub(crate) struct Lookups {
    nodes: Nodes,
    inbound: Inbound,
}

impl Lookups {
    pub fn new(problem: &Problem) -> Self {
        Self {
            nodes: Nodes::new(problem),
            inbound: Inbound::new(&problem.matrix),
        }
    }

    pub fn ctx<'a>(&'a self, problem: &'a Problem) -> Ctx<'a> {
        Ctx {
            problem,
            nodes: &self.nodes,
            inbound: &self.inbound,
        }
    }
}

impl Ctx<'_> {
    #[inline]
    fn vehicle(&self, r: &Route) -> &Vehicle {
        &self.problem.vehicles[r.vehicle]
    }

    /// The distances, and the travel times of the vehicle's profile.
    #[inline]
    fn legs(&self, vehicle: &Vehicle) -> Legs<'_> {
        let m = &self.problem.matrix;
        Legs {
            size: m.size,
            distance: &m.distance,
            time: &m.times[vehicle.profile],
            distance_in: &self.inbound.distance,
            time_in: &self.inbound.times[vehicle.profile],
        }
    }
}

/// One vehicle's view of the travel matrix, looked up once per route rather than per leg.
struct Legs<'a> {
    size: usize,
    distance: &'a [f64],
    time: &'a [f64],
    distance_in: &'a [f64],
    time_in: &'a [f64],
}

impl Legs<'_> {
    #[inline]
    fn dist(&self, a: usize, b: usize) -> f64 {
        self.distance[a * self.size + b]
    }

    #[inline]
    fn time(&self, a: usize, b: usize) -> f64 {
        self.time[a * self.size + b]
    }

    /// As `dist`, read from [`Inbound`]: for many `a` into one `b`.
    #[inline]
    fn dist_into(&self, a: usize, b: usize) -> f64 {
        self.distance_in[b * self.size + a]
    }

    #[inline]
    fn time_into(&self, a: usize, b: usize) -> f64 {
        self.time_in[b * self.size + a]
    }
}

impl Route {
    pub fn new(vehicle: usize) -> Self {
        Route {
            vehicle,
            seq: Vec::new(),
            at: Vec::new(),
            distance: 0.0,
            feasible: true,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.seq.is_empty()
    }

    /// Service start time of position `pos` (0 = leaving the start).
    pub fn start_time(&self, pos: usize) -> f64 {
        self.at[pos].start
    }

    /// Recomputes the cached schedule, loads and distance.
    pub fn refresh(&mut self, ctx: &Ctx<'_>) {
        let k = self.seq.len();
        let vehicle = ctx.vehicle(self);
        let legs = ctx.legs(vehicle);
        let capacity = vehicle.capacity;
        let deadline = end_deadline(vehicle);
        let nodes = ctx.nodes;
        let mut on_board = [0, 0];
        for &node in &self.seq {
            if node % 2 == 1 && !nodes.has_pickup[node / 2] {
                on_board = add(on_board, [-nodes.demand[node][0], -nodes.demand[node][1]]);
            }
        }
        let mut feasible = fits(on_board, capacity);
        let mut distance = 0.0;
        self.at.clear();
        self.at.push(Position {
            loc: vehicle.start,
            early: vehicle.shift.0,
            service: 0.0,
            start: vehicle.shift.0,
            latest: 0.0,
            load: on_board,
            prefix_max: on_board,
            dist_next: 0.0,
            time_next: 0.0,
        });
        for pos in 1..=k + 1 {
            let prev = self.at[pos - 1];
            let mut here = if pos == k + 1 {
                Position {
                    loc: vehicle.end,
                    early: vehicle.shift.0,
                    service: 0.0,
                    start: 0.0,
                    latest: deadline,
                    load: prev.load,
                    prefix_max: prev.load,
                    dist_next: 0.0,
                    time_next: 0.0,
                }
            } else {
                let node = self.seq[pos - 1];
                Position {
                    loc: nodes.loc[node],
                    early: nodes.early[node],
                    service: nodes.service[node],
                    start: 0.0,
                    latest: nodes.late[node],
                    load: add(prev.load, nodes.demand[node]),
                    prefix_max: prev.load,
                    dist_next: 0.0,
                    time_next: 0.0,
                }
            };
            let (leg_distance, leg_time) =
                (legs.dist(prev.loc, here.loc), legs.time(prev.loc, here.loc));
            self.at[pos - 1].dist_next = leg_distance;
            self.at[pos - 1].time_next = leg_time;
            distance += leg_distance;
            let arrival = prev.start + prev.service + leg_time;
            if pos == k + 1 {
                feasible &= arrival <= deadline + EPS;
                here.start = arrival;
            } else {
                here.start = later(arrival, here.early);
                feasible &= here.start <= here.latest + EPS;
                feasible &= fits(here.load, capacity);
            }
            here.prefix_max = max2(prev.prefix_max, here.load);
            self.at.push(here);
        }
        // Until now `latest` held each stop's own window (the deadline at the end); the walk
        // back tightens it by what every later position needs.
        self.at[0].latest = f64::INFINITY;
        for pos in (0..=k).rev() {
            let next = self.at[pos + 1];
            let here = &mut self.at[pos];
            let by_next = next.latest - here.time_next - here.service;
            here.latest = earlier(here.latest, by_next);
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
        let vehicle = ctx.vehicle(self);
        let legs = ctx.legs(vehicle);
        let mut best = Cheapest {
            limit: bound,
            found: None,
        };
        let delivery = NodeTimes::of(ctx, 2 * t + 1);
        if ctx.nodes.has_pickup[t] {
            let pair = PairSearch::new(self, ctx, &legs, t, delivery);
            for i in 0..=self.seq.len() {
                if !self.pickup_at(&legs, &pair, i, &mut best) {
                    break;
                }
            }
        } else {
            self.delivery_alone(&legs, vehicle.capacity, task.size, &delivery, &mut best);
        }
        best.found
    }

    /// A task with no pick-up: the delivery alone at its cheapest feasible place.
    fn delivery_alone(
        &self,
        legs: &Legs<'_>,
        capacity: [i64; 2],
        size: [i64; 2],
        d: &NodeTimes,
        best: &mut Cheapest,
    ) {
        for j in 0..=self.seq.len() {
            let (here, next) = (&self.at[j], &self.at[j + 1]);
            if !fits(add(here.prefix_max, size), capacity) {
                break;
            }
            let td = later(
                here.start + here.service + legs.time_into(here.loc, d.loc),
                d.early,
            );
            if td > d.late + EPS {
                break;
            }
            let arrival = td + d.service + legs.time(d.loc, next.loc);
            if later(arrival, next.early) <= next.latest + EPS {
                let cost =
                    legs.dist_into(here.loc, d.loc) + legs.dist(d.loc, next.loc) - here.dist_next;
                best.offer(cost, j, j);
            }
        }
    }

    /// The pick-up after position `i`, with its delivery right after it or further on.
    /// `false` once no later pick-up position can be reached in time.
    fn pickup_at(&self, legs: &Legs<'_>, pair: &PairSearch, i: usize, best: &mut Cheapest) -> bool {
        let (p, d) = (&pair.pickup, &pair.delivery);
        let (here, next) = (&self.at[i], &self.at[i + 1]);
        let a = here.loc;
        let reach = here.start + here.service + legs.time_into(a, p.loc);
        if reach > p.late + EPS {
            return false;
        }
        if !fits(add(here.load, pair.size), pair.capacity) {
            return true;
        }
        let tp = later(reach, p.early);
        let after_i = next.loc;
        let into_pickup = legs.dist_into(a, p.loc);
        let pickup_cost = into_pickup + legs.dist(p.loc, after_i) - here.dist_next;
        if pickup_cost >= best.limit {
            return true;
        }
        // Delivery right after the pickup.
        let td = later(tp + p.service + legs.time(p.loc, d.loc), d.early);
        if td <= d.late + EPS {
            let arrival = td + d.service + legs.time(d.loc, after_i);
            if later(arrival, next.early) <= next.latest + EPS {
                let cost = into_pickup + legs.dist(p.loc, d.loc) + legs.dist(d.loc, after_i)
                    - here.dist_next;
                best.offer(cost, i, i);
            }
        }
        if i < self.seq.len() && pickup_cost + pair.drops[i + 1].least_from < best.limit {
            self.delivery_later(legs, pair, i, tp + p.service, pickup_cost, best);
        }
        true
    }

    /// Delivery after a later position: walk the schedule the pick-up shifted forward, while
    /// a cheaper place may lie ahead.
    fn delivery_later(
        &self,
        legs: &Legs<'_>,
        pair: &PairSearch,
        i: usize,
        departure: f64,
        pickup_cost: f64,
        best: &mut Cheapest,
    ) {
        let d = &pair.delivery;
        let mut prev_departure = departure;
        // The first leg is from the pick-up; the later ones are the route's own.
        let mut leg_time = legs.time(pair.pickup.loc, self.at[i + 1].loc);
        // The positions from i + 1 on while the goods fit, and the delivery's place after
        // each, as two slices of one length: indexing them needs no bounds check a step.
        let end = pair.drops[i + 1].full_from;
        let (ahead, drops) = (&self.at[i + 1..=end], &pair.drops[i + 1..end]);
        for step in 0..drops.len().min(ahead.len() - 1) {
            let (here, next, drop) = (&ahead[step], &ahead[step + 1], &drops[step]);
            if pickup_cost + drop.least_from >= best.limit {
                break;
            }
            let start = later(prev_departure + leg_time, here.early);
            if start > here.latest + EPS {
                break;
            }
            let td = later(
                start + here.service + legs.time_into(here.loc, d.loc),
                d.early,
            );
            if td <= d.late + EPS && pickup_cost + drop.detour < best.limit {
                let arrival = td + d.service + legs.time(d.loc, next.loc);
                if later(arrival, next.early) <= next.latest + EPS {
                    best.offer(pickup_cost + drop.detour, i, i + 1 + step);
                }
            }
            leg_time = here.time_next;
            prev_departure = start + here.service;
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

    /// Takes task `t`'s stops out of the sequence, true if it was on the route. The schedule
    /// is left as it was: a caller taking several tasks off [`Route::refresh`]es once after
    /// the last.
    pub fn take_off(&mut self, t: usize) -> bool {
        let before = self.seq.len();
        self.seq.retain(|&n| n / 2 != t);
        self.seq.len() != before
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
        let legs = ctx.legs(ctx.vehicle(self));
        let mut distance = 0.0;
        let mut prev = self.at[0].loc;
        for (k, &n) in self.seq.iter().enumerate() {
            if n / 2 != t {
                let loc = self.at[k + 1].loc;
                distance += legs.dist(prev, loc);
                prev = loc;
            }
        }
        distance += legs.dist(prev, self.at[self.seq.len() + 1].loc);
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
    /// Per position j, dropping the delivery between j and j + 1.
    drops: Vec<Drop>,
}

/// What dropping the delivery after one position adds...
#[derive(Clone, Copy)]
struct Drop {
    detour: f64,
    /// ...and the least of it from there on: a lower bound that lets whole pick-up positions
    /// be skipped once a cheap place is known.
    least_from: f64,
    /// The first position from j on where the goods would not fit beside what is on board
    /// (one past the last stop if none): a delivery goes before it.
    full_from: usize,
}

thread_local! {
    /// [`PairSearch::drops`]' buffer, kept between searches: they run for every task and
    /// route the repair looks at.
    static DROPS: std::cell::Cell<Vec<Drop>> = const { std::cell::Cell::new(Vec::new()) };
}

impl PairSearch {
    fn new(route: &Route, ctx: &Ctx<'_>, legs: &Legs<'_>, t: usize, delivery: NodeTimes) -> Self {
        let k = route.seq.len();
        let mut drops = DROPS.take();
        drops.clear();
        drops.resize(
            k + 1,
            Drop {
                detour: 0.0,
                least_from: f64::INFINITY,
                full_from: k + 1,
            },
        );
        let size = ctx.problem.tasks[t].size;
        let capacity = ctx.vehicle(route).capacity;
        let mut least = f64::INFINITY;
        let mut full_from = k + 1;
        for j in (0..=k).rev() {
            let (here, next) = (&route.at[j], &route.at[j + 1]);
            let (a, b) = (here.loc, next.loc);
            let detour =
                legs.dist_into(a, delivery.loc) + legs.dist(delivery.loc, b) - here.dist_next;
            least = earlier(least, detour);
            if !fits(add(here.load, size), capacity) {
                full_from = j;
            }
            drops[j] = Drop {
                detour,
                least_from: least,
                full_from,
            };
        }
        Self {
            pickup: NodeTimes::of(ctx, 2 * t),
            delivery,
            size,
            capacity,
            drops,
        }
    }
}

impl std::ops::Drop for PairSearch {
    fn drop(&mut self) {
        DROPS.set(std::mem::take(&mut self.drops));
    }
}
