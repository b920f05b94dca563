//! Solomon and Gehring-Homberger VRPTW text format: a name line, a `VEHICLE`
//! block (number, capacity) and a `CUSTOMER` table (number, x, y, demand,
//! ready time, due date, service time), the depot first.

use super::{numbers, Instance, ParseError, Rounding};

pub fn read_solomon(text: &str) -> Result<Instance, ParseError> {
    let err = |line: usize, m: &str| ParseError {
        line,
        message: m.to_string(),
    };
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim()));
    let name = lines
        .by_ref()
        .find(|(_, l)| !l.is_empty())
        .map(|(_, l)| l.to_string())
        .ok_or_else(|| err(1, "empty file"))?;
    let mut fleet = None;
    let mut rows: Vec<Vec<f64>> = Vec::new();
    let mut section = "";
    for (no, line) in lines {
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("VEHICLE") {
            section = "vehicle";
        } else if upper.starts_with("CUSTOMER") {
            section = "customer";
        } else if line.is_empty() || upper.starts_with("NUMBER") || upper.starts_with("CUST") {
            continue;
        } else {
            let nums = numbers(line, no)?;
            match section {
                "vehicle" if nums.len() == 2 => fleet = Some((no, nums[0], nums[1])),
                "customer" if nums.len() == 7 => rows.push(nums),
                _ => return Err(err(no, "unexpected line")),
            }
        }
    }
    let (vno, number, capacity) = fleet.ok_or_else(|| err(1, "no VEHICLE block"))?;
    if number < 1.0 || capacity < 1.0 {
        return Err(err(vno, "vehicle number and capacity must be positive"));
    }
    if rows.len() < 2 {
        return Err(err(
            1,
            "the CUSTOMER table needs a depot and at least one customer",
        ));
    }
    Ok(Instance {
        name,
        coords: rows.iter().map(|r| (r[1], r[2])).collect(),
        demand: rows.iter().map(|r| r[3] as i64).collect(),
        windows: Some(rows.iter().map(|r| (r[4], r[5])).collect()),
        service: rows.iter().map(|r| r[6]).collect(),
        capacity: capacity as i64,
        fleet: Some(number as usize),
        ids: rows.iter().map(|r| r[0] as usize).collect(),
        rounding: Rounding::Exact,
    })
}
