//! Runs the route solver on one Li & Lim or Solomon instance and prints one JSON line:
//! `{"solver","instance","vehicles","distance","seconds","feasible","routes"}`.
//!
//! `routing-bench INSTANCE_FILE --time-limit SECONDS [--seed N] [--iterations N]`
//! `routing-bench --wave TASKS --time-limit SECONDS [--seed N]`: a synthetic co-delivery
//! wave with a mixed fleet, shifts and two capacities (see `benchmark::synthetic_wave`).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use golmok_delivery_routing::benchmark;
use golmok_delivery_routing::solver::{Budget, solve};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut file = None;
    let mut time_limit = 5.0f64;
    let mut seed = 1u64;
    let mut iterations = None;
    let mut wave: Option<usize> = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        let parsed: Result<(), String> = match arg.as_str() {
            "--time-limit" => value("--time-limit").and_then(|v| {
                v.parse()
                    .map(|v| time_limit = v)
                    .map_err(|e| format!("--time-limit: {e}"))
            }),
            "--seed" => value("--seed").and_then(|v| {
                v.parse()
                    .map(|v| seed = v)
                    .map_err(|e| format!("--seed: {e}"))
            }),
            "--wave" => value("--wave").and_then(|v| {
                v.parse()
                    .map(|v| wave = Some(v))
                    .map_err(|e| format!("--wave: {e}"))
            }),
            "--iterations" => value("--iterations").and_then(|v| {
                v.parse()
                    .map(|v| iterations = Some(v))
                    .map_err(|e| format!("--iterations: {e}"))
            }),
            other if !other.starts_with("--") && file.is_none() => {
                file = Some(other.to_owned());
                Ok(())
            }
            other => Err(format!("unknown argument {other}")),
        };
        if let Err(e) = parsed {
            eprintln!("routing-bench: {e}");
            return ExitCode::from(2);
        }
    }
    if let Some(tasks) = wave {
        let problem = benchmark::synthetic_wave(tasks, seed);
        let started = Instant::now();
        let solution = solve(
            &problem,
            Budget {
                time_limit: Duration::from_secs_f64(time_limit.max(0.0)),
                iterations,
                seed,
            },
        );
        let line = serde_json::json!({
            "solver": "golmok",
            "instance": format!("wave-{tasks}-seed-{seed}"),
            "vehicles": solution.vehicles,
            "distance": solution.distance,
            "unassigned": solution.unassigned.len(),
            "seconds": started.elapsed().as_secs_f64(),
            "feasible": golmok_delivery_routing::solver::verify(&problem, &solution).is_ok(),
            "iterations": solution.iterations,
        });
        println!("{line}");
        return ExitCode::SUCCESS;
    }
    let Some(file) = file else {
        eprintln!(
            "usage: routing-bench INSTANCE_FILE --time-limit SECONDS [--seed N] [--iterations N]"
        );
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("routing-bench: reading {file}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let name = std::path::Path::new(&file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.clone());
    let instance = match benchmark::parse(&name, &text) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("routing-bench: {file}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let started = Instant::now();
    let solution = solve(
        &instance.problem(),
        Budget {
            time_limit: Duration::from_secs_f64(time_limit.max(0.0)),
            iterations,
            seed,
        },
    );
    let seconds = started.elapsed().as_secs_f64();
    let routes = instance.routes(&solution);
    let checked = instance.check(&routes);
    if let Err(e) = &checked {
        eprintln!("routing-bench: {name}: infeasible: {e}");
    }
    let line = serde_json::json!({
        "solver": "golmok",
        "instance": name,
        "vehicles": routes.len(),
        "distance": checked.as_ref().copied().unwrap_or(solution.distance),
        "seconds": seconds,
        "feasible": checked.is_ok() && solution.unassigned.is_empty(),
        "iterations": solution.iterations,
        "routes": routes,
    });
    println!("{line}");
    ExitCode::SUCCESS
}
