//! Tour geometry for maps and navigation: the encoded polyline format (the
//! one OSRM and most map libraries read, precision 5) and GeoJSON. Until a
//! road back-end provides the real path, a tour is drawn as straight lines
//! from the depot through its stops and back.

use serde_json::{json, Value};

use crate::model::Location;

/// A tour's places in driving order: its depot, its stops, its end depot.
pub fn tour_path(
    problem: &crate::model::Problem,
    depot: &str,
    end_depot: &str,
    stops: impl IntoIterator<Item = Location>,
) -> Vec<Location> {
    let at = |id: &str| {
        problem
            .depots
            .iter()
            .find(|d| d.id == id)
            .map(|d| d.location)
    };
    at(depot)
        .into_iter()
        .chain(stops)
        .chain(at(end_depot))
        .collect()
}

/// Encodes `[lon, lat]` points as a polyline (latitude first, 1e-5 degrees).
pub fn encode_polyline(points: &[Location]) -> String {
    let mut out = String::new();
    let (mut last_lat, mut last_lon) = (0i64, 0i64);
    for p in points {
        let lat = (p[1] * 1e5).round() as i64;
        let lon = (p[0] * 1e5).round() as i64;
        push_number(&mut out, lat - last_lat);
        push_number(&mut out, lon - last_lon);
        (last_lat, last_lon) = (lat, lon);
    }
    out
}

/// One signed value: zig-zag, then 5-bit chunks from the lowest, each
/// offset by 63 into printable ASCII, 0x20 marking "more to come".
fn push_number(out: &mut String, value: i64) {
    let mut v = if value < 0 { !(value << 1) } else { value << 1 } as u64;
    while v >= 0x20 {
        out.push(char::from((((v & 0x1f) | 0x20) + 63) as u8));
        v >>= 5;
    }
    out.push(char::from((v + 63) as u8));
}

/// Decodes a polyline (precision 5) into `[lon, lat]` points; a malformed
/// tail is ignored.
pub fn decode_polyline(text: &str) -> Vec<Location> {
    let mut values = Vec::new();
    let (mut value, mut shift) = (0i64, 0u32);
    for b in text.bytes() {
        let chunk = i64::from(b) - 63;
        if !(0..64).contains(&chunk) || shift > 60 {
            break;
        }
        value |= (chunk & 0x1f) << shift;
        shift += 5;
        if chunk < 0x20 {
            values.push(if value & 1 == 1 {
                !(value >> 1)
            } else {
                value >> 1
            });
            (value, shift) = (0, 0);
        }
    }
    let (mut lat, mut lon) = (0i64, 0i64);
    values
        .chunks_exact(2)
        .map(|d| {
            lat += d[0];
            lon += d[1];
            [lon as f64 / 1e5, lat as f64 / 1e5]
        })
        .collect()
}

/// A GeoJSON LineString through `points`.
pub fn line_string(points: &[Location]) -> Value {
    json!({ "type": "LineString", "coordinates": points })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polyline_matches_the_format_reference_example() {
        // The worked example of the format's public description.
        let pts = [[-120.2, 38.5], [-120.95, 40.7], [-126.453, 43.252]];
        assert_eq!(encode_polyline(&pts), "_p~iF~ps|U_ulLnnqC_mqNvxq`@");
        assert_eq!(decode_polyline("_p~iF~ps|U_ulLnnqC_mqNvxq`@"), pts);
    }

    #[test]
    fn polylines_round_trip_to_five_decimals() {
        let pts = [[1.0993, 49.4431], [1.06251, 49.42399], [-0.00001, 0.0]];
        assert_eq!(decode_polyline(&encode_polyline(&pts)), pts);
        assert!(decode_polyline("").is_empty());
        assert!(decode_polyline("\u{1}garbage").len() <= 1);
    }
}
