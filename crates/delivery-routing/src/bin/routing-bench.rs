//! Runs the route solver on one Li & Lim or Solomon instance and prints one JSON line:
//! `{"solver","instance","vehicles","distance","seconds","feasible","routes"}`.
//!
//! `routing-bench INSTANCE_FILE --time-limit SECONDS [--seed N] [--iterations N] [--threads N]`: runs to
//! the limit, as benchmarks at a fixed time want.
//! `routing-bench --wave TASKS --time-limit SECONDS [--seed N]`: a synthetic co-delivery
//! wave with a mixed fleet, shifts and two capacities (see `benchmark::synthetic_wave`),
//! stopping once the search settles, as planning does.
//! `routing-bench --problem FILE.json --time-limit SECONDS`: a planner's problem saved by
//! `golmok simulate --save-problems DIR`, searched as the planner does (stopping once
//! settled).
//! `routing-bench --settle 10,50,100,300 --time-limit SECONDS`: for each size, one synthetic
//! wave planned as the planner plans it (stopping when settled) beside the same wave run to
//! the whole limit: time to best, time to stop, and the distance against the full run's.
//!
//! `routing-bench --wave TASKS --seed N --save-wave FILE`: writes that wave as a planner's
//! problem (JSON, as `--problem` reads it) for other solvers, and solves nothing.
//!
//! `--settle-early` / `--run-to-limit` choose the stopping rule for either of the first two;
//! `--threads N` runs N searches side by side, sharing their best answer (1 by default:
//! deterministic per seed under `--iterations`).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use golmok_delivery_routing::benchmark;
use golmok_delivery_routing::solver::{Budget, solve};

/// The command line: an instance file or a synthetic wave, and the search's budget.
struct Args {
    file: Option<String>,
    time_limit: f64,
    seed: u64,
    iterations: Option<u64>,
    wave: Option<usize>,
    /// A planner's problem saved as JSON (`golmok simulate --save-problems DIR`).
    problem: Option<String>,
    /// Sizes for `--settle`.
    settle: Vec<usize>,
    /// Stop when settled; by default only for waves.
    stop_when_settled: Option<bool>,
    /// Searches side by side (`--threads N`).
    threads: usize,
    /// Write the `--wave` problem here as JSON instead of solving it (`--save-wave FILE`).
    save_wave: Option<String>,
}

impl Args {
    fn budget(&self) -> Budget {
        Budget {
            time_limit: Duration::from_secs_f64(self.time_limit.max(0.0)),
            iterations: self.iterations,
            seed: self.seed,
            stop_when_settled: self
                .stop_when_settled
                .unwrap_or(self.wave.is_some() || self.problem.is_some()),
            threads: self.threads,
        }
    }
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut parsed = Args {
        file: None,
        time_limit: 5.0,
        seed: 1,
        iterations: None,
        wave: None,
        problem: None,
        settle: Vec::new(),
        stop_when_settled: None,
        threads: 1,
        save_wave: None,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--time-limit" => parsed.time_limit = number(arg, value(arg)?)?,
            "--seed" => parsed.seed = number(arg, value(arg)?)?,
            "--wave" => parsed.wave = Some(number(arg, value(arg)?)?),
            "--problem" => parsed.problem = Some(value(arg)?.to_owned()),
            "--save-wave" => parsed.save_wave = Some(value(arg)?.to_owned()),
            "--threads" => parsed.threads = number(arg, value(arg)?)?,
            "--iterations" => parsed.iterations = Some(number(arg, value(arg)?)?),
            "--settle" => {
                parsed.settle = value(arg)?
                    .split(',')
                    .map(|n| number(arg, n.trim()))
                    .collect::<Result<_, _>>()?;
            }
            "--settle-early" => parsed.stop_when_settled = Some(true),
            "--run-to-limit" => parsed.stop_when_settled = Some(false),
            other if !other.starts_with("--") && parsed.file.is_none() => {
                parsed.file = Some(other.to_owned());
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(parsed)
}

fn number<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    value.parse().map_err(|e| format!("{name}: {e}"))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args = match parse_args(&args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("routing-bench: {e}");
            return ExitCode::from(2);
        }
    };
    if !args.settle.is_empty() {
        for &tasks in &args.settle {
            println!("{}", settle_wave(tasks, &args));
        }
        return ExitCode::SUCCESS;
    }
    if let (Some(tasks), Some(file)) = (args.wave, &args.save_wave) {
        return printed(save_wave(tasks, file, &args));
    }
    if let Some(tasks) = args.wave {
        println!("{}", solve_wave(tasks, &args));
        return ExitCode::SUCCESS;
    }
    if let Some(file) = &args.problem {
        return printed(solve_saved(file, &args));
    }
    let Some(file) = &args.file else {
        eprintln!(
            "usage: routing-bench INSTANCE_FILE --time-limit SECONDS [--seed N] [--iterations N]"
        );
        return ExitCode::from(2);
    };
    printed(solve_instance(file, &args))
}

/// One run's JSON line on stdout, or its error on stderr and a failing exit.
fn printed(run: Result<serde_json::Value, String>) -> ExitCode {
    match run {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("routing-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A synthetic co-delivery wave of `tasks` tasks, as one JSON line.
fn solve_wave(tasks: usize, args: &Args) -> serde_json::Value {
    let problem = benchmark::synthetic_wave(tasks, args.seed);
    solved(&problem, &format!("wave-{tasks}-seed-{}", args.seed), args)
}

/// A synthetic wave written as a planner's problem (what `--problem` reads), so that other
/// solvers can be given the same wave (`bench/routing/wave_peers.py`).
fn save_wave(tasks: usize, file: &str, args: &Args) -> Result<serde_json::Value, String> {
    let problem = benchmark::synthetic_wave(tasks, args.seed);
    let text = serde_json::to_string(&problem).map_err(|e| format!("{file}: {e}"))?;
    std::fs::write(file, text).map_err(|e| format!("writing {file}: {e}"))?;
    Ok(serde_json::json!({ "saved": file, "tasks": tasks, "seed": args.seed }))
}

/// A planner's problem saved as JSON, solved as the planner solves it (stopping when
/// settled, unless `--run-to-limit`), as one JSON line.
fn solve_saved(file: &str, args: &Args) -> Result<serde_json::Value, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("reading {file}: {e}"))?;
    let problem: golmok_delivery_routing::solver::Problem =
        serde_json::from_str(&text).map_err(|e| format!("{file}: {e}"))?;
    Ok(solved(&problem, file, args))
}

/// `problem` solved within the command line's budget: the answer's figures and the search's.
fn solved(
    problem: &golmok_delivery_routing::solver::Problem,
    instance: &str,
    args: &Args,
) -> serde_json::Value {
    let started = Instant::now();
    let solution = solve(problem, args.budget());
    serde_json::json!({
        "solver": "golmok",
        "instance": instance,
        "tasks": problem.tasks.len(),
        "vehicles": solution.vehicles,
        "distance": solution.distance,
        "unassigned": solution.unassigned.len(),
        "seconds": started.elapsed().as_secs_f64(),
        "feasible": golmok_delivery_routing::solver::verify(problem, &solution).is_ok(),
        "iterations": solution.iterations,
        "iterations_to_best": solution.iterations_to_best,
        "time_to_best": solution.time_to_best.as_secs_f64(),
    })
}

/// One synthetic wave of `tasks` planned as the planner does (stopping when settled), beside
/// the same wave searched for the whole limit: how soon the plan came, and what it gave up.
fn settle_wave(tasks: usize, args: &Args) -> serde_json::Value {
    let problem = benchmark::synthetic_wave(tasks, args.seed);
    let run = |stop_when_settled: bool| {
        solve(
            &problem,
            Budget {
                stop_when_settled,
                ..args.budget()
            },
        )
    };
    let (settled, full) = (run(true), run(false));
    serde_json::json!({
        "tasks": tasks,
        "seed": args.seed,
        "time_to_best": settled.time_to_best.as_secs_f64(),
        "time_to_stop": settled.time_to_stop.as_secs_f64(),
        "iterations": settled.iterations,
        "iterations_to_best": settled.iterations_to_best,
        "vehicles": settled.vehicles,
        "distance": settled.distance,
        "unassigned": settled.unassigned.len(),
        "full_seconds": full.time_to_stop.as_secs_f64(),
        "full_time_to_best": full.time_to_best.as_secs_f64(),
        "full_iterations_to_best": full.iterations_to_best,
        "full_vehicles": full.vehicles,
        "full_distance": full.distance,
        "distance_ratio": if full.distance > 0.0 { settled.distance / full.distance } else { 1.0 },
        "feasible": golmok_delivery_routing::solver::verify(&problem, &settled).is_ok(),
    })
}

/// A Li & Lim or Solomon instance file, solved and checked by the instance's own rules, as
/// one JSON line with its routes.
fn solve_instance(file: &str, args: &Args) -> Result<serde_json::Value, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("reading {file}: {e}"))?;
    let name = std::path::Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.to_owned());
    let instance = benchmark::parse(&name, &text).map_err(|e| format!("{file}: {e}"))?;
    let started = Instant::now();
    let solution = solve(&instance.problem(), args.budget());
    let seconds = started.elapsed().as_secs_f64();
    let routes = instance.routes(&solution);
    let checked = instance.check(&routes);
    if let Err(e) = &checked {
        eprintln!("routing-bench: {name}: infeasible: {e}");
    }
    Ok(serde_json::json!({
        "solver": "golmok",
        "instance": name,
        "vehicles": routes.len(),
        "distance": checked.as_ref().copied().unwrap_or(solution.distance),
        "seconds": seconds,
        "feasible": checked.is_ok() && solution.unassigned.is_empty(),
        "iterations": solution.iterations,
        "iterations_to_best": solution.iterations_to_best,
        "time_to_best": solution.time_to_best.as_secs_f64(),
        "routes": routes,
    }))
}
