#!/usr/bin/env bash
# Runs the browser tests against a fresh server: bash tests/browser/run.sh BINARY [TEST_FILE...]
# (only the named files under tests/browser/, e.g. tests/console-setup.test.mjs, when given)
#
# Creates a database of its own (hoithao_browser_<pid>), migrates it with BINARY, creates an
# admin, starts `BINARY serve` on a free port, runs `node --test` here with Debian's Chromium,
# then stops the server and drops the database (also on failure). Screenshots go to
# target/screenshots/. Needs: PostgreSQL at DATABASE_URL's server, /usr/bin/chromium (or
# CHROMIUM), node >= 20 and `npm ci` done in this folder.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
binary=$(realpath "${1:?usage: run.sh BINARY}")
server_url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
server_url=${server_url%/*}
database="hoithao_browser_$$"
export DATABASE_URL="$server_url/$database"
export BROWSER_ADMIN_EMAIL=admin@example.vn
export BROWSER_ADMIN_PASSWORD="browser-tests-admin-passphrase"
export SCREENSHOT_DIR=${SCREENSHOT_DIR:-$root/target/screenshots}
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
mkdir -p "$SCREENSHOT_DIR" "$root/target"
log="$root/target/browser-server-$$.log"

server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  psql "$server_url/postgres" -qc "DROP DATABASE IF EXISTS \"$database\" WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

RUST_LOG=warn "$binary" migrate >/dev/null
HOITHAO_ADMIN_PASSWORD="$BROWSER_ADMIN_PASSWORD" RUST_LOG=warn "$binary" create-admin --email "$BROWSER_ADMIN_EMAIL" >/dev/null

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export BASE_URL="http://127.0.0.1:$port"
# Cheap password hashing: the tests log in often; never use these parameters in production.
HOITHAO_LISTEN="127.0.0.1:$port" HOITHAO_ARGON2_MEMORY_KIB=1024 HOITHAO_ARGON2_ITERATIONS=1 \
  HOITHAO_PUBLIC_URL="$BASE_URL" HOITHAO_LOG_FORMAT=json RUST_LOG=warn \
  "$binary" serve --no-migrate >"$log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
  curl -fsS "$BASE_URL/readyz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { echo "the server exited; its log:"; cat "$log"; exit 1; }
  sleep 0.5
done
curl -fsS "$BASE_URL/readyz" >/dev/null

cd "$here"
shift
if [ "$#" -gt 0 ]; then node --test --test-concurrency=1 "$@"; else node --test --test-concurrency=1 tests/; fi
