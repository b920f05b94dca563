//! Stock allocation on small cases whose optimum is found by enumerating
//! every integer allocation, and end to end through `tournee allocate` and
//! `tournee solve`.

mod common;

use std::collections::BTreeMap;

use serde_json::json;
use tournee::allocate::allocate;
use tournee::model::{Priority, Request};

fn order(id: &str, devices: &[(&str, u32)], priority: Priority) -> Request {
    let mut r: Request = serde_json::from_value(json!({
        "id": id, "location": [1.09, 49.44],
        "devices": devices.iter().map(|(d, n)| (d.to_string(), *n)).collect::<BTreeMap<_, _>>()
    }))
    .expect("request");
    r.priority = priority;
    r
}

/// The three criteria of an allocation, as the rule orders them.
fn key(orders: &[Request], stock: &BTreeMap<String, u32>, x: &[Vec<u32>]) -> (f64, u32, f64) {
    let types: Vec<&String> = stock.keys().collect();
    let top = orders
        .iter()
        .filter_map(|o| match o.priority {
            Priority::Optional(v) => Some(v),
            Priority::Mandatory => None,
        })
        .fold(0.0, f64::max);
    let mut min_fill: f64 = 1.0;
    let (mut total, mut weighted) = (0, 0.0);
    for (o, row) in orders.iter().zip(x) {
        let asked: u32 = types
            .iter()
            .map(|d| o.devices.get(*d).copied().unwrap_or(0))
            .sum();
        let got: u32 = row.iter().sum();
        if asked > 0 {
            min_fill = min_fill.min(f64::from(got) / f64::from(asked));
        }
        total += got;
        let w = match o.priority {
            Priority::Mandatory => 1.0,
            Priority::Optional(v) if top > 0.0 => 0.5 * v / top,
            Priority::Optional(_) => 0.0,
        };
        weighted += w * f64::from(got);
    }
    (min_fill, total, weighted)
}

/// The best key over every feasible integer allocation.
fn enumerate(orders: &[Request], stock: &BTreeMap<String, u32>) -> (f64, u32, f64) {
    let types: Vec<&String> = stock.keys().collect();
    let cells: Vec<(usize, usize, u32)> = orders
        .iter()
        .enumerate()
        .flat_map(|(o, r)| {
            types
                .iter()
                .enumerate()
                .map(move |(d, t)| (o, d, r.devices.get(*t).copied().unwrap_or(0)))
        })
        .collect();
    let mut best: Option<(f64, u32, f64)> = None;
    let mut x = vec![vec![0u32; types.len()]; orders.len()];
    let combos: u64 = cells.iter().map(|c| u64::from(c.2) + 1).product();
    for mut code in 0..combos {
        for &(o, d, max) in &cells {
            x[o][d] = (code % (u64::from(max) + 1)) as u32;
            code /= u64::from(max) + 1;
        }
        let within = types
            .iter()
            .enumerate()
            .all(|(d, t)| x.iter().map(|row| row[d]).sum::<u32>() <= stock[*t]);
        if !within {
            continue;
        }
        let k = key(orders, stock, &x);
        let better = best.is_none_or(|b| {
            k.0 > b.0 + 1e-9
                || ((k.0 - b.0).abs() <= 1e-9 && (k.1 > b.1 || (k.1 == b.1 && k.2 > b.2 + 1e-9)))
        });
        if better {
            best = Some(k);
        }
    }
    best.expect("the empty allocation is always feasible")
}

#[test]
fn the_allocation_is_optimal_by_enumeration_on_small_cases() {
    let mut seed = 7u64;
    let mut next = move |n: u32| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) % u64::from(n)) as u32
    };
    for case in 0..40 {
        let n = 2 + next(2) as usize;
        let orders: Vec<Request> = (0..n)
            .map(|i| {
                let priority = match next(3) {
                    0 => Priority::Mandatory,
                    _ => Priority::Optional(f64::from(1 + next(9))),
                };
                order(
                    &format!("C{i}"),
                    &[
                        ("laptop", next(4)),
                        ("monitor", next(3)),
                        ("tablet", next(3)),
                    ],
                    priority,
                )
            })
            .collect();
        let stock: BTreeMap<String, u32> = [("laptop", next(6)), ("monitor", next(4))]
            .iter()
            .map(|(d, n)| (d.to_string(), *n))
            .collect();
        let a = allocate(&orders, &stock).expect("allocation");
        let x: Vec<Vec<u32>> = a
            .orders
            .iter()
            .map(|s| {
                stock
                    .keys()
                    .map(|d| s.allocated.get(d).copied().unwrap_or(0))
                    .collect()
            })
            .collect();
        // Feasible: never more than asked, never more than the stock.
        for (s, o) in a.orders.iter().zip(&orders) {
            for (d, n) in &s.allocated {
                assert!(*n <= o.devices.get(d).copied().unwrap_or(0), "case {case}");
            }
            // Types not in stock are not limited.
            assert_eq!(s.allocated.get("tablet"), o.devices.get("tablet"));
        }
        let got = key(&orders, &stock, &x);
        let best = enumerate(&orders, &stock);
        assert!(
            (got.0 - best.0).abs() < 1e-9 && got.1 == best.1 && (got.2 - best.2).abs() < 1e-9,
            "case {case}: {got:?} vs the optimum {best:?}"
        );
    }
}

#[test]
fn fairness_comes_before_the_total() {
    // 4 laptops for communes asking 4 and 2: the total alone would allow
    // 4 and 0; the smallest ratio is at best 1/2 (2/4 and 2/2, or 3/4 and
    // 1/2), with all 4 laptops handed out.
    let orders = vec![
        order("A", &[("laptop", 4)], Priority::Mandatory),
        order("B", &[("laptop", 2)], Priority::Mandatory),
    ];
    let stock = BTreeMap::from([("laptop".to_string(), 4)]);
    let a = allocate(&orders, &stock).expect("allocation");
    assert!((a.min_fill - 0.5).abs() < 1e-9, "{a:?}");
    assert_eq!(a.allocated, 4);
    assert_eq!(a.stock_left["laptop"], 0);
    // With 3 laptops, nobody gets everything while another gets nothing.
    let stock = BTreeMap::from([("laptop".to_string(), 3)]);
    let a = allocate(&orders, &stock).expect("allocation");
    assert!(a.orders.iter().all(|s| s.allocated["laptop"] >= 1), "{a:?}");
}

#[test]
fn solve_allocates_the_stock_before_routing() {
    let mut p = common::small_problem();
    // The single order asks 8 laptops; only 5 are in stock.
    p["stock"] = json!({"laptop": 5});
    let dir = tempfile::tempdir().expect("tempdir");
    let input = common::write(dir.path(), "p.json", &p);
    let out = dir.path().join("allocated.json");
    let o = common::run(&[
        "allocate",
        input.to_str().expect("path"),
        "-o",
        out.to_str().expect("path"),
    ]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(text.contains("laptop 5/8"), "{text}");
    let allocated: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("file")).expect("JSON");
    assert_eq!(allocated["orders"][0]["devices"]["laptop"], 5);
    assert!(allocated.get("stock").is_none());

    let plan_path = dir.path().join("plan.json");
    let o = common::run(&[
        "solve",
        input.to_str().expect("path"),
        "-o",
        plan_path.to_str().expect("path"),
        "--check",
    ]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let plan: tournee::plan::Plan =
        serde_json::from_str(&std::fs::read_to_string(&plan_path).expect("plan")).expect("plan");
    assert_eq!(plan.totals.devices_delivered, 5);
}

#[test]
fn an_unknown_device_type_in_the_stock_is_a_field_error() {
    let mut p = common::small_problem();
    p["stock"] = json!({"laptop": 5, "toaster": 3});
    let dir = tempfile::tempdir().expect("tempdir");
    let input = common::write(dir.path(), "p.json", &p);
    let o = common::run(&["allocate", input.to_str().expect("path")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(common::stderr(&o).contains("stock.toaster: unknown device type"));
}

/// A network of two workshops (Petit-Quevilly and Elbeuf) with `orders`,
/// each workshop holding its share of the stock.
fn network(orders: &[Request], stocks: [&BTreeMap<String, u32>; 2]) -> tournee::model::Problem {
    let mut p = common::small_problem();
    p["devices"]["monitor"] = json!({"mass_kg": 4.5, "volume_l": 25});
    p["devices"]["tablet"] = json!({"mass_kg": 0.5, "volume_l": 2});
    p["depots"] = json!([
        {"id": "atelier", "location": [1.0585, 49.4262], "stock": stocks[0]},
        {"id": "elbeuf", "location": [1.0089, 49.2867], "stock": stocks[1]}
    ]);
    p["orders"] = serde_json::to_value(orders).expect("orders");
    tournee::input::read(&p.to_string()).expect("valid network")
}

#[test]
fn a_network_shares_its_stock_as_one_workshop_holding_it_all_would() {
    let mut seed = 19u64;
    let mut next = move |n: u32| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) % u64::from(n)) as u32
    };
    let mut split = 0;
    for case in 0..30 {
        let orders: Vec<Request> = (0..2 + next(2) as usize)
            .map(|i| {
                let mut o = order(
                    &format!("C{i}"),
                    &[("laptop", 1 + next(4)), ("monitor", next(3))],
                    Priority::Mandatory,
                );
                // Half near each workshop.
                if i % 2 == 1 {
                    o.location = [1.0, 49.29];
                }
                o
            })
            .collect();
        let whole: BTreeMap<String, u32> = [("laptop", next(8)), ("monitor", next(5))]
            .iter()
            .map(|(d, n)| (d.to_string(), *n))
            .collect();
        let first: BTreeMap<String, u32> = whole
            .iter()
            .map(|(d, &n)| (d.clone(), next(n + 1)))
            .collect();
        let second: BTreeMap<String, u32> = whole
            .iter()
            .map(|(d, &n)| (d.clone(), n - first[d]))
            .collect();
        let p = network(&orders, [&first, &second]);
        let (routed, a) = tournee::allocate::prepare(p.clone()).expect("allocation");
        let a = a.expect("an allocation");
        let best = enumerate(&orders, &whole);
        assert!(
            (a.min_fill - best.0).abs() < 1e-9,
            "case {case}: fill {} vs {}",
            a.min_fill,
            best.0
        );
        assert_eq!(a.allocated, u64::from(best.1), "case {case}: total");
        // Each part is delivered from its workshop, within its stock: the
        // independent checker's rule, read from the routed problem.
        let mut handed: BTreeMap<(String, String), u32> = BTreeMap::new();
        for o in &routed.orders {
            let w = o.depot.clone().expect("each part names its workshop");
            assert!(o.skills.contains(&format!("workshop:{w}")), "{o:?}");
            if o.id.contains('@') {
                split += 1;
                let (order, from) = tournee::allocate::part_of(&p, &o.id).expect("a part");
                assert_eq!(from, w);
                assert!(orders.iter().any(|x| x.id == order.id));
            }
            for (d, &n) in &o.devices {
                *handed.entry((w.clone(), d.clone())).or_default() += n;
            }
        }
        for ((w, d), n) in handed {
            let held = if w == "atelier" { &first } else { &second };
            assert!(
                n <= held[&d],
                "case {case}: {n} {d} from {w}, {} held",
                held[&d]
            );
        }
    }
    assert!(split > 0, "some order is served from both workshops");

    // An order that names its workshop draws from it alone.
    let mut named = order("C0", &[("laptop", 6)], Priority::Mandatory);
    named.depot = Some("elbeuf".into());
    let other = order("C1", &[("laptop", 1)], Priority::Mandatory);
    let stock = |n: u32| BTreeMap::from([("laptop".to_string(), n)]);
    let p = network(&[named, other], [&stock(10), &stock(2)]);
    let (_, a) = tournee::allocate::prepare(p).expect("allocation");
    let a = a.expect("an allocation");
    assert_eq!(a.orders[0].allocated["laptop"], 2, "{a:?}");
    assert_eq!(a.orders[1].allocated["laptop"], 1);

    // A type one workshop keeps a stock of is limited in every workshop: an
    // order that names a workshop not listing it gets none (the checker's
    // rule too), not all it asked.
    let mut named = order("C0", &[("laptop", 2), ("monitor", 3)], Priority::Mandatory);
    named.depot = Some("atelier".into());
    let monitors = BTreeMap::from([("monitor".to_string(), 5)]);
    let p = network(&[named], [&stock(10), &monitors]);
    let (routed, a) = tournee::allocate::prepare(p).expect("allocation");
    let a = a.expect("an allocation");
    assert_eq!(a.orders[0].allocated["monitor"], 0, "{a:?}");
    assert_eq!(a.orders[0].allocated["laptop"], 2);
    assert!(!routed.orders[0].devices.contains_key("monitor"));
}

#[test]
fn two_workshops_deliver_as_many_devices_as_one_and_the_checker_holds_their_stocks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let solve = |sample: &str| {
        let path = common::repo().join(sample);
        let out = dir.path().join(sample.replace('/', "-"));
        let o = common::run(&[
            "solve",
            path.to_str().expect("path"),
            "--iterations",
            "1500",
            "--check",
            "-o",
            out.to_str().expect("path"),
        ]);
        assert!(o.status.success(), "{}", common::stderr(&o));
        let plan: tournee::plan::Plan =
            serde_json::from_str(&std::fs::read_to_string(&out).expect("plan")).expect("plan");
        let problem =
            tournee::input::read(&std::fs::read_to_string(&path).expect("sample")).expect("valid");
        (problem, plan)
    };
    let delivered = |plan: &tournee::plan::Plan| -> u32 {
        plan.tours
            .iter()
            .flat_map(|t| &t.stops)
            .filter(|s| s.kind == tournee::plan::StopKind::Delivery)
            .flat_map(|s| s.devices.values())
            .sum()
    };
    let (_, one) = solve("data/rouen/week.json");
    let (problem, plan) = solve("data/rouen/two-workshops.json");
    assert_eq!(problem.depots.len(), 2);
    assert!(
        delivered(&plan) >= delivered(&one),
        "two workshops deliver {} devices, one {}",
        delivered(&plan),
        delivered(&one)
    );
    let mut from_each = BTreeMap::new();
    for t in &plan.tours {
        let n = t
            .stops
            .iter()
            .filter(|s| s.kind == tournee::plan::StopKind::Delivery)
            .count();
        if n > 0 {
            *from_each.entry(t.depot.clone()).or_insert(0) += n;
        }
    }
    assert_eq!(from_each.len(), 2, "both workshops deliver: {from_each:?}");
    assert!(tournee::check::check(&problem, &plan).is_empty());

    let deliveries = |p: &mut tournee::plan::Plan| -> Vec<(usize, usize)> {
        (0..p.tours.len())
            .flat_map(|t| (0..p.tours[t].stops.len()).map(move |s| (t, s)))
            .collect::<Vec<_>>()
            .into_iter()
            .filter(|&(t, s)| p.tours[t].stops[s].kind == tournee::plan::StopKind::Delivery)
            .collect()
    };
    // One more laptop than a workshop holds is caught by the checker.
    let mut over = plan.clone();
    let (t, s) = deliveries(&mut over)
        .into_iter()
        .find(|&(t, s)| over.tours[t].stops[s].devices.contains_key("laptop"))
        .expect("a laptop delivery");
    let asked = problem
        .orders
        .iter()
        .find(|o| o.id == over.tours[t].stops[s].job)
        .map_or(0, |o| o.devices["laptop"]);
    *over.tours[t].stops[s]
        .devices
        .get_mut("laptop")
        .expect("laptops") += 40;
    let errors = tournee::check::check(&problem, &over).join("\n");
    assert!(
        errors.contains("in stock") && errors.contains(&format!("{asked} asked")),
        "{errors}"
    );

    // A part said to come from one workshop but carried by another's van.
    let mut wrong = plan.clone();
    let (t, s) = deliveries(&mut wrong)
        .into_iter()
        .find(|&(t, s)| !wrong.tours[t].stops[s].job.contains('@'))
        .expect("an order's own stop");
    let other = problem
        .depots
        .iter()
        .find(|d| d.id != wrong.tours[t].depot)
        .expect("the other workshop");
    wrong.tours[t].stops[s].job = format!("{}@{}", wrong.tours[t].stops[s].job, other.id);
    let errors = tournee::check::check(&problem, &wrong).join("\n");
    assert!(
        errors.contains(&format!("but draws from {}", other.id)),
        "{errors}"
    );
}
