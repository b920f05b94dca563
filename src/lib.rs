//! Tournée: the domain of a computer-reuse network (depots, pickup requests
//! from donors, commune orders, vans and their shifts), its conversion to the
//! `tournee-solver` problem, and the plan that comes back.
//!
//! Data flows one way: [`input`] (JSON → validated [`model::Problem`]) →
//! [`convert`] (→ solver problem → solution → [`plan::Plan`]) → outputs
//! ([`text`], JSON); [`check`] re-verifies a plan on its own.

pub mod allocate;
pub mod check;
pub mod cli;
pub mod communes;
pub mod convert;
pub mod emissions;
pub mod export;
pub mod geocode;
pub mod geometry;
pub mod holidays;
pub mod i18n;
pub mod input;
pub mod insert;
pub mod limits;
pub mod model;
pub mod pipeline;
pub mod plan;
pub mod replan;
pub mod report;
pub mod routing;
pub mod server;
pub mod setup;
pub mod sheet;
pub mod shifts;
pub mod text;
pub mod vroom;
