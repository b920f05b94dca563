//! VRPLIB format for the CVRP (as used by the X set of Uchoa et al., 2017):
//! `KEY : value` specification lines, then `NODE_COORD_SECTION`,
//! `DEMAND_SECTION` and `DEPOT_SECTION`. Only `EUC_2D` distances are read.

use super::{numbers, Instance, ParseError, Rounding};

pub fn read_vrplib(text: &str) -> Result<Instance, ParseError> {
    let err = |line: usize, m: String| ParseError { line, message: m };
    let mut name = String::new();
    let mut dimension = 0usize;
    let mut capacity = 0i64;
    let mut coords: Vec<Option<(f64, f64)>> = Vec::new();
    let mut demand: Vec<i64> = Vec::new();
    let mut depot = None;
    let mut section = String::new();
    for (i, raw) in text.lines().enumerate() {
        let no = i + 1;
        let line = raw.trim();
        if line.is_empty() || line == "EOF" || line == "-1" {
            continue;
        }
        if let Some((key, value)) = line.split_once(':') {
            let value = value.trim();
            match key.trim() {
                "NAME" => name = value.to_string(),
                "DIMENSION" => {
                    dimension = value.parse().map_err(|_| err(no, "bad DIMENSION".into()))?;
                    coords = vec![None; dimension];
                    demand = vec![0; dimension];
                }
                "CAPACITY" => {
                    capacity = value.parse().map_err(|_| err(no, "bad CAPACITY".into()))?
                }
                "EDGE_WEIGHT_TYPE" if value != "EUC_2D" => {
                    return Err(err(
                        no,
                        format!("EDGE_WEIGHT_TYPE {value} is not supported"),
                    ))
                }
                _ => {}
            }
            continue;
        }
        if line.ends_with("_SECTION") {
            section = line.to_string();
            continue;
        }
        let nums = numbers(line, no)?;
        let node = |k: f64| -> Result<usize, ParseError> {
            let k = k as usize;
            if k == 0 || k > dimension {
                return Err(err(no, format!("node {k} outside 1..={dimension}")));
            }
            Ok(k - 1)
        };
        match section.as_str() {
            "NODE_COORD_SECTION" if nums.len() == 3 => {
                coords[node(nums[0])?] = Some((nums[1], nums[2]))
            }
            "DEMAND_SECTION" if nums.len() == 2 => demand[node(nums[0])?] = nums[1] as i64,
            "DEPOT_SECTION" if nums.len() == 1 => depot = Some(node(nums[0])?),
            _ => return Err(err(no, "unexpected line".into())),
        }
    }
    if dimension < 2 || capacity <= 0 {
        return Err(err(1, "DIMENSION and CAPACITY are required".into()));
    }
    if depot != Some(0) {
        return Err(err(
            1,
            "only instances whose depot is node 1 are supported".into(),
        ));
    }
    let coords = coords
        .into_iter()
        .enumerate()
        .map(|(k, c)| c.ok_or_else(|| err(1, format!("node {} has no coordinates", k + 1))))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Instance {
        name,
        service: vec![0.0; dimension],
        windows: None,
        capacity,
        fleet: None,
        // CVRPLIB solutions number customers from 1 = node 2.
        ids: (0..dimension).collect(),
        rounding: Rounding::Nearest,
        coords,
        demand,
    })
}
