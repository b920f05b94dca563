//! The command line as a newcomer meets it: every option says what it is
//! for, machine-readable output comes alone, a missing id lists the valid
//! ones, every missing field of a problem is listed at once, and commune
//! names read as French writes them.

mod common;

use serde_json::Value;

const COMMANDS: [&str; 8] = [
    "solve", "demo", "bench", "import", "allocate", "report", "export", "serve",
];

/// The options and arguments of `tournee COMMAND --help` that have no help
/// text: an entry line (`  --name …` or `  <NAME>`) followed by nothing
/// but a default or the next entry.
fn undocumented(help: &str) -> Vec<String> {
    let lines: Vec<&str> = help.lines().collect();
    let entry = |l: &str| {
        let t = l.trim_start();
        l.starts_with("  ")
            && !l.starts_with("        ")
            && (t.starts_with('-') || t.starts_with('<'))
    };
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if !entry(l) {
            continue;
        }
        let t = l.trim();
        // `--name <VALUE>  Help…` on one line, or the help on the next lines.
        let inline = t
            .split_once("  ")
            .map(|(_, rest)| rest.trim())
            .filter(|rest| !rest.is_empty() && !rest.starts_with('['));
        let below = lines
            .get(i + 1)
            .map(|n| n.trim())
            .filter(|n| !n.is_empty() && !n.starts_with('[') && !entry(lines[i + 1]));
        if inline.is_none() && below.is_none() {
            out.push(t.to_string());
        }
    }
    out
}

#[test]
fn every_option_of_every_command_says_what_it_is_for() {
    for command in COMMANDS {
        let o = common::run(&[command, "--help"]);
        assert!(o.status.success(), "{command}");
        let help = String::from_utf8_lossy(&o.stdout).to_string();
        let missing = undocumented(&help);
        assert!(missing.is_empty(), "tournee {command}: {missing:?}\n{help}");
    }
}

#[test]
fn json_output_comes_alone_and_a_missing_tour_lists_the_tours() {
    let dir = tempfile::tempdir().expect("tempdir");
    let problem = common::repo().join("data/rouen/week.json");
    let plan = dir.path().join("plan.json");
    let o = common::run(&[
        "solve",
        problem.to_str().expect("path"),
        "--iterations",
        "200",
        "--format",
        "json",
        "-o",
        plan.to_str().expect("path"),
    ]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let said = common::stderr(&o);
    assert!(
        !said.contains("Allocation") && !said.contains("stock restant"),
        "the allocation table is for --format text: {said}"
    );
    let o = common::run(&["export", plan.to_str().expect("path"), "gpx"]);
    assert_eq!(o.status.code(), Some(2));
    let said = common::stderr(&o);
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(&plan).expect("plan")).expect("json");
    let first = doc["tours"][0]["id"].as_str().expect("a tour id");
    assert!(said.contains("--tour") && said.contains(first), "{said}");
}

#[test]
fn every_missing_field_is_one_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut p: Value = serde_json::from_str(
        &std::fs::read_to_string(common::repo().join("data/rouen/week.json")).expect("sample"),
    )
    .expect("json");
    let top = p.as_object_mut().expect("object");
    top.remove("horizon");
    top.remove("depots");
    let file = common::write(dir.path(), "p.json", &p);
    let o = common::run(&["solve", file.to_str().expect("path")]);
    assert_eq!(o.status.code(), Some(2));
    let said = common::stderr(&o);
    let lines: Vec<&str> = said
        .lines()
        .filter(|l| l.contains("missing field"))
        .collect();
    assert_eq!(lines.len(), 2, "{said}");
    assert!(
        said.contains("`horizon`") && said.contains("`depots`"),
        "{said}"
    );
}

#[test]
fn commune_names_read_as_french_writes_them() {
    let sample =
        std::fs::read_to_string(common::repo().join("data/rouen/week.json")).expect("sample");
    for wrong in [
        "Commune de Le ",
        "Commune de Les ",
        "Commune de E",
        "Commune de O",
    ] {
        assert!(!sample.contains(wrong), "{wrong}");
    }
    assert!(sample.contains("Commune du Grand-Quevilly") && sample.contains("Commune d'Elbeuf"));
}
