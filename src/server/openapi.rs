//! The OpenAPI 3.1 document of the API, built from one table of operations,
//! and a plain HTML page that presents it (no asset from the internet). The
//! problem and plan formats are described field by field in docs/format.md;
//! here they appear as objects with their top-level fields.

use actix_web::HttpResponse;
use serde_json::{json, Map, Value};

/// One operation of the API.
pub struct Operation {
    pub method: &'static str,
    pub path: &'static str,
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

const PREVIOUS: (&str, &str, &str) = (
    "previous",
    "string",
    "The earlier plan's id, for a problem with a `replan` section.",
);
const REUSE: (&str, &str, &str) = (
    "reuse_rate",
    "number",
    "Share of the collected devices refurbished and reused, 0 to 1 (default 1).",
);

const ERR: &str = "Error";

/// Every route the server registers (see `server::routes`).
pub const OPERATIONS: &[Operation] = &[
    Operation {
        method: "get",
        path: "/healthz",
        summary: "Liveness: answers while the server runs.",
        access: "none",
        body: None,
        query: &[],
        responses: &[(200, "Health")],
    },
    Operation {
        method: "get",
        path: "/api/v1/web-config",
        summary: "What the web pages need of the server's settings: the base-map tile URL (empty: no base map) and its attribution, and whether an API key is required.",
        access: "none",
        body: None,
        query: &[],
        responses: &[(200, "Object")],
    },
    Operation {
        method: "get",
        path: "/api/openapi.json",
        summary: "This document.",
        access: "none",
        body: None,
        query: &[],
        responses: &[(200, "Object")],
    },
    Operation {
        method: "get",
        path: "/api/docs",
        summary: "The API described as an HTML page.",
        access: "none",
        body: None,
        query: &[],
        responses: &[(200, "HTML")],
    },
    Operation {
        method: "post",
        path: "/api/v1/solve",
        summary: "Plan a small problem now and answer the plan (time limit at most the server's sync limit, 30 s by default). Not stored. With a `replan` section, `?previous=PLAN_ID` names the earlier plan.",
        access: "key",
        body: Some("Problem"),
        query: &[PREVIOUS],
        responses: &[(200, "Plan"), (400, ERR), (401, ERR), (408, ERR), (413, ERR), (415, ERR), (429, ERR), (503, ERR)],
    },
    Operation {
        method: "post",
        path: "/api/v1/allocate",
        summary: "Share out the problem's `stock` among its orders (max-min fill ratio, then total, then priority; docs/allocation.md). /solve and /jobs do it before routing.",
        access: "key",
        body: Some("Problem"),
        query: &[],
        responses: &[(200, "Allocation"), (400, ERR), (401, ERR), (408, ERR), (413, ERR), (415, ERR), (429, ERR), (503, ERR)],
    },
    Operation {
        method: "post",
        path: "/api/v1/jobs",
        summary: "Queue a planning job. Answers 202 with the job and its status URL in Location; the plan is stored when the job is done. With a `replan` section, `?previous=PLAN_ID` names the earlier plan.",
        access: "key",
        body: Some("Problem"),
        query: &[PREVIOUS],
        responses: &[(202, "Job"), (400, ERR), (401, ERR), (408, ERR), (413, ERR), (415, ERR), (429, ERR), (503, ERR)],
    },
    Operation {
        method: "post",
        path: "/api/v1/imports",
        summary: "Read a sheet of pickup requests or commune orders (CSV with `,` or `;`, UTF-8 or Windows-1252, or XLSX; French or English columns, docs/import.md) into requests, with every mistake by row and column in the caller's language. Nothing is stored.",
        access: "key",
        body: Some("Sheet"),
        query: &[
            ("week", "string", "The Monday of the week (YYYY-MM-DD): weekdays in windows fall in it."),
            ("orders", "boolean", "Rows without a `type` column are commune orders, not pickups."),
            ("lang", "string", "Language of the messages: `fr` (default) or `en`."),
            ("problem", "boolean", "Also answer the week's problem: the stored set-up's week with the sheet's requests (`problem`) and its mistakes (`problem_errors`)."),
        ],
        responses: &[(200, "Import"), (400, ERR), (401, ERR), (408, ERR), (413, ERR), (415, ERR), (429, ERR), (503, ERR)],
    },
    Operation {
        method: "get",
        path: "/api/v1/jobs/{id}",
        summary: "A job's state and progress (best cost so far, elapsed seconds, percentage of the time limit); `plan_id` once done.",
        access: "key",
        body: None,
        query: &[],
        responses: &[(200, "Job"), (401, ERR), (404, ERR)],
    },
    Operation {
        method: "delete",
        path: "/api/v1/jobs/{id}",
        summary: "Cancel a queued or running job (nothing is stored).",
        access: "key",
        body: None,
        query: &[],
        responses: &[(202, "Job"), (401, ERR), (404, ERR), (409, ERR)],
    },
    Operation {
        method: "get",
        path: "/api/v1/jobs/{id}/events",
        summary: "The job's state as server-sent events (`event: status`, data: a Job), at most ten a second, ending with the final state.",
        access: "key",
        body: None,
        query: &[],
        responses: &[(200, "SSE"), (401, ERR), (404, ERR)],
    },
    Operation {
        method: "get",
        path: "/api/v1/jobs/{id}/result",
        summary: "The plan of a finished job (409 while it is queued or running, or when it failed or was cancelled).",
        access: "key",
        body: None,
        query: &[],
        responses: &[(200, "Plan"), (401, ERR), (404, ERR), (409, ERR)],
    },
    Operation {
        method: "get",
        path: "/api/v1/plans",
        summary: "Stored plans, newest first (metadata only).",
        access: "key",
        body: None,
        query: &[],
        responses: &[(200, "PlanList"), (401, ERR)],
    },
    Operation {
        method: "post",
        path: "/api/v1/plans",
        summary: "Store a plan computed elsewhere (e.g. `tournee solve -o`) with its problem; it is checked first.",
        access: "key",
        body: Some("PlanUpload"),
        query: &[],
        responses: &[(201, "Created"), (400, ERR), (401, ERR), (408, ERR), (413, ERR), (415, ERR), (429, ERR), (503, ERR)],
    },
    Operation {
        method: "get",
        path: "/api/v1/plans/{id}",
        summary: "A stored plan: metadata, the plan, and each tour's share token and link.",
        access: "key",
        body: None,
        query: &[],
        responses: &[(200, "StoredPlan"), (401, ERR), (404, ERR)],
    },
    Operation {
        method: "delete",
        path: "/api/v1/plans/{id}",
        summary: "Delete a plan, its share tokens and its stop statuses.",
        access: "key",
        body: None,
        query: &[],
        responses: &[(204, ""), (401, ERR), (404, ERR)],
    },
        Operation {
        method: "get",
        path: "/api/v1/plans/{id}/plan",
        summary: "The plan document alone (tournee-plan/1), as a file: what `tournee report` and `tournee export` read.",
        access: "key",
        body: None,
        query: &[],
        responses: &[(200, "Plan"), (401, ERR), (404, ERR)],
    },
    Operation {
        method: "get",
        path: "/api/v1/plans/{id}/problem",
        summary: "The problem the plan answers.",
        access: "key",
        body: None,
        query: &[],
        responses: &[(200, "Problem"), (401, ERR), (404, ERR)],
    },
    Operation {
        method: "get",
        path: "/api/v1/plans/{id}/geojson",
        summary: "The plan as GeoJSON: a LineString per tour (road path or straight lines) and a Point per stop.",
        access: "key",
        body: None,
        query: &[],
        responses: &[(200, "GeoJSON"), (401, ERR), (404, ERR)],
    },
    Operation {
        method: "get",
        path: "/api/v1/plans/{id}/report",
        summary: "The plan's emissions: transport CO2e per tour, vehicle, day, week and month, avoided manufacture, baseline and saving (docs/emissions.md).",
        access: "key",
        body: None,
        query: &[REUSE],
        responses: &[(200, "Report"), (400, ERR), (401, ERR), (404, ERR)],
    },
    Operation {
        method: "get",
        path: "/api/v1/plans/{id}/stops.csv",
        summary: "One CSV row per stop: tour, vehicle, day, order, times, request, devices, km since the last stop, CO2e.",
        access: "key",
        body: None,
        query: &[],
        responses: &[(200, "CSV"), (401, ERR), (404, ERR)],
    },
    Operation {
        method: "get",
        path: "/api/v1/reports",
        summary: "Emissions over the stored plans' tours in a period, each day from the newest plan that has tours that day.",
        access: "key",
        body: None,
        query: &[
            ("from", "string", "First day, YYYY-MM-DD (inclusive)."),
            ("to", "string", "Last day, YYYY-MM-DD (inclusive)."),
            REUSE,
        ],
        responses: &[(200, "Report"), (400, ERR), (401, ERR)],
    },
    Operation {
        method: "get",
        path: "/api/v1/plans/{id}/tours/{index}",
        summary: "One tour (0 = first) as a driver sees it.",
        access: "key",
        body: None,
        query: &[],
        responses: &[(200, "TourView"), (401, ERR), (404, ERR)],
    },
    Operation {
        method: "get",
        path: "/api/v1/tours/{token}",
        summary: "A driver's tour, opened with its share token: stops, times, contacts, loads, statuses and geometry (encoded polyline and GeoJSON).",
        access: "token",
        body: None,
        query: &[],
        responses: &[(200, "TourView"), (404, ERR)],
    },
    Operation {
        method: "get",
        path: "/api/v1/tours/{token}/gpx",
        summary: "The driver's tour as GPX 1.1 (waypoints, route, track) for a navigation app.",
        access: "token",
        body: None,
        query: &[],
        responses: &[(200, "GPX"), (404, ERR)],
    },
    Operation {
        method: "put",
        path: "/api/v1/tours/{token}/stops/{stop}",
        summary: "Mark stop `stop` (1 = first) done or failed, with an optional note and time. Repeating the same report changes nothing.",
        access: "token",
        body: Some("StopUpdate"),
        query: &[],
        responses: &[(200, "StopStatus"), (400, ERR), (404, ERR), (408, ERR), (413, ERR), (415, ERR)],
    },
    Operation {
        method: "get",
        path: "/api/v1/setup",
        summary: "The organisation's set-up (tournee-setup/1): workshops with weekly hours, vans with their usual week and days off, device catalogue, travel model. 404 until one is saved.",
        access: "key",
        body: None,
        query: &[],
        responses: &[(200, "Setup"), (401, ERR), (404, ERR)],
    },
    Operation {
        method: "put",
        path: "/api/v1/setup",
        summary: "Save the set-up, once every field is right (400 with the field paths otherwise).",
        access: "key",
        body: Some("Setup"),
        query: &[],
        responses: &[(200, "Setup"), (400, ERR), (401, ERR), (408, ERR), (413, ERR), (415, ERR)],
    },
    Operation {
        method: "get",
        path: "/api/v1/setup/presets",
        summary: "What a new organisation starts from: van presets (payload, volume, energy, with sources) and the default device catalogue (masses, volumes, French and English names).",
        access: "key",
        body: None,
        query: &[],
        responses: &[(200, "Object"), (401, ERR)],
    },
    Operation {
        method: "get",
        path: "/api/v1/setup/week",
        summary: "The problem of one week from the stored set-up, without requests: horizon Monday to Monday, workshops' hours and vans' shifts on their days.",
        access: "key",
        body: None,
        query: &[("week", "string", "A day of the week (YYYY-MM-DD); its Monday starts it.")],
        responses: &[(200, "Problem"), (400, ERR), (401, ERR), (404, ERR)],
    },
    Operation {
        method: "post",
        path: "/api/v1/plans/{id}/share",
        summary: "New share links for every tour of the plan, valid for the server's token lifetime (60 days by default); the old links stop working.",
        access: "key",
        body: None,
        query: &[],
        responses: &[(200, "Share"), (401, ERR), (404, ERR)],
    },
    Operation {
        method: "delete",
        path: "/api/v1/plans/{id}/share",
        summary: "Revoke every share link of the plan (drivers' pages then answer 404).",
        access: "key",
        body: None,
        query: &[],
        responses: &[(204, ""), (401, ERR), (404, ERR)],
    },
];

fn object(required: &[&str], props: Value) -> Value {
    json!({ "type": "object", "required": required, "properties": props })
}

fn schemas() -> Value {
    let num = json!({ "type": "number" });
    let text = json!({ "type": "string" });
    json!({
        "Error": object(&["error", "message"], json!({
            "error": { "type": "string", "description": "Machine-readable code: invalid_input, unauthorized, forbidden, not_found, method_not_allowed, body_timeout, conflict, body_too_large, unsupported_media_type, quota, busy, internal (docs/api.md)." },
            "message": text,
            "field": { "type": "string", "description": "Path of the offending field, e.g. pickups[3].time_windows[0]." },
            "errors": { "type": "array", "items": object(&["field", "message"], json!({ "field": text, "message": text })) }
        })),
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
        "Progress": object(&["elapsed_s", "percent", "iterations"], json!({
            "best_cost": { "type": ["number", "null"] }, "unassigned": { "type": ["integer", "null"] },
            "elapsed_s": num, "percent": num, "iterations": { "type": "integer" }
        })),
        "Job": object(&["id", "state", "created_at", "progress"], json!({
            "id": text,
            "state": { "enum": ["queued", "running", "done", "failed", "cancelled"] },
            "created_at": text,
            "progress": { "$ref": "#/components/schemas/Progress" },
            "plan_id": text,
            "error": text
        })),
        "PlanMeta": object(&["id", "name", "created_at", "created_by", "travel_model"], json!({
            "id": text, "name": text, "created_at": text, "created_by": text, "travel_model": text
        })),
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
                "fill": num
            })) },
            "min_fill": num,
            "allocated": { "type": "integer" },
            "asked": { "type": "integer" },
            "stock_left": { "type": "object", "additionalProperties": { "type": "integer" } }
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
                "transport": { "$ref": "#/components/schemas/Figure" },
                "baseline": { "$ref": "#/components/schemas/Figure" },
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
                "routing": { "type": "object" }
            }
        },
        "Import": object(&["summary", "rows", "pickups", "orders", "errors"], json!({
            "summary": text,
            "rows": { "type": "integer" },
            "pickups": { "type": "array", "items": { "type": "object" } },
            "orders": { "type": "array", "items": { "type": "object" } },
            "errors": { "type": "array", "items": object(&["row", "column", "message"], json!({
                "row": { "type": "integer" }, "column": text, "message": text
            })) }
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
        "StopUpdate": {
            "type": "object",
            "required": ["status"],
            "additionalProperties": false,
            "properties": {
                "status": { "enum": ["done", "failed"] },
                "note": { "type": "string", "maxLength": 2000 },
                "at": {
                    "type": ["string", "null"], "maxLength": 40,
                    "description": "When it happened: RFC 3339 (2026-11-30T09:12:00+01:00) or a local date-time (2026-11-30T09:12); empty or absent: the server's time."
                }
            }
        },
        "StopStatus": object(&["stop", "status", "note", "at", "recorded_at"], json!({
            "stop": { "type": "integer" }, "status": { "enum": ["done", "failed"] },
            "note": text, "at": text, "recorded_at": text
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

/// The OpenAPI 3.1 document.
pub fn build() -> Value {
    let mut paths = Map::new();
    for op in OPERATIONS {
        let params: Vec<Value> = op
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
            .map(|name| {
                let schema = if matches!(name, "index" | "stop") {
                    json!({ "type": "integer", "minimum": 0 })
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
            "key" => operation["security"] = json!([{ "apiKey": [] }]),
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
            "schemas": schemas(),
            "securitySchemes": {
                "apiKey": { "type": "http", "scheme": "bearer", "description": "An API key configured by the operator (TOURNEE_API_KEYS). Without any, the server runs in local single-user mode." }
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

/// The document as this server runs: without API keys (local mode) no
/// operation asks for one.
pub async fn document(state: actix_web::web::Data<super::AppState>) -> HttpResponse {
    let mut doc = build();
    if state.config.api_keys.is_empty() {
        if let Some(paths) = doc["paths"].as_object_mut() {
            for op in paths.values_mut().filter_map(Value::as_object_mut) {
                for o in op.values_mut() {
                    o["security"] = json!([]);
                }
            }
        }
    }
    HttpResponse::Ok().json(doc)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A readable page of every operation, from the same table.
pub async fn page() -> HttpResponse {
    let mut rows = String::new();
    for op in OPERATIONS {
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
    let html = format!(
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
    );
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html)
}
