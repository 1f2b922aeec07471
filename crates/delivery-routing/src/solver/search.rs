//! Adaptive large-neighbourhood search over [`Route`]s.

use std::time::Instant;

use super::model::{Budget, PlannedRoute, Problem, Reason, Solution, Visit, VisitKind};
use super::route::{Ctx, EPS, Insertion, Lookups, Route, end_deadline};

/// Objective weights: every task served outranks any number of vehicles, which outrank any
/// distance.
const UNASSIGNED: f64 = 1e9;
const VEHICLE: f64 = 1e5;

/// SplitMix64: small, fast and the same everywhere, so a seed reproduces a run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Repair {
    Regret,
    Greedy,
    RandomOrder,
}

struct State {
    routes: Vec<Route>,
    unassigned: Vec<usize>,
    /// Most routes the repair may use (fewer while trying to save a vehicle).
    max_routes: usize,
}

/// Copying into an existing state reuses its routes' buffers (see [`Route`]'s `clone_from`).
impl Clone for State {
    fn clone(&self) -> Self {
        State {
            routes: self.routes.clone(),
            unassigned: self.unassigned.clone(),
            max_routes: self.max_routes,
        }
    }

    fn clone_from(&mut self, other: &Self) {
        self.routes.clone_from(&other.routes);
        self.unassigned.clone_from(&other.unassigned);
        self.max_routes = other.max_routes;
    }
}

impl State {
    fn used(&self) -> usize {
        self.routes.iter().filter(|r| !r.is_empty()).count()
    }

    fn distance(&self) -> f64 {
        self.routes.iter().map(|r| r.distance).sum()
    }

    fn cost(&self) -> f64 {
        self.unassigned.len() as f64 * UNASSIGNED + self.used() as f64 * VEHICLE + self.distance()
    }

    fn route_of(&self, t: usize) -> Option<usize> {
        self.routes
            .iter()
            .position(|r| r.seq.contains(&(2 * t + 1)))
    }
}

struct Search<'a> {
    ctx: Ctx<'a>,
    /// Vehicles grouped by what makes them interchangeable; an empty route of each class is
    /// tried, not all of them.
    class_of: Vec<usize>,
    /// Tasks that can be served at all (the rest are unassigned from the start, with a reason).
    servable: Vec<usize>,
    /// Per task, the other servable tasks from most to least related (see [`relatedness`]):
    /// sorted once for all searches, not at every removal.
    related: &'a [Vec<usize>],
    /// No fewer vehicles can serve every servable task (see [`fewest_vehicles`]).
    fewest_vehicles: usize,
    rng: Rng,
}

impl Search<'_> {
    /// The routes worth trying for a task free to go on any: every used route, and one empty
    /// route per vehicle class while the fleet may still grow (`used` routes of `s` are).
    fn open_routes(&self, s: &State, used: usize, out: &mut Vec<usize>) {
        out.clear();
        let may_open = used < s.max_routes;
        let mut seen_classes = Vec::new();
        for (r, route) in s.routes.iter().enumerate() {
            if !route.is_empty() {
                out.push(r);
            } else if may_open && !seen_classes.contains(&self.class_of[r]) {
                seen_classes.push(self.class_of[r]);
                out.push(r);
            }
        }
    }

    /// Task `t`'s cheapest place on route `r`, counting a vehicle's cost if the route is
    /// empty (`used` routes of `s` are not).
    fn insertion_cost(&self, s: &State, used: usize, r: usize, t: usize) -> Option<Insertion> {
        let route = &s.routes[r];
        if route.is_empty() && used >= s.max_routes && self.ctx.problem.tasks[t].vehicle.is_none() {
            return None;
        }
        route.best_insertion(&self.ctx, t).map(|mut ins| {
            if route.is_empty() {
                ins.cost += VEHICLE;
            }
            ins
        })
    }

    /// Inserts every unassigned task it can, by regret-2: the task that would lose most by
    /// waiting goes first.
    fn repair(&mut self, s: &mut State, noise: f64) {
        self.repair_with(s, noise, Repair::Regret);
    }

    fn repair_with(&mut self, s: &mut State, noise: f64, mode: Repair) {
        if mode == Repair::RandomOrder {
            self.repair_in_random_order(s);
            return;
        }
        let regret = mode == Repair::Regret;
        let mut pending = std::mem::take(&mut s.unassigned);
        // cache[task index in pending * routes + route] = best insertion there, None =
        // infeasible, recomputed for a route whenever it changes. One allocation, not one per
        // pending task.
        let routes = s.routes.len();
        let mut cache: Vec<Option<Option<Insertion>>> = vec![None; routes * pending.len()];
        let mut open = Vec::with_capacity(routes);
        while !pending.is_empty() {
            let used = s.used();
            self.open_routes(s, used, &mut open);
            let mut choice: Option<(usize, usize, Insertion, f64)> = None;
            for (k, &t) in pending.iter().enumerate() {
                let fixed;
                let candidates = match self.ctx.problem.tasks[t].vehicle {
                    Some(v) => {
                        fixed = [v];
                        &fixed[..]
                    }
                    None => &open[..],
                };
                let Some((r, ins, second)) = self.two_cheapest(
                    s,
                    used,
                    t,
                    candidates,
                    &mut cache[k * routes..][..routes],
                    noise,
                ) else {
                    continue;
                };
                let score = if !regret {
                    -ins.cost
                } else if second.is_finite() {
                    second - ins.cost
                } else {
                    f64::MAX / 4.0
                };
                let better = match &choice {
                    None => true,
                    Some((_, _, c, g)) => score > *g || (score == *g && ins.cost < c.cost),
                };
                if better {
                    choice = Some((k, r, ins, score));
                }
            }
            let Some((k, r, ins, _)) = choice else { break };
            let t = pending.swap_remove(k);
            let last = pending.len();
            if k != last {
                cache.copy_within(last * routes..(last + 1) * routes, k * routes);
            }
            cache.truncate(last * routes);
            let was_empty = s.routes[r].is_empty();
            s.routes[r].insert(&self.ctx, t, ins);
            forget_route(&mut cache, routes, s, r, was_empty);
        }
        s.unassigned = pending;
        s.unassigned.sort_unstable();
    }

    /// Each task in a random order at its cheapest place: reaches arrangements that
    /// cheapest-first orders never build (a small task that only fits once a larger one has
    /// made room).
    fn repair_in_random_order(&mut self, s: &mut State) {
        let mut pending = std::mem::take(&mut s.unassigned);
        for k in (1..pending.len()).rev() {
            pending.swap(k, self.rng.below(k + 1));
        }
        let mut left = Vec::new();
        let mut open = Vec::with_capacity(s.routes.len());
        for t in pending {
            let used = s.used();
            self.routes_for(s, used, t, &mut open);
            match self.cheapest_place(s, used, t, &open) {
                Some((r, ins)) => s.routes[r].insert(&self.ctx, t, ins),
                None => left.push(t),
            }
        }
        s.unassigned = left;
        s.unassigned.sort_unstable();
    }

    /// The routes task `t` may go on: its own vehicle's if it has one, else the open ones.
    fn routes_for(&self, s: &State, used: usize, t: usize, out: &mut Vec<usize>) {
        match self.ctx.problem.tasks[t].vehicle {
            Some(v) => {
                out.clear();
                out.push(v);
            }
            None => self.open_routes(s, used, out),
        }
    }

    /// Task `t`'s cheapest feasible place on one of `routes`.
    fn cheapest_place(
        &self,
        s: &State,
        used: usize,
        t: usize,
        routes: &[usize],
    ) -> Option<(usize, Insertion)> {
        routes
            .iter()
            .filter_map(|&r| self.insertion_cost(s, used, r, t).map(|ins| (r, ins)))
            .min_by(|a, b| a.1.cost.total_cmp(&b.1.cost))
    }

    /// Task `t`'s cheapest insertion over the `candidates` routes (with noise, if any), and
    /// the cost of the second cheapest route for regret. `cached` holds its insertions per
    /// route.
    fn two_cheapest(
        &mut self,
        s: &State,
        used: usize,
        t: usize,
        candidates: &[usize],
        cached: &mut [Option<Option<Insertion>>],
        noise: f64,
    ) -> Option<(usize, Insertion, f64)> {
        let mut best: Option<(usize, Insertion)> = None;
        let mut second = f64::INFINITY;
        for &r in candidates {
            let entry = match cached[r] {
                Some(e) => e,
                None => {
                    let e = self.insertion_cost(s, used, r, t);
                    cached[r] = Some(e);
                    e
                }
            };
            let Some(mut ins) = entry else { continue };
            if noise > 0.0 {
                // Ropke & Pisinger's noise: a random amount up to a share of the longest
                // leg, so that near-equal insertions swap order now and then.
                ins.cost = (ins.cost + noise * (2.0 * self.rng.unit() - 1.0)).max(0.0);
            }
            match best {
                Some((_, b)) if ins.cost >= b.cost => second = second.min(ins.cost),
                Some((_, b)) => {
                    second = b.cost;
                    best = Some((r, ins));
                }
                None => best = Some((r, ins)),
            }
        }
        best.map(|(r, ins)| (r, ins, second))
    }

    fn assigned(&self, s: &State) -> Vec<usize> {
        let mut tasks: Vec<usize> = self
            .servable
            .iter()
            .copied()
            .filter(|t| !s.unassigned.contains(t))
            .collect();
        tasks.sort_unstable();
        tasks
    }

    /// Takes `tasks` off their routes, each route's schedule worked out once after the last.
    fn remove_tasks(&self, s: &mut State, tasks: &[usize]) {
        let mut changed: Vec<usize> = Vec::with_capacity(tasks.len());
        for &t in tasks {
            if let Some(r) = s.route_of(t)
                && s.routes[r].take_off(t)
            {
                s.unassigned.push(t);
                if !changed.contains(&r) {
                    changed.push(r);
                }
            }
        }
        for r in changed {
            s.routes[r].refresh(&self.ctx);
        }
    }

    fn random_removal(&mut self, s: &mut State, q: usize) {
        let mut assigned = self.assigned(s);
        let mut out = Vec::new();
        while out.len() < q && !assigned.is_empty() {
            out.push(assigned.swap_remove(self.rng.below(assigned.len())));
        }
        self.remove_tasks(s, &out);
    }

    /// Shaw removal: a random task, then tasks related to one already chosen, the closest
    /// most likely.
    fn related_removal(&mut self, s: &mut State, q: usize) {
        let assigned = self.assigned(s);
        if assigned.is_empty() {
            return;
        }
        let mut free = vec![false; self.ctx.problem.tasks.len()];
        for &t in &assigned {
            free[t] = true;
        }
        let seed = assigned[self.rng.below(assigned.len())];
        free[seed] = false;
        let mut removed = vec![seed];
        while removed.len() < q && removed.len() < assigned.len() {
            let anchor = removed[self.rng.below(removed.len())];
            let others = assigned.len() - removed.len();
            let pick = ((self.rng.unit().powi(6) * others as f64) as usize).min(others - 1);
            let Some(&t) = self.related[anchor].iter().filter(|&&t| free[t]).nth(pick) else {
                break;
            };
            free[t] = false;
            removed.push(t);
        }
        self.remove_tasks(s, &removed);
    }

    fn worst_removal(&mut self, s: &mut State, q: usize) {
        let mut gains: Vec<(f64, usize)> = Vec::new();
        for route in &s.routes {
            for t in route.tasks() {
                gains.push((route.removal_gain(&self.ctx, t), t));
            }
        }
        gains.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut removed = Vec::new();
        while removed.len() < q && !gains.is_empty() {
            let pick = (self.rng.unit().powi(4) * gains.len() as f64) as usize;
            removed.push(gains.remove(pick.min(gains.len() - 1)).1);
        }
        self.remove_tasks(s, &removed);
    }

    fn route_removal(&mut self, s: &mut State) {
        let used: Vec<usize> = (0..s.routes.len())
            .filter(|&r| !s.routes[r].is_empty())
            .collect();
        if used.is_empty() {
            return;
        }
        // Prefer short routes: they are the cheapest to spread over the others.
        let mut by_size = used.clone();
        by_size.sort_by_key(|&r| (s.routes[r].seq.len(), r));
        let pick = (self.rng.unit().powi(2) * by_size.len() as f64) as usize;
        let r = by_size[pick.min(by_size.len() - 1)];
        let tasks = s.routes[r].tasks();
        self.remove_tasks(s, &tasks);
    }

    /// Every task taken off and inserted again from empty routes, on no more vehicles than
    /// `s` uses, by regret with noise: a restart in another basin, since a deep local optimum
    /// (Li & Lim's few long routes) can hold a search for tens of thousands of iterations.
    fn rebuild(&mut self, s: &mut State, noise: f64) {
        let vehicles = s.used();
        let tasks = self.assigned(s);
        self.remove_tasks(s, &tasks);
        s.max_routes = vehicles;
        self.repair(s, noise);
    }

    /// One step of an ejection search for a smaller fleet (after Nagata and Bräysy's guided
    /// ejection search): the task left out last goes in at its cheapest feasible place or,
    /// where it fits nowhere, in place of one task of a route whose removal lets it in, or
    /// failing that of two of its [`EJECT_AMONG`] most related tasks on one route (only routes
    /// holding one of those are tried): of those, the removal of the tasks that have fitted
    /// nowhere least often in this attempt, then the cheapest. The tasks taken out wait
    /// behind the others left out.
    fn eject_step(&mut self, s: &mut State, ejections: &mut Ejections) {
        let Some(t) = s.unassigned.pop() else { return };
        let used = s.used();
        let mut open = Vec::with_capacity(s.routes.len());
        self.routes_for(s, used, t, &mut open);
        if let Some((r, ins)) = self.cheapest_place(s, used, t, &open) {
            s.routes[r].insert(&self.ctx, t, ins);
            return;
        }
        ejections.hardness[t] += 1;
        let Some((r, taken_out)) = self
            .ejection(s, t, &open, ejections, false)
            .or_else(|| self.ejection(s, t, &open, ejections, true))
        else {
            s.unassigned.insert(0, t);
            return;
        };
        let route = &mut s.routes[r];
        for &e in &taken_out {
            route.take_off(e);
            s.unassigned.insert(0, e);
        }
        route.refresh(&self.ctx);
        // The route as tried, so the insertion is there again; were it not, all would wait.
        match route.best_insertion(&self.ctx, t) {
            Some(ins) => route.insert(&self.ctx, t, ins),
            None => s.unassigned.insert(0, t),
        }
    }

    /// The route and the tasks on it whose removal lets task `t` in: one task, or with
    /// `pairs` two of `t`'s most related (see [`Search::eject_step`]).
    fn ejection(
        &mut self,
        s: &State,
        t: usize,
        open: &[usize],
        ejections: &mut Ejections,
        pairs: bool,
    ) -> Option<(usize, Vec<usize>)> {
        let near = &self.related[t][..self.related[t].len().min(EJECT_AMONG)];
        for &e in near {
            ejections.near[e] = true;
        }
        // (hardness of the tasks taken out, change in distance, route, tasks taken out)
        let mut choice: Option<(u32, f64, usize, [usize; 2])> = None;
        for &r in open {
            let route = &s.routes[r];
            // A route far from the task (none of its most related on it) rarely makes room
            // for it, and then at a long detour.
            if !route.seq.iter().any(|&node| ejections.near[node / 2]) {
                continue;
            }
            let mut tasks = route.tasks();
            if pairs {
                tasks.retain(|&e| ejections.near[e]);
            }
            let candidates: Vec<[usize; 2]> = if pairs {
                (0..tasks.len())
                    .flat_map(|a| (a + 1..tasks.len()).map(move |b| (a, b)))
                    .map(|(a, b)| [tasks[a], tasks[b]])
                    .collect()
            } else {
                // One task written twice: taking it off again takes off nothing more.
                tasks.iter().map(|&e| [e, e]).collect()
            };
            for out in candidates {
                let h = &ejections.hardness;
                let hardness = if pairs {
                    h[out[0]] + h[out[1]]
                } else {
                    h[out[0]]
                };
                if choice.is_some_and(|c| hardness > c.0) {
                    continue;
                }
                let scratch = &mut ejections.scratch;
                scratch.clone_from(route);
                scratch.take_off(out[0]);
                scratch.take_off(out[1]);
                scratch.refresh(&self.ctx);
                let Some(ins) = scratch.best_insertion(&self.ctx, t) else {
                    continue;
                };
                // A random thousandth of a unit breaks ties, so that equals take turns.
                let change = ins.cost + scratch.distance - route.distance + self.rng.unit() * 1e-3;
                if choice.is_none_or(|c| hardness < c.0 || (hardness == c.0 && change < c.1)) {
                    choice = Some((hardness, change, r, out));
                }
            }
        }
        for &e in near {
            ejections.near[e] = false;
        }
        choice.map(|(_, _, r, out)| {
            let taken_out = if pairs { out.to_vec() } else { vec![out[0]] };
            (r, taken_out)
        })
    }

    /// Empties the shortest route and forbids reopening it: the start of an attempt to serve
    /// everything with one vehicle fewer.
    fn drop_a_vehicle(&mut self, s: &mut State) {
        let used = s.used();
        if used == 0 {
            return;
        }
        let r = (0..s.routes.len())
            .filter(|&r| !s.routes[r].is_empty())
            .min_by_key(|&r| (s.routes[r].seq.len(), r))
            .unwrap_or(0);
        let tasks = s.routes[r].tasks();
        self.remove_tasks(s, &tasks);
        s.max_routes = used - 1;
        self.repair(s, 0.0);
    }
}

/// What an attempt's ejection steps remember (see [`Search::eject_step`]).
struct Ejections {
    /// Per task, how often it has fitted nowhere in this attempt: the tasks hardest to place
    /// are the last taken out again.
    hardness: Vec<u32>,
    /// A route to try a removal on without touching the state.
    scratch: Route,
    /// Per task, whether it is among the most related to the task being placed (all false
    /// between steps).
    near: Vec<bool>,
}

impl Ejections {
    fn new(tasks: usize) -> Self {
        Self {
            hardness: vec![0; tasks],
            scratch: Route::new(0),
            near: vec![false; tasks],
        }
    }

    fn forget(&mut self) {
        self.hardness.iter_mut().for_each(|h| *h = 0);
    }
}

/// Route `r` changed: every task's cached insertion there is stale. Opening a route changes
/// which empty routes (and whether any) are offered, so theirs are stale too.
fn forget_route(
    cache: &mut [Option<Option<Insertion>>],
    routes: usize,
    s: &State,
    r: usize,
    was_empty: bool,
) {
    for row in cache.chunks_exact_mut(routes) {
        row[r] = None;
        if was_empty {
            for (other, entry) in row.iter_mut().enumerate() {
                if s.routes[other].is_empty() {
                    *entry = None;
                }
            }
        }
    }
}

/// Solves `problem` within `budget`: one search, or with `budget.threads` above one, that
/// many searches from different seeds that share their best answer as they go.
pub fn solve(problem: &Problem, budget: Budget) -> Solution {
    let started = Instant::now();
    let lookups = Lookups::new(problem);
    let ctx = lookups.ctx(problem);
    let (class_of, classes) = vehicle_classes(problem);
    let (servable, unservable) = triage(&ctx, &classes);
    let related = related_tasks(&ctx, &servable);
    let fewest = fewest_vehicles(problem, &servable);
    let threads = budget.threads.max(1);
    let run = |thread: usize, shared: Option<&SharedBest>| {
        let search = Search {
            ctx: lookups.ctx(problem),
            class_of: class_of.clone(),
            servable: servable.clone(),
            related: &related,
            fewest_vehicles: fewest,
            rng: Rng(budget.seed ^ 0x6f6c_6d6f_6b00_0000 ^ (thread as u64) << 32),
        };
        search_from(search, budget, started, shared)
    };
    let (best, outcome) = if threads == 1 {
        run(0, None)
    } else {
        let shared = SharedBest::default();
        let outcomes: Vec<(State, Outcome)> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|thread| {
                    let (run, shared) = (&run, &shared);
                    scope.spawn(move || run(thread, Some(shared)))
                })
                .collect();
            // A search that panicked is a bug: fail as one search alone would.
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
        best_of(outcomes)
    };
    solution_of(&ctx, &best, unservable, outcome, started)
}

/// What one search reports besides its best answer.
#[derive(Clone, Copy)]
struct Outcome {
    iterations: u64,
    iterations_to_best: u64,
    best_found: std::time::Duration,
}

/// The cheapest of several searches' answers (the earliest found among equals), with the
/// iterations of all of them.
fn best_of(outcomes: Vec<(State, Outcome)>) -> (State, Outcome) {
    let iterations = outcomes.iter().map(|(_, o)| o.iterations).sum();
    let mut best: Option<(State, Outcome)> = None;
    for (state, outcome) in outcomes {
        let better = match &best {
            None => true,
            Some((b, o)) => {
                state.cost() < b.cost() - 1e-9
                    || (state.cost() <= b.cost() + 1e-9 && outcome.best_found < o.best_found)
            }
        };
        if better {
            best = Some((state, outcome));
        }
    }
    let (state, outcome) = best.unwrap_or_else(|| unreachable!("at least one search ran"));
    (
        state,
        Outcome {
            iterations,
            ..outcome
        },
    )
}

/// The best answer any of the parallel searches has found. A search publishes each new best
/// of its own, and every [`SYNC_EVERY`] iterations takes up the shared one if it is better:
/// the searches keep their own seeds and operators' weights but spend their time around the
/// best answer rather than each around its own.
#[derive(Default)]
struct SharedBest {
    best: std::sync::Mutex<Option<(f64, State)>>,
}

const SYNC_EVERY: u64 = 250;

impl SharedBest {
    fn publish(&self, state: &State) {
        let cost = state.cost();
        if let Ok(mut best) = self.best.lock()
            && best.as_ref().is_none_or(|(c, _)| cost < *c - 1e-9)
        {
            *best = Some((cost, state.clone()));
        }
    }

    /// The shared best, if it is cheaper than `cost`.
    fn better_than(&self, cost: f64) -> Option<State> {
        let best = self.best.lock().ok()?;
        match best.as_ref() {
            Some((c, state)) if *c < cost - 1e-9 => Some(state.clone()),
            _ => None,
        }
    }
}

/// One search from the first answer until its budget runs out or it settles.
fn search_from(
    mut search: Search<'_>,
    budget: Budget,
    started: Instant,
    shared: Option<&SharedBest>,
) -> (State, Outcome) {
    let servable = search.servable.clone();
    let mut current = first_answer(&mut search, servable.clone());
    let mut best = current.clone();
    let mut candidate = current.clone();
    if let Some(shared) = shared {
        shared.publish(&best);
    }
    let mut operators = Operators::new(search.ctx.problem);
    let mut ejections = Ejections::new(search.ctx.problem.tasks.len());
    let mut schedule = Schedule::new(
        budget,
        started,
        servable.len(),
        best.distance(),
        search.fewest_vehicles,
    );
    while !schedule.out_of_budget(&best) {
        schedule.iteration += 1;
        if let Some(shared) = shared
            && schedule.iteration.is_multiple_of(SYNC_EVERY)
            && let Some(better) = shared.better_than(best.cost())
            && schedule.takes_up(&best, &better)
        {
            schedule.take_up(&mut current, &mut best, better);
        }
        if schedule.vehicle_attempt_due(&best) {
            current.clone_from(&best);
            search.drop_a_vehicle(&mut current);
            if current.unassigned.is_empty() {
                best.clone_from(&current);
                schedule.improved();
                publish(shared, &best);
                continue;
            }
            schedule.vehicle_attempt = Some(schedule.iteration);
            ejections.forget();
        }
        if schedule.vehicle_attempt.is_some() {
            search.eject_step(&mut current, &mut ejections);
            // An iteration of ejection alone neither cools nor teaches the destroy operators:
            // both follow destroy and repair, which it does not run.
            if !schedule.iteration.is_multiple_of(EJECTIONS_PER_REPAIR) {
                schedule.after_vehicle_attempt(&mut current, &mut best);
                if schedule.last_improvement == schedule.iteration {
                    publish(shared, &best);
                }
                continue;
            }
        }
        let op = operators.destroy_and_repair(&mut search, &current, &mut candidate);
        let score = accept(
            &mut search,
            &mut schedule,
            &mut current,
            &mut best,
            &mut candidate,
        );
        operators.scores[op] += score;
        schedule.after_vehicle_attempt(&mut current, &mut best);
        if schedule.last_improvement == schedule.iteration {
            publish(shared, &best);
        }
        schedule.cool();
        if schedule.restart_due() {
            current.clone_from(&best);
            search.rebuild(&mut current, operators.noise_amount);
            schedule.restarted();
        }
        if schedule.iteration.is_multiple_of(100) {
            operators.learn();
        }
    }
    let outcome = Outcome {
        iterations: schedule.iteration,
        iterations_to_best: schedule.last_improvement,
        best_found: schedule.best_found,
    };
    (best, outcome)
}

fn publish(shared: Option<&SharedBest>, best: &State) {
    if let Some(shared) = shared {
        shared.publish(best);
    }
}

/// How alike two tasks are, smaller the more: where their stops are and when they open.
fn relatedness(ctx: &Ctx<'_>, a: usize, b: usize) -> f64 {
    let n = ctx.nodes;
    let m = &ctx.problem.matrix;
    let (da, db) = (2 * a + 1, 2 * b + 1);
    let mut r = m.distance(n.loc[da], n.loc[db]) + (n.early[da] - n.early[db]).abs() * 0.2;
    if n.has_pickup[a] && n.has_pickup[b] {
        r += m.distance(n.loc[2 * a], n.loc[2 * b]) + (n.early[2 * a] - n.early[2 * b]).abs() * 0.2;
    }
    r
}

/// For each servable task, the other servable tasks from most to least related (ties by
/// index); nothing for the rest.
fn related_tasks(ctx: &Ctx<'_>, servable: &[usize]) -> Vec<Vec<usize>> {
    let mut related = vec![Vec::new(); ctx.problem.tasks.len()];
    for &a in servable {
        let mut others: Vec<(f64, usize)> = servable
            .iter()
            .filter(|&&b| b != a)
            .map(|&b| (relatedness(ctx, a, b), b))
            .collect();
        others.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
        related[a] = others.into_iter().map(|(_, b)| b).collect();
    }
    related
}

/// The fewest vehicles that could serve every servable task, by time alone. A vehicle
/// serves one stop at a time and must travel to each place it serves, so the stops whose
/// service falls within one span of time take their service, and the shortest way into
/// each of their places, out of the fleet's time within that span (the way to a vehicle's
/// first place there may lie before it). A wave's deliveries, all due within its delivery
/// slot, often need more of it than one courier has. An attempt to serve everything with
/// fewer is bound to fail, and is not made.
pub(super) fn fewest_vehicles(problem: &Problem, servable: &[usize]) -> usize {
    let matrix = &problem.matrix;
    let mut profiles: Vec<usize> = problem.vehicles.iter().map(|v| v.profile).collect();
    profiles.sort_unstable();
    profiles.dedup();
    let stops: Vec<(bool, &super::model::Stop)> = servable
        .iter()
        .flat_map(|&t| {
            let task = &problem.tasks[t];
            let pickup = task.pickup.as_ref().map(|p| (true, p));
            pickup.into_iter().chain([(false, &task.delivery)])
        })
        .collect();
    let mut locations: Vec<usize> = stops.iter().map(|(_, s)| s.location).collect();
    locations.sort_unstable();
    locations.dedup();
    let time = |from: usize, to: usize| {
        profiles
            .iter()
            .map(|&p| matrix.time(p, from, to))
            .fold(f64::INFINITY, f64::min)
    };
    // Locations no time apart are one place (a basket's parts go to one door, each part's
    // delivery with a location of its own): each place's first location stands for it.
    let place_of: Vec<usize> = locations
        .iter()
        .map(|&l| {
            locations
                .iter()
                .copied()
                .find(|&o| time(o, l) <= 0.0 && time(l, o) <= 0.0)
                .unwrap_or(l)
        })
        .collect();
    let place = |location: usize| {
        locations
            .binary_search(&location)
            .map_or(location, |k| place_of[k])
    };
    // The shortest way into a place from another, or from a vehicle's start.
    let way_into = |to: usize| {
        locations
            .iter()
            .copied()
            .filter(|&from| place(from) != to)
            .chain(problem.vehicles.iter().map(|v| v.start))
            .map(|from| time(from, to))
            .fold(f64::INFINITY, f64::min)
    };
    let mut fewest = 0;
    for (pickups, deliveries) in [(true, false), (false, true), (true, true)] {
        let (mut from, mut to, mut needed_time) = (f64::INFINITY, f64::NEG_INFINITY, 0.0);
        let mut served = Vec::new();
        for (is_pickup, stop) in &stops {
            if (*is_pickup && pickups) || (!*is_pickup && deliveries) {
                from = from.min(stop.window.0);
                to = to.max(stop.window.1 + stop.service);
                needed_time += stop.service;
                served.push(place(stop.location));
            }
        }
        if served.is_empty() {
            continue;
        }
        served.sort_unstable();
        served.dedup();
        let mut ways: Vec<f64> = served.into_iter().map(way_into).collect();
        needed_time += ways.iter().sum::<f64>();
        ways.sort_by(|a, b| b.total_cmp(a));
        // Each vehicle's time within the span, most first.
        let mut fleet_time: Vec<f64> = problem
            .vehicles
            .iter()
            .map(|v| {
                let within = (end_deadline(v).min(to) - v.shift.0.max(from)).max(0.0);
                v.max_duration.map_or(within, |d| within.min(d))
            })
            .collect();
        fleet_time.sort_by(|a, b| b.total_cmp(a));
        let (mut available, mut before_span) = (0.0, 0.0);
        let mut needed = fleet_time.len();
        for (m, t) in fleet_time.iter().enumerate() {
            available += t;
            before_span += ways.get(m).copied().unwrap_or(0.0);
            if needed_time - before_span <= available + EPS {
                needed = m + 1;
                break;
            }
        }
        fewest = fewest.max(needed);
    }
    fewest
}

/// Vehicles alike (same depot, shift, capacity, profile) are one class: a task that fits none
/// of a class fits none of its members. Each vehicle's class, and one member of each class.
fn vehicle_classes(problem: &Problem) -> (Vec<usize>, Vec<usize>) {
    let mut class_of = Vec::with_capacity(problem.vehicles.len());
    let mut classes: Vec<usize> = Vec::new();
    for (v, vehicle) in problem.vehicles.iter().enumerate() {
        match classes
            .iter()
            .position(|&c| problem.vehicles[c] == *vehicle)
        {
            Some(c) => class_of.push(c),
            None => {
                classes.push(v);
                class_of.push(classes.len() - 1);
            }
        }
    }
    (class_of, classes)
}

/// Tasks no vehicle can serve even alone are reported (too large, or out of time), not
/// searched; the rest are servable.
fn triage(ctx: &Ctx<'_>, classes: &[usize]) -> (Vec<usize>, Vec<(usize, Reason)>) {
    let problem = ctx.problem;
    let mut unservable = Vec::new();
    let mut servable = Vec::new();
    for (t, task) in problem.tasks.iter().enumerate() {
        let eligible: Vec<usize> = match task.vehicle {
            Some(v) if v < problem.vehicles.len() => vec![v],
            Some(_) => vec![],
            None => classes.to_vec(),
        };
        let alone = eligible.iter().any(|&v| {
            let mut r = Route::new(v);
            r.refresh(ctx);
            r.best_insertion(ctx, t).is_some()
        });
        if alone {
            servable.push(t);
            continue;
        }
        let fits_some = eligible.iter().any(|&v| {
            let c = problem.vehicles[v].capacity;
            task.size[0] <= c[0] && task.size[1] <= c[1]
        });
        let reason = if fits_some {
            Reason::OutOfTime
        } else {
            Reason::TooLarge
        };
        unservable.push((t, reason));
    }
    (servable, unservable)
}

/// Every vehicle empty, then every servable task inserted.
fn first_answer(search: &mut Search<'_>, servable: Vec<usize>) -> State {
    let problem = search.ctx.problem;
    let mut routes: Vec<Route> = (0..problem.vehicles.len()).map(Route::new).collect();
    for r in &mut routes {
        r.refresh(&search.ctx);
    }
    let mut current = State {
        routes,
        unassigned: servable,
        max_routes: problem.vehicles.len(),
    };
    search.repair(&mut current, 0.0);
    current
}

/// The destroy operators (random, related, worst, a whole route) with weights learnt from
/// how well each did (how much they destroy: [`removal_sizes`]).
struct Operators {
    weights: [f64; 4],
    scores: [f64; 4],
    uses: [u32; 4],
    noise_amount: f64,
}

impl Operators {
    fn new(problem: &Problem) -> Self {
        Self {
            weights: [1.0; 4],
            scores: [0.0; 4],
            uses: [0; 4],
            noise_amount: 0.025 * problem.matrix.distance.iter().copied().fold(0.0, f64::max),
        }
    }

    /// A neighbour of `current`: some tasks removed by a weighted choice of operator, then
    /// inserted again by a random repair, with noise half the time.
    /// `candidate` is overwritten: it is a buffer kept from iteration to iteration.
    fn destroy_and_repair(
        &mut self,
        search: &mut Search<'_>,
        current: &State,
        candidate: &mut State,
    ) -> usize {
        candidate.clone_from(current);
        let (q_min, q_max) = removal_sizes(search.servable.len(), current.used());
        let q = q_min + search.rng.below(q_max - q_min + 1);
        let total: f64 = self.weights.iter().sum();
        let mut pick = search.rng.unit() * total;
        let mut op = 0;
        while op < 3 && pick >= self.weights[op] {
            pick -= self.weights[op];
            op += 1;
        }
        match op {
            0 => search.random_removal(candidate, q),
            1 => search.related_removal(candidate, q),
            2 => search.worst_removal(candidate, q),
            _ => search.route_removal(candidate),
        }
        let noise = if search.rng.unit() < 0.5 {
            self.noise_amount
        } else {
            0.0
        };
        let mode = match search.rng.unit() {
            x if x < 0.45 => Repair::Regret,
            x if x < 0.9 => Repair::Greedy,
            _ => Repair::RandomOrder,
        };
        search.repair_with(candidate, noise, mode);
        self.uses[op] += 1;
        op
    }

    /// Every 100 iterations: each operator's weight moves towards its average score.
    fn learn(&mut self) {
        for k in 0..4 {
            if self.uses[k] > 0 {
                let average = (self.scores[k] / f64::from(self.uses[k])).max(0.1);
                self.weights[k] = 0.8 * self.weights[k] + 0.2 * average;
            }
            self.scores[k] = 0.0;
            self.uses[k] = 0;
        }
    }
}

/// How many tasks a destroy step removes from `servable` on `routes` routes, at least and at
/// most: a few up to 30 %, and no more than two routes' worth (see [`REMOVAL_CAP`]). A tiny
/// instance may be rebuilt whole: in a random order that can be a different route, not the
/// construction again.
fn removal_sizes(servable: usize, routes: usize) -> (usize, usize) {
    let n = servable.max(1);
    let q_min = (n / 4).clamp(1, 4);
    if n <= 6 {
        return (q_min, n);
    }
    let two_routes = (2 * n / routes.max(1)).clamp(REMOVAL_CAP.0, REMOVAL_CAP.1);
    (q_min, (n * 3 / 10).clamp(2, two_routes).max(q_min))
}

/// A repair's work grows with the square of the tasks removed (each insertion is priced
/// again on the route the last one changed), so on a large instance a small removal buys
/// many more iterations. The 300-task wave, seeds 1-12, 2 threads: 220 couriers at 1 s and
/// 218 at 5 s (383 km a wave) with at most 15, against 231 and 219-221 (398 km) with at most
/// 60; drawing small sizes more often (60 at most) saved no courier. At most 15 alone cost
/// the long routes of Li & Lim's second classes: LRC2_2_1 up to 21 % over best-known at 1 s,
/// LR2_4_5 a vehicle at 30 s; two routes' worth gives them back their larger removals (a
/// wave's routes hold about 16 tasks, so it removes up to 33: 219-222 couriers at 1 s).
/// Two routes' worth is held between these: never fewer than 15, never more than 60.
const REMOVAL_CAP: (usize, usize) = (15, 60);
/// Temperature cools per iteration (never per second), and is reheated when the search is
/// stuck (counted in iterations too), so a longer budget extends the same search rather than
/// running a different one.
const COOLING: f64 = 0.9993;
/// Iterations a task, and at the least, the best answer must stand before the search stops
/// early (and never less than it took to find: see [`Schedule::settled`]). With two
/// searches sharing their best, 36-task waves keep their couriers at these; one search alone
/// needs more (see README's routing benchmarks: `routing-bench --settle`).
const PATIENCE_PER_TASK: u64 = 100;
const PATIENCE_MIN: u64 = 2_000;
/// Li & Lim at 1 s over three seeds: a mean gap of 0.21 % with 10 (0.23 % with 5), against
/// 0.69-2.09 % with a reheat every 15,000 iterations.
const REHEAT_AFTER_PER_TASK: u64 = 10;
/// A search run to its limit whose best answer has stood for two reheats' worth of iterations
/// (20 a task) starts again from a new first answer; each restart in a row that finds no new
/// best doubles the wait. Li & Lim 100/200 at 1 s, seeds 1-6: a mean gap of 0.33 %
/// (0.10-0.45 %) against 0.68 % (0.06-2.03 %) without; lc203, lr203 and lrc203 no longer stay
/// 13-44 % over. Without the doubling lrc201 ended up to 3.5 % over; after 30 a task, one run
/// of the six ended a vehicle over.
const RESTART_AFTER_PER_TASK: u64 = 2 * REHEAT_AFTER_PER_TASK;
/// How long an attempt to save a vehicle runs before the search goes back to distance: 15
/// iterations a task, from 500 to 2,500 (a small wave tries again sooner).
const VM_ITERATIONS: u64 = 2_500;
const VM_ITERATIONS_PER_TASK: u64 = 15;
const VM_ITERATIONS_MIN: u64 = 500;
/// In an attempt to save a vehicle, every iteration is an ejection step (see
/// [`Search::eject_step`]) and every third also a destroy and repair, which moves the routes
/// around the tasks left out. The 300-task wave, seeds 1-12, 2 threads: 239 couriers in all at
/// 1 s and 230 at 5 s, against 244 and 237 with destroy and repair alone; a step every
/// iteration saved as many at 5 s but fewer at 1 s (it spends twice as long an iteration).
const EJECTIONS_PER_REPAIR: u64 = 3;
/// Where no one task's removal lets a task in, two are tried from among its 20 most related.
/// The 300-task wave, seeds 1-12, 2 threads: 231 couriers at 1 s and 220 at 5 s against 239
/// and 231 with one removal alone. Any two tasks of a route cost Li & Lim's long routes their
/// 1 s gap (0.67 % at seed 1); among the 20 most related it was 0.16-0.19 % on seeds 1-3.
/// Twelve Li & Lim 400-task instances at 30 s: 5 vehicles over best-known against 7.
/// A single task is taken out only of a route holding one of the 20 too: the 300-task wave
/// then runs half as many iterations again at 1 s with as many couriers.
const EJECT_AMONG: usize = 20;
/// After a vehicle is saved, the distance search tidies the routes that made room before the
/// next attempt: for a sixteenth of the iterations the whole budget holds, from 100 up to an
/// attempt's length. A turn as long as an attempt (2,500 iterations at 300 tasks, over 3 s)
/// held a 1 s budget to one saved courier; 100 iterations at every budget cost two of twelve
/// Li & Lim 400-task instances a vehicle at 30 s (see README's routing benchmarks). Since
/// attempts eject, a sixteenth saves more at 1 s than a quarter did: the 300-task wave, seeds
/// 1-12, 234 couriers against 240 at 1 s, 229 against 230 at 5 s; twelve Li & Lim 400-task
/// instances at 30 s, 7 vehicles over best-known against 8.
const VM_PAUSE_SHARE: u64 = 16;
const VM_PAUSE_MIN: u64 = 100;
/// The last fifth of a time limit is for distance alone: no attempt to save a vehicle starts
/// in it, and one still running ends there as a failed one does (so planning may then settle).
/// At the fewest couriers an attempt only fails, and on the 300-task wave at 1 s both searches
/// reached their fewest by about 0.6 s and then spent the rest of the second on one failing
/// attempt each. Seeds 1-12, 2 threads: 219-221 couriers and 401-404 km a wave at 1 s, against
/// 218-221 and 409-413 km (interleaved runs); at 5 s 217 and 383 km against 220 and 383 km.
const DISTANCE_ALONE_SHARE: f64 = 0.2;

/// When the search stops, how hot it runs, and when it next tries to save a vehicle.
struct Schedule {
    budget: Budget,
    started: Instant,
    /// A small plan settles long before a generous budget runs out: stop once the best answer
    /// has stood for this many iterations.
    patience: u64,
    iteration: u64,
    last_improvement: u64,
    /// When the best answer was found, since the solver was called.
    best_found: std::time::Duration,
    t0: f64,
    temperature: f64,
    vehicle_attempt: Option<u64>,
    /// Iterations without a new best or a reheat before the next reheat.
    reheat_after: u64,
    last_reheat: u64,
    /// Iterations without a new best or a restart before the search restarts, doubled for
    /// each restart in a row that found no new best.
    restart_after: u64,
    last_restart: u64,
    /// Fruitless restarts in a row before the one running now.
    fruitless_before: u32,
    failed_attempts: u32,
    /// No fewer vehicles can serve every task: with as few, no attempt to save one is made.
    fewest_vehicles: usize,
    /// Iterations an attempt to save a vehicle runs.
    vehicle_attempt_length: u64,
    next_attempt: u64,
}

impl Schedule {
    /// `started`: when the solver was called; the time limit counts construction too.
    fn new(
        budget: Budget,
        started: Instant,
        servable: usize,
        first_distance: f64,
        fewest_vehicles: usize,
    ) -> Self {
        // A move 2% of the first answer's distance worse is accepted half the time at first.
        let t0 = (0.02 * first_distance).max(1e-3) / std::f64::consts::LN_2;
        Self {
            budget,
            started,
            patience: (PATIENCE_PER_TASK * servable.max(1) as u64).max(PATIENCE_MIN),
            vehicle_attempt_length: (VM_ITERATIONS_PER_TASK * servable as u64)
                .clamp(VM_ITERATIONS_MIN, VM_ITERATIONS),
            iteration: 0,
            last_improvement: 0,
            best_found: started.elapsed(),
            t0,
            temperature: t0,
            vehicle_attempt: None,
            reheat_after: REHEAT_AFTER_PER_TASK * servable.max(1) as u64,
            last_reheat: 0,
            restart_after: RESTART_AFTER_PER_TASK * servable.max(1) as u64,
            last_restart: 0,
            fruitless_before: 0,
            failed_attempts: 0,
            fewest_vehicles: fewest_vehicles.max(1),
            next_attempt: 0,
        }
    }

    fn out_of_budget(&self, best: &State) -> bool {
        self.budget
            .iterations
            .is_some_and(|max| self.iteration >= max)
            || self.started.elapsed() >= self.budget.time_limit
            || (self.budget.stop_when_settled && self.settled(best))
    }

    /// The search has settled once its best answer has stood for [`Schedule::patience`]
    /// iterations, and for as long as it took to find: an answer found late was hard to
    /// find, and the next may be too. While a vehicle might still be saved, an attempt to
    /// save it must have failed first (or the answer stood three times as long); with no
    /// more vehicles than [`fewest_vehicles`] allows, none is made.
    fn settled(&self, best: &State) -> bool {
        let idle = self.iteration - self.last_improvement;
        let enough = self.patience.max(self.last_improvement);
        let vehicle_tried = best.used() <= self.fewest_vehicles
            || !best.unassigned.is_empty()
            || self.failed_attempts >= 1
            || idle >= 3 * enough;
        idle >= enough && vehicle_tried
    }

    /// The best answer just improved.
    fn improved(&mut self) {
        self.last_improvement = self.iteration;
        self.best_found = self.started.elapsed();
    }

    /// Another search's better answer, taken up as this one's best and current.
    /// Whether another search's cheaper answer is taken up now: always, except in the middle
    /// of an attempt to save a vehicle, which a shorter plan on as many vehicles would cut
    /// short every time (and a large wave then keeps its couriers).
    fn takes_up(&self, best: &State, better: &State) -> bool {
        self.vehicle_attempt.is_none() || better.used() < best.used()
    }

    fn take_up(&mut self, current: &mut State, best: &mut State, better: State) {
        *best = better.clone();
        *current = better;
        self.vehicle_attempt = None;
        self.improved();
    }

    /// Alternating: an attempt to save a vehicle (for up to `vehicle_attempt_length`), then
    /// distance.
    fn vehicle_attempt_due(&self, best: &State) -> bool {
        self.vehicle_attempt.is_none()
            && self.iteration >= self.next_attempt
            && best.unassigned.is_empty()
            && best.used() > self.fewest_vehicles
            && !self.distance_alone()
    }

    /// During an attempt to save a vehicle: success keeps the smaller fleet and searches on
    /// from it, hot again (the routes that made room are rarely short ones); running out of
    /// time goes back to the best answer and backs off before the next attempt.
    fn after_vehicle_attempt(&mut self, current: &mut State, best: &mut State) {
        let Some(since) = self.vehicle_attempt else {
            return;
        };
        if current.unassigned.is_empty() {
            self.improved();
            best.clone_from(current);
            self.vehicle_attempt = None;
            self.failed_attempts = 0;
            self.next_attempt = self.iteration + self.pause_after_success();
            self.temperature = self.t0;
        } else if self.iteration - since >= self.vehicle_attempt_length || self.distance_alone() {
            self.vehicle_attempt = None;
            self.failed_attempts += 1;
            current.clone_from(best);
            current.max_routes = best.used();
            // Each failure earns the distance search a longer turn.
            self.next_attempt = self.iteration
                + self.vehicle_attempt_length * (1u64 << self.failed_attempts.min(10));
        }
    }

    /// Whether the search is in the last part of its time limit, which is for distance alone
    /// (see [`DISTANCE_ALONE_SHARE`]). Under an iteration budget there is no such part: a run
    /// of more iterations takes the same steps as a shorter one up to its end, so it never
    /// ends worse (`more_iterations_never_give_a_worse_answer`).
    fn distance_alone(&self) -> bool {
        self.budget.iterations.is_none()
            && self.started.elapsed().as_secs_f64()
                >= (1.0 - DISTANCE_ALONE_SHARE) * self.budget.time_limit.as_secs_f64()
    }

    /// Whether the search starts again from a new first answer: only a search that runs to
    /// its limit (one that may stop once settled stops instead: planning wants its plan now,
    /// and every late new best would postpone the stop), and never in the middle of an
    /// attempt to save a vehicle, which has its own end.
    fn restart_due(&self) -> bool {
        let since = self.last_improvement.max(self.last_restart);
        let wait = self.restart_after << self.fruitless_restarts().min(20);
        !self.budget.stop_when_settled
            && self.vehicle_attempt.is_none()
            && self.iteration - since >= wait
    }

    /// Restarts in a row that found no new best, the one running now included.
    fn fruitless_restarts(&self) -> u32 {
        let running = self.last_restart > 0 && self.last_improvement <= self.last_restart;
        if running {
            self.fruitless_before + 1
        } else {
            0
        }
    }

    /// The search just restarted, hot.
    fn restarted(&mut self) {
        self.fruitless_before = self.fruitless_restarts();
        self.last_restart = self.iteration;
        self.temperature = self.t0;
        self.last_reheat = self.iteration;
    }

    /// How long the distance search runs after a vehicle is saved (see [`VM_PAUSE_SHARE`]).
    /// The iterations a time limit holds are estimated from the pace so far; an iteration
    /// budget is exact, so one search under it stays deterministic.
    fn pause_after_success(&self) -> u64 {
        let whole_budget = match self.budget.iterations {
            Some(iterations) => iterations,
            None => {
                let elapsed = self.started.elapsed().as_secs_f64().max(1e-6);
                let pace = self.iteration as f64 / elapsed;
                (pace * self.budget.time_limit.as_secs_f64()).min(u64::MAX as f64 / 2.0) as u64
            }
        };
        (whole_budget / VM_PAUSE_SHARE).clamp(VM_PAUSE_MIN, self.vehicle_attempt_length)
    }

    /// Cools by one step, and reheats once neither the best answer nor a reheat is younger
    /// than [`REHEAT_AFTER_PER_TASK`] iterations a task: a search stuck in a deep local optimum
    /// (Li & Lim's long routes) climbs out sooner than at a fixed period.
    fn cool(&mut self) {
        self.temperature *= COOLING;
        let since = self.last_improvement.max(self.last_reheat);
        if self.iteration - since >= self.reheat_after {
            self.temperature = self.t0;
            self.last_reheat = self.iteration;
        }
    }
}

/// Simulated annealing's acceptance of a candidate; the operator's score for it (a new best,
/// better than current, accepted worse, or refused). An accepted candidate changes places
/// with `current`, whose buffers the next candidate reuses.
fn accept(
    search: &mut Search<'_>,
    schedule: &mut Schedule,
    current: &mut State,
    best: &mut State,
    candidate: &mut State,
) -> f64 {
    let (cand, cur) = (candidate.cost(), current.cost());
    if cand < best.cost() - 1e-9 {
        schedule.improved();
        std::mem::swap(current, candidate);
        best.clone_from(current);
        33.0
    } else if cand < cur - 1e-9 {
        std::mem::swap(current, candidate);
        9.0
    } else if search.rng.unit() < (-(cand - cur) / schedule.temperature).exp() {
        std::mem::swap(current, candidate);
        3.0
    } else {
        0.0
    }
}

/// The best answer as the solver's result: its non-empty routes with times, and every task
/// left out with its reason.
fn solution_of(
    ctx: &Ctx<'_>,
    best: &State,
    unservable: Vec<(usize, Reason)>,
    outcome: Outcome,
    started: Instant,
) -> Solution {
    let mut unassigned = unservable;
    unassigned.extend(best.unassigned.iter().map(|&t| (t, Reason::NoCapacityLeft)));
    unassigned.sort_by_key(|u| u.0);
    let routes = best
        .routes
        .iter()
        .filter(|r| !r.is_empty())
        .map(|r| plan(ctx, r))
        .collect::<Vec<_>>();
    Solution {
        distance: routes.iter().map(|r| r.distance).sum(),
        vehicles: routes.len(),
        routes,
        unassigned,
        iterations: outcome.iterations,
        iterations_to_best: outcome.iterations_to_best,
        time_to_best: outcome.best_found,
        time_to_stop: started.elapsed(),
    }
}

fn plan(ctx: &Ctx<'_>, route: &Route) -> PlannedRoute {
    let vehicle = &ctx.problem.vehicles[route.vehicle];
    let mut visits = Vec::with_capacity(route.seq.len());
    let mut prev_loc = vehicle.start;
    let mut prev_departure = vehicle.shift.0;
    for (k, &node) in route.seq.iter().enumerate() {
        let loc = ctx.nodes.loc[node];
        let arrival = prev_departure + ctx.problem.matrix.time(vehicle.profile, prev_loc, loc);
        let start = route.start_time(k + 1);
        visits.push(Visit {
            task: node / 2,
            kind: if node % 2 == 0 {
                VisitKind::Pickup
            } else {
                VisitKind::Delivery
            },
            arrival,
            start,
        });
        prev_loc = loc;
        prev_departure = start + ctx.nodes.service[node];
    }
    let end_time = route.start_time(route.seq.len() + 1);
    debug_assert!(end_time <= end_deadline(vehicle) + 1e-6);
    PlannedRoute {
        vehicle: route.vehicle,
        visits,
        distance: route.distance,
        end_time,
    }
}

#[cfg(test)]
mod schedule_tests {
    use super::*;
    use std::time::Duration;

    fn schedule(servable: usize) -> Schedule {
        let budget = Budget {
            time_limit: std::time::Duration::from_secs(60),
            iterations: None,
            seed: 1,
            stop_when_settled: false,
            threads: 1,
        };
        Schedule::new(budget, Instant::now(), servable, 100.0, 1)
    }

    fn on_vehicles(used: usize) -> State {
        let routes = (0..3)
            .map(|v| {
                let mut route = Route::new(v);
                if v < used {
                    route.seq = vec![0, 1];
                }
                route
            })
            .collect();
        State {
            routes,
            unassigned: Vec::new(),
            max_routes: 3,
        }
    }

    fn step(s: &mut Schedule) {
        s.iteration += 1;
        s.cool();
    }

    #[test]
    fn a_destroy_step_removes_a_few_tasks_up_to_30_percent_and_two_routes_worth() {
        assert_eq!(
            removal_sizes(5, 1),
            (1, 5),
            "a tiny instance may be rebuilt whole"
        );
        assert_eq!(removal_sizes(20, 2), (4, 6));
        assert_eq!(removal_sizes(40, 4), (4, 12));
        assert_eq!(removal_sizes(300, 100), (4, 15), "never fewer than 15");
        assert_eq!(removal_sizes(300, 18), (4, 33), "two routes' worth");
        assert_eq!(removal_sizes(200, 4), (4, 60), "30 %, no more than 60");
        assert_eq!(removal_sizes(400, 1), (4, 60));
    }

    #[test]
    fn a_stuck_search_reheats_after_ten_iterations_a_task_and_a_new_best_postpones_it() {
        let mut s = schedule(3);
        for _ in 0..29 {
            step(&mut s);
        }
        assert!(s.temperature < s.t0);
        step(&mut s);
        assert_eq!(s.temperature, s.t0, "30 iterations without a new best");

        for _ in 0..10 {
            step(&mut s);
        }
        s.improved();
        for _ in 0..29 {
            step(&mut s);
        }
        assert!(s.temperature < s.t0, "the new best is 29 iterations old");
        step(&mut s);
        assert_eq!(s.temperature, s.t0);
    }

    #[test]
    fn a_stuck_search_restarts_after_twenty_iterations_a_task_and_waits_twice_as_long_after_a_fruitless_restart()
     {
        let mut s = schedule(3);
        let idle = |s: &mut Schedule, n: u64| {
            for _ in 0..n {
                step(s);
            }
        };
        idle(&mut s, 59);
        assert!(!s.restart_due());
        idle(&mut s, 1);
        assert!(s.restart_due(), "60 iterations without a new best");
        s.restarted();
        assert!(!s.restart_due());

        // The restart found nothing: the next waits 120 iterations.
        idle(&mut s, 119);
        assert!(!s.restart_due());
        idle(&mut s, 1);
        assert!(s.restart_due());
        s.restarted();
        assert_eq!(s.fruitless_before, 1);
        idle(&mut s, 239);
        assert!(!s.restart_due(), "two fruitless restarts: 240 iterations");

        // A new best after a restart ends the doubling.
        s.improved();
        idle(&mut s, 59);
        assert!(!s.restart_due(), "the new best is 59 iterations old");
        idle(&mut s, 1);
        assert!(s.restart_due());
        s.restarted();
        assert_eq!(s.fruitless_before, 0);
        assert_eq!(s.temperature, s.t0, "a restart runs hot");

        // Never in the middle of an attempt to save a vehicle, nor when the search may stop
        // once settled.
        idle(&mut s, 120);
        assert!(s.restart_due());
        s.vehicle_attempt = Some(s.iteration);
        assert!(!s.restart_due());
        s.vehicle_attempt = None;
        s.budget.stop_when_settled = true;
        assert!(!s.restart_due());
    }

    #[test]
    fn no_attempt_to_save_a_vehicle_below_the_fewest_that_can_serve() {
        let budget = Budget {
            stop_when_settled: true,
            ..schedule(3).budget
        };
        let mut may_save = Schedule::new(budget, Instant::now(), 3, 100.0, 1);
        let mut cannot = Schedule::new(budget, Instant::now(), 3, 100.0, 2);
        let best = on_vehicles(2);
        assert!(may_save.vehicle_attempt_due(&best));
        assert!(!cannot.vehicle_attempt_due(&best));
        for s in [&mut may_save, &mut cannot] {
            s.iteration = s.patience;
        }
        assert!(
            !may_save.settled(&best),
            "one vehicle may serve: an attempt must fail first"
        );
        assert!(cannot.settled(&best), "two is the fewest: nothing to try");
    }

    #[test]
    fn a_saved_vehicle_is_followed_soon_by_another_attempt_and_a_failure_backs_off() {
        // A budget of 8,000 iterations: the distance search gets a sixteenth of them.
        let mut s = schedule(300);
        s.budget.iterations = Some(8_000);
        let (mut current, mut best) = (on_vehicles(2), on_vehicles(3));
        s.vehicle_attempt = Some(0);
        s.iteration = 40;
        s.after_vehicle_attempt(&mut current, &mut best);
        assert_eq!(best.used(), 2, "the smaller fleet is kept");
        s.iteration += 499;
        assert!(!s.vehicle_attempt_due(&best), "the routes are tidied first");
        s.iteration += 1;
        assert!(s.vehicle_attempt_due(&best));

        // An attempt that runs its length without serving everything backs off twice as long.
        let attempt = s.iteration;
        s.vehicle_attempt = Some(attempt);
        current.unassigned = vec![0];
        s.iteration = attempt + s.vehicle_attempt_length;
        s.after_vehicle_attempt(&mut current, &mut best);
        assert_eq!(s.failed_attempts, 1);
        assert!(current.unassigned.is_empty(), "back to the best answer");
        assert_eq!(s.next_attempt, s.iteration + 2 * s.vehicle_attempt_length);

        // The pause is never shorter than 100 iterations, nor longer than an attempt.
        s.budget.iterations = Some(40);
        assert_eq!(s.pause_after_success(), VM_PAUSE_MIN);
        s.budget.iterations = Some(1_000_000);
        assert_eq!(s.pause_after_success(), s.vehicle_attempt_length);
    }

    #[test]
    fn the_last_fifth_of_a_time_limit_is_for_distance_alone() {
        let (mut current, mut best) = (on_vehicles(3), on_vehicles(3));
        // A minute's limit, started 47 s and then 49 s ago.
        let mut s = schedule(3);
        s.started = Instant::now() - Duration::from_secs(47);
        assert!(s.vehicle_attempt_due(&best));
        s.started = Instant::now() - Duration::from_secs(49);
        assert!(
            !s.vehicle_attempt_due(&best),
            "none starts in the last fifth"
        );

        // One still running ends there, well short of its length, as a failed one.
        s.vehicle_attempt = Some(0);
        s.iteration = 10;
        current.unassigned = vec![0];
        s.after_vehicle_attempt(&mut current, &mut best);
        assert_eq!(s.vehicle_attempt, None);
        assert_eq!(s.failed_attempts, 1);
        assert!(current.unassigned.is_empty(), "back to the best answer");
        assert_eq!(best.used(), 3);

        // Under an iteration budget, attempts run to the end, whatever the clock says.
        let mut counted = schedule(3);
        counted.budget.iterations = Some(1_000);
        counted.started = Instant::now() - Duration::from_secs(59);
        counted.iteration = 999;
        assert!(counted.vehicle_attempt_due(&best));
    }

    #[test]
    fn an_attempt_to_save_a_vehicle_takes_up_only_a_smaller_fleet() {
        let mut s = schedule(3);
        let (best, same, fewer) = (on_vehicles(3), on_vehicles(3), on_vehicles(2));
        assert!(
            s.takes_up(&best, &same),
            "between attempts, any cheaper answer"
        );
        s.vehicle_attempt = Some(0);
        assert!(!s.takes_up(&best, &same));
        assert!(s.takes_up(&best, &fewer));
    }
}

#[cfg(test)]
mod ejection_tests {
    use super::super::model::{Stop, Task, TravelMatrix, Vehicle};
    use super::*;

    /// Depot 0 at the origin; task 0 from (1,0) to (2,0), task 1 from (0,1) to (0,2), task 2
    /// from (-1,0) to (-2,0): each takes 4 minutes there and back, two take more than 5.
    fn problem(vehicles: usize) -> Problem {
        let points = [
            (1.0, 0.0),
            (2.0, 0.0),
            (0.0, 1.0),
            (0.0, 2.0),
            (-1.0, 0.0),
            (-2.0, 0.0),
        ];
        on_plane(&points, vehicles, 5.0)
    }

    /// A task from each point of `points` to the next (the depot at the origin), on
    /// `vehicles` vehicles whose shifts last `shift` minutes.
    fn on_plane(points: &[(f64, f64)], vehicles: usize, shift: f64) -> Problem {
        let points: Vec<(f64, f64)> = std::iter::once((0.0, 0.0))
            .chain(points.iter().copied())
            .collect();
        let n = points.len();
        let mut distance = vec![0.0; n * n];
        for a in 0..n {
            for b in 0..n {
                distance[a * n + b] = (points[a].0 - points[b].0).hypot(points[a].1 - points[b].1);
            }
        }
        let stop = |location| Stop {
            location,
            window: (0.0, 100.0),
            service: 0.0,
        };
        Problem {
            tasks: (0..n / 2)
                .map(|t| Task {
                    pickup: Some(stop(2 * t + 1)),
                    delivery: stop(2 * t + 2),
                    size: [1, 0],
                    vehicle: None,
                })
                .collect(),
            vehicles: (0..vehicles)
                .map(|_| Vehicle {
                    start: 0,
                    end: 0,
                    shift: (0.0, shift),
                    capacity: [10, 10],
                    profile: 0,
                    max_duration: None,
                })
                .collect(),
            matrix: TravelMatrix::from_distances(n, distance),
        }
    }

    /// Runs `check` with a search on `problem` and a state with `on_routes[r]` on route `r`
    /// and the rest left out, on no more routes than it uses.
    fn with_state(
        problem: &Problem,
        on_routes: &[&[usize]],
        check: impl FnOnce(&mut Search<'_>, &mut State),
    ) {
        let lookups = Lookups::new(problem);
        let servable: Vec<usize> = (0..problem.tasks.len()).collect();
        let related = related_tasks(&lookups.ctx(problem), &servable);
        let mut search = Search {
            ctx: lookups.ctx(problem),
            class_of: vec![0; problem.vehicles.len()],
            servable: servable.clone(),
            related: &related,
            fewest_vehicles: 1,
            rng: Rng(1),
        };
        let mut routes: Vec<Route> = (0..problem.vehicles.len()).map(Route::new).collect();
        for (r, tasks) in on_routes.iter().enumerate() {
            routes[r].refresh(&search.ctx);
            for &t in tasks.iter() {
                let ins = routes[r].best_insertion(&search.ctx, t).expect("fits");
                routes[r].insert(&search.ctx, t, ins);
            }
        }
        for route in &mut routes {
            route.refresh(&search.ctx);
        }
        let on: Vec<usize> = on_routes.iter().flat_map(|ts| ts.iter().copied()).collect();
        let mut state = State {
            routes,
            unassigned: servable.into_iter().filter(|t| !on.contains(t)).collect(),
            max_routes: on_routes.len(),
        };
        check(&mut search, &mut state);
    }

    #[test]
    fn a_task_that_fits_goes_in_at_its_cheapest_place() {
        let problem = problem(2);
        with_state(&problem, &[&[0], &[]], |search, state| {
            state.max_routes = 2;
            let mut ejections = Ejections::new(3);
            search.eject_step(state, &mut ejections);
            assert_eq!(state.unassigned, vec![1]);
            assert_eq!(state.routes[1].tasks(), vec![2], "the empty route may open");
            assert_eq!(ejections.hardness, vec![0, 0, 0]);
        });
    }

    #[test]
    fn a_task_that_fits_nowhere_takes_the_place_of_the_task_hard_to_place_least_often() {
        let problem = problem(2);
        with_state(&problem, &[&[0], &[2]], |search, state| {
            let mut ejections = Ejections::new(3);
            ejections.hardness[0] = 2;
            search.eject_step(state, &mut ejections);
            assert_eq!(
                ejections.hardness,
                vec![2, 1, 0],
                "task 1 fitted nowhere once"
            );
            assert_eq!(state.routes[0].tasks(), vec![0], "the harder task stays");
            assert_eq!(state.routes[1].tasks(), vec![1]);
            assert_eq!(state.unassigned, vec![2]);

            // Task 2 now fits nowhere either, and takes the place of task 1, as hard as it.
            search.eject_step(state, &mut ejections);
            assert_eq!(ejections.hardness, vec![2, 1, 1]);
            assert_eq!(state.routes[1].tasks(), vec![2]);
            assert_eq!(state.unassigned, vec![1]);
            assert!(state.routes.iter().all(|r| r.feasible));
        });
    }

    #[test]
    fn a_task_no_removal_lets_in_waits_behind_the_others() {
        let mut problem = problem(1);
        // Task 1 is too large for the vehicle even alone; task 2 is left out too.
        problem.tasks[1].size = [11, 0];
        with_state(&problem, &[&[0]], |search, state| {
            state.unassigned = vec![2, 1];
            let mut ejections = Ejections::new(3);
            search.eject_step(state, &mut ejections);
            assert_eq!(state.unassigned, vec![1, 2]);
            assert_eq!(state.routes[0].tasks(), vec![0]);
            assert_eq!(ejections.hardness, vec![0, 1, 0]);
        });
    }

    #[test]
    fn a_task_takes_a_place_only_on_a_route_near_it_even_where_a_far_one_would_make_room() {
        // Task 0 and its 20 most related (tasks 1 to 20) along x = 2; task 21 far to the west.
        let mut points = vec![(2.0, 0.02), (2.0, 0.03)];
        for k in 1..=20 {
            let y = 0.1 * k as f64;
            points.extend([(2.0, y), (2.0, y + 0.05)]);
        }
        points.extend([(-50.0, 0.0), (-50.1, 0.0)]);
        let cluster: Vec<usize> = (1..=20).collect();
        let build = |route_0_shift: f64| {
            let mut problem = on_plane(&points, 2, 1000.0);
            for t in 0..=20 {
                let service = if t == 0 { 0.5 } else { 1.0 };
                problem.tasks[t].delivery.service = service;
                if let Some(pickup) = problem.tasks[t].pickup.as_mut() {
                    pickup.service = service;
                }
            }
            // Task 21 alone, or task 0 alone, fits vehicle 1's shift; both do not.
            problem.vehicles[1].shift.1 = 101.0;
            problem.vehicles[0].shift.1 = route_0_shift;
            problem
        };
        // Vehicle 0's shift leaves half a minute once the 20 are served (a route takes its
        // distance and its service: no window makes it wait): task 0 needs a minute of
        // service, and the removal of any one of them frees two.
        let mut cluster_route = 0.0;
        with_state(&build(1000.0), &[&cluster, &[21]], |_, state| {
            cluster_route = state.routes[0].distance + 40.0;
        });
        let problem = build(cluster_route + 0.5);
        with_state(&problem, &[&cluster, &[21]], |search, state| {
            assert!(state.routes.iter().all(|r| r.feasible));
            let mut without_21 = state.routes[1].clone();
            without_21.take_off(21);
            without_21.refresh(&search.ctx);
            assert!(
                without_21.best_insertion(&search.ctx, 0).is_some(),
                "the far route makes room by taking off task 21"
            );

            let mut ejections = Ejections::new(22);
            for &t in &cluster {
                ejections.hardness[t] = 1;
            }
            search.eject_step(state, &mut ejections);
            assert_eq!(
                state.routes[1].tasks(),
                vec![21],
                "task 21 fitted nowhere less often, but its route is far from task 0"
            );
            assert!(state.routes[0].tasks().contains(&0));
            assert_eq!(state.unassigned.len(), 1);
            assert!(cluster.contains(&state.unassigned[0]));
            assert!(state.routes.iter().all(|r| r.feasible));
        });
    }

    #[test]
    fn a_task_that_only_two_removals_let_in_takes_the_place_of_both() {
        // Tasks 0 and 1 take 4 minutes each, together 8 of the 9; task 2 alone takes 7.
        let points = [
            (1.0, 0.0),
            (2.0, 0.0),
            (0.0, 1.0),
            (0.0, 2.0),
            (-3.0, 0.0),
            (-3.5, 0.0),
        ];
        let problem = on_plane(&points, 1, 9.0);
        with_state(&problem, &[&[0, 1]], |search, state| {
            let mut ejections = Ejections::new(3);
            search.eject_step(state, &mut ejections);
            assert_eq!(state.routes[0].tasks(), vec![2]);
            let mut waiting = state.unassigned.clone();
            waiting.sort_unstable();
            assert_eq!(waiting, vec![0, 1]);
            assert_eq!(ejections.hardness, vec![0, 0, 1]);
        });
    }
}
