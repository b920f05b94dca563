//! The OpenAPI 3.1 document of the API, built from the table the server
//! registers its routes from (`routes::OPERATIONS`), and a plain HTML page
//! that presents it (no asset from the internet). The bodies the handlers
//! read and answer as Rust types (jobs, errors, stop reports, statuses)
//! have their schemas derived from those types with `utoipa`; the problem
//! and plan formats, described field by field in docs/format.md, appear
//! here with their top-level fields.

use serde_json::{json, Map, Value};
use utoipa::ToSchema;

/// One operation of the API.
pub struct Operation {
    pub method: &'static str,
    pub path: &'static str,
    /// Builds the route that serves it (the method is set from `method`).
    pub handler: fn() -> actix_web::Route,
    pub summary: &'static str,
    /// Who may call: `key` (API key), `token` (tour share token in the path)
    /// or `none`.
    pub access: &'static str,
    /// Schema of the request body, if any.
    pub body: Option<&'static str>,
    /// Query parameters: name, JSON type, description.
    pub query: &'static [(&'static str, &'static str, &'static str)],
    /// Status codes with the schema of their body (`""`: no body; `GeoJSON`,
    /// `CSV`, `GPX`, `SSE`, `HTML`: a document of that media type).
    pub responses: &'static [(u16, &'static str)],
}

fn object(required: &[&str], props: Value) -> Value {
    json!({ "type": "object", "required": required, "properties": props })
}

fn schemas() -> Value {
    let num = json!({ "type": "number" });
    let text = json!({ "type": "string" });
    // (Parts of the Report schema, built apart: one `json!` has a nesting limit.)
    let done = object(
        &[
            "stops",
            "stops_reported",
            "stops_failed",
            "devices_collected_planned",
            "devices_collected",
            "devices_delivered_planned",
            "devices_delivered",
            "km_planned",
            "km",
            "co2e_kg_planned",
            "co2e_kg",
        ],
        json!({
            "stops": { "type": "integer" }, "stops_reported": { "type": "integer" }, "stops_failed": { "type": "integer" },
            "devices_collected_planned": { "type": "integer" },
            "devices_collected": { "type": "integer", "description": "As the drivers reported them (a failed stop collects nothing), as planned where nothing was reported; the avoided manufacture counts these." },
            "devices_delivered_planned": { "type": "integer" }, "devices_delivered": { "type": "integer" },
            "km_planned": num, "co2e_kg_planned": num,
            "km": { "type": "number", "description": "Kilometres driven, estimated from the order the drivers' reports give (docs/emissions.md); as planned where nothing was reported." },
            "co2e_kg": num
        }),
    );
    let territories = |what: &str| json!({ "type": "object", "description": what, "additionalProperties": { "$ref": "#/components/schemas/Territory" } });
    json!({
        "Health": object(&["status"], json!({ "status": text })),
        "Object": { "type": "object" },
        "Problem": {
            "type": "object",
            "description": "A planning problem, format tournee/1 (docs/format.md).",
            "required": ["format", "horizon", "devices", "depots", "vehicles"],
            "additionalProperties": false,
            "properties": {
                "format": { "const": "tournee/1" }, "name": { "type": "string", "maxLength": 2000 },
                "horizon": object(&["start", "end"], json!({ "start": text, "end": text })),
                "routing": { "type": "object" }, "solver": { "type": "object" },
                "devices": { "type": "object" },
                "depots": { "type": "array", "minItems": 1, "items": { "type": "object" } },
                "vehicles": { "type": "array", "minItems": 1, "items": { "type": "object" } },
                "pickups": { "type": "array", "items": { "type": "object" } },
                "orders": { "type": "array", "items": { "type": "object" } },
                "partners": { "type": "array", "maxItems": 100, "items": { "type": "object" } },
                "stock": { "type": "object", "additionalProperties": { "type": "integer", "minimum": 0, "maximum": 100000 } },
                "replan": { "type": "object" }
            }
        },
        "Plan": {
            "type": "object",
            "description": "A plan, format tournee-plan/1 (docs/format.md): tours, stops, requests left out with reasons, totals.",
            "required": ["format", "tours", "unassigned", "totals"],
            "properties": {
                "format": { "const": "tournee-plan/1" }, "name": text, "travel_model": text,
                "seed": num, "iterations": num, "totals": { "type": "object" },
                "tours": { "type": "array" }, "unassigned": { "type": "array" }
            }
        },
        "PlanList": object(&["plans"], json!({
            "plans": { "type": "array", "items": { "$ref": "#/components/schemas/PlanMeta" } }
        })),
        "PlanUpload": object(&["problem", "plan"], json!({
            "problem": { "$ref": "#/components/schemas/Problem" },
            "plan": { "$ref": "#/components/schemas/Plan" }
        })),
        "Created": object(&["id"], json!({ "id": text })),
        "Allocation": object(&["orders", "min_fill", "allocated", "asked", "stock_left"], json!({
            "orders": { "type": "array", "items": object(&["order", "asked", "allocated", "fill"], json!({
                "order": text, "name": text,
                "asked": { "type": "object", "additionalProperties": { "type": "integer" } },
                "allocated": { "type": "object", "additionalProperties": { "type": "integer" } },
                "fill": num,
                "from": { "type": "object", "description": "in a network: workshop → device type → count",
                          "additionalProperties": { "type": "object", "additionalProperties": { "type": "integer" } } }
            })) },
            "min_fill": num,
            "allocated": { "type": "integer" },
            "asked": { "type": "integer" },
            "stock_left": { "type": "object", "additionalProperties": { "type": "integer" } }
        })),
        "Territory": object(&["name", "stops", "devices_collected", "devices_delivered", "km", "co2e_kg"], json!({
            "name": text, "stops": { "type": "integer" },
            "devices_collected": { "type": "integer" }, "devices_delivered": { "type": "integer" },
            "km": num, "co2e_kg": num
        })),
        "Figure": object(&["km", "co2e_kg"], json!({ "km": num, "co2e_kg": num })),
        "Report": {
            "type": "object",
            "description": "Emissions report (docs/emissions.md).",
            "required": ["plans", "tours", "transport", "baseline", "saving", "avoided", "net_avoided_kg"],
            "properties": {
                "plans": { "type": "array", "items": text },
                "tours": { "type": "array", "items": { "type": "object" } },
                "by_vehicle": { "type": "object", "additionalProperties": { "$ref": "#/components/schemas/Figure" } },
                "by_day": { "type": "object", "additionalProperties": { "$ref": "#/components/schemas/Figure" } },
                "by_week": { "type": "object", "additionalProperties": { "$ref": "#/components/schemas/Figure" } },
                "by_month": { "type": "object", "additionalProperties": { "$ref": "#/components/schemas/Figure" } },
                "by_commune": territories("By commune (INSEE code; `hors-territoire` outside the communes' table)."),
                "by_group": territories("By group of communes (the EPCI)."),
                "by_donor": territories("By pickup request."),
                "by_month_done": territories("Devices and km by month (YYYY-MM)."),
                "by_organisation": territories("By organisation (a period report; with a network key, every organisation of the server)."),
                "transport": { "$ref": "#/components/schemas/Figure" },
                "baseline": { "$ref": "#/components/schemas/Figure" },
                "baseline_energy": { "type": "string", "description": "The reference vehicle's energy the baseline is priced with." },
                "done": done,
                "baseline_kgco2e_per_km": { "type": "number" },
                "saving": { "$ref": "#/components/schemas/Figure" },
                "saving_pct": num,
                "avoided": { "type": "object" },
                "net_avoided_kg": num,
                "method": text
            }
        },
        "Setup": {
            "type": "object",
            "description": "An organisation's set-up, format tournee-setup/1 (docs/setup.md).",
            "required": ["format", "workshops", "vans"],
            "additionalProperties": false,
            "properties": {
                "format": { "const": "tournee-setup/1" }, "name": text,
                "devices": { "type": "object" },
                "workshops": { "type": "array", "items": object(&["depot"], json!({
                    "depot": { "type": "object" }, "hours": { "type": "array" }
                })) },
                "vans": { "type": "array", "items": object(&["vehicle", "week"], json!({
                    "vehicle": { "type": "object" }, "week": { "type": "array" },
                    "days_off": { "type": "array", "items": { "type": "string", "format": "date" } }
                })) },
                "routing": { "type": "object" },
                "public_holidays": { "enum": ["fr", "fr_alsace_moselle", "none"], "description": "Public holidays without shifts: the eleven French national days (default), with Good Friday and 26 December in Alsace-Moselle, or none." }
            }
        },
        "Import": object(&["summary", "rows", "pickups", "orders", "errors"], json!({
            "summary": text,
            "rows": { "type": "integer" },
            "pickups": { "type": "array", "items": { "type": "object" } },
            "orders": { "type": "array", "items": { "type": "object" } },
            "errors": { "type": "array", "items": object(&["row", "column", "message"], json!({
                "row": { "type": "integer" }, "column": text, "message": text,
                "candidates": { "type": "array", "items": { "$ref": "#/components/schemas/Candidate" } },
                "unplaced": object(&["kind", "request"], json!({
                    "kind": { "enum": ["pickup", "order"] },
                    "request": { "type": "object", "description": "The row's request, right but for its `location`: set it and add the request to `pickups` or `orders`." }
                }))
            })) }
        })),
        "Candidate": object(&["label", "location", "score"], json!({
            "label": text,
            "location": { "type": "array", "items": { "type": "number" }, "minItems": 2, "maxItems": 2, "description": "Longitude, latitude (WGS 84)." },
            "score": { "type": "number", "description": "addok: how well it matches, 0 to 1; Nominatim: the place's importance." },
            "citycode": { "type": "string", "description": "The commune's INSEE code, when the geocoder gives it." },
            "kind": { "type": "string" }
        })),
        "Geocode": object(&["outcome", "candidates"], json!({
            "outcome": { "enum": ["found", "ambiguous", "not_found"] },
            "candidates": { "type": "array", "items": { "$ref": "#/components/schemas/Candidate" } }
        })),
        "Share": object(&["share"], json!({
            "share": { "type": "array", "items": object(&["tour", "token", "url"], json!({
                "tour": text, "token": text, "url": text
            })) }
        })),
        "StoredPlan": object(&["meta", "plan", "share"], json!({
            "meta": { "$ref": "#/components/schemas/PlanMeta" },
            "plan": { "$ref": "#/components/schemas/Plan" },
            "share": { "type": "array", "items": object(&["tour", "token", "url"], json!({
                "tour": text, "token": text, "url": text
            })) }
        })),
        "PlanStatuses": object(&["statuses"], json!({
            "statuses": { "type": "array", "items": object(&["tour", "request", "stop", "status"], json!({
                "tour": { "type": "integer", "description": "The tour's index in the plan." },
                "request": text,
                "stop": { "type": "integer" }, "status": { "$ref": "#/components/schemas/Outcome" }
            })) }
        })),
        "TourView": object(&["plan", "tour", "windows", "statuses", "geometry"], json!({
            "plan": object(&["id", "name"], json!({ "id": text, "name": text })),
            "depot_name": { "type": "string", "description": "The start workshop's name (its id when it has none)." },
            "end_depot_name": { "type": "string", "description": "The end workshop's name." },
            "tour": { "type": "object", "description": "One tour of the plan (docs/format.md)." },
            "windows": {
                "type": "array",
                "description": "Per stop, the request's opening hours that day; empty when open all day and for reloads.",
                "items": { "type": "array", "items": object(&["start", "end"], json!({ "start": text, "end": text })) }
            },
            "statuses": { "type": "array", "items": { "$ref": "#/components/schemas/StopStatus" } },
            "geometry": object(&["source", "polyline", "geojson"], json!({
                "source": { "enum": ["road", "straight_lines"] },
                "polyline": { "type": "string", "description": "Encoded polyline, precision 5, depot to depot." },
                "geojson": { "type": "object", "description": "GeoJSON LineString." }
            }))
        }))
    })
}

/// Adds `T`'s schema, and the schemas it refers to, under their names.
fn derive<T: ToSchema>(schemas: &mut Map<String, Value>) {
    let mut all = vec![(T::name().into_owned(), T::schema())];
    T::schemas(&mut all);
    for (name, schema) in all {
        if let Ok(schema) = serde_json::to_value(schema) {
            schemas.insert(name, schema);
        }
    }
}

/// The components: the bodies the handlers read and answer as Rust types
/// have their schemas derived from those types (so they cannot drift);
/// the documents described in docs/format.md and the reports are written
/// out here.
fn components() -> Value {
    let mut all = match schemas() {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    derive::<crate::server::error::ApiError>(&mut all);
    derive::<super::jobs::JobView>(&mut all);
    derive::<super::store::PlanMeta>(&mut all);
    derive::<super::routes::tours::StopUpdate>(&mut all);
    derive::<super::store::StopStatus>(&mut all);
    Value::Object(all)
}

/// The OpenAPI 3.1 document of these operations.
pub fn build(operations: &[Operation]) -> Value {
    let mut paths = Map::new();
    for op in operations {
        let params: Vec<Value> = op
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
            .map(|name| {
                let schema = if matches!(name, "index" | "stop") {
                    json!({ "type": "integer", "minimum": 0 })
                } else if name == "kind" {
                    json!({ "enum": ["photo", "signature"] })
                } else {
                    json!({ "type": "string" })
                };
                json!({ "name": name, "in": "path", "required": true, "schema": schema })
            })
            .chain(op.query.iter().map(|(name, kind, what)| {
                let schema = match *name {
                    "reuse_rate" => json!({ "type": "number", "minimum": 0, "maximum": 1 }),
                    "from" | "to" | "week" => json!({ "type": "string", "format": "date" }),
                    "lang" => json!({ "enum": ["fr", "en"] }),
                    _ => json!({ "type": kind }),
                };
                json!({ "name": name, "in": "query", "required": false,
                        "description": what, "schema": schema })
            }))
            .collect();
        let mut responses = Map::new();
        for (code, schema) in op.responses {
            let mut r = json!({ "description": describe(*code) });
            let document = |media: &str| json!({ media: { "schema": { "type": "string" } } });
            match *schema {
                "" => {}
                "GeoJSON" => {
                    r["content"] =
                        json!({ "application/geo+json": { "schema": { "type": "object" } } })
                }
                "CSV" => r["content"] = document("text/csv"),
                "GPX" => r["content"] = document("application/gpx+xml"),
                "SSE" => r["content"] = document("text/event-stream"),
                "HTML" => r["content"] = document("text/html"),
                "Image" => {
                    let image = json!({ "schema": { "type": "string", "format": "binary" } });
                    r["content"] =
                        json!({ "image/jpeg": image, "image/png": image, "image/webp": image })
                }
                _ => {
                    r["content"] = json!({ "application/json": {
                        "schema": { "$ref": format!("#/components/schemas/{schema}") }
                    }})
                }
            }
            if matches!(code, 429 | 503) {
                r["headers"] = json!({ "Retry-After": {
                    "description": "Seconds to wait before trying again.",
                    "schema": { "type": "integer" }
                }});
            }
            responses.insert(code.to_string(), r);
        }
        // Whatever else a route may answer (403 for a foreign origin, 405,
        // 500) has the same error body.
        responses.insert(
            "default".into(),
            json!({ "description": "An error; the body says which and why",
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }),
        );
        let mut operation = json!({
            "summary": op.summary,
            "operationId": format!("{}{}", op.method, op.path.replace(['/', '{', '}', '.'], "_")),
            "parameters": params,
            "responses": responses,
        });
        match op.access {
            "key" => {
                operation["security"] = json!([{ "apiKey": [] }]);
                operation["responses"]["403"] = json!({
                    "description": describe(403),
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
                });
            }
            _ => operation["security"] = json!([]),
        }
        match op.body {
            Some("Sheet") => {
                operation["requestBody"] = json!({
                    "required": true,
                    "content": {
                        "text/csv": { "schema": { "type": "string" } },
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                            "schema": { "type": "string", "format": "binary" }
                        }
                    }
                })
            }
            Some("Image") => {
                let image = json!({ "schema": { "type": "string", "format": "binary" } });
                operation["requestBody"] = json!({
                    "required": true,
                    "content": { "image/jpeg": image, "image/png": image, "image/webp": image }
                })
            }
            Some(body) => {
                operation["requestBody"] = json!({
                    "required": true,
                    "content": { "application/json": {
                        "schema": { "$ref": format!("#/components/schemas/{body}") }
                    }}
                })
            }
            None => {}
        }
        let entry = paths
            .entry(op.path.to_string())
            .or_insert_with(|| json!({}));
        entry[op.method] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Tournée API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Route planning for computer-reuse networks: planning jobs, stored plans, drivers' tours. Problem and plan formats: docs/format.md."
        },
        "paths": paths,
        "components": {
            "schemas": components(),
            "securitySchemes": {
                "apiKey": { "type": "http", "scheme": "bearer", "description": "An API key configured by the operator: a keys file (`--keys`, one organisation and role per key) or TOURNEE_API_KEYS. Another organisation's objects answer 404. Without any key, the server runs in local single-user mode." }
            }
        }
    })
}

fn describe(code: u16) -> &'static str {
    match code {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No content",
        400 => "Invalid input: the body names the field and the reason",
        401 => "Missing or wrong API key",
        403 => "This key's role may not do this: a manager's key only reads its organisation's plans and reports, a network key only reads GET /api/v1/reports",
        404 => "Not found",
        409 => "Conflict with the current state",
        408 => "The body did not arrive within the server's body deadline",
        413 => "Body too large",
        415 => "The body is not declared as application/json",
        429 => "This key has its most solves queued or running; retry after the Retry-After header's seconds",
        503 => "Queue full; retry after the Retry-After header's seconds",
        _ => "See the message",
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A readable HTML page of these operations.
pub fn page(operations: &[Operation]) -> String {
    let mut rows = String::new();
    for op in operations {
        let body = op.body.unwrap_or("—");
        let codes: Vec<String> = op.responses.iter().map(|(c, _)| c.to_string()).collect();
        rows.push_str(&format!(
            "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            op.method.to_uppercase(),
            escape(op.path),
            escape(op.summary),
            op.access,
            body,
            codes.join(", ")
        ));
    }
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tournée API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem;color:#111}}
table{{border-collapse:collapse}}td,th{{border:1px solid #999;padding:.4rem;vertical-align:top;text-align:left}}
code{{background:#eee;padding:0 .2rem}}</style></head>
<body><h1>Tournée API {version}</h1>
<p>Coordinators and managers call with <code>Authorization: Bearer KEY</code> (access “key”);
drivers open their tour with its share token (access “token”). Errors are JSON:
<code>{{"error": code, "message": …, "field": "pickups[3].time_windows[0]"}}</code>.
The machine-readable description is at <a href="/api/openapi.json">/api/openapi.json</a>;
the problem and plan formats are in <code>docs/format.md</code>.</p>
<table><thead><tr><th>Method</th><th>Path</th><th>What it does</th><th>Access</th><th>Body</th><th>Answers</th></tr></thead>
<tbody>
{rows}</tbody></table></body></html>"#,
        version = env!("CARGO_PKG_VERSION"),
    )
}
