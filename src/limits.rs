//! The bounds every problem is held to, whoever sends it. They are far above
//! what a reuse network plans (a week of one metropolis is 137 requests of
//! at most 300 devices, vans of 1.2 t), and low enough that every derived
//! figure (grams, millilitres, seconds, costs) stays finite and exact in the
//! solver's arithmetic, and that no count a caller sends sizes a buffer.
//! docs/format.md lists them; the server adds its own, smaller, limits on
//! requests, shifts, time and body size (README, "Limits").

/// Devices of one type in one request, or in one workshop's stock.
pub const MAX_DEVICES: u32 = 100_000;
/// Mass of one device, kg, and its volume, litres.
pub const MAX_DEVICE_KG: f64 = 10_000.0;
pub const MAX_DEVICE_L: f64 = 100_000.0;
/// A van's payload (kg), volume (m3) and device count.
pub const MAX_CAPACITY_KG: f64 = 100_000.0;
pub const MAX_CAPACITY_M3: f64 = 1_000.0;
pub const MAX_CAPACITY_UNITS: u32 = 10_000_000;
/// Service, reload and break times, minutes: one day.
pub const MAX_MINUTES: f64 = 1_440.0;
/// Road distance over great-circle distance.
pub const DETOUR_FACTOR: (f64, f64) = (1.0, 5.0);
/// Average speed of the travel model, km/h.
pub const SPEED_KMH: (f64, f64) = (1.0, 200.0);
/// A van's speed relative to the average.
pub const SPEED_FACTOR: (f64, f64) = (0.1, 10.0);
/// Longest tour, hours and km.
pub const MAX_TOUR_HOURS: f64 = 24.0 * 31.0;
pub const MAX_TOUR_KM: f64 = 100_000.0;
/// A driver's hours over all the shifts of a problem (a year's at most).
pub const MAX_DRIVER_HOURS: f64 = 24.0 * 366.0;
/// Most stops a tour may be limited to (`max_stops`): above the most
/// requests a problem may hold, a limit means nothing.
pub const MAX_TOUR_STOPS: u32 = 10_000;
/// Any cost figure (fixed, per km, per hour, an optional request's value).
pub const MAX_COST: f64 = 1e9;
/// kgCO2e per km of a vehicle's own figure.
pub const MAX_CO2E_PER_KM: f64 = 100.0;
/// Trips per shift.
pub const MAX_TRIPS: u32 = 50;
/// Longest planning horizon, days.
pub const MAX_HORIZON_DAYS: i64 = 366;
/// Time windows of one request, shifts of one vehicle.
pub const MAX_WINDOWS: usize = 400;
/// Skills of one request or vehicle.
pub const MAX_SKILLS: usize = 64;
/// Device types in the catalogue (and in one request or stock).
pub const MAX_DEVICE_TYPES: usize = 200;
/// Workshops (depots) of one problem.
pub const MAX_DEPOTS: usize = 100;
/// Mistakes reported for one document: beyond, "and N more".
pub const MAX_ERRORS: usize = 100;
/// Characters of an id, and of free text (names, addresses, notes).
pub const MAX_ID_CHARS: usize = 100;
pub const MAX_TEXT_CHARS: usize = 2_000;
/// Iterations of the search.
pub const MAX_ITERATIONS: u64 = 1_000_000_000;
/// OSRM client settings a file may give (the server bounds them further).
pub const MAX_OSRM_TIMEOUT_S: f64 = 300.0;
pub const MAX_OSRM_RETRIES: u32 = 10;
pub const MAX_OSRM_CONCURRENCY: usize = 64;
pub const MAX_OSRM_TABLE: usize = 10_000;
pub const MAX_SNAP_M: f64 = 100_000.0;
