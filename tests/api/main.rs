//! API tests against real PostgreSQL: every test gets a database of its own.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod arrivals;
mod auth;
mod bundles;
mod checkins;
mod cli;
mod conferences;
mod deploy;
mod errors;
mod faults;
mod helpers;
mod imports;
mod input;
mod invitations;
mod lifecycle;
mod openapi;
mod qr_secrets;
mod registrations;
mod scan_functions;
mod schema;
mod sessions;
mod signups;
mod substitutions;
mod tls;
mod units;
