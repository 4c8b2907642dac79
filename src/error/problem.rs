//! The body of every error response: RFC 9457 problem details with a stable `code`.

use serde::Serialize;
use utoipa::ToSchema;

use super::codes::{ErrorCode, FieldCode, error_code_schema, field_code_schema};

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// One invalid field of a request.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// Path of the field in the request (`starts_at`, `speakers[2]`, `query.limit`).
    #[schema(example = "ends_at")]
    pub field: String,
    /// Stable machine-readable reason.
    #[schema(schema_with = field_code_schema)]
    pub code: FieldCode,
    /// Human-readable explanation.
    #[schema(example = "ends_at must be after starts_at")]
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: FieldCode, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code,
            message: message.into(),
        }
    }
}

/// RFC 9457 problem details, with a stable `code` and, for validation errors, every invalid field.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "https://hoithao.dev/problems/validation-failed", "title": "Invalid request",
    "status": 422, "code": "validation_failed", "detail": "2 fields are invalid",
    "errors": [{"field": "ends_at", "code": "must_be_after_start", "message": "ends_at must be after starts_at"}]
}))]
pub struct Problem {
    /// URI identifying the problem type.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// Short human-readable summary of the problem type.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// Stable machine-readable code; clients branch on this.
    #[schema(schema_with = error_code_schema)]
    pub code: ErrorCode,
    /// Human-readable explanation of this occurrence.
    pub detail: String,
    /// Every invalid field (validation errors); empty otherwise.
    pub errors: Vec<FieldError>,
}
