//! API tests against real PostgreSQL: every test gets a database of its own.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod auth;
mod checkins;
mod cli;
mod conferences;
mod errors;
mod helpers;
mod imports;
mod invitations;
mod openapi;
mod qr_secrets;
mod registrations;
mod sessions;
mod signups;
mod substitutions;
mod units;
