//! Commits that release their locks before the WAL flush, and waiting for that flush before
//! answering.
//!
//! A commit normally holds its row locks until its WAL record is on disk. For a row every
//! request of a burst locks (a conference's seat row), that puts one disk flush per request in
//! the queue. With `synchronous_commit = off` for that one transaction the locks go at once,
//! and `await_flush` then waits, outside any lock, until the WAL is flushed past the commit:
//! the request is still acknowledged only once its writes are durable, and waiting requests
//! share flushes (PostgreSQL's group commit).

use diesel::QueryResult;
use diesel_async::{AsyncPgConnection, SimpleAsyncConnection};

/// For the current transaction only: `COMMIT` returns without waiting for the flush. Call
/// `await_flush` after the commit, before acknowledging anything it wrote.
pub async fn commit_without_waiting_for_flush(conn: &mut AsyncPgConnection) -> QueryResult<()> {
    conn.batch_execute("SET LOCAL synchronous_commit = off")
        .await
}

/// Returns once every WAL record written before the call is on disk (so the connection's last
/// commit is durable). When the flush is behind, a tiny transactional WAL message is committed
/// with `synchronous_commit` on: its commit waits for the flush up to itself, and so past every
/// earlier record. When nothing is pending it costs one round trip and writes nothing.
pub async fn await_flush(conn: &mut AsyncPgConnection) -> QueryResult<()> {
    conn.batch_execute(
        "SELECT CASE WHEN pg_current_wal_flush_lsn() < pg_current_wal_insert_lsn() \
         THEN pg_logical_emit_message(true, 'hoithao', '')::text END",
    )
    .await
}
