//! `hoithao outbox`: the notification queue from a shell, for operators (no API token needed,
//! only the database).

use clap::Subcommand;
use uuid::Uuid;

use crate::config::DatabaseSettings;
use crate::domain::notifications::OutboxState;
use crate::domain::notifications::outbox;

#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// Counts by state, the oldest due message and the last error.
    Stats {
        /// Only this conference.
        #[arg(long)]
        conference: Option<Uuid>,
    },
    /// Messages newest first, one per line: id, state, attempts, event, conference, last error.
    List {
        #[arg(long)]
        conference: Option<Uuid>,
        /// pending, sending, sent, dead or skipped.
        #[arg(long)]
        state: Option<String>,
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(i64).range(1..=10_000))]
        limit: i64,
    },
    /// Put dead messages back in the queue, due now: those named by --id, or all (of a
    /// conference with --conference).
    Retry {
        #[arg(long)]
        conference: Option<Uuid>,
        #[arg(long = "id")]
        ids: Vec<Uuid>,
    },
}

pub async fn run(database: &DatabaseSettings, command: OutboxCommand) -> Result<(), String> {
    let pool = crate::db::build_pool(database).map_err(|e| format!("cannot start: {e}"))?;
    let mut conn = pool.get().await.map_err(|e| {
        format!(
            "cannot reach PostgreSQL at {}: {e}",
            crate::db::describe_target(database.database_url.expose())
        )
    })?;
    let failed = |e: crate::error::ApiError| format!("outbox: {e}");
    match command {
        OutboxCommand::Stats { conference } => {
            let summary = outbox::stats_for_operator(&mut conn, conference)
                .await
                .map_err(failed)?;
            let json = serde_json::json!({
                "counts": summary.counts,
                "oldest_due_at": summary.oldest_due_at,
                "last_error": summary.last_error,
            });
            println!("{json}");
        }
        OutboxCommand::List {
            conference,
            state,
            limit,
        } => {
            let state = state
                .as_deref()
                .map(|s| OutboxState::parse_field("state", s))
                .transpose()
                .map_err(|e| e.message)?;
            for message in outbox::list_for_operator(&mut conn, conference, state, limit)
                .await
                .map_err(failed)?
            {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    message.id,
                    message.state.as_str(),
                    message.attempts,
                    message.event.as_str(),
                    message.conference_id,
                    message.last_error.unwrap_or_default()
                );
            }
        }
        OutboxCommand::Retry { conference, ids } => {
            let ids = (!ids.is_empty()).then_some(ids);
            let retried = outbox::retry_for_operator(&mut conn, conference, ids.as_deref())
                .await
                .map_err(failed)?;
            println!("{retried} dead messages are pending again");
        }
    }
    Ok(())
}
