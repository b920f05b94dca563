//! Reading a problem file: JSON syntax and types first (with the path of the
//! offending field), then the rules that types cannot express. Every mistake
//! is reported with its field path, e.g. `pickups[17].time_windows[1]: end
//! 09:00 is before start 12:00`.

mod missing;
mod validate;

use std::collections::BTreeMap;
use std::fmt;

use crate::model::{self, Problem};
pub use validate::validate;

/// The longest search a problem may ask for.
pub const MAX_TIME_LIMIT_S: f64 = 86_400.0;

/// One mistake in a problem, tied to the field where it is.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// Path such as `vehicles[2].shifts[0]`; empty for the document itself.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

/// Parses and validates a problem; every error found is returned.
pub fn read(text: &str) -> Result<Problem, Vec<FieldError>> {
    let problem = parse(text).map_err(|e| missing::all(text, e))?;
    let mut errors = validate(&problem);
    if errors.is_empty() {
        errors = crate::shifts::reach_errors_haversine(&problem);
    }
    if errors.is_empty() {
        Ok(problem)
    } else {
        Err(errors)
    }
}

/// JSON syntax and types. Stops at the first error, as a parser must.
pub fn parse(text: &str) -> Result<Problem, FieldError> {
    json(text)
}

/// One JSON document of type `T`, and nothing after it (`{…}xyz` or two
/// documents are refused), or the path of the field that does not fit.
pub fn json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, FieldError> {
    let de = &mut serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { String::new() } else { path };
        FieldError::new(field, e.into_inner().to_string())
    })?;
    de.end()
        .map_err(|e| FieldError::new("", format!("data after the JSON document: {e}")))?;
    Ok(value)
}

/// Device counts → (mass in kg, volume in litres, number of devices).
pub fn measure(
    devices: &BTreeMap<String, u32>,
    catalogue: &BTreeMap<String, model::DeviceType>,
) -> (f64, f64, u64) {
    devices
        .iter()
        .fold((0.0, 0.0, 0), |(kg, l, n), (name, &count)| {
            let d = catalogue.get(name);
            (
                kg + count as f64 * d.map_or(0.0, |d| d.mass_kg),
                l + count as f64 * d.map_or(0.0, |d| d.volume_l),
                n + count as u64,
            )
        })
}
