//! The OpenAPI document: built from the registered routes, then completed with the problem
//! responses every operation can return, so the contract lists every error.

use actix_web::App;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{ContentBuilder, OpenApi as OpenApiDoc, Ref};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::error::PROBLEM_CONTENT_TYPE;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "hoithao",
        description = "Registration and attendance for workshops and conferences: conferences and their agenda, \
                       units with seat quotas, delegates, QR check-in.\n\nErrors are RFC 9457 problem details \
                       (`application/problem+json`) with a stable `code`.",
        license(name = "Apache-2.0"),
    ),
    components(schemas(
        crate::error::Problem,
        crate::error::FieldError,
        crate::domain::common::Lang,
        crate::domain::reports::csv::Delimiter,
        crate::domain::notifications::webhooks::WebhookPayload,
    )),
    modifiers(&BearerScheme),
    tags(
        (name = "auth", description = "Login and the current account"),
        (name = "accounts", description = "Account administration (admins)"),
        (name = "conferences", description = "Conferences and their organizers"),
        (name = "sessions", description = "A conference's agenda"),
        (name = "units", description = "The directory of units: agencies, districts, communes, enterprises"),
        (name = "registrations", description = "Delegates' registrations: organizer management and online self-registration"),
        (name = "invitations", description = "Unit invitations with seat quotas (organizers)"),
        (name = "invitation link", description = "What a unit's contact does with the invitation token (`X-Invitation-Token`)"),
        (name = "delegate", description = "What a delegate does with their link token (`X-Delegate-Token`)"),
        (name = "check-in", description = "Devices, scans at the door and per session, undo and history"),
        (name = "operations", description = "Health and readiness probes"),
        (name = "reports", description = "Exports (CSV, XLSX), the attendance and coverage report, its charts (SVG) and the post-event package (organizers)"),
        (name = "privacy", description = "Privacy notices and consent, a person's data export, erasure and retention"),
        (name = "audit", description = "The audit log: who wrote what, when and from where (field names, never values)"),
        (name = "printouts", description = "Printed documents: sign-in sheets, name badges, certificates of attendance and their public verification"),
        (name = "notifications", description = "The notification outbox: queue state, messages, retrying dead letters"),
    )
)]
struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "delegate_token",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Delegate-Token",
                "The delegate's link token, returned once when registering",
            ))),
        );
        components.add_security_scheme(
            "device_token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).description(Some("A check-in device's token (`hdv_…`), returned once when the device is registered")).build()),
        );
        components.add_security_scheme(
            "invitation_token",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Invitation-Token",
                "A unit's invitation link token, returned once when the unit is invited",
            ))),
        );
    }
}

/// The complete spec, as served at `/openapi.json` and printed by `hoithao openapi`.
pub fn spec() -> OpenApiDoc {
    let (_, mut api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::http::routes)
        .split_for_parts();
    api.info.version = env!("CARGO_PKG_VERSION").to_owned();
    complete_operations(&mut api);
    link_created_resources(&mut api);
    api
}

/// Adds OpenAPI links from each `201 Created` to the operations on the created resource, so
/// clients and fuzzers can follow `id` from a create to its reads, edits and actions.
/// Operations on a created resource that only answer once something else has happened (a
/// certificate needs attendance first), so no link leads to them from the creation.
const NOT_LINKED: &[&str] = &["registration_certificate_pdf"];

fn link_created_resources(api: &mut OpenApiDoc) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::link::LinkBuilder;

    let mut targets: Vec<(String, String)> = Vec::new();
    for (path, item) in api.paths.paths.iter_mut() {
        for op in operations(item) {
            if let Some(id) = &op.operation_id
                && !NOT_LINKED.contains(&id.as_str())
            {
                targets.push((path.clone(), id.clone()));
            }
        }
    }
    for (path, item) in api.paths.paths.iter_mut() {
        let Some(create) = item.post.as_mut() else {
            continue;
        };
        let Some(RefOr::T(created)) = create.responses.responses.get_mut("201") else {
            continue;
        };
        let prefix = format!("{path}/{{");
        for (target_path, operation_id) in &targets {
            let Some(rest) = target_path.strip_prefix(&prefix) else {
                continue;
            };
            let Some((new_param, _)) = rest.split_once('}') else {
                continue;
            };
            let inherited: Vec<&str> = path_params(path);
            if path_params(target_path)
                .iter()
                .any(|p| *p != new_param && !inherited.contains(p))
            {
                continue;
            }
            let mut link = LinkBuilder::new()
                .operation_id(operation_id.clone())
                .parameter(new_param, "$response.body#/id");
            for param in inherited {
                link = link.parameter(param, format!("$request.path.{param}"));
            }
            created
                .links
                .insert(operation_id.clone(), link.build().into());
        }
    }
}

/// The spec as JSON, exactly as served and committed. utoipa 5 writes Link fields in
/// snake_case; OpenAPI requires camelCase (`operationId`), so links are corrected here; and a
/// link's `$response.body#/id` is pointed at where the created resource's id really is in
/// that response (`/device/id` when the body wraps the resource beside its token).
pub fn spec_json() -> serde_json::Value {
    let mut json = serde_json::to_value(spec()).unwrap_or_default();
    describe_conditional_headers(&mut json);
    crate::http::webhooks::document(&mut json);
    let schemas = json
        .pointer("/components/schemas")
        .cloned()
        .unwrap_or_default();
    if let Some(paths) = json.get_mut("paths").and_then(|p| p.as_object_mut()) {
        for item in paths.values_mut().filter_map(|i| i.as_object_mut()) {
            for op in item.values_mut() {
                let Some(responses) = op.get_mut("responses").and_then(|r| r.as_object_mut())
                else {
                    continue;
                };
                for response in responses.values_mut() {
                    let id_pointer = response
                        .pointer("/content/application~1json/schema")
                        .and_then(|schema| id_pointer(schema, &schemas, 0));
                    let Some(links) = response.get_mut("links").and_then(|l| l.as_object_mut())
                    else {
                        continue;
                    };
                    for link in links.values_mut().filter_map(|l| l.as_object_mut()) {
                        if let (Some(pointer), Some(params)) = (
                            &id_pointer,
                            link.get_mut("parameters").and_then(|p| p.as_object_mut()),
                        ) {
                            for value in params.values_mut() {
                                if value == CREATED_ID {
                                    *value = format!("$response.body#{pointer}").into();
                                }
                            }
                        }
                        for (from, to) in [
                            ("operation_id", "operationId"),
                            ("operation_ref", "operationRef"),
                            ("request_body", "requestBody"),
                        ] {
                            if let Some(value) = link.remove(from) {
                                link.insert(to.to_owned(), value);
                            }
                        }
                    }
                }
            }
        }
    }
    json
}

/// What the code enforces of the request headers, stated where generated clients read it:
/// handlers declare them as optional strings, and their form is one rule each, set here.
fn describe_conditional_headers(json: &mut serde_json::Value) {
    use serde_json::json;
    let forms = [
        (
            "Idempotency-Key",
            json!({"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[!-~]{1,200}$"}),
            " 1-200 visible ASCII characters (a UUID makes a good key), remembered for 24 hours; \
             any other value is a 422 naming the header (`invalid_format`).",
        ),
        (
            "If-Match",
            json!({"type": "string", "maxLength": 64, "pattern": "^(\\*|(W/)?\"[0-9]+\")$"}),
            " Send the `ETag` exactly as read (`\"3\"`), or `*` for any version. A value that is \
             not one of this resource's ETags never matches: 412 `etag_mismatch`.",
        ),
        (
            "If-None-Match",
            json!({"type": "string", "maxLength": 1024}),
            " One or more ETags as returned by this operation (a comma-separated list); 304 when \
             one matches.",
        ),
    ];
    let Some(paths) = json.get_mut("paths").and_then(|p| p.as_object_mut()) else {
        return;
    };
    let parameters = paths
        .values_mut()
        .filter_map(|item| item.as_object_mut())
        .flat_map(|item| item.values_mut())
        .filter_map(|op| op.get_mut("parameters").and_then(|p| p.as_array_mut()))
        .flatten();
    for parameter in parameters {
        let Some((_, schema, rule)) = forms
            .iter()
            .find(|(name, _, _)| parameter["in"] == "header" && parameter["name"] == *name)
        else {
            continue;
        };
        parameter["schema"] = schema.clone();
        let described = parameter["description"].as_str().unwrap_or_default();
        parameter["description"] = format!("{described}.{rule}").replace("..", ".").into();
    }
}

const CREATED_ID: &str = "$response.body#/id";

/// The JSON pointer to the created resource's `id` in a response of this schema: `/id`, or
/// inside the one property (or first array item) that holds an object with an `id`.
fn id_pointer(
    schema: &serde_json::Value,
    schemas: &serde_json::Value,
    depth: usize,
) -> Option<String> {
    let schema = match schema.get("$ref").and_then(|r| r.as_str()) {
        Some(reference) => schemas.get(reference.rsplit('/').next()?)?,
        None => schema,
    };
    if depth > 3 {
        return None;
    }
    if let Some(items) = schema.get("items") {
        return id_pointer(items, schemas, depth + 1).map(|p| format!("/0{p}"));
    }
    let properties = schema.get("properties")?.as_object()?;
    if properties.contains_key("id") {
        return Some("/id".to_owned());
    }
    properties.iter().find_map(|(name, property)| {
        id_pointer(property, schemas, depth + 1).map(|p| format!("/{name}{p}"))
    })
}

fn path_params(path: &str) -> Vec<&str> {
    path.split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(name, _)| name))
        .collect()
}

fn problem(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            PROBLEM_CONTENT_TYPE,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
}

fn problem_with_retry_after(description: &str) -> Response {
    let mut response = problem(description);
    response.headers.insert(
        "Retry-After".to_owned(),
        utoipa::openapi::header::HeaderBuilder::new()
            .schema(
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::Integer),
            )
            .description(Some("Seconds to wait before retrying"))
            .build(),
    );
    response
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
        &mut item.head,
        &mut item.options,
        &mut item.trace,
    ]
    .into_iter()
    .flatten()
}

/// Adds the errors that the framework, auth and database layers can produce to every
/// operation they apply to, and requires the bearer token where an operation says nothing.
fn complete_operations(api: &mut OpenApiDoc) {
    for (path, item) in api.paths.paths.iter_mut() {
        let is_api = path.starts_with("/api/");
        for op in operations(item) {
            if is_api && op.security.is_none() {
                op.security = Some(vec![SecurityRequirement::new(
                    "bearer",
                    Vec::<String>::new(),
                )]);
            }
            let security = op.security.clone().unwrap_or_default();
            let takes_token = !security.is_empty();
            let token_required = takes_token
                && security
                    .iter()
                    .all(|req| req != &SecurityRequirement::default());
            let has_params = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
            let has_path_params = path.contains('{');
            let has_body = op.request_body.is_some();

            let mut add = |status: &str, response: Response| {
                op.responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| response.into());
            };
            if has_params || has_body {
                add(
                    "400",
                    problem(
                        "Malformed JSON, path or query parameter (`malformed_json`, `invalid_path_parameter`, `invalid_query_parameter`, `invalid_cursor`)",
                    ),
                );
            }
            if takes_token {
                add(
                    "401",
                    problem(
                        "Missing, invalid or expired token, or disabled account (`missing_token`, `invalid_token`, `token_expired`, `account_disabled`)",
                    ),
                );
            }
            if token_required && path != "/api/v1/auth/me" {
                add(
                    "403",
                    problem("The token's role may not do this (`forbidden`)"),
                );
            }
            if has_path_params {
                add(
                    "404",
                    problem("Not found, or not visible to the caller (`not_found`)"),
                );
            }
            if has_body {
                add(
                    "413",
                    problem("Body larger than the limit (`payload_too_large`)"),
                );
                add(
                    "415",
                    problem("Body is not `application/json` (`unsupported_media_type`)"),
                );
                add(
                    "422",
                    problem("Invalid fields, all listed in `errors` (`validation_failed`)"),
                );
            }
            if is_api || path == "/readyz" {
                add(
                    "500",
                    problem(
                        "Unexpected error; the cause is logged with the request id (`internal_error`)",
                    ),
                );
                add(
                    "503",
                    problem_with_retry_after(
                        "Database unreachable or overloaded (`database_unavailable`)",
                    ),
                );
            }
        }
    }
}
