#!/usr/bin/env python3
"""The product benchmark's weekly problems, generated like the sample week.

`tournee bench --format tournee` solves these side by side with VROOM. Each
problem is written twice: `NAME.json` with the product's default costs (a
fixed cost per tour, per km and per hour of driver time) and `NAME-km.json`
with the fixed cost and the cost per km only, an objective VROOM expresses
exactly (it prices travel time but not waiting, see the README).

The sample week (data/rouen/week.json) is the base; the variants change one
thing each:

- semaine: the sample week (3 vans, 121 pickups, 16 commune orders);
- pause-midi: a 45-minute lunch break starting between 12:00 and 14:00 on
  every van;
- deux-tournees: two trips per shift (15 minutes at the workshop between);
- flotte-mixte: a cargo bike (150 kg, 1.2 m3, 40 km a day), an electric van
  with a 120 km range, a diesel van;
- 300-demandes, 600-demandes: that many pickups over the week, 6 vans;
- fenetres-multiples: every request open on two or three different days.

Every request is mandatory (the sample's few optional ones too), because
VROOM's priorities are not the product's values in cost units. The draws
use fixed seeds, so the files are the same on every run:

    python3 scripts/bench_weeks.py target/bench-weeks
"""
import copy
import importlib.util
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
WEEK = os.path.join(HERE, "..", "data", "rouen", "week.json")


def sample_generator():
    """The sample week's own generator, for its helpers (device counts,
    opening hours, contacts, points around a commune)."""
    spec = importlib.util.spec_from_file_location("gen_rouen_week", os.path.join(HERE, "gen_rouen_week.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = sample_generator()


def mandatory(problem):
    for r in problem["pickups"] + problem["orders"]:
        r.pop("priority", None)
    return problem


def lunch_break(p):
    for v in p["vehicles"]:
        v["break"] = {"from": "12:00", "to": "14:00", "minutes": 45}
    return p


def two_trips(p):
    for v in p["vehicles"]:
        v["trips"] = 2
        v["reload_minutes"] = 15
    return p


def mixed_fleet(p):
    depot = p["depots"][0]["id"]
    shifts = p["vehicles"][0]["shifts"]
    p["vehicles"] = [
        {"id": "velo-cargo", "name": "Vélo cargo à assistance électrique", "depot": depot,
         "capacity": {"kg": 150, "m3": 1.2}, "shifts": shifts, "max_tour_hours": 9, "max_tour_km": 40,
         "energy": "cargo_bike", "speed_factor": 0.6, "costs": {"fixed": 5, "per_km": 0.02, "per_hour": 24}},
        {"id": "kangoo-e", "name": "Renault Kangoo Van E-Tech (électrique)", "depot": depot,
         "capacity": {"kg": 600, "m3": 3.3}, "shifts": shifts, "max_tour_hours": 9, "max_tour_km": 120,
         "energy": "electric", "costs": {"fixed": 10, "per_km": 0.12, "per_hour": 24}},
        {"id": "master", "name": "Renault Master L1H1 (diesel, hayon)", "depot": depot,
         "capacity": {"kg": 1400, "m3": 8.0}, "shifts": shifts, "max_tour_hours": 9,
         "energy": "diesel_3_5t", "speed_factor": 0.9, "skills": ["tail_lift"],
         "costs": {"fixed": 20, "per_km": 0.35, "per_hour": 24}},
    ]
    return p


def many(n):
    """`n` pickups drawn like the sample's (smaller, shorter visits: a week
    of 600 requests is many small offices), 6 vans."""
    def build(p):
        random.seed(1000 + n)
        rows = GEN.communes()
        weights = [r["population"] for r in rows]
        weights = [float(w) ** 0.5 for w in weights]
        pickups = []
        for i in range(1, n + 1):
            c = random.choices(rows, weights)[0]
            kind = "administration" if random.random() < 0.35 else "company"
            devices = {k: max(1, v // 3) for k, v in GEN.device_counts(1.0).items()}
            count = sum(devices.values())
            pickups.append({
                "id": f"P{i:03d}",
                "name": f"Demande {i} ({c['name']})",
                "address": f"{c['name']} (adresse synthétique)",
                "location": GEN.jitter(float(c["latitude"]), float(c["longitude"]), 1.2),
                "devices": devices,
                "time_windows": GEN.windows_for(kind),
                "service_minutes": min(20, 5 + count // 2),
            })
        p["pickups"] = pickups
        base = {v["id"]: v for v in p["vehicles"]}
        p["vehicles"] = []
        for copy_no in (1, 2):
            for vid in ("master", "kangoo", "kangoo-e"):
                v = copy.deepcopy(base[vid])
                v["id"] = f"{vid}-{copy_no}"
                v.pop("max_tour_km", None)
                p["vehicles"].append(v)
        return p
    return build


def multi_windows(p):
    """Each request open on two or three different days (one period a day)."""
    random.seed(77)
    days = GEN.DAYS
    for r in p["pickups"] + p["orders"]:
        chosen = sorted(random.sample(range(5), random.choice([2, 3])))
        windows = []
        for d in chosen:
            start, end = random.choice([("09:00", "12:00"), ("14:00", "17:00"), ("10:00", "16:00")])
            windows.append(GEN.window(days[d], start, end))
        r["time_windows"] = windows
    return p


VARIANTS = [
    ("semaine", lambda p: p),
    ("pause-midi", lunch_break),
    ("deux-tournees", two_trips),
    ("flotte-mixte", mixed_fleet),
    ("300-demandes", many(300)),
    ("600-demandes", many(600)),
    ("fenetres-multiples", multi_windows),
]


def per_km_only(p):
    for v in p["vehicles"]:
        v["costs"]["per_hour"] = 0
    return p


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join("target", "bench-weeks")
    os.makedirs(out, exist_ok=True)
    with open(WEEK, encoding="utf-8") as f:
        week = json.load(f)
    for name, change in VARIANTS:
        p = mandatory(change(copy.deepcopy(week)))
        p["name"] = f"{week['name']} — {name}"
        for suffix, objective in (("", lambda q: q), ("-km", per_km_only)):
            q = objective(copy.deepcopy(p))
            path = os.path.join(out, f"{name}{suffix}.json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(q, f, ensure_ascii=False, indent=1)
                f.write("\n")
    print(out)


if __name__ == "__main__":
    main()
