//! An independent check of a solution against its problem, written apart from the search's
//! own incremental bookkeeping so that one can catch the other's mistakes.

use super::model::{PlannedRoute, Problem, Solution, Stop, Visit, VisitKind};
use super::route::{EPS, end_deadline};

/// `Ok` when every route is feasible and every task is on exactly one route or reported
/// unassigned; otherwise what is wrong.
pub fn verify(problem: &Problem, solution: &Solution) -> Result<(), String> {
    let mut served = vec![0u32; problem.tasks.len()];
    let mut used_vehicles = Vec::new();
    for route in &solution.routes {
        let v = route.vehicle;
        if used_vehicles.contains(&v) {
            return Err(format!("vehicle {v} has two routes"));
        }
        used_vehicles.push(v);
        verify_route(problem, route, &mut served)?;
    }
    for &(t, _) in &solution.unassigned {
        served[t] += 1;
    }
    if let Some(t) = served.iter().position(|&n| n != 1) {
        return Err(format!(
            "task {t} is served or reported {} times",
            served[t]
        ));
    }
    Ok(())
}

/// One route driven again from its vehicle's start: loads, windows, pairing, the reported
/// times and distance, and the return within the shift. Counts each delivery in `served`.
fn verify_route(problem: &Problem, route: &PlannedRoute, served: &mut [u32]) -> Result<(), String> {
    let v = route.vehicle;
    let vehicle = problem
        .vehicles
        .get(v)
        .ok_or(format!("route for unknown vehicle {v}"))?;
    // What leaves the depot: deliveries with no pick-up are loaded there.
    let mut load = [0i64; 2];
    for visit in &route.visits {
        let task = &problem.tasks[visit.task];
        if task.pickup.is_none() {
            load[0] += task.size[0];
            load[1] += task.size[1];
        }
    }
    let fits = |l: [i64; 2]| l[0] <= vehicle.capacity[0] && l[1] <= vehicle.capacity[1];
    if !fits(load) {
        return Err(format!("vehicle {v} leaves overloaded"));
    }
    let mut time = vehicle.shift.0;
    let mut at = vehicle.start;
    let mut distance = 0.0;
    let mut picked = vec![false; problem.tasks.len()];
    for visit in &route.visits {
        let stop = visited_stop(problem, v, visit)?;
        distance += problem.matrix.distance(at, stop.location);
        let arrival = time + problem.matrix.time(vehicle.profile, at, stop.location);
        let start = arrival.max(stop.window.0);
        check_start(visit, &stop, start)?;
        carry(problem, visit, &mut picked, &mut load, served)?;
        if !fits(load) {
            return Err(format!("vehicle {v} overloaded after task {}", visit.task));
        }
        time = start + stop.service;
        at = stop.location;
    }
    distance += problem.matrix.distance(at, vehicle.end);
    let back = time + problem.matrix.time(vehicle.profile, at, vehicle.end);
    if back > end_deadline(vehicle) + EPS {
        return Err(format!(
            "vehicle {v} returns at {back:.2}, after its shift or duration limit"
        ));
    }
    if (distance - route.distance).abs() > 1e-6 * distance.max(1.0) {
        return Err(format!(
            "vehicle {v}: reported distance {} but {distance}",
            route.distance
        ));
    }
    Ok(())
}

/// The stop a visit makes, if its task may ride on vehicle `v` at all.
fn visited_stop(problem: &Problem, v: usize, visit: &Visit) -> Result<Stop, String> {
    let task = &problem.tasks[visit.task];
    if task.vehicle.is_some_and(|fixed| fixed != v) {
        return Err(format!("task {} is bound to another vehicle", visit.task));
    }
    Ok(match visit.kind {
        VisitKind::Pickup => task
            .pickup
            .ok_or(format!("task {} has no pickup", visit.task))?,
        VisitKind::Delivery => task.delivery,
    })
}

/// Served inside its window, at the time the solver reported.
fn check_start(visit: &Visit, stop: &Stop, start: f64) -> Result<(), String> {
    if start > stop.window.1 + EPS {
        return Err(format!(
            "task {} served at {start:.2} after its window closes at {}",
            visit.task, stop.window.1
        ));
    }
    if (start - visit.start).abs() > 1e-6 {
        return Err(format!(
            "task {}: reported start {} but {start}",
            visit.task, visit.start
        ));
    }
    Ok(())
}

/// A pick-up loads the task; its delivery (never before it on the same route) unloads it.
fn carry(
    problem: &Problem,
    visit: &Visit,
    picked: &mut [bool],
    load: &mut [i64; 2],
    served: &mut [u32],
) -> Result<(), String> {
    let task = &problem.tasks[visit.task];
    match visit.kind {
        VisitKind::Pickup => {
            picked[visit.task] = true;
            load[0] += task.size[0];
            load[1] += task.size[1];
        }
        VisitKind::Delivery => {
            if task.pickup.is_some() && !picked[visit.task] {
                return Err(format!(
                    "task {} delivered before it was picked up on this route",
                    visit.task
                ));
            }
            served[visit.task] += 1;
            load[0] -= task.size[0];
            load[1] -= task.size[1];
        }
    }
    Ok(())
}
