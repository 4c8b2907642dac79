//! Conferences, split by flow; the shared `path` helper lives here.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, conference_body};

mod edits;
mod lifecycle;
mod listing;
mod organizers;
mod validation;

fn path(conference: &Value) -> String {
    format!("/api/v1/conferences/{}", conference["id"].as_str().unwrap())
}
