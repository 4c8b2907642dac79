#!/usr/bin/env bash
# Nightly backup: one pg_dump custom-format file per run, older ones pruned.
#
#   PGURL=postgres://hoithao_owner@127.0.0.1:5432/hoithao BACKUP_DIR=/var/backups/hoithao \
#     KEEP_DAYS=14 deploy/backup.sh
#
# Run by deploy/hoithao-backup.timer (or cron). The password comes from ~/.pgpass or
# PGPASSFILE, not from PGURL, so it is in no process list. Exits non-zero on any failure, so
# the timer's unit fails and shows up in `systemctl --failed`.
set -euo pipefail
: "${PGURL:?set PGURL to the database to back up}"
BACKUP_DIR=${BACKUP_DIR:-/var/backups/hoithao}
KEEP_DAYS=${KEEP_DAYS:-14}

umask 077
mkdir -p "$BACKUP_DIR"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
partial="$BACKUP_DIR/.hoithao-$stamp.dump.partial"
final="$BACKUP_DIR/hoithao-$stamp.dump"
trap 'rm -f "$partial"' EXIT

# -Fc: compressed, restorable table by table with pg_restore; consistent snapshot.
pg_dump --format=custom --no-owner --no-privileges --file="$partial" "$PGURL"
# A dump that pg_restore cannot list is not a backup.
pg_restore --list "$partial" >/dev/null
mv "$partial" "$final"
find "$BACKUP_DIR" -maxdepth 1 -name 'hoithao-*.dump' -mtime +"$KEEP_DAYS" -delete
echo "$final"
