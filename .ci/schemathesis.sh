#!/usr/bin/env bash
# Fuzzes every operation of a running `hoithao serve` on a fresh database with schemathesis,
# using an admin token. Exits non-zero on any server error or response that breaks the spec.
# Usage: .ci/schemathesis.sh [path-to-hoithao-binary]   (needs PostgreSQL on DATABASE_SERVER)
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${1:-target/debug/hoithao}
SERVER=${DATABASE_SERVER:-postgres://postgres@127.0.0.1:5432}
DB="hoithao_fuzz_$$"
PORT=${SCHEMATHESIS_PORT:-18080}
VENV=target/schemathesis-venv

if [ ! -x "$VENV/bin/schemathesis" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "schemathesis==4.32.5"
fi

export DATABASE_URL="$SERVER/$DB"
export HOITHAO_LISTEN="127.0.0.1:$PORT"
export HOITHAO_ACCESS_TOKEN_TTL_SECS=3600
export HOITHAO_LOG_FORMAT=json
export RUST_LOG=${RUST_LOG:-warn}
export HOITHAO_ADMIN_PASSWORD="fuzz-admin-password"

cleanup() {
  [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  psql "$SERVER/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

"$BIN" create-admin --email fuzz-admin@example.vn >/dev/null
"$BIN" seed-demo >/dev/null
"$BIN" serve >target/schemathesis-server.log 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done

TOKEN=$(curl -fsS "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"email\":\"fuzz-admin@example.vn\",\"password\":\"$HOITHAO_ADMIN_PASSWORD\"}" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
export TOKEN

status=0
timeout 1200 "$VENV/bin/schemathesis" --config-file "${SCHEMATHESIS_CONFIG:-.ci/schemathesis.toml}" run \
  "http://127.0.0.1:$PORT/openapi.json" --no-color || status=$?
# Our own error logs (a 500's cause); actix's notes about unparsable requests are not ours.
if grep '"level":"ERROR"' target/schemathesis-server.log | grep -q '"target":"hoithao'; then
  echo "server logged errors during the fuzz run:" >&2
  grep '"level":"ERROR"' target/schemathesis-server.log | grep '"target":"hoithao' | head -20 >&2
  status=1
fi
exit $status
