//! Public benchmark instances (Li & Lim PDPTW, Solomon VRPTW) in their original text
//! formats, turned into solver problems, and an independent check of the routes the solver
//! returns, for the `routing-bench` binary and the solver's tests.

use crate::solver::{Problem, Solution, Stop, Task, TravelMatrix, Vehicle, VisitKind};

/// One node of an instance file, as written there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Node {
    pub id: usize,
    pub x: f64,
    pub y: f64,
    pub demand: i64,
    pub ready: f64,
    pub due: f64,
    pub service: f64,
    /// Li & Lim: the partner node (a pickup's delivery, a delivery's pickup); 0 for none.
    pub partner: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    pub name: String,
    pub vehicles: usize,
    pub capacity: i64,
    /// Node 0 is the depot.
    pub nodes: Vec<Node>,
    /// For each solver task, its (pickup node, delivery node); pickup 0 for a depot delivery.
    pub tasks: Vec<(usize, usize)>,
}

fn numbers(line: &str) -> Vec<f64> {
    line.split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect()
}

/// Reads either format, told apart by content: Solomon files have a `VEHICLE` section.
pub fn parse(name: &str, text: &str) -> Result<Instance, String> {
    if text.contains("VEHICLE") {
        parse_solomon(name, text)
    } else {
        parse_li_lim(name, text)
    }
}

fn parse_li_lim(name: &str, text: &str) -> Result<Instance, String> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let head = numbers(lines.next().ok_or("empty file")?);
    if head.len() < 2 {
        return Err("the first line must hold the vehicle count and capacity".into());
    }
    let mut nodes = Vec::new();
    for line in lines {
        let v = numbers(line);
        if v.len() < 9 {
            return Err(format!("a node line needs 9 numbers: {line}"));
        }
        let partner = if v[7] > 0.0 { v[7] } else { v[8] } as usize;
        nodes.push(Node {
            id: v[0] as usize,
            x: v[1],
            y: v[2],
            demand: v[3] as i64,
            ready: v[4],
            due: v[5],
            service: v[6],
            partner,
        });
    }
    let tasks = nodes
        .iter()
        .filter(|n| n.id != 0 && n.demand > 0)
        .map(|p| (p.id, p.partner))
        .collect();
    Ok(Instance {
        name: name.into(),
        vehicles: head[0] as usize,
        capacity: head[1] as i64,
        nodes,
        tasks,
    })
}

fn parse_solomon(name: &str, text: &str) -> Result<Instance, String> {
    let lines: Vec<&str> = text.lines().collect();
    let vehicle_at = lines
        .iter()
        .position(|l| l.contains("VEHICLE"))
        .ok_or("no VEHICLE section")?;
    let fleet = lines[vehicle_at + 1..]
        .iter()
        .map(|l| numbers(l))
        .find(|v| v.len() >= 2)
        .ok_or("no vehicle count and capacity")?;
    let customers_at = lines
        .iter()
        .position(|l| l.contains("CUSTOMER"))
        .ok_or("no CUSTOMER section")?;
    let mut nodes = Vec::new();
    for line in &lines[customers_at + 1..] {
        let v = numbers(line);
        if v.len() >= 7 {
            nodes.push(Node {
                id: v[0] as usize,
                x: v[1],
                y: v[2],
                demand: v[3] as i64,
                ready: v[4],
                due: v[5],
                service: v[6],
                partner: 0,
            });
        }
    }
    let tasks = nodes
        .iter()
        .filter(|n| n.id != 0)
        .map(|n| (0, n.id))
        .collect();
    Ok(Instance {
        name: name.into(),
        vehicles: fleet[0] as usize,
        capacity: fleet[1] as i64,
        nodes,
        tasks,
    })
}

impl Instance {
    fn node(&self, id: usize) -> &Node {
        &self.nodes[id]
    }

    fn distance(&self, a: usize, b: usize) -> f64 {
        let (a, b) = (self.node(a), self.node(b));
        ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt()
    }

    /// The solver's problem: Euclidean distances, travel time equal to distance, identical
    /// vehicles at the depot.
    pub fn problem(&self) -> Problem {
        let n = self.nodes.len();
        let mut distance = vec![0.0; n * n];
        for a in 0..n {
            for b in 0..n {
                distance[a * n + b] = self.distance(a, b);
            }
        }
        let depot = self.node(0);
        let stop = |id: usize| {
            let node = self.node(id);
            Stop {
                location: id,
                window: (node.ready, node.due),
                service: node.service,
            }
        };
        let tasks = self
            .tasks
            .iter()
            .map(|&(p, d)| Task {
                pickup: (p != 0).then(|| stop(p)),
                delivery: stop(d),
                size: [self.node(if p != 0 { p } else { d }).demand.abs(), 0],
                vehicle: None,
            })
            .collect();
        let vehicles = (0..self.vehicles)
            .map(|_| Vehicle {
                start: 0,
                end: 0,
                shift: (depot.ready, depot.due),
                capacity: [self.capacity, i64::MAX / 4],
                profile: 0,
                max_duration: None,
            })
            .collect();
        Problem {
            tasks,
            vehicles,
            matrix: TravelMatrix::from_distances(n, distance),
        }
    }

    /// Each route as the instance's node ids in visiting order, depot left out.
    pub fn routes(&self, solution: &Solution) -> Vec<Vec<usize>> {
        solution
            .routes
            .iter()
            .map(|r| {
                r.visits
                    .iter()
                    .map(|v| {
                        let (p, d) = self.tasks[v.task];
                        if v.kind == VisitKind::Pickup { p } else { d }
                    })
                    .collect()
            })
            .collect()
    }

    /// Checks routes against the instance alone: every customer once, capacity, time windows
    /// with service times, pickups before their deliveries on the same route, the depot's
    /// closing time. Returns the total distance, or what is wrong.
    pub fn check(&self, routes: &[Vec<usize>]) -> Result<f64, String> {
        if routes.len() > self.vehicles {
            return Err(format!(
                "{} routes for {} vehicles",
                routes.len(),
                self.vehicles
            ));
        }
        let mut seen = vec![false; self.nodes.len()];
        let mut total = 0.0;
        for (k, route) in routes.iter().enumerate() {
            let mut load: i64 = route
                .iter()
                .filter(|&&id| {
                    self.node(id).partner == 0 && self.tasks.iter().any(|&(p, d)| p == 0 && d == id)
                })
                .map(|&id| self.node(id).demand)
                .sum();
            if load > self.capacity {
                return Err(format!("route {k} leaves with {load} on board"));
            }
            let mut time = self.node(0).ready;
            let mut at = 0;
            for &id in route {
                if id == 0 || id >= self.nodes.len() {
                    return Err(format!("route {k} visits node {id}"));
                }
                if seen[id] {
                    return Err(format!("node {id} is visited twice"));
                }
                seen[id] = true;
                let node = self.node(id);
                total += self.distance(at, id);
                time = (time + self.node(at).service + self.distance(at, id)).max(node.ready);
                if time > node.due + 1e-6 {
                    return Err(format!(
                        "route {k} reaches node {id} at {time:.2}, after {}",
                        node.due
                    ));
                }
                let is_pickup = self.tasks.iter().any(|&(p, _)| p == id);
                let is_delivery_of_pickup = self.tasks.iter().any(|&(p, d)| d == id && p != 0);
                if is_pickup {
                    load += node.demand;
                } else {
                    if is_delivery_of_pickup && !seen[node.partner] {
                        return Err(format!(
                            "node {id} is delivered before its pickup {}",
                            node.partner
                        ));
                    }
                    if is_delivery_of_pickup && !route.contains(&node.partner) {
                        return Err(format!(
                            "node {id} and its pickup {} are on different routes",
                            node.partner
                        ));
                    }
                    load -= node.demand.abs();
                }
                if load > self.capacity {
                    return Err(format!("route {k} carries {load} after node {id}"));
                }
                at = id;
            }
            total += self.distance(at, 0);
            time += self.node(at).service + self.distance(at, 0);
            if time > self.node(0).due + 1e-6 {
                return Err(format!(
                    "route {k} returns at {time:.2}, after the depot closes"
                ));
            }
        }
        if let Some(missing) = (1..self.nodes.len()).find(|&id| !seen[id]) {
            return Err(format!("node {missing} is not visited"));
        }
        Ok(total)
    }
}

/// A lunch wave like the pilot networks': `tasks` orders from shops around a hub to shoppers
/// within about 3 km, a mixed fleet (on foot, cargo bikes, e-scooters, small vans) on shifts,
/// shop ready times through the morning, a 11:00–13:00 delivery window, and parcels measured in
/// grams and millilitres. Times are minutes after 09:00; distances metres (great-circle-like
/// with a detour factor). Deterministic for a seed.
pub fn synthetic_wave(tasks: usize, seed: u64) -> Problem {
    let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    let mut unit = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 11) as f64) / ((1u64 << 53) as f64)
    };
    let shops = (tasks / 6).max(3);
    let mut points = vec![(0.0, 0.0)]; // the hub
    for _ in 0..shops {
        points.push(((unit() - 0.5) * 2_400.0, (unit() - 0.5) * 2_400.0));
    }
    let shoppers_from = points.len();
    for _ in 0..tasks {
        points.push(((unit() - 0.5) * 6_000.0, (unit() - 0.5) * 6_000.0));
    }
    let tasks: Vec<Task> = (0..tasks)
        .map(|i| {
            let shop = 1 + (unit() * shops as f64) as usize % shops;
            let ready = 60.0 + unit() * 90.0; // 10:00 to 11:30
            let grams = 300 + (unit() * 6_000.0) as i64;
            let millilitres = (grams as f64 * (0.8 + unit())) as i64;
            Task {
                pickup: Some(Stop {
                    location: shop,
                    window: (ready, 230.0),
                    service: 2.0,
                }),
                delivery: Stop {
                    location: shoppers_from + i,
                    window: (120.0, 240.0),
                    service: 3.0,
                },
                size: [grams, millilitres],
                vehicle: None,
            }
        })
        .collect();
    Problem {
        tasks,
        vehicles: wave_fleet(),
        matrix: city_matrix(&points),
    }
}

/// Road distances as 1.3 times the straight line, and times by each vehicle's city speed.
fn city_matrix(points: &[(f64, f64)]) -> TravelMatrix {
    let n = points.len();
    const DETOUR: f64 = 1.3;
    let mut distance = vec![0.0; n * n];
    for a in 0..n {
        for b in 0..n {
            distance[a * n + b] = DETOUR
                * ((points[a].0 - points[b].0).powi(2) + (points[a].1 - points[b].1).powi(2))
                    .sqrt();
        }
    }
    // Metres per minute: on foot, cargo bike, e-scooter, small van (city traffic).
    let speeds = [75.0, 230.0, 300.0, 330.0];
    let times = speeds
        .iter()
        .map(|v| distance.iter().map(|d| d / v).collect())
        .collect();
    TravelMatrix {
        size: n,
        distance,
        times,
    }
}

/// A pilot network's mixed fleet: walkers, cargo bikes, e-scooters and small vans, half of
/// each starting at 10:30 and half at 11:00.
fn wave_fleet() -> Vec<Vehicle> {
    let fleet = [
        // (profile, kg, litres, how many)
        (0, 8_000, 15_000, 4),
        (1, 60_000, 120_000, 10),
        (2, 25_000, 40_000, 8),
        (3, 400_000, 1_500_000, 4),
    ];
    let mut vehicles = Vec::new();
    for (profile, grams, millilitres, count) in fleet {
        for k in 0..count {
            let start = if k % 2 == 0 { 30.0 } else { 60.0 };
            vehicles.push(Vehicle {
                start: 0,
                end: 0,
                shift: (start, 270.0),
                capacity: [grams, millilitres],
                profile,
                max_duration: Some(210.0),
            });
        }
    }
    vehicles
}
