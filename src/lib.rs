//! hoithao: registration and attendance for workshops and conferences.

pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod http;
pub mod metrics;
pub mod openapi;
pub mod outbox_cli;
pub mod probe;
pub mod shutdown;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod text_enum;
