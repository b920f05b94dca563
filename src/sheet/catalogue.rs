//! The device catalogue: the types of equipment a network collects and
//! delivers, with their mass and packed volume (what loads a van) and their
//! names in French and English, singular and plural, plus the words a
//! coordinator may write for them in a sheet. The default is
//! `data/catalogue.csv` (masses from the Boavizta medians, volumes our
//! stated assumption; data/README.md).

use std::collections::BTreeMap;

use super::values::fold;
use crate::i18n::Lang;
use crate::model::DeviceType;

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub device: String,
    /// French singular and plural.
    pub fr: (String, String),
    pub en: (String, String),
    pub mass_kg: f64,
    pub volume_l: f64,
    /// Other words for it, as a sheet's column or in a `devices` cell.
    pub aliases: Vec<String>,
}

impl Entry {
    /// `9 ordinateurs fixes`, `1 écran`: the count with its word.
    pub fn count(&self, n: u32, lang: Lang) -> String {
        let (one, many) = match lang {
            Lang::Fr => &self.fr,
            Lang::En => &self.en,
        };
        // French puts 0 and 1 in the singular.
        let plural = match lang {
            Lang::Fr => n > 1,
            Lang::En => n != 1,
        };
        format!("{n} {}", if plural { many } else { one })
    }

    fn names(&self) -> impl Iterator<Item = String> + '_ {
        [&self.device, &self.fr.0, &self.fr.1, &self.en.0, &self.en.1]
            .into_iter()
            .cloned()
            .chain(self.aliases.iter().cloned())
            .map(|n| key(&n))
    }
}

/// The form names are compared in: folded, separators as spaces.
pub fn key(s: &str) -> String {
    fold(s)
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(Clone, Debug, PartialEq)]
pub struct Catalogue {
    pub entries: Vec<Entry>,
}

impl Default for Catalogue {
    /// The embedded `data/catalogue.csv`.
    fn default() -> Self {
        let text = include_str!("../../data/catalogue.csv");
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let entries = reader
            .records()
            .filter_map(Result::ok)
            .filter_map(|r| {
                let f = |i: usize| r.get(i).unwrap_or("").to_string();
                Some(Entry {
                    device: f(0),
                    fr: (f(1), f(2)),
                    en: (f(3), f(4)),
                    mass_kg: f(5).parse().ok()?,
                    volume_l: f(6).parse().ok()?,
                    aliases: f(7)
                        .split('|')
                        .map(String::from)
                        .filter(|s| !s.is_empty())
                        .collect(),
                })
            })
            .collect();
        Catalogue { entries }
    }
}

impl Catalogue {
    /// The catalogue of a set-up's device types: the default names where a
    /// type is a default one, the type's id as its name otherwise.
    pub fn of(devices: &BTreeMap<String, DeviceType>) -> Self {
        let defaults = Catalogue::default();
        let entries = devices
            .iter()
            .map(|(id, d)| {
                let mut e = defaults
                    .entries
                    .iter()
                    .find(|e| &e.device == id)
                    .cloned()
                    .unwrap_or_else(|| Entry {
                        device: id.clone(),
                        fr: (id.clone(), id.clone()),
                        en: (id.clone(), id.clone()),
                        mass_kg: d.mass_kg,
                        volume_l: d.volume_l,
                        aliases: Vec::new(),
                    });
                e.mass_kg = d.mass_kg;
                e.volume_l = d.volume_l;
                e
            })
            .collect();
        Catalogue { entries }
    }

    /// The device types, as a problem's `devices`.
    pub fn devices(&self) -> BTreeMap<String, DeviceType> {
        self.entries
            .iter()
            .map(|e| {
                (
                    e.device.clone(),
                    DeviceType {
                        mass_kg: e.mass_kg,
                        volume_l: e.volume_l,
                    },
                )
            })
            .collect()
    }

    /// The entry a word names (`portables`, `Unités centrales`, `laptop`).
    pub fn find(&self, word: &str) -> Option<&Entry> {
        let k = key(word);
        self.entries.iter().find(|e| e.names().any(|n| n == k))
    }

    /// The plural names, for messages listing what the catalogue has.
    pub fn known(&self, lang: Lang) -> String {
        let names: Vec<&str> = self
            .entries
            .iter()
            .map(|e| match lang {
                Lang::Fr => e.fr.1.as_str(),
                Lang::En => e.device.as_str(),
            })
            .collect();
        names.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_catalogue_has_the_sample_weeks_types_and_figures() {
        let c = Catalogue::default();
        let week: crate::model::Problem =
            serde_json::from_str(include_str!("../../data/rouen/week.json"))
                .expect("the sample week");
        assert_eq!(
            c.devices(),
            week.devices,
            "one catalogue, one set of figures"
        );
        for e in &c.entries {
            assert!(e.mass_kg > 0.0 && e.volume_l > 0.0, "{}", e.device);
            assert!(!e.fr.1.is_empty() && !e.en.1.is_empty(), "{}", e.device);
        }
    }

    #[test]
    fn words_find_their_device_and_counts_agree() {
        let c = Catalogue::default();
        let id = |w: &str| c.find(w).map(|e| e.device.as_str());
        assert_eq!(id("Portables"), Some("laptop"));
        assert_eq!(id("unités centrales"), Some("desktop_tower"));
        assert_eq!(id("ECRANS"), Some("monitor"));
        assert_eq!(id("desktop_sff"), Some("desktop_sff"));
        assert_eq!(id("imprimantes"), None);
        let tower = c.find("desktop_tower").expect("tower");
        assert_eq!(tower.count(9, Lang::Fr), "9 unités centrales");
        assert_eq!(tower.count(1, Lang::Fr), "1 unité centrale");
        assert_eq!(tower.count(1, Lang::En), "1 desktop tower");
    }
}
