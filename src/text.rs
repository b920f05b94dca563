//! A plan as text for a terminal: one block per tour (day, vehicle, stops
//! with times and load, km, hours) and the requests left out with why,
//! in the reader's language (French by default, `--lang en`).

use std::fmt::Write;

use crate::i18n::{self, Lang};
use crate::plan::Plan;

/// `2026-11-30T09:05:00` → `09:05`.
fn hm(t: &str) -> &str {
    t.get(11..16).unwrap_or(t)
}

use i18n::decimal as dec;

/// The plan for a person at a terminal, in `lang` (the catalogue's
/// `text.*` messages; a request's reason in words).
pub fn render(plan: &Plan, lang: Lang) -> String {
    let say = |key: &str, args: &[(&str, &str)]| i18n::t(lang, key, args);
    let n = |key: &str, n: usize| i18n::count(lang, key, n);
    let mut out = String::new();
    let t = &plan.totals;
    let _ = writeln!(
        out,
        "{}",
        say(
            "text.header",
            &[
                (
                    "name",
                    if plan.name.is_empty() {
                        "Plan"
                    } else {
                        &plan.name
                    }
                ),
                ("tours", &n("count.tour", t.tours)),
                ("stops", &n("count.stop", t.stops)),
                ("km", &dec(lang, t.distance_km, 1)),
                ("hours", &dec(lang, t.duration_h, 1)),
                ("cost", &dec(lang, t.cost, 2)),
                ("unassigned", &n("count.unassigned", t.unassigned)),
            ],
        )
    );
    let devices = |k: u64| n("count.device", usize::try_from(k).unwrap_or(usize::MAX));
    let _ = writeln!(
        out,
        "{}",
        say(
            "text.summary",
            &[
                ("pickups", &n("count.pickup", t.pickups_planned)),
                ("collected", &devices(t.devices_collected)),
                ("orders", &n("count.order", t.orders_planned)),
                ("delivered", &devices(t.devices_delivered)),
                ("travel", &plan.travel_model),
            ],
        )
    );
    for tour in &plan.tours {
        let _ = writeln!(
            out,
            "\n{}",
            say(
                "text.tour",
                &[
                    ("day", &tour.day),
                    ("vehicle", &tour.vehicle),
                    ("from", hm(&tour.departure)),
                    ("to", hm(&tour.return_)),
                    ("km", &dec(lang, tour.distance_km, 1)),
                    ("hours", &dec(lang, tour.duration_h, 2)),
                    ("cost", &dec(lang, tour.cost, 2)),
                ],
            )
        );
        if tour.load_at_departure.units > 0 {
            let l = &tour.load_at_departure;
            let _ = writeln!(
                out,
                "      {}",
                say(
                    "text.load",
                    &[
                        ("depot", &tour.depot),
                        ("devices", &n("count.device", l.units as usize)),
                        ("kg", &dec(lang, l.kg, 0)),
                        ("m3", &dec(lang, l.m3, 2)),
                    ],
                )
            );
        }
        let pause = |after: usize| {
            tour.driver_break
                .as_ref()
                .filter(|b| b.after_stop == after)
                .map(|b| {
                    format!(
                        "       {}–{}  {}\n",
                        hm(&b.start),
                        hm(&b.end),
                        say("text.break", &[])
                    )
                })
                .unwrap_or_default()
        };
        out.push_str(&pause(0));
        let unit = say("text.devices_short", &[]);
        for (i, s) in tour.stops.iter().enumerate() {
            let kind = format!("stop.kind.{}", s.kind.as_str());
            let devices: u32 = s.devices.values().sum();
            let wait = if s.waiting_min >= 1.0 {
                format!(
                    " {}",
                    say("text.waits", &[("min", &format!("{:.0}", s.waiting_min))])
                )
            } else {
                String::new()
            };
            let on_board = say(
                "text.on_board",
                &[
                    ("kg", &dec(lang, s.load.kg, 0)),
                    ("m3", &dec(lang, s.load.m3, 2)),
                ],
            );
            let _ = writeln!(
                out,
                "  {:>3}  {}–{}  {:<12} {:<8} {:>3} {unit}  {:<34} {on_board}{wait}",
                i + 1,
                hm(&s.start),
                hm(&s.departure),
                truncate(&say(&kind, &[]), 12),
                s.job,
                devices,
                truncate(&s.name, 34),
            );
            out.push_str(&pause(i + 1));
        }
    }
    if !plan.unassigned.is_empty() {
        let _ = writeln!(out, "\n{}", say("text.not_planned", &[]));
        for u in &plan.unassigned {
            // The reason in words; English keeps the plan's own message,
            // with its figures.
            let why = match lang {
                Lang::En => u.message.clone(),
                Lang::Fr => say(&format!("reason.{}", u.reason), &[]),
            };
            let _ = writeln!(out, "  {:<8} {:<24} {} — {}", u.job, u.reason, u.name, why);
        }
    }
    out
}

/// `s` in at most `n` characters: cut with an ellipsis after the last
/// whole word that fits (mid-word only when the first word is longer
/// than half of it).
pub fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    let head: String = s.chars().take(n.saturating_sub(1)).collect();
    let cut = head
        .char_indices()
        .filter(|&(_, c)| c == ' ' || c == '-')
        .map(|(i, _)| i)
        .next_back()
        .filter(|&i| head[..i].chars().count() * 2 >= n)
        .unwrap_or(head.len());
    format!("{}…", head[..cut].trim_end())
}

#[cfg(test)]
mod tests {
    use super::truncate;

    #[test]
    fn names_are_cut_after_a_whole_word() {
        assert_eq!(
            truncate("Commune du Grand-Quevilly", 40),
            "Commune du Grand-Quevilly"
        );
        assert_eq!(
            truncate("Commune de Saint-Étienne-du-Rouvray", 20),
            "Commune de Saint…"
        );
        assert_eq!(truncate("Déchetterie", 6), "Déche…");
    }
}
