//! Re-planning mid-week, end to end: Monday and Tuesday done, a request
//! locked to another van on Thursday, a van out of service from Wednesday,
//! two urgent requests added. Everything not locked or done may move; the
//! plan says what moved, and the independent checker passes it.

mod common;

use serde_json::{json, Value};
use tournee::plan::Plan;

fn solve(problem: &Value, extra: &[&str]) -> Plan {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = common::write(dir.path(), "p.json", problem);
    let out = dir.path().join("plan.json");
    let mut args = vec![
        "solve",
        input.to_str().expect("path"),
        "--iterations",
        "1500",
        "--check",
        "-o",
        out.to_str().expect("path"),
    ];
    args.extend_from_slice(extra);
    let o = common::run(&args);
    assert!(o.status.success(), "{}", common::stderr(&o));
    serde_json::from_str(&std::fs::read_to_string(out).expect("plan")).expect("plan JSON")
}

#[test]
fn a_wednesday_replan_keeps_what_is_done_and_follows_the_changes() {
    let week: Value = serde_json::from_str(tournee::cli::demo::SAMPLE_WEEK).expect("sample");
    let monday = solve(&week, &[]);

    // A Thursday request with no special need, locked to another van.
    let skills_of = |id: &str| -> bool {
        week["pickups"]
            .as_array()
            .expect("pickups")
            .iter()
            .chain(week["orders"].as_array().expect("orders"))
            .find(|r| r["id"] == id)
            .is_some_and(|r| r["skills"].as_array().is_none_or(Vec::is_empty))
    };
    let (request, from_vehicle) = monday
        .tours
        .iter()
        .filter(|t| t.day == "2026-12-03" && t.vehicle != "kangoo")
        .flat_map(|t| {
            t.stops
                .iter()
                .map(move |s| (s.job.clone(), t.vehicle.clone()))
        })
        .find(|(job, _)| skills_of(job))
        .expect("a Thursday stop to lock");
    let to_vehicle = if from_vehicle == "master" {
        "kangoo-e"
    } else {
        "master"
    };

    let mut wednesday = week.clone();
    wednesday["replan"] = json!({
        "frozen_before": "2026-12-02T00:00",
        "locks": [{"request": request, "vehicle": to_vehicle, "day": "2026-12-03"}],
        "out_of_service": [{"vehicle": "kangoo", "from": "2026-12-02T00:00", "to": "2026-12-05T00:00"}]
    });
    let urgent = |id: &str, lon: f64| {
        json!({"id": id, "name": "Urgent pickup", "location": [lon, 49.44],
               "devices": {"laptop": 5},
               "time_windows": [{"start": "2026-12-02T09:00", "end": "2026-12-04T17:00"}]})
    };
    let pickups = wednesday["pickups"].as_array_mut().expect("pickups");
    pickups.push(urgent("U1", 1.08));
    pickups.push(urgent("U2", 1.12));

    let dir = tempfile::tempdir().expect("tempdir");
    let previous = common::write(
        dir.path(),
        "monday.json",
        &serde_json::to_value(&monday).expect("plan"),
    );
    let replanned = solve(
        &wednesday,
        &["--previous", previous.to_str().expect("path")],
    );

    // Monday's and Tuesday's tours are exactly as they were.
    let early = |p: &Plan| -> Vec<Value> {
        p.tours
            .iter()
            .filter(|t| t.day.as_str() < "2026-12-02")
            .map(|t| serde_json::to_value(t).expect("tour"))
            .collect()
    };
    assert!(!early(&monday).is_empty());
    assert_eq!(early(&replanned), early(&monday));
    // The van out of service drives no more.
    assert!(replanned
        .tours
        .iter()
        .all(|t| !(t.vehicle == "kangoo" && t.day.as_str() >= "2026-12-02")));
    // The lock holds.
    let locked = replanned
        .tours
        .iter()
        .find(|t| t.stops.iter().any(|s| s.job == request))
        .expect("the locked request is planned");
    assert_eq!(
        (locked.vehicle.as_str(), locked.day.as_str()),
        (to_vehicle, "2026-12-03")
    );
    // Every request is accounted for; the new ones and the moves are listed.
    let change = |job: &str| replanned.changes.iter().find(|c| c.request == job);
    for u in ["U1", "U2"] {
        assert_eq!(change(u).expect("listed").from, "new");
    }
    let moved = change(&request).expect("the locked request moved");
    assert!(moved.from.starts_with(&from_vehicle) && moved.to.starts_with(to_vehicle));
    let odd: Vec<_> = replanned
        .changes
        .iter()
        .filter(|c| {
            c.from == c.to || c.from.contains("2026-11-30") || c.from.contains("2026-12-01")
        })
        .collect();
    assert!(odd.is_empty(), "{odd:?}");

    // Promises kept: what was announced stays on its van and day; only the
    // new requests and the lock move without a word; any other move says
    // why (the van out of service: another van the same day; a tour that
    // could not take it any more once the lock and the new requests came).
    for c in &replanned.changes {
        eprintln!("moved: {} {} → {} {:?}", c.request, c.from, c.to, c.why);
        if ["U1", "U2", request.as_str()].contains(&c.request.as_str()) {
            continue;
        }
        let why = c
            .why
            .as_deref()
            .unwrap_or_else(|| panic!("{c:?} moved without a reason"));
        if why.contains("`kangoo` is out of service") {
            // Another van, the same day.
            let day = c.from.trim_start_matches("kangoo/");
            assert!(c.to.ends_with(day), "{c:?} changed day");
        } else if why.starts_with("kept its day") {
            // Another van the same day, to make room.
            assert_eq!(
                c.from.get(c.from.len() - 10..),
                c.to.get(c.to.len().saturating_sub(10)..),
                "{c:?}"
            );
        } else {
            // Kept on its tour, it was left out: released, and said.
            assert!(
                why.starts_with("the tour announced could not take it any more ("),
                "{c:?}"
            );
        }
    }
    let kangoo_pending = monday
        .tours
        .iter()
        .filter(|t| t.vehicle == "kangoo" && t.day.as_str() >= "2026-12-02")
        .map(|t| t.request_stops().count())
        .sum::<usize>();
    // The same re-plan keeping days only, and without promises, for the record.
    let with = |promises: &str| {
        let mut other = wednesday.clone();
        other["replan"]["promises"] = json!(promises);
        solve(&other, &["--previous", previous.to_str().expect("path")])
    };
    let (days, loose) = (with("day"), with("none"));
    eprintln!(
        "wednesday re-plan: {} changes ({} requests announced on the van out of service), {} left out; days only: {} changes, {} left out; without promises: {} changes, {} left out",
        replanned.changes.len(),
        kangoo_pending,
        replanned.unassigned.len(),
        days.changes.len(),
        days.unassigned.len(),
        loose.changes.len(),
        loose.unassigned.len()
    );
    assert!(replanned.changes.len() < loose.changes.len());

    // A price on each broken promise: priced out of reach, the plan is the
    // one that keeps them; free, the re-plan takes the cheaper plan without
    // promises and says what each break saved.
    let priced = |cost: f64| {
        let mut other = wednesday.clone();
        other["replan"]["promise_cost"] = json!(cost);
        solve(&other, &["--previous", previous.to_str().expect("path")])
    };
    let dear = priced(1e9);
    assert_eq!(
        serde_json::to_value(&dear.tours).expect("tours"),
        serde_json::to_value(&replanned.tours).expect("tours")
    );
    let free = priced(0.0);
    assert!(free.totals.cost <= replanned.totals.cost);
    assert!(free.unassigned.len() <= replanned.unassigned.len());
    // The search without promises is the plan of `promises: none`: free,
    // the re-plan takes it exactly when it leaves no more out and costs
    // less (which of the two wins depends on the searches, not the rule).
    let loose_wins = loose.unassigned.len() <= replanned.unassigned.len()
        && loose.totals.cost < replanned.totals.cost;
    let taken = if loose_wins { &loose } else { &replanned };
    assert_eq!(
        serde_json::to_value(&free.tours).expect("tours"),
        serde_json::to_value(&taken.tours).expect("tours"),
        "loose wins: {loose_wins}"
    );
    let priced_breaks = free
        .changes
        .iter()
        .filter(|c| {
            c.why
                .as_deref()
                .is_some_and(|w| w.contains("promises saves"))
        })
        .count();
    eprintln!(
        "promise_cost 0: {} changes ({priced_breaks} promises broken for a saving), cost {:.2} against {:.2}, {} left out",
        free.changes.len(),
        free.totals.cost,
        replanned.totals.cost,
        free.unassigned.len()
    );
    assert_eq!(priced_breaks > 0, loose_wins, "{:?}", free.changes);
    let refused = {
        let mut other = wednesday.clone();
        other["replan"]["promise_cost"] = json!(-1);
        let dir = tempfile::tempdir().expect("tempdir");
        let input = common::write(dir.path(), "p.json", &other);
        common::run(&[
            "solve",
            input.to_str().expect("path"),
            "--previous",
            previous.to_str().expect("path"),
        ])
    };
    assert_eq!(refused.status.code(), Some(2));
    assert!(common::stderr(&refused).contains("replan.promise_cost"));
}

/// The sample week, its plan, and that plan written to a file (in the
/// folder returned, kept while the test runs).
fn sample_week_planned() -> (Value, Plan, tempfile::TempDir, std::path::PathBuf) {
    let week: Value = serde_json::from_str(tournee::cli::demo::SAMPLE_WEEK).expect("sample");
    let monday = solve(&week, &[]);
    let dir = tempfile::tempdir().expect("tempdir");
    let previous = common::write(
        dir.path(),
        "monday.json",
        &serde_json::to_value(&monday).expect("plan"),
    );
    (week, monday, dir, previous)
}

#[test]
fn a_replan_with_nothing_changed_moves_nothing() {
    let (week, monday, _dir, previous) = sample_week_planned();
    for (frozen, promises) in [
        ("2026-12-02T00:00", "van_and_day"),
        ("2026-11-30T00:00", "van_and_day"),
        ("2026-12-02T00:00", "day"),
    ] {
        let mut same = week.clone();
        same["replan"] = json!({"frozen_before": frozen, "promises": promises});
        let again = solve(&same, &["--previous", previous.to_str().expect("path")]);
        let moved: Vec<_> = again
            .changes
            .iter()
            .filter(|c| {
                promises == "van_and_day"
                    || !c.from.ends_with(&c.to[c.to.len().saturating_sub(10)..])
            })
            .collect();
        assert!(moved.is_empty(), "{frozen} {promises}: {moved:?}");
        assert_eq!(again.unassigned.len(), monday.unassigned.len());
        // The stock shared out as it was announced.
        assert_eq!(delivered(&again), delivered(&monday), "{frozen} {promises}");
    }
}

/// Devices delivered to each order by a plan.
fn delivered(
    plan: &Plan,
) -> std::collections::BTreeMap<String, std::collections::BTreeMap<String, u32>> {
    let mut out =
        std::collections::BTreeMap::<String, std::collections::BTreeMap<String, u32>>::new();
    for s in plan.tours.iter().flat_map(|t| &t.stops) {
        if s.kind == tournee::plan::StopKind::Delivery {
            let to = out.entry(s.job.clone()).or_default();
            for (d, n) in &s.devices {
                *to.entry(d.clone()).or_default() += n;
            }
        }
    }
    out
}

#[test]
fn a_replan_keeps_the_announced_stock_unless_the_stock_changed() {
    let (week, monday, _dir, previous) = sample_week_planned();
    let before = delivered(&monday);
    // A new order on Wednesday: it shares what is left, the others keep
    // what they were told.
    let mut more = week.clone();
    more["replan"] = json!({"frozen_before": "2026-12-01T00:00"});
    let mut order = more["orders"][0].clone();
    order["id"] = json!("C99");
    order["name"] = json!("Commune de Jumièges (nouvelle demande)");
    more["orders"].as_array_mut().expect("orders").push(order);
    let again = solve(&more, &["--previous", previous.to_str().expect("path")]);
    let after = delivered(&again);
    for (order, told) in &before {
        assert_eq!(after.get(order), Some(told), "{order} keeps its share");
    }
    assert!(
        again
            .changes
            .iter()
            .all(|c| c.request == "C99" || c.from != c.to),
        "no promise broken: {:?}",
        again.changes
    );

    // Ten laptops fewer than announced: shared out again, and said.
    let laptops: u64 = before
        .values()
        .filter_map(|d| d.get("laptop"))
        .map(|&n| u64::from(n))
        .sum();
    let mut fewer = week.clone();
    fewer["replan"] = json!({"frozen_before": "2026-11-30T00:00"});
    fewer["stock"]["laptop"] = json!(laptops - 10);
    let again = solve(&fewer, &["--previous", previous.to_str().expect("path")]);
    let got: u64 = delivered(&again)
        .values()
        .filter_map(|d| d.get("laptop"))
        .map(|&n| u64::from(n))
        .sum();
    assert!(
        got <= laptops - 10,
        "{got} laptops delivered from {}",
        laptops - 10
    );
    let said: Vec<_> = again
        .changes
        .iter()
        .filter(|c| {
            c.why
                .as_deref()
                .is_some_and(|w| w.starts_with("the stock no longer holds what was announced"))
        })
        .collect();
    assert!(!said.is_empty(), "{:?}", again.changes);
}

#[test]
fn a_replan_without_the_earlier_plan_or_with_a_bad_lock_is_refused() {
    let mut week: Value = serde_json::from_str(tournee::cli::demo::SAMPLE_WEEK).expect("sample");
    week["replan"] = json!({"frozen_before": "2026-12-02T00:00",
                             "locks": [{"request": "NOPE", "vehicle": "master", "day": "2026-12-03"}]});
    let dir = tempfile::tempdir().expect("tempdir");
    let input = common::write(dir.path(), "p.json", &week);
    let o = common::run(&["solve", input.to_str().expect("path")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(common::stderr(&o).contains("--previous"));

    let empty = json!({"format": "tournee-plan/1", "name": "", "travel_model": "", "seed": 1,
        "iterations": 0, "totals": {"tours": 0, "stops": 0, "distance_km": 0.0, "duration_h": 0.0,
        "cost": 0.0, "pickups_planned": 0, "orders_planned": 0, "unassigned": 0,
        "devices_collected": 0, "devices_delivered": 0}, "tours": [], "unassigned": []});
    let prev = common::write(dir.path(), "prev.json", &empty);
    let o = common::run(&[
        "solve",
        input.to_str().expect("path"),
        "--previous",
        prev.to_str().expect("path"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        common::stderr(&o).contains("replan.locks[0].request: `NOPE` is not a request"),
        "{}",
        common::stderr(&o)
    );
}

/// Two workshops, each with its stock: a Tuesday re-plan shares out only
/// what is left in each after Monday's deliveries from it.
#[test]
fn a_replan_with_two_workshops_hands_out_no_more_than_each_holds() {
    let text = std::fs::read_to_string(common::repo().join("data/rouen/two-workshops.json"))
        .expect("the two-workshop week");
    let week: Value = serde_json::from_str(&text).expect("json");
    let monday = solve(&week, &[]);
    let dir = tempfile::tempdir().expect("tempdir");
    let previous = common::write(
        dir.path(),
        "monday.json",
        &serde_json::to_value(&monday).expect("plan"),
    );
    // An order more on Tuesday, in each workshop's area: it may only get
    // what Monday left.
    let mut tuesday = week.clone();
    tuesday["replan"] = json!({"frozen_before": "2026-12-01T00:00"});
    let orders = tuesday["orders"].as_array_mut().expect("orders");
    for (k, o) in orders.clone().iter().take(2).enumerate() {
        let mut more = o.clone();
        more["id"] = json!(format!("C9{k}"));
        more["devices"] = json!({"laptop": 40, "desktop_sff": 10, "monitor": 10});
        orders.push(more);
    }
    let again = solve(&tuesday, &["--previous", previous.to_str().expect("path")]);
    for depot in week["depots"].as_array().expect("depots") {
        let id = depot["id"].as_str().expect("id");
        for (device, held) in depot["stock"].as_object().expect("stock") {
            let given: u64 = again
                .tours
                .iter()
                .filter(|t| t.depot == id)
                .flat_map(|t| &t.stops)
                .filter(|s| s.kind == tournee::plan::StopKind::Delivery)
                .filter_map(|s| s.devices.get(device))
                .map(|&n| u64::from(n))
                .sum();
            let held = held.as_u64().expect("count");
            assert!(
                given <= held,
                "{id}: {given} {device} handed out, {held} held"
            );
        }
    }
}

#[test]
fn a_network_replan_keeps_an_order_whose_part_is_still_to_deliver() {
    // The two-workshop sample: some order is delivered in two parts, one
    // from each workshop (ORDER and ORDER@WORKSHOP).
    let text = std::fs::read_to_string(common::repo().join("data/rouen/two-workshops.json"))
        .expect("sample");
    let week: Value = serde_json::from_str(&text).expect("sample");
    let first = solve(&week, &[]);
    let departure = |job: &str| {
        first
            .tours
            .iter()
            .find(|t| t.stops.iter().any(|s| s.job == job))
            .map(|t| t.departure.clone())
    };
    let split = first
        .tours
        .iter()
        .flat_map(|t| &t.stops)
        .filter_map(|s| {
            s.job
                .split_once('@')
                .map(|(o, _)| (o.to_string(), s.job.clone()))
        })
        .find(|(order, part)| departure(order) < departure(part))
        .expect("an order whose own stop comes before its part");
    let (order, part) = split;
    // Re-plan from the minute the part's tour leaves: the order's own
    // stop, on a tour that left before, is done; its part from the other
    // workshop is still to deliver.
    let part_leaves = departure(&part).expect("departure");
    let frozen = part_leaves[..16].to_string();
    let own_leaves = departure(&order).expect("departure");
    assert!(own_leaves < frozen, "{own_leaves} then {part_leaves}");
    let dir = tempfile::tempdir().expect("tempdir");
    let previous = common::write(
        dir.path(),
        "first.json",
        &serde_json::to_value(&first).expect("plan"),
    );
    let mut again = week.clone();
    again["replan"] = json!({ "frozen_before": frozen });
    let replanned = solve(&again, &["--previous", previous.to_str().expect("path")]);
    let stops: Vec<&str> = replanned
        .tours
        .iter()
        .flat_map(|t| &t.stops)
        .map(|s| s.job.as_str())
        .chain(replanned.unassigned.iter().map(|u| u.job.as_str()))
        .collect();
    assert_eq!(
        stops.iter().filter(|&&j| j == order).count(),
        1,
        "{order}: its own stop, kept"
    );
    assert!(
        stops.iter().any(|j| j.starts_with(&format!("{order}@"))),
        "{part} is still planned or said: {stops:?}"
    );
    // Nothing delivered twice: the order never gets more than it asked.
    let asked = week["orders"]
        .as_array()
        .expect("orders")
        .iter()
        .find(|o| o["id"] == order.as_str())
        .expect("the order")["devices"]
        .clone();
    let mut got: std::collections::BTreeMap<String, u64> = Default::default();
    for s in replanned.tours.iter().flat_map(|t| &t.stops) {
        if s.job == order || s.job.starts_with(&format!("{order}@")) {
            for (d, n) in &s.devices {
                *got.entry(d.clone()).or_default() += u64::from(*n);
            }
        }
    }
    for (d, n) in got {
        assert!(n <= asked[&d].as_u64().unwrap_or(0), "{order}: {n} {d}");
    }

    // Re-planned before anything is done, the order still gets all it was
    // to get from both workshops: no part is lost.
    let of_order = |plan: &Plan| -> u32 {
        plan.tours
            .iter()
            .flat_map(|t| &t.stops)
            .filter(|s| s.job == order || s.job.starts_with(&format!("{order}@")))
            .flat_map(|s| s.devices.values())
            .sum()
    };
    let mut early = week.clone();
    early["replan"] = json!({"frozen_before": "2026-11-30T00:00"});
    let replanned = solve(&early, &["--previous", previous.to_str().expect("path")]);
    assert_eq!(of_order(&replanned), of_order(&first), "{order}");
}
