#!/usr/bin/env python3
"""The synthetic co-delivery wave given to other solvers: VROOM (pyvroom) and vrp-cli.

    target/release/routing-bench --wave 300 --seed 1 --save-wave /tmp/wave-300-1.json
    python3 scripts/wave-peers.py /tmp/wave-300-1.json --solver vroom --time-limit 5
    python3 scripts/wave-peers.py /tmp/wave-300-1.json --solver vrp-cli --time-limit 5 --bin PATH

Prints one JSON line as routing-bench does: couriers, distance (metres, recomputed here in
double precision on the wave's own matrix), seconds, and whether the answer passes this
script's own check (every task once, pickup before delivery on one route, time windows
with service, both capacities, each vehicle's shift and longest route).

Each solver gets the wave as it is: four travel-time profiles (walkers, cargo bikes,
e-scooters, vans), two capacities, shifts, and the objective of couriers first, then
distance. Integer models: times in whole seconds, travel times rounded up and windows
inward, so that an answer the solver finds feasible is feasible on the wave's own figures;
distances in whole metres.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time

PROFILES = ["walk", "bike", "scooter", "van"]
# Minute 0 of the wave (vrp-cli takes times as dates).
EPOCH = 1_780_000_000 - 1_780_000_000 % 86_400


def load(path):
    with open(path) as f:
        p = json.load(f)
    n = p["matrix"]["size"]
    return p, n


def deadline(v):
    end = v["shift"][1]
    if v.get("max_duration") is not None:
        end = min(end, v["shift"][0] + v["max_duration"])
    return end


def secs_up(minutes):
    return int(math.ceil(minutes * 60 - 1e-9))


def secs_down(minutes):
    return int(math.floor(minutes * 60 + 1e-9))


def int_matrices(p, n):
    dist = [[int(round(p["matrix"]["distance"][a * n + b])) for b in range(n)] for a in range(n)]
    times = [
        [[secs_up(m[a * n + b]) for b in range(n)] for a in range(n)] for m in p["matrix"]["times"]
    ]
    return dist, times


def check(p, n, routes):
    """routes: [(vehicle, [(task, 'pickup'|'delivery'), ...])]. Returns (distance, problems)."""
    problems = []
    seen = {}
    total = 0.0
    dist = p["matrix"]["distance"]
    for v, visits in routes:
        veh = p["vehicles"][v]
        times = p["matrix"]["times"][veh["profile"]]
        loc, clock, load = veh["start"], veh["shift"][0], [0, 0]
        picked = set()
        for t, kind in visits:
            task = p["tasks"][t]
            stop = task["pickup"] if kind == "pickup" else task["delivery"]
            total += dist[loc * n + stop["location"]]
            clock = max(clock + times[loc * n + stop["location"]], stop["window"][0])
            if clock > stop["window"][1] + 1e-6:
                problems.append(f"task {t} {kind} late on vehicle {v}")
            clock += stop["service"]
            loc = stop["location"]
            sign = 1 if kind == "pickup" else -1
            load = [load[k] + sign * task["size"][k] for k in range(2)]
            if any(load[k] > veh["capacity"][k] for k in range(2)):
                problems.append(f"vehicle {v} over capacity")
            if kind == "pickup":
                picked.add(t)
            elif t not in picked:
                problems.append(f"task {t} delivered before its pickup")
            seen[(t, kind)] = seen.get((t, kind), 0) + 1
        total += dist[loc * n + veh["end"]]
        clock += times[loc * n + veh["end"]]
        if clock > deadline(veh) + 1e-6:
            problems.append(f"vehicle {v} back late")
    for t in range(len(p["tasks"])):
        for kind in ("pickup", "delivery"):
            if seen.get((t, kind), 0) != 1:
                problems.append(f"task {t} {kind} served {seen.get((t, kind), 0)} times")
    return total, problems


def fixed_cost(dist):
    # More than any route could cost in distance: couriers first.
    return sum(max(row) for row in dist) * 2 + 1


def solve_vroom(p, n, limit, exploration):
    from datetime import timedelta

    import numpy as np
    import vroom

    dist, times = int_matrices(p, n)
    started = time.perf_counter()
    vi = vroom.Input()
    for k, name in enumerate(PROFILES[: len(times)]):
        vi.set_durations_matrix(profile=name, matrix_input=np.array(times[k], dtype=np.uint32))
        vi.set_costs_matrix(profile=name, matrix_input=np.array(dist, dtype=np.uint32))
    fixed = fixed_cost(dist)
    for v, veh in enumerate(p["vehicles"]):
        vi.add_vehicle(
            vroom.Vehicle(
                id=v + 1,
                profile=PROFILES[veh["profile"]],
                start=veh["start"],
                end=veh["end"],
                capacity=list(veh["capacity"]),
                time_window=vroom.TimeWindow(secs_up(veh["shift"][0]), secs_down(deadline(veh))),
                costs=vroom.VehicleCosts(fixed=fixed),
            )
        )

    def step(t, kind):
        stop = p["tasks"][t][kind]
        return vroom.ShipmentStep(
            id=t + 1,
            location=stop["location"],
            default_service=secs_up(stop["service"]),
            time_windows=[vroom.TimeWindow(secs_up(stop["window"][0]), secs_down(stop["window"][1]))],
        )

    for t, task in enumerate(p["tasks"]):
        vi.add_shipment(
            pickup=step(t, "pickup"),
            delivery=step(t, "delivery"),
            amount=vroom.Amount(list(task["size"])),
        )
    kw = dict(exploration_level=exploration, nb_threads=1)
    if limit:
        kw["timeout"] = timedelta(seconds=limit)
    sol = vi.solve(**kw)
    seconds = time.perf_counter() - started
    routes = []
    for vid, g in sol.routes.groupby("vehicle_id", sort=True):
        visits = [(int(i) - 1, k) for i, k in zip(g["id"], g["type"]) if k in ("pickup", "delivery")]
        if visits:
            routes.append((int(vid) - 1, visits))
    return routes, seconds


def date(seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(EPOCH + seconds))


def solve_vrp_cli(p, n, limit, binary):
    dist, times = int_matrices(p, n)
    fixed = fixed_cost(dist)
    # vrp-cli wants every row of its matrices used: the places the wave uses, renumbered.
    places = sorted(
        {v["start"] for v in p["vehicles"]}
        | {v["end"] for v in p["vehicles"]}
        | {task[k]["location"] for task in p["tasks"] for k in ("pickup", "delivery")}
    )
    index = {place: k for k, place in enumerate(places)}
    jobs = []
    for t, task in enumerate(p["tasks"]):
        def part(kind, tag):
            stop = task[kind]
            return {
                "places": [
                    {
                        "location": {"index": index[stop["location"]]},
                        "duration": secs_up(stop["service"]),
                        "times": [[date(secs_up(stop["window"][0])), date(secs_down(stop["window"][1]))]],
                    }
                ],
                "demand": list(task["size"]),
                "tag": tag,
            }

        jobs.append(
            {
                "id": f"t{t}",
                "pickups": [part("pickup", "p")],
                "deliveries": [part("delivery", "d")],
            }
        )
    vehicles = []
    for v, veh in enumerate(p["vehicles"]):
        vehicles.append(
            {
                "typeId": f"v{v}",
                "vehicleIds": [f"v{v}"],
                "profile": {"matrix": PROFILES[veh["profile"]]},
                "costs": {"fixed": fixed, "distance": 1, "time": 0},
                "shifts": [
                    {
                        "start": {
                            "earliest": date(secs_up(veh["shift"][0])),
                            "location": {"index": index[veh["start"]]},
                        },
                        "end": {
                            "latest": date(secs_down(deadline(veh))),
                            "location": {"index": index[veh["end"]]},
                        },
                    }
                ],
                "capacity": list(veh["capacity"]),
            }
        )
    used = sorted({veh["profile"] for veh in p["vehicles"]})
    problem = {
        "plan": {"jobs": jobs},
        "fleet": {"vehicles": vehicles, "profiles": [{"name": PROFILES[k]} for k in used]},
    }
    flat_dist = [dist[a][b] for a in places for b in places]
    with tempfile.TemporaryDirectory() as td:
        path = os.path.join(td, "problem.json")
        with open(path, "w") as f:
            json.dump(problem, f)
        args = [binary, "solve", "pragmatic", path, "-m"]
        for k in used:
            m = os.path.join(td, f"{PROFILES[k]}.json")
            with open(m, "w") as f:
                json.dump(
                    {
                        "profile": PROFILES[k],
                        "travelTimes": [times[k][a][b] for a in places for b in places],
                        "distances": flat_dist,
                    },
                    f,
                )
            args.append(m)
        out = os.path.join(td, "solution.json")
        args += ["--max-time", str(int(round(limit))), "-p", "1,1", "-o", out]
        started = time.perf_counter()
        run = subprocess.run(
            args, capture_output=True, text=True, env=dict(os.environ, RAYON_NUM_THREADS="1")
        )
        seconds = time.perf_counter() - started
        if run.returncode != 0 or not os.path.exists(out):
            sys.exit(f"vrp-cli failed: {run.stderr[-600:] or run.stdout[-600:]}")
        with open(out) as f:
            solution = json.load(f)
    routes = []
    for tour in solution.get("tours", []):
        v = int(tour["vehicleId"][1:])
        visits = []
        for stop in tour["stops"]:
            for activity in stop["activities"]:
                if activity["type"] in ("pickup", "delivery"):
                    visits.append((int(activity["jobId"][1:]), activity["type"]))
        routes.append((v, visits))
    return routes, seconds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("wave")
    ap.add_argument("--solver", choices=["vroom", "vrp-cli"], required=True)
    ap.add_argument("--time-limit", type=float, default=None)
    ap.add_argument("--exploration", type=int, default=5)
    ap.add_argument("--bin", default="vrp-cli")
    a = ap.parse_args()
    p, n = load(a.wave)
    if a.solver == "vroom":
        routes, seconds = solve_vroom(p, n, a.time_limit, a.exploration)
    else:
        routes, seconds = solve_vrp_cli(p, n, a.time_limit or 5, a.bin)
    distance, problems = check(p, n, routes)
    print(
        json.dumps(
            {
                "solver": a.solver,
                "instance": os.path.basename(a.wave),
                "vehicles": len(routes),
                "distance": round(distance, 1),
                "seconds": round(seconds, 3),
                "feasible": not problems,
                "problems": problems[:5],
            }
        )
    )


if __name__ == "__main__":
    main()
