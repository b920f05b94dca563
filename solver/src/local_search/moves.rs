//! The moves the local search tries for a pair of neighbours: one or two
//! stops moved or swapped with one or two others (within a tour or
//! between two), two tours' tails exchanged (2-opt*), a piece of a tour
//! reversed (2-opt), a stop moved into an empty tour.

use super::line::{piece, Move, Piece, Rebuilt};
use super::LocalSearch;

impl LocalSearch<'_> {
    /// Tries the moves that bring `u` and `v` together; applies the first
    /// that improves.
    pub(super) fn try_pair(&mut self, u: usize, v: usize) -> bool {
        let (Some((ru, i)), Some((rv, j))) = (self.at[u], self.at[v]) else {
            return false;
        };
        for (n, m) in [(1, 0), (2, 0), (1, 1), (2, 1), (1, 2), (2, 2)] {
            if self.take_if_better(self.exchange(ru, i, n, rv, j, m)) {
                return true;
            }
        }
        let reconnect = if ru != rv {
            self.two_opt_star(ru, i, rv, j)
        } else {
            self.two_opt(ru, i, j)
        };
        if self.take_if_better(reconnect) {
            return true;
        }
        // `v` first in its tour: also try `u` first there.
        j == 1
            && (self.take_if_better(self.exchange(ru, i, 1, rv, 0, 0))
                || (ru != rv && self.take_if_better(self.two_opt_star(ru, i, rv, 0))))
    }

    /// Moves `n` stops from position `i` of tour `ru` to replace `m` stops
    /// from position `j` of tour `rv` (with `m = 0`: to go right after
    /// position `j`), and those `m` stops to where the `n` were.
    pub(super) fn exchange(
        &self,
        ru: usize,
        i: usize,
        n: usize,
        rv: usize,
        j: usize,
        m: usize,
    ) -> Option<Move> {
        let (nu, nv) = (self.lines[ru].len(), self.lines[rv].len());
        if i + n - 1 > nu || (m > 0 && (j == 0 || j + m - 1 > nv)) {
            return None;
        }
        let a = piece(ru, i, i + n - 1);
        if ru != rv {
            if !self.serves(rv, a) {
                return None;
            }
            if m == 0 {
                return Some(Move::two(
                    Rebuilt::new(ru, &[piece(ru, 0, i - 1), piece(ru, i + n, nu)]),
                    Rebuilt::new(rv, &[piece(rv, 0, j), a, piece(rv, j + 1, nv)]),
                ));
            }
            // Only here: with `m = 0` and `j = 0` there is no piece `b`.
            let b = piece(rv, j, j + m - 1);
            if !self.serves(ru, b) {
                return None;
            }
            return Some(Move::two(
                Rebuilt::new(ru, &[piece(ru, 0, i - 1), b, piece(ru, i + n, nu)]),
                Rebuilt::new(rv, &[piece(rv, 0, j - 1), a, piece(rv, j + m, nv)]),
            ));
        }
        let r = ru;
        let pieces = if m == 0 {
            if j + 1 >= i && j < i + n {
                return None;
            }
            if j < i {
                [
                    piece(r, 0, j),
                    a,
                    piece(r, j + 1, i - 1),
                    piece(r, i + n, nu),
                ]
            } else {
                [
                    piece(r, 0, i - 1),
                    piece(r, i + n, j),
                    a,
                    piece(r, j + 1, nu),
                ]
            }
        } else {
            let b = piece(r, j, j + m - 1);
            let (first, second) = if i < j { (a, b) } else { (b, a) };
            if first.to >= second.from {
                return None;
            }
            return Some(Move::one(Rebuilt::new(
                r,
                &[
                    piece(r, 0, first.from - 1),
                    second,
                    piece(r, first.to + 1, second.from - 1),
                    first,
                    piece(r, second.to + 1, nu),
                ],
            )));
        };
        Some(Move::one(Rebuilt::new(r, &pieces)))
    }

    /// Swaps the tails after position `i` of tour `ru` and after position
    /// `j` of tour `rv`.
    pub(super) fn two_opt_star(&self, ru: usize, i: usize, rv: usize, j: usize) -> Option<Move> {
        let (nu, nv) = (self.lines[ru].len(), self.lines[rv].len());
        let skills = |r: usize, from: usize| self.lines[r].suffix_skills[from];
        let can = |r: usize, needed: u64| {
            needed & !self.problem.vehicles[self.lines[r].vehicle].skills == 0
        };
        if (i == nu && j == nv) || !can(ru, skills(rv, j + 1)) || !can(rv, skills(ru, i + 1)) {
            return None;
        }
        Some(Move::two(
            Rebuilt::new(ru, &[piece(ru, 0, i), piece(rv, j + 1, nv)]),
            Rebuilt::new(rv, &[piece(rv, 0, j), piece(ru, i + 1, nu)]),
        ))
    }

    /// Reverses the stops between `u` (at `i`) and `v` (at `j`) so that
    /// they become consecutive.
    pub(super) fn two_opt(&self, r: usize, i: usize, j: usize) -> Option<Move> {
        let n = self.lines[r].len();
        let (lo, hi) = if i < j { (i, j) } else { (j, i) };
        if hi <= lo + 1 {
            return None;
        }
        let reversed = Piece {
            reversed: true,
            ..piece(r, lo + 1, hi)
        };
        Some(Move::one(Rebuilt::new(
            r,
            &[piece(r, 0, lo), reversed, piece(r, hi + 1, n)],
        )))
    }

    /// Moves `u` alone into the first empty tour whose vehicle can serve it.
    pub(super) fn try_empty(&mut self, u: usize) -> bool {
        let Some((ru, i)) = self.at[u] else {
            return false;
        };
        let job = &self.problem.jobs[u];
        let Some(e) = (0..self.lines.len()).find(|&r| {
            self.lines[r].len() == 0 && self.problem.vehicles[self.lines[r].vehicle].can_serve(job)
        }) else {
            return false;
        };
        self.take_if_better(self.exchange(ru, i, 1, e, 0, 0))
    }

    /// True when tour `r`'s vehicle can serve every job in `p`.
    pub(super) fn serves(&self, r: usize, p: Piece) -> bool {
        let veh = &self.problem.vehicles[self.lines[p.line].vehicle];
        let target = &self.problem.vehicles[self.lines[r].vehicle];
        target.skills == veh.skills
            || (p.from..=p.to)
                .all(|k| target.can_serve(&self.problem.jobs[self.lines[p.line].jobs[k - 1]]))
    }
}
