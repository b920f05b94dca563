//! The population of the hybrid genetic search: good, different solutions
//! to recombine, after Vidal et al., "A hybrid genetic algorithm for
//! multidepot and periodic vehicle routing problems" (Operations Research
//! 60(3), 2012) and Vidal's HGS-CVRP (2022).
//!
//! Members are ranked twice: by cost, and by how much they differ from
//! their closest others (the broken-pairs distance: the share of jobs whose
//! next stop is not next to them in the other solution). The biased fitness
//! adds the two ranks, so a slightly dearer but different solution outlives
//! a near copy of the best, and the search keeps ground to recombine.

use crate::rng::Rng;
use crate::solution::State;

/// Members kept after a cull, and members added before the next one.
const MIN_SIZE: usize = 25;
const GENERATION: usize = 40;
/// Members whose place is kept by cost alone (their diversity rank weighs
/// less the fewer others there are), and how many closest others the
/// diversity of a member is measured against.
const ELITE: usize = 4;
const CLOSEST: usize = 5;

pub(crate) struct Population {
    members: Vec<Member>,
    /// Broken-pairs distance between members, kept as members come and go.
    distance: Vec<Vec<f64>>,
    /// Biased fitness of each member (lower is better).
    fitness: Vec<f64>,
}

struct Member {
    state: State,
    /// Job after each job in its tour, or `None` at the tour's end or when
    /// the job is left out; and the job before.
    next: Vec<Option<usize>>,
    prev: Vec<Option<usize>>,
}

impl Member {
    fn new(state: State) -> Self {
        let n = state.tour_of.len();
        let (mut next, mut prev) = (vec![None; n], vec![None; n]);
        for tour in &state.tours {
            for pair in tour.jobs.windows(2) {
                next[pair[0]] = Some(pair[1]);
                prev[pair[1]] = Some(pair[0]);
            }
        }
        Member { state, next, prev }
    }

    /// Share of jobs whose successor here is next to them in neither
    /// direction in `other`.
    fn broken_pairs(&self, other: &Member) -> f64 {
        let n = self.next.len().max(1);
        let broken = (0..self.next.len())
            .filter(|&j| self.next[j] != other.next[j] && self.next[j] != other.prev[j])
            .count();
        broken as f64 / n as f64
    }
}

impl Population {
    pub fn new() -> Self {
        Population {
            members: Vec::new(),
            distance: Vec::new(),
            fitness: Vec::new(),
        }
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn get(&self, k: usize) -> &State {
        &self.members[k].state
    }

    /// Adds a solution unless one of the same cost is already in (a clone
    /// adds nothing to recombine); culls to the minimum size once a
    /// generation has been added. True when it was added.
    pub fn add(&mut self, state: State) -> bool {
        if self
            .members
            .iter()
            .any(|m| (m.state.cost - state.cost).abs() <= 1e-7 * state.cost.abs().max(1.0))
        {
            return false;
        }
        let member = Member::new(state);
        let mut row: Vec<f64> = self
            .members
            .iter()
            .map(|m| member.broken_pairs(m))
            .collect();
        for (k, d) in row.iter().enumerate() {
            self.distance[k].push(*d);
        }
        row.push(0.0);
        self.distance.push(row);
        self.members.push(member);
        if self.members.len() >= MIN_SIZE + GENERATION {
            while self.members.len() > MIN_SIZE {
                self.update_fitness();
                let worst = (0..self.members.len())
                    .max_by(|&x, &y| self.fitness[x].total_cmp(&self.fitness[y]))
                    .unwrap_or(0);
                self.remove(worst);
            }
        }
        self.update_fitness();
        true
    }

    /// A parent, by binary tournament on the biased fitness.
    pub fn select(&self, rng: &mut Rng) -> usize {
        let a = rng.below(self.members.len());
        let b = rng.below(self.members.len());
        if self.fitness[b] < self.fitness[a] {
            b
        } else {
            a
        }
    }

    fn remove(&mut self, k: usize) {
        self.members.swap_remove(k);
        self.distance.swap_remove(k);
        for row in &mut self.distance {
            row.swap_remove(k);
        }
    }

    /// Rank by cost plus, weighted down by the share of elite members, rank
    /// by diversity; both ranks scaled to 0..1.
    fn update_fitness(&mut self) {
        let m = self.members.len();
        self.fitness = vec![0.0; m];
        if m <= 1 {
            return;
        }
        let close = CLOSEST.min(m - 1);
        let diversity: Vec<f64> = (0..m)
            .map(|x| {
                let mut d: Vec<f64> = (0..m)
                    .filter(|&y| y != x)
                    .map(|y| self.distance[x][y])
                    .collect();
                d.sort_by(f64::total_cmp);
                d[..close].iter().sum::<f64>() / close as f64
            })
            .collect();
        let by_cost = ranks(m, |x, y| {
            self.members[x]
                .state
                .cost
                .total_cmp(&self.members[y].state.cost)
        });
        // The most different member ranks first.
        let by_diversity = ranks(m, |x, y| diversity[y].total_cmp(&diversity[x]));
        let weight = 1.0 - ELITE.min(m) as f64 / m as f64;
        for k in 0..m {
            self.fitness[k] = by_cost[k] + weight * by_diversity[k];
        }
    }
}

/// Each index's rank in `0..m` under `order`, scaled to 0..1 (ties by
/// index, so the ranks are reproducible).
fn ranks(m: usize, order: impl Fn(usize, usize) -> std::cmp::Ordering) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..m).collect();
    idx.sort_by(|&x, &y| order(x, y).then(x.cmp(&y)));
    let mut rank = vec![0.0; m];
    for (r, &k) in idx.iter().enumerate() {
        rank[k] = r as f64 / (m - 1).max(1) as f64;
    }
    rank
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Job, Load, Matrix, Problem, Vehicle};

    /// Eight jobs at random places, three vehicles at the origin.
    fn problem(rng: &mut Rng) -> Problem {
        let pts: Vec<(f64, f64)> = (0..9)
            .map(|i| {
                if i == 0 {
                    (0.0, 0.0)
                } else {
                    (rng.unit() * 100.0, rng.unit() * 100.0)
                }
            })
            .collect();
        let d = Matrix::from_fn(9, |i, j| {
            ((pts[i].0 - pts[j].0).powi(2) + (pts[i].1 - pts[j].1).powi(2)).sqrt()
        });
        Problem {
            jobs: (1..9).map(Job::at).collect(),
            vehicles: (0..3).map(|_| Vehicle::new(0, Load([100, 0, 0]))).collect(),
            distance: d.clone(),
            duration: d,
            setup: Vec::new(),
            drivers: Vec::new(),
        }
    }

    fn state(problem: &Problem, tours: &[Vec<usize>]) -> State {
        let mut s = State::empty(problem);
        for (v, jobs) in tours.iter().enumerate() {
            s.set_tour(problem, v, jobs.clone());
        }
        s.absent.retain(|&j| s.tour_of[j].is_none());
        s.recompute_cost(&[1e6; 8]);
        s
    }

    /// The eight jobs in a random order, cut into three tours.
    fn random_state(problem: &Problem, rng: &mut Rng) -> State {
        let mut order: Vec<usize> = (0..8).collect();
        rng.shuffle(&mut order);
        let (a, b) = (1 + rng.below(3), 4 + rng.below(3));
        let tours = [
            order[..a].to_vec(),
            order[a..b].to_vec(),
            order[b..].to_vec(),
        ];
        state(problem, &tours)
    }

    #[test]
    fn broken_pairs_ignore_direction_and_count_new_neighbours() {
        let mut rng = Rng::new(3);
        let p = problem(&mut rng);
        let one = Member::new(state(&p, &[vec![0, 1, 2, 3], vec![4, 5, 6, 7], vec![]]));
        let reversed = Member::new(state(&p, &[vec![3, 2, 1, 0], vec![], vec![7, 6, 5, 4]]));
        assert_eq!(one.broken_pairs(&reversed), 0.0);
        assert_eq!(reversed.broken_pairs(&one), 0.0);
        // Swapping jobs 1 and 5 breaks the pairs 0-1, 1-2, 4-5 and 5-6.
        let swapped = Member::new(state(&p, &[vec![0, 5, 2, 3], vec![4, 1, 6, 7], vec![]]));
        let d = one.broken_pairs(&swapped);
        assert!(d > 0.0 && d <= 4.0 / 8.0, "{d}");
    }

    #[test]
    fn clones_are_refused_and_a_full_generation_is_culled() {
        let mut rng = Rng::new(5);
        let p = problem(&mut rng);
        let mut population = Population::new();
        let first = random_state(&p, &mut rng);
        assert!(population.add(first.clone()));
        assert!(!population.add(first), "a clone was added");
        let mut tries = 0;
        while population.len() < MIN_SIZE + GENERATION - 1 && tries < 100_000 {
            population.add(random_state(&p, &mut rng));
            tries += 1;
        }
        assert_eq!(population.len(), MIN_SIZE + GENERATION - 1);
        while population.len() != MIN_SIZE {
            population.add(random_state(&p, &mut rng));
        }
        let mut costs: Vec<f64> = (0..population.len())
            .map(|k| population.get(k).cost)
            .collect();
        costs.sort_by(f64::total_cmp);
        assert!(costs.windows(2).all(|w| w[1] - w[0] > 1e-9), "{costs:?}");
        // Parents come from the population.
        for _ in 0..100 {
            assert!(population.select(&mut rng) < MIN_SIZE);
        }
    }
}
