//! Command-line entry point: dispatches to the subcommands in `hoithao::cli`.

use std::process::ExitCode;

use clap::Parser;
use hoithao::cli::{Cli, run};

#[actix_web::main]
async fn main() -> ExitCode {
    hoithao::domain::notifications::webhooks::install_crypto_provider();
    let cli = Cli::parse();
    hoithao::telemetry::init(cli.log.log_format);
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
