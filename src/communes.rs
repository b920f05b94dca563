//! The communes a territory's figures are counted by: the Métropole Rouen
//! Normandie's 71 communes (`data/rouen/communes.csv`: INSEE code, name,
//! town hall), the EPCI-level group funders ask about. A request placed by
//! the geocoder carries its commune's INSEE code; one given by coordinates
//! alone is counted in the commune whose town hall is nearest, within
//! [`MAX_NEAREST_KM`], and the plan says it was so found.

use std::sync::OnceLock;

use crate::model::Location;

/// The group the communes of the table form (an EPCI).
pub const GROUP: &str = "Métropole Rouen Normandie";
/// Farther than this from every town hall, a place is outside the table.
pub const MAX_NEAREST_KM: f64 = 15.0;

#[derive(Clone, Debug, PartialEq)]
pub struct Commune {
    pub insee: String,
    pub name: String,
    pub town_hall: Location,
}

/// The table, read once.
pub fn all() -> &'static [Commune] {
    static TABLE: OnceLock<Vec<Commune>> = OnceLock::new();
    TABLE.get_or_init(|| {
        csv::Reader::from_reader(include_str!("../data/rouen/communes.csv").as_bytes())
            .records()
            .filter_map(Result::ok)
            .filter_map(|r| {
                let lat: f64 = r.get(2)?.parse().ok()?;
                let lon: f64 = r.get(3)?.parse().ok()?;
                Some(Commune {
                    insee: r.get(0)?.to_string(),
                    name: r.get(1)?.to_string(),
                    town_hall: [lon, lat],
                })
            })
            .collect()
    })
}

/// The commune of INSEE code `insee`, if the table has it.
pub fn by_code(insee: &str) -> Option<&'static Commune> {
    all().iter().find(|c| c.insee == insee)
}

/// The commune whose town hall is nearest `at`, within [`MAX_NEAREST_KM`].
pub fn nearest(at: Location) -> Option<&'static Commune> {
    all()
        .iter()
        .map(|c| (crate::routing::haversine_m(at, c.town_hall), c))
        .filter(|(m, _)| *m <= MAX_NEAREST_KM * 1000.0)
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// An INSEE code: five characters, digits but for Corsica's 2A and 2B.
pub fn is_code(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5
        && b[0].is_ascii_digit()
        && (b[1].is_ascii_digit()
            || s[1..2].eq_ignore_ascii_case("a")
            || s[1..2].eq_ignore_ascii_case("b"))
        && b[2..].iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_metropolis_has_its_71_communes_and_places_find_theirs() {
        assert_eq!(all().len(), 71);
        let darnetal = by_code("76212").expect("Darnétal");
        assert_eq!(darnetal.name, "Darnétal");
        // Near Rouen's town hall: Rouen.
        assert_eq!(
            nearest([1.0993, 49.4431]).map(|c| c.insee.as_str()),
            Some("76540")
        );
        // Paris is no commune of the metropolis.
        assert_eq!(nearest([2.35, 48.85]), None);
        assert!(is_code("76540") && is_code("2A004") && !is_code("7654") && !is_code("ABCDE"));
    }
}
