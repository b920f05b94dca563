//! Every missing field of a problem at once. A JSON parser stops at its
//! first mistake, and serde reports one missing field per object; a
//! coordinator fixing a hand-written file wants them all. So, once a field
//! is found missing, it is filled with the value the same place holds in the
//! embedded sample week (a complete, valid problem: right type, right
//! shape), and the document is read again, until it reads or fails on
//! something else. The fillings are never used: the caller gets the list.

use serde_json::Value;

use super::FieldError;
use crate::model::Problem;

/// A complete problem to borrow fillings from.
const SAMPLE: &str = include_str!("../../data/rouen/week.json");
/// Fields listed at most (and as many readings of the document).
const MOST: usize = 20;

/// `first` (the parser's first mistake) and, when it is a missing field,
/// every other missing field (and the mistake after them, if any).
pub fn all(text: &str, first: FieldError) -> Vec<FieldError> {
    let mut errors = vec![first];
    let (Ok(mut doc), Ok(sample)) = (
        serde_json::from_str::<Value>(text),
        serde_json::from_str::<Value>(SAMPLE),
    ) else {
        return errors;
    };
    while errors.len() < MOST {
        let Some(last) = errors.last() else { break };
        let Some(name) = missing_name(&last.message) else {
            break;
        };
        let at = segments(&last.field);
        let Some(filling) = like(&sample, &at, &name) else {
            break;
        };
        let Some(Value::Object(object)) = place(&mut doc, &at) else {
            break;
        };
        object.insert(name, filling);
        match serde_path_to_error::deserialize::<_, Problem>(&doc) {
            Ok(_) => break,
            Err(e) => {
                let path = e.path().to_string();
                let field = if path == "." { String::new() } else { path };
                let next = FieldError::new(field, e.into_inner().to_string());
                if errors.contains(&next) {
                    break;
                }
                errors.push(next);
            }
        }
    }
    errors
}

/// `x` from "missing field `x`".
fn missing_name(message: &str) -> Option<String> {
    let rest = message.strip_prefix("missing field `")?;
    Some(rest.split('`').next()?.to_string())
}

/// A path as serde_path_to_error writes it (`vehicles[2].capacity`), as
/// keys and indices.
enum Step {
    Key(String),
    Index(usize),
}

fn segments(path: &str) -> Vec<Step> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let mut pieces = part.split('[');
        if let Some(key) = pieces.next().filter(|k| !k.is_empty()) {
            out.push(Step::Key(key.to_string()));
        }
        for index in pieces {
            if let Ok(k) = index.trim_end_matches(']').parse() {
                out.push(Step::Index(k));
            }
        }
    }
    out
}

/// The object at `at` in `doc`.
fn place<'a>(doc: &'a mut Value, at: &[Step]) -> Option<&'a mut Value> {
    at.iter().try_fold(doc, |v, step| match step {
        Step::Key(k) => v.get_mut(k.as_str()),
        Step::Index(i) => v.get_mut(*i),
    })
}

/// The value field `name` has at the same place in the sample (first
/// element of each list).
fn like(sample: &Value, at: &[Step], name: &str) -> Option<Value> {
    let mut v = sample;
    for step in at {
        v = match step {
            Step::Key(k) => v.get(k.as_str())?,
            Step::Index(_) => v.get(0)?,
        };
    }
    v.get(name).cloned()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn every_missing_field_is_listed_once() {
        let mut p: serde_json::Value = serde_json::from_str(super::SAMPLE).expect("the sample");
        let top = p.as_object_mut().expect("object");
        top.remove("horizon");
        top.remove("vehicles");
        p["pickups"][3]
            .as_object_mut()
            .expect("pickup")
            .remove("location");
        p["depots"][0].as_object_mut().expect("depot").remove("id");
        let text = p.to_string();
        let errors = crate::input::read(&text).expect_err("missing fields");
        let said: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        for (field, name) in [
            ("", "horizon"),
            ("", "vehicles"),
            ("pickups[3]", "location"),
            ("depots[0]", "id"),
        ] {
            assert!(
                errors
                    .iter()
                    .any(|e| e.field == field && e.message.contains(&format!("`{name}`"))),
                "{name} at {field}: {said:?}"
            );
        }
        assert_eq!(errors.len(), 4, "{said:?}");
        // Another mistake after them is said too, then it stops.
        p["pickups"][0]["devices"] = json!("ten laptops");
        let errors = crate::input::read(&p.to_string()).expect_err("mistakes");
        assert!(
            errors.iter().any(|e| e.field == "pickups[0].devices"),
            "{errors:?}"
        );
    }
}
