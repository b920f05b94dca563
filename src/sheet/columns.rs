//! Which column holds what: a sheet's header is matched, without case or
//! accents, against the names a coordinator may write for each field (in
//! French and English), and against the device catalogue for columns of
//! counts (`portables`, `nombre d'écrans`, `nb unités centrales`).

use super::catalogue::{key, Catalogue};
use super::RowError;
use crate::i18n::{t, Lang};

/// The fields a request row may give.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Kind,
    Id,
    Name,
    Address,
    Postcode,
    Commune,
    Longitude,
    Latitude,
    Windows,
    Service,
    Setup,
    Devices,
    Skills,
    ContactName,
    ContactPhone,
    ContactEmail,
    Notes,
    Priority,
    Depot,
    DeliverTo,
}

/// Each field and the names its column may have (compared by
/// [`key`]); the first is the English template's.
const NAMES: &[(Field, &[&str])] = &[
    (Field::Kind, &["kind", "type", "nature", "type de demande"]),
    (
        Field::Id,
        &["id", "reference", "ref", "identifiant", "numero", "no", "n"],
    ),
    (
        Field::Name,
        &[
            "name",
            "nom",
            "donateur",
            "structure",
            "etablissement",
            "raison sociale",
            "organisme",
        ],
    ),
    (
        Field::Address,
        &["address", "adresse", "rue", "adresse postale"],
    ),
    (Field::Postcode, &["postcode", "code postal", "cp"]),
    (Field::Commune, &["commune", "ville", "city", "town"]),
    (Field::Longitude, &["longitude", "lon", "lng"]),
    (Field::Latitude, &["latitude", "lat"]),
    (
        Field::Windows,
        &[
            "windows",
            "creneaux",
            "creneau",
            "horaires",
            "disponibilites",
            "heures d ouverture",
        ],
    ),
    (
        Field::Service,
        &[
            "service_minutes",
            "service minutes",
            "duree",
            "duree sur place",
            "temps sur place",
            "duree min",
        ],
    ),
    (
        Field::Setup,
        &[
            "setup_minutes",
            "setup minutes",
            "mise en place",
            "temps d acces",
            "installation",
        ],
    ),
    (
        Field::Devices,
        &["devices", "materiel", "materiels", "equipements"],
    ),
    (
        Field::Skills,
        &["skills", "besoins", "contraintes", "competences"],
    ),
    (
        Field::ContactName,
        &[
            "contact_name",
            "contact name",
            "contact",
            "nom du contact",
            "interlocuteur",
        ],
    ),
    (
        Field::ContactPhone,
        &[
            "contact_phone",
            "contact phone",
            "telephone",
            "tel",
            "telephone du contact",
        ],
    ),
    (
        Field::ContactEmail,
        &["contact_email", "email", "courriel", "mail"],
    ),
    (
        Field::Notes,
        &[
            "notes",
            "remarques",
            "commentaire",
            "commentaires",
            "observations",
        ],
    ),
    (Field::Priority, &["priority", "priorite"]),
    (Field::Depot, &["depot", "atelier"]),
    (
        Field::DeliverTo,
        &[
            "deliver_to",
            "deliver to",
            "deposer chez",
            "a deposer chez",
            "apporter a",
            "destination",
        ],
    ),
];

/// A header understood: where each field is, and the columns of counts.
pub struct Header {
    names: Vec<String>,
    fields: Vec<(Field, usize)>,
    devices: Vec<(usize, String)>,
}

/// A column of counts: `portables`, `nombre de portables`, `nb portables`,
/// `nombre d'écrans`.
fn device_column<'a>(name: &str, catalogue: &'a Catalogue) -> Option<&'a str> {
    let k = key(name);
    let word = ["nombre de ", "nombre d ", "nb de ", "nb d ", "nb ", "nbre "]
        .iter()
        .find_map(|p| k.strip_prefix(p))
        .unwrap_or(&k);
    catalogue.find(word).map(|e| e.device.as_str())
}

impl Header {
    pub fn new(cells: &[String], catalogue: &Catalogue, lang: Lang) -> Result<Self, Vec<RowError>> {
        let mut h = Header {
            names: cells.to_vec(),
            fields: Vec::new(),
            devices: Vec::new(),
        };
        let mut errors = Vec::new();
        let known = h.known(catalogue);
        for (i, name) in cells.iter().enumerate() {
            if name.is_empty() {
                continue;
            }
            let k = key(name);
            let field = NAMES
                .iter()
                .find(|(_, names)| names.iter().any(|n| key(n) == k))
                .map(|(f, _)| *f);
            match (field, device_column(name, catalogue)) {
                (Some(f), _) if !h.fields.iter().any(|(g, _)| *g == f) => h.fields.push((f, i)),
                (None, Some(device)) => h.devices.push((i, device.to_string())),
                _ if errors.len() < crate::limits::MAX_ERRORS => errors.push(RowError {
                    row: 1,
                    column: name.clone(),
                    message: t(lang, "import.column_unknown", &[("columns", &known)]),
                    candidates: Vec::new(),
                    unplaced: None,
                }),
                _ => {}
            }
        }
        let missing = |h: &Header, fields: &[Field]| fields.iter().all(|f| h.index(*f).is_none());
        if missing(&h, &[Field::Devices]) && h.devices.is_empty() {
            errors.push(h.missing(Field::Devices, lang, catalogue));
        }
        if missing(&h, &[Field::Longitude, Field::Address, Field::Commune]) {
            errors.push(h.missing(Field::Address, lang, catalogue));
        }
        if errors.is_empty() {
            Ok(h)
        } else {
            Err(errors)
        }
    }

    fn missing(&self, f: Field, lang: Lang, catalogue: &Catalogue) -> RowError {
        let mut listed: Vec<String> = names(f).iter().map(|s| s.to_string()).collect();
        if f == Field::Devices {
            listed.push(catalogue.known(lang));
        }
        RowError {
            row: 1,
            column: names(f).first().copied().unwrap_or("").to_string(),
            message: t(
                lang,
                "import.column_missing",
                &[("names", &listed.join(", "))],
            ),
            candidates: Vec::new(),
            unplaced: None,
        }
    }

    /// Every column name the reader knows, for the message on an unknown one.
    fn known(&self, catalogue: &Catalogue) -> String {
        let mut all: Vec<String> = NAMES.iter().map(|(_, n)| n[0].to_string()).collect();
        all.extend(
            NAMES
                .iter()
                .filter_map(|(_, n)| n.get(1))
                .map(|s| s.to_string()),
        );
        all.push(catalogue.known(Lang::Fr));
        all.join(", ")
    }

    pub fn index(&self, f: Field) -> Option<usize> {
        self.fields.iter().find(|(g, _)| *g == f).map(|(_, i)| *i)
    }

    /// The column of `f` as the sheet names it (or the template's name).
    pub fn name(&self, f: Field) -> &str {
        match self.index(f) {
            Some(i) => &self.names[i],
            None => names(f).first().copied().unwrap_or(""),
        }
    }

    pub fn column_name(&self, i: usize) -> &str {
        self.names.get(i).map_or("", |s| s.as_str())
    }

    /// Columns of counts and the device type each counts.
    pub fn device_columns(&self) -> impl Iterator<Item = (usize, &str)> {
        self.devices.iter().map(|(i, d)| (*i, d.as_str()))
    }
}

fn names(f: Field) -> &'static [&'static str] {
    NAMES
        .iter()
        .find(|(g, _)| *g == f)
        .map_or(&[][..], |(_, n)| n)
}
