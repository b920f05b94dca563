//! The local search's view of a tour: summaries of runs of stops ([`Seg`],
//! joined in constant time), a tour with its prefix and suffix summaries
//! ([`Line`]), and a move as the pieces of current tours it joins
//! ([`Piece`], [`Rebuilt`], [`Move`]).

use crate::problem::{Job, Problem};
use crate::segment::{LoadSegment, TimeSegment};

/// A window that is always open, as a finite interval.
pub(super) const ALWAYS: (f64, f64) = (-1e15, 1e15);

/// Summary of a run of stops: its ends, distance, times and loads.
#[derive(Clone, Copy, Debug)]
pub(super) struct Seg {
    pub(super) first: usize,
    pub(super) last: usize,
    pub(super) distance: f64,
    pub(super) time: TimeSegment,
    pub(super) load: LoadSegment,
}

impl Seg {
    #[inline]
    pub(super) fn then(self, problem: &Problem, v: usize, next: Seg) -> Seg {
        Seg {
            first: self.first,
            last: next.last,
            distance: self.distance + problem.distance.get(self.last, next.first) + next.distance,
            time: self
                .time
                .then(problem.travel_time(v, self.last, next.first), next.time),
            load: self.load.then(next.load),
        }
    }

    pub(super) fn depot(location: usize, start: f64, end: f64) -> Seg {
        Seg {
            first: location,
            last: location,
            distance: 0.0,
            time: TimeSegment::stop(start, end, 0.0),
            load: LoadSegment::default(),
        }
    }
}

/// One tour as the local search sees it. Positions are 0 (start depot) and
/// 1..=n (the jobs); the end depot is added when a tour is priced.
pub(super) struct Line {
    pub(super) vehicle: usize,
    pub(super) jobs: Vec<usize>,
    /// Each position alone.
    pub(super) node: Vec<Seg>,
    /// Positions 0..=p.
    pub(super) prefix: Vec<Seg>,
    /// Positions p..=n (p ≥ 1).
    pub(super) suffix: Vec<Seg>,
    /// Skills needed by the jobs at positions p..=n.
    pub(super) suffix_skills: Vec<u64>,
    /// Distance driven from the start depot to position p.
    pub(super) reach: Vec<f64>,
    /// Time from the start depot to the end of service at position p that
    /// no window can shorten, in two parts: driving at the matrix's pace
    /// (a van of another speed divides it by its factor), and set-ups and
    /// service. Lower bounds of a tour's duration for [`super::LocalSearch::cost_bound`].
    pub(super) drive: Vec<f64>,
    pub(super) busy: Vec<f64>,
    /// Penalised cost.
    pub(super) cost: f64,
    /// Clock of the last change.
    pub(super) modified: u64,
}

impl Line {
    pub(super) fn len(&self) -> usize {
        self.jobs.len()
    }
}

/// Part of a new tour: positions `from..=to` of a current tour, maybe
/// reversed; empty when `from > to`.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Piece {
    pub(super) line: usize,
    pub(super) from: usize,
    pub(super) to: usize,
    pub(super) reversed: bool,
}

pub(super) fn piece(line: usize, from: usize, to: usize) -> Piece {
    Piece {
        line,
        from,
        to,
        reversed: false,
    }
}

/// A tour after a move: its first piece is the tour's own prefix.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Rebuilt {
    pub(super) line: usize,
    pub(super) pieces: [Piece; 5],
    pub(super) count: usize,
}

impl Rebuilt {
    pub(super) fn new(line: usize, pieces: &[Piece]) -> Self {
        let mut r = Rebuilt {
            line,
            count: pieces.len(),
            ..Default::default()
        };
        r.pieces[..pieces.len()].copy_from_slice(pieces);
        r
    }

    pub(super) fn pieces(&self) -> &[Piece] {
        &self.pieces[..self.count]
    }
}

/// A move: the one or two tours it rebuilds.
#[derive(Clone, Copy, Debug)]
pub(super) struct Move {
    pub(super) tours: [Rebuilt; 2],
    pub(super) count: usize,
}

impl Move {
    pub(super) fn one(tour: Rebuilt) -> Self {
        Move {
            tours: [tour, Rebuilt::default()],
            count: 1,
        }
    }

    pub(super) fn two(a: Rebuilt, b: Rebuilt) -> Self {
        Move {
            tours: [a, b],
            count: 2,
        }
    }

    pub(super) fn tours(&self) -> &[Rebuilt] {
        &self.tours[..self.count]
    }
}

/// Summary of job `j` alone, served in `window`.
pub(super) fn job_seg(problem: &Problem, j: usize, (open, close): (f64, f64)) -> Seg {
    let job = &problem.jobs[j];
    Seg {
        first: job.location,
        last: job.location,
        distance: 0.0,
        time: TimeSegment::stop(open, close, job.service),
        load: LoadSegment::stop(job.delivery, job.pickup),
    }
}

/// The window of `job` in which service at `start` falls (the only one when
/// it has one; always open when it has none).
pub(super) fn window_of(job: &Job, start: f64) -> (f64, f64) {
    let found = match job.windows.as_slice() {
        [] => None,
        [w] => Some(w),
        ws => ws.iter().find(|w| w.end >= start - 1e-9).or(ws.last()),
    };
    found.map_or(ALWAYS, |w| (w.start, w.end))
}

pub(super) fn empty_line(vehicle: usize) -> Line {
    Line {
        vehicle,
        jobs: Vec::new(),
        node: Vec::new(),
        prefix: Vec::new(),
        suffix: Vec::new(),
        suffix_skills: Vec::new(),
        reach: Vec::new(),
        drive: Vec::new(),
        busy: Vec::new(),
        cost: 0.0,
        modified: 0,
    }
}
