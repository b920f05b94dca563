//! Pickups taken elsewhere (`deliver_to`): dropped at their place, once,
//! after the pickup and in the same trip.

use std::collections::BTreeMap;

use crate::model::Request;
use crate::plan::StopKind;

/// A pickup taken elsewhere is dropped once, later in the same trip (no
/// reload between: a reload unloads at the workshop); a drop follows its
/// pickup.
pub(super) fn check_drops(
    requests: &BTreeMap<&str, (StopKind, &Request)>,
    tour: &crate::plan::Tour,
    errors: &mut Vec<String>,
) {
    let at = format!("tour {}", tour.id);
    for (i, s) in tour.stops.iter().enumerate() {
        let taken_elsewhere = requests
            .get(s.job.as_str())
            .is_some_and(|(_, r)| r.deliver_to.is_some());
        match s.kind {
            StopKind::Pickup if taken_elsewhere => {
                let rest = tour.stops[i + 1..]
                    .iter()
                    .take_while(|x| x.kind != StopKind::Reload);
                let drops = rest
                    .filter(|x| x.kind == StopKind::Drop && x.job == s.job)
                    .count();
                if drops != 1 {
                    errors.push(format!(
                        "{at}: pickup {} is dropped {drops} times later in its trip, once is due",
                        s.job
                    ));
                }
            }
            StopKind::Drop => {
                let before = tour.stops[..i]
                    .iter()
                    .rev()
                    .take_while(|x| x.kind != StopKind::Reload)
                    .any(|x| x.kind == StopKind::Pickup && x.job == s.job);
                if !before {
                    errors.push(format!(
                        "{at}: drop of {} before its pickup in the trip",
                        s.job
                    ));
                }
            }
            _ => {}
        }
    }
}
