//! `/api/openapi.json` and `/api/docs`: the document, and a readable reference page rendered
//! from it on the server (no JavaScript, nothing fetched from elsewhere).
use actix_web::{web, HttpResponse};
use askama::Template;
use serde_json::Value;

use crate::web::error::AppError;
use crate::web::render::{html, Chrome};
use crate::web::state::AppState;

pub async fn openapi_json(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(state.openapi_json.clone())
}

pub struct ParamView {
    pub name: String,
    pub location: String,
    pub required: bool,
    pub kind: String,
    pub description: String,
}

pub struct ResponseView {
    pub status: String,
    pub description: String,
    pub schema: String,
}

pub struct EndpointView {
    pub anchor: String,
    pub method: String,
    pub path: String,
    pub summary: String,
    pub description: String,
    pub params: Vec<ParamView>,
    pub body: Option<String>,
    pub responses: Vec<ResponseView>,
}

pub struct PropView {
    pub name: String,
    pub kind: String,
    pub required: bool,
    pub description: String,
}

pub struct SchemaView {
    pub name: String,
    pub description: String,
    pub props: Vec<PropView>,
}

#[derive(Template)]
#[template(path = "api/docs.html")]
pub struct DocsPage {
    pub ctx: Chrome,
    pub title: String,
    pub version: String,
    pub description: String,
    pub endpoints: Vec<EndpointView>,
    pub schemas: Vec<SchemaView>,
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or_default().to_string()
}

/// A short name for a schema: `Product`, `[Branch]`, `string (uuid)`, `Money | null`.
fn type_name(schema: &Value) -> String {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().unwrap_or(r).to_string();
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(list) = schema.get(key).and_then(Value::as_array) {
            return list.iter().map(type_name).collect::<Vec<_>>().join(" | ");
        }
    }
    let kind = match schema.get("type") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" | "),
        _ => String::new(),
    };
    if kind == "array" {
        return format!("[{}]", schema.get("items").map(type_name).unwrap_or_default());
    }
    match schema.get("format").and_then(Value::as_str) {
        Some(f) => format!("{kind} ({f})"),
        None if kind.is_empty() => "object".into(),
        None => kind,
    }
}

fn content_schema(v: &Value) -> String {
    v.get("content")
        .and_then(Value::as_object)
        .and_then(|c| c.values().next())
        .and_then(|m| m.get("schema"))
        .map(type_name)
        .unwrap_or_default()
}

pub fn docs_page(ctx: Chrome, doc: &Value) -> DocsPage {
    let mut endpoints = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in ["get", "post", "put", "patch", "delete"] {
                let Some(op) = item.get(method) else { continue };
                let params = op
                    .get("parameters")
                    .and_then(Value::as_array)
                    .map(|ps| {
                        ps.iter()
                            .map(|p| ParamView {
                                name: text(p, "name"),
                                location: text(p, "in"),
                                required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
                                kind: p.get("schema").map(type_name).unwrap_or_default(),
                                description: text(p, "description"),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let responses = op
                    .get("responses")
                    .and_then(Value::as_object)
                    .map(|rs| {
                        rs.iter()
                            .map(|(status, r)| ResponseView {
                                status: status.clone(),
                                description: text(r, "description"),
                                schema: content_schema(r),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                endpoints.push(EndpointView {
                    anchor: format!("{method}-{}", path.replace(['/', '{', '}'], "-")),
                    method: method.to_uppercase(),
                    path: path.clone(),
                    summary: text(op, "summary"),
                    description: text(op, "description"),
                    params,
                    body: op.get("requestBody").map(content_schema),
                    responses,
                });
            }
        }
    }
    let mut schemas = Vec::new();
    if let Some(map) = doc.pointer("/components/schemas").and_then(Value::as_object) {
        for (name, s) in map {
            let required: Vec<&str> = s
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let props = s
                .get("properties")
                .and_then(Value::as_object)
                .map(|ps| {
                    ps.iter()
                        .map(|(pname, p)| PropView {
                            name: pname.clone(),
                            kind: type_name(p),
                            required: required.contains(&pname.as_str()),
                            description: text(p, "description"),
                        })
                        .collect()
                })
                .unwrap_or_default();
            schemas.push(SchemaView { name: name.clone(), description: text(s, "description"), props });
        }
    }
    DocsPage {
        ctx,
        title: doc.pointer("/info/title").and_then(Value::as_str).unwrap_or("API").into(),
        version: doc.pointer("/info/version").and_then(Value::as_str).unwrap_or_default().into(),
        description: doc.pointer("/info/description").and_then(Value::as_str).unwrap_or_default().into(),
        endpoints,
        schemas,
    }
}

pub async fn show_docs(state: web::Data<AppState>, ctx: Chrome) -> Result<HttpResponse, AppError> {
    let doc: Value = serde_json::from_slice(&state.openapi_json).map_err(|e| AppError::Internal(e.to_string()))?;
    html(&docs_page(ctx, &doc))
}
