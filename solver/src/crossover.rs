//! Recombination of two solutions by selective route exchange (SREX, Nagata
//! and Kobayashi, "A memetic algorithm for the pickup and delivery problem
//! with time windows using selective route exchange crossover", PPSN 2010),
//! the crossover of Vidal's HGS and of PyVRP for time windows.
//!
//! A few tours of the first parent replace the tours of the second that
//! share most jobs with them; the second parent's other tours keep their
//! jobs that the first parent's tours do not already serve. Whole tours,
//! with their order and timing, pass from parent to child.
//!
//! Tournée's problems carry travel matrices, not coordinates, so the tours
//! taken from the first parent are those of a random job's nearest
//! neighbours rather than a sector of polar angles around the depot.

/// Child tours, indexed by vehicle, from parent tours `a` and `b` (also by
/// vehicle): the tours of `a` that serve the first jobs of `near` (up to
/// `k` of them), in place of as many tours of `b`, chosen by the most jobs
/// shared with them. A kept tour of `b` whose vehicle is taken moves to a
/// free vehicle of the same `class`, or its jobs are left out. Jobs that
/// the child does not serve are for the caller to insert.
pub fn srex(
    a: &[Vec<usize>],
    b: &[Vec<usize>],
    near: &[usize],
    k: usize,
    class: &[usize],
) -> Vec<Vec<usize>> {
    let jobs = a.iter().chain(b).flatten().max().map_or(0, |&j| j + 1);
    let tour_of = |tours: &[Vec<usize>]| {
        let mut of = vec![None; jobs];
        for (v, tour) in tours.iter().enumerate() {
            for &j in tour {
                of[j] = Some(v);
            }
        }
        of
    };
    let in_a_tour = tour_of(a);
    let mut from_a: Vec<usize> = Vec::with_capacity(k);
    for &j in near {
        if from_a.len() >= k {
            break;
        }
        if let Some(v) = in_a_tour.get(j).copied().flatten() {
            if !from_a.contains(&v) {
                from_a.push(v);
            }
        }
    }
    let mut taken = vec![false; jobs];
    for &v in &from_a {
        for &j in &a[v] {
            taken[j] = true;
        }
    }
    let mut shared: Vec<(usize, usize)> = (0..b.len())
        .filter(|&v| !b[v].is_empty())
        .map(|v| (b[v].iter().filter(|&&j| taken[j]).count(), v))
        .collect();
    shared.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
    let replaced: Vec<usize> = shared.iter().take(from_a.len()).map(|&(_, v)| v).collect();

    let mut child: Vec<Vec<usize>> = vec![Vec::new(); a.len().max(b.len())];
    for &v in &from_a {
        child[v] = a[v].clone();
    }
    for (v, tour) in b.iter().enumerate() {
        if tour.is_empty() || replaced.contains(&v) {
            continue;
        }
        let kept: Vec<usize> = tour.iter().copied().filter(|&j| !taken[j]).collect();
        if kept.is_empty() {
            continue;
        }
        let free = |u: usize| class[u] == class[v] && child[u].is_empty();
        if let Some(u) = (v..child.len()).chain(0..v).find(|&u| free(u)) {
            child[u] = kept;
        }
    }
    child
}

#[cfg(test)]
mod tests {
    use super::*;

    fn served(tours: &[Vec<usize>]) -> Vec<usize> {
        let mut all: Vec<usize> = tours.iter().flatten().copied().collect();
        all.sort_unstable();
        all
    }

    #[test]
    fn the_routes_near_the_seed_pass_whole_and_no_job_is_served_twice() {
        let a = vec![vec![0, 1, 2], vec![3, 4], vec![5, 6, 7], vec![]];
        let b = vec![vec![0, 3, 5], vec![1, 2, 4], vec![6, 7], vec![]];
        let class = vec![0; 4];
        // Job 3's tour in `a` is tour 1; then job 0's, tour 0.
        let child = srex(&a, &b, &[3, 0, 5], 2, &class);
        assert_eq!(child[0], vec![0, 1, 2]);
        assert_eq!(child[1], vec![3, 4]);
        let all = served(&child);
        let mut dedup = all.clone();
        dedup.dedup();
        assert_eq!(all, dedup, "a job served twice: {child:?}");
        // b's tours 0 and 1 share the most jobs with a's tours 0 and 1 and
        // give way; b's tour 2 keeps its jobs on a free vehicle.
        assert!(child.contains(&vec![6, 7]), "{child:?}");
        assert!(!all.contains(&5), "job 5 went with b's replaced tour 0");
    }

    #[test]
    fn a_kept_tour_moves_only_to_a_vehicle_of_its_class() {
        let a = vec![vec![0], vec![], vec![]];
        let b = vec![vec![1], vec![0], vec![]];
        // Vehicle 1 is of another class than vehicles 0 and 2.
        let class = vec![0, 1, 0];
        let child = srex(&a, &b, &[0], 1, &class);
        // b's tour 1 shares job 0 and gives way; b's tour 0 keeps job 1 but
        // a's tour holds vehicle 0, so it moves to vehicle 2, not 1.
        assert_eq!(child, vec![vec![0], vec![], vec![1]]);
    }
}
