//! The sheet reader on the project's own sample sheet, on French sheets in
//! each format a spreadsheet saves (`;` CSV in UTF-8 and Windows-1252,
//! XLSX), and on one sheet per kind of mistake.

use super::*;
use crate::model::{Priority, Problem};

fn week() -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(2026, 11, 30)
}

fn options(lang: Lang) -> Options {
    Options {
        week: week(),
        orders: false,
        lang,
        max_rows: 2000,
    }
}

fn sample() -> Problem {
    serde_json::from_str(include_str!("../../data/rouen/week.json")).expect("the sample week")
}

#[test]
fn the_sample_sheet_gives_the_sample_weeks_requests() {
    let p = sample();
    let bytes = include_bytes!("../../data/rouen/week-requests.csv");
    let got = read(bytes, &Catalogue::of(&p.devices), &options(Lang::En));
    assert_eq!(got.errors, vec![]);
    assert_eq!(got.rows, p.pickups.len() + p.orders.len());
    for (mine, theirs) in [(&got.pickups, &p.pickups), (&got.orders, &p.orders)] {
        assert_eq!(mine.len(), theirs.len());
        for (a, b) in mine.iter().zip(theirs) {
            assert_eq!(a.id, b.id);
            assert_eq!(a.location, b.location, "{}", a.id);
            let mut asked = b.devices.clone();
            asked.retain(|_, n| *n > 0);
            assert_eq!(a.devices, asked, "{}", a.id);
            assert_eq!(a.time_windows, b.time_windows, "{}", a.id);
            assert_eq!(a.service_minutes, b.service_minutes, "{}", a.id);
            assert_eq!(a.skills, b.skills, "{}", a.id);
        }
    }
}

/// A French sheet as a coordinator writes it: `;`, decimal commas, count
/// columns, weekdays, French dates and times.
const FRENCH: &str = "\
Type;Nom;Adresse;Code postal;Commune;Longitude;Latitude;Créneaux;Durée sur place;Portables;Unités centrales;Écrans;Besoins;Téléphone;Priorité
collecte;Mairie de Darnétal;Place du Général de Gaulle;76160;Darnétal;1,1508;49,4447;mar 9h-12h, jeu 14h-17h30;20;8;;2;hayon;02 35 08 00 00;
Collecte;Clinique vétérinaire;;;Rouen;1,0993;49,4431;lun-mer 9h à 12h;;;12;;;;facultatif:40
livraison;Commune du Grand-Quevilly;;;Le Grand-Quevilly;1,0411;49,4107;2/12/2026 de 14h à 16h;15;10;;;;;
";

fn check_french(got: &Imported) {
    assert_eq!(got.errors, vec![], "{:#?}", got.errors);
    assert_eq!((got.pickups.len(), got.orders.len()), (2, 1));
    let darnetal = &got.pickups[0];
    assert_eq!(darnetal.id, "P002");
    assert_eq!(darnetal.location, [1.1508, 49.4447]);
    assert_eq!(
        darnetal.address,
        "Place du Général de Gaulle, 76160 Darnétal"
    );
    assert_eq!(
        darnetal.devices,
        BTreeMap::from([("laptop".to_string(), 8), ("monitor".to_string(), 2)])
    );
    assert_eq!(darnetal.time_windows.len(), 2);
    assert_eq!(
        darnetal.time_windows[1].end,
        crate::model::wall_clock::parse("2026-12-03T17:30").expect("time")
    );
    assert_eq!(darnetal.service_minutes, 20.0);
    assert_eq!(darnetal.skills, vec!["tail_lift"]);
    assert_eq!(darnetal.contact.phone, "02 35 08 00 00");
    let clinic = &got.pickups[1];
    assert_eq!(clinic.time_windows.len(), 3);
    assert_eq!(clinic.priority, Priority::Optional(40.0));
    assert_eq!(clinic.service_minutes, 10.0, "the default");
    let order = &got.orders[0];
    assert_eq!(order.id, "C004");
    assert_eq!(
        order.time_windows[0].start,
        crate::model::wall_clock::parse("2026-12-02T14:00").expect("time")
    );
}

#[test]
fn a_french_sheet_with_semicolons_and_decimal_commas() {
    let got = read(FRENCH.as_bytes(), &Catalogue::default(), &options(Lang::Fr));
    check_french(&got);
}

#[test]
fn a_french_sheet_saved_in_windows_1252() {
    let (bytes, _, lossy) = encoding_rs::WINDOWS_1252.encode(FRENCH);
    assert!(!lossy);
    assert!(std::str::from_utf8(&bytes).is_err(), "not UTF-8 any more");
    let got = read(&bytes, &Catalogue::default(), &options(Lang::Fr));
    check_french(&got);
}

#[test]
fn a_french_workbook() {
    use rust_xlsxwriter::Workbook;
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (r, line) in FRENCH.lines().enumerate() {
        for (c, cell) in line.split(';').enumerate() {
            let (r, c) = (r as u32, c as u16);
            // Numbers as numbers, the way a spreadsheet keeps them.
            match values::number(cell) {
                Some(x) if !cell.contains(' ') && r > 0 => sheet.write_number(r, c, x),
                _ => sheet.write_string(r, c, cell),
            }
            .expect("cell");
        }
    }
    let bytes = book.save_to_buffer().expect("xlsx");
    let got = read(&bytes, &Catalogue::default(), &options(Lang::Fr));
    check_french(&got);
}

/// The mistakes of a one-row sheet under the French header.
fn mistakes(row: &str) -> Vec<RowError> {
    let text = format!("{}\n{row}\n", FRENCH.lines().next().unwrap_or(""));
    let mut got = read(text.as_bytes(), &Catalogue::default(), &options(Lang::Fr));
    got.without_geocoder();
    got.errors
}

fn one(row: &str, column: &str, says: &str) {
    let errors = mistakes(row);
    assert!(
        errors
            .iter()
            .any(|e| e.row == 2 && e.column == column && e.message.contains(says)),
        "{row}: {errors:#?}"
    );
}

#[test]
fn each_kind_of_mistake_names_its_row_and_column_in_french() {
    one(
        "ramassage?;X;;;Rouen;1;49;;;1;;;;;",
        "Type",
        "« collecte » ou « livraison »",
    );
    one(
        "collecte;X;;;Rouen;500;49;;;1;;;;;",
        "Longitude",
        "entre -180 et 180",
    );
    one(
        "collecte;X;;;Rouen;1;;;;1;;;;;",
        "Latitude",
        "la longitude et la latitude",
    );
    one(
        "collecte;X;1 rue de la Paix;;Rouen;;;;;1;;;;;",
        "Adresse",
        "aucun géocodeur configuré",
    );
    one(
        "collecte;X;;;;;;;;1;;;;;",
        "Adresse",
        "ni coordonnées ni adresse",
    );
    one(
        "collecte;X;;;Rouen;1;49;le matin;;1;;;;;",
        "Créneaux",
        "« le matin » n'est pas un créneau",
    );
    one(
        "collecte;X;;;Rouen;1;49;mar 12h-9h;;1;;;;;",
        "Créneaux",
        "finit avant de commencer",
    );
    one(
        "collecte;X;;;Rouen;1;49;;deux heures;1;;;;;",
        "Durée sur place",
        "minutes",
    );
    one(
        "collecte;X;;;Rouen;1;49;;;huit;;;;;",
        "Portables",
        "nombre entier",
    );
    one(
        "collecte;X;;;Rouen;1;49;;;;;;;;",
        "devices",
        "au moins un matériel",
    );
    one(
        "collecte;X;;;Rouen;1;49;;;1;;;;;urgent",
        "Priorité",
        "facultatif:VALEUR",
    );
    one(
        "collecte;X;;;Rouen;1;49;;;4294967295;;;;;",
        "Portables",
        "nombre entier",
    );
    // Weekdays need the week.
    let text = format!(
        "{}\ncollecte;X;;;Rouen;1;49;mar 9h-12h;;1;;;;;\n",
        FRENCH.lines().next().unwrap_or("")
    );
    let mut o = options(Lang::Fr);
    o.week = None;
    let errors = read(text.as_bytes(), &Catalogue::default(), &o).errors;
    assert!(
        errors[0].message.contains("lundi de la semaine"),
        "{errors:?}"
    );
    // A row with a mistake gives no request; the others are kept.
    let text = format!("{FRENCH}collecte;X;;;Rouen;500;49;;;1;;;;;\n");
    let got = read(text.as_bytes(), &Catalogue::default(), &options(Lang::Fr));
    assert_eq!(
        (got.pickups.len(), got.orders.len(), got.errors.len()),
        (2, 1, 1)
    );
}

#[test]
fn header_mistakes_and_the_whole_file() {
    let c = Catalogue::default();
    let o = options(Lang::Fr);
    let e = read(b"Nom;Commune;Imprimantes;Portables\nA;Rouen;1;2\n", &c, &o).errors;
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!((e[0].row, e[0].column.as_str()), (1, "Imprimantes"));
    assert!(e[0].message.starts_with("colonne inconnue"));
    let e = read(b"Nom;Commune\nA;Rouen\n", &c, &o).errors;
    assert!(
        e.iter()
            .any(|e| e.column == "devices" && e.message.contains("portables")),
        "{e:?}"
    );
    let e = read(b"Nom;Portables\nA;2\n", &c, &o).errors;
    assert!(e.iter().any(|e| e.column == "address"), "{e:?}");
    let e = read(b"", &c, &o).errors;
    assert_eq!(e[0].message, "le fichier est vide");
    let e = read(b"PK\x03\x04 not really a workbook", &c, &o).errors;
    assert!(e[0].message.starts_with("classeur illisible"), "{e:?}");
    let mut small = options(Lang::En);
    small.max_rows = 2;
    let e = read(FRENCH.as_bytes(), &c, &small).errors;
    assert_eq!(e[0].message, "3 rows; an import takes at most 2");
    // Duplicate ids, in English.
    let e = read(
        b"kind,id,longitude,latitude,devices\npickup,A,1,49,laptop:1\npickup,A,1,49,laptop:1\n",
        &c,
        &options(Lang::En),
    )
    .errors;
    assert_eq!(e.len(), 1);
    assert_eq!((e[0].row, e[0].column.as_str()), (3, "id"));
    assert_eq!(e[0].message, "`A` is already used by row 2");
}

#[test]
fn a_places_setup_time_has_its_column() {
    let text = "Type;Nom;Commune;Longitude;Latitude;Mise en place;Portables\n\
                collecte;Lycée;Rouen;1,09;49,44;15 min;8\n\
                collecte;Collège;Rouen;1,10;49,45;;3\n\
                collecte;École;Rouen;1,11;49,46;longtemps;2\n";
    let got = read(text.as_bytes(), &Catalogue::default(), &options(Lang::Fr));
    let setups: Vec<f64> = got.pickups.iter().map(|r| r.setup_minutes).collect();
    assert_eq!(setups, [15.0, 0.0], "{:#?}", got.errors);
    assert!(
        got.errors
            .iter()
            .any(|e| e.row == 4 && e.column == "Mise en place" && e.message.contains("minutes")),
        "{:#?}",
        got.errors
    );
}

#[test]
fn a_pickup_taken_to_a_partner_has_its_column() {
    let text = "Type;Nom;Commune;Longitude;Latitude;Déposer chez;Portables\n\
                collecte;Lycée;Rouen;1,09;49,44;recycleur;8\n\
                collecte;Collège;Rouen;1,10;49,45;;3\n";
    let got = read(text.as_bytes(), &Catalogue::default(), &options(Lang::Fr));
    let to: Vec<Option<&str>> = got
        .pickups
        .iter()
        .map(|r| r.deliver_to.as_deref())
        .collect();
    assert_eq!(to, [Some("recycleur"), None], "{:#?}", got.errors);
}
