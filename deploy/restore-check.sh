#!/usr/bin/env bash
# Exercises the backup and restore steps of docs/production.md against a local PostgreSQL:
# least-privilege roles, data made through the API (registrations and check-ins), a backup with
# deploy/backup.sh (pg_dump -Fc), a restore into a new database, `serve` on it as the app role,
# and the same counts through the API.
#
#   bash deploy/restore-check.sh target/debug/hoithao
#
# DATABASE_URL names a superuser connection (default postgres@127.0.0.1:5432). Everything it
# creates (two databases, two roles, a temp dir) is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:-target/debug/hoithao}")
ADMIN_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
SERVER=${ADMIN_URL%/*}            # postgres://user@host:port
HOSTPORT=${SERVER#*@}             # host:port
tag=$$
OWNER=hoithao_owner_check_$tag
APP=hoithao_app_check_$tag
OWNER_PW=owner-pw-$RANDOM$RANDOM
APP_PW=app-pw-$RANDOM$RANDOM
SRC=hoithao_backup_src_$tag
DST=hoithao_restore_dst_$tag
WORK=$(mktemp -d)
PID=

json() { python3 -c "import json,sys; d=json.load(sys.stdin)
try: print($1)
except KeyError: sys.exit(\"unexpected answer: \" + json.dumps(d, ensure_ascii=False))"; }

cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  for db in "$SRC" "$DST"; do psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" 2>/dev/null || true; done
  for role in "$APP" "$OWNER"; do psql -q "$ADMIN_URL" -c "DROP ROLE IF EXISTS $role" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

roles() { # $1 = database
  psql -q "$ADMIN_URL" -v owner="$OWNER" -v owner_password="$OWNER_PW" -v app="$APP" \
    -v app_password="$APP_PW" -v dbname="$1" -f deploy/postgres-roles.sql >/dev/null
}

serve() { # $1 = database; serves it as the app role, migrated beforehand by the owner
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  API=http://127.0.0.1:$port/api/v1
  printf 'postgres://%s:%s@%s/%s\n' "$APP" "$APP_PW" "$HOSTPORT" "$1" > "$WORK/app_url"
  # The URL comes from a file, as in the systemd unit; a DATABASE_URL inherited from the caller
  # (CI exports one) would make serve refuse the pair.
  env -u DATABASE_URL DATABASE_URL_FILE="$WORK/app_url" \
    HOITHAO_JWT_SECRET=restore-check-signing-key-0123456789abcdef \
    HOITHAO_LISTEN="127.0.0.1:$port" "$BIN" serve --no-migrate >"$WORK/serve-$1.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 100); do
    "$BIN" probe --ready --url "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "serve on $1 never became ready:"; cat "$WORK/serve-$1.log"; exit 1
}

stop() { kill "$PID"; wait "$PID" 2>/dev/null || true; PID=; }

login() {
  TOKEN=$(curl -sS --fail-with-body "$API/auth/login" -H 'content-type: application/json' \
    -d '{"email":"admin@example.vn","password":"a long admin passphrase"}' | json 'd["access_token"]')
}

counts() { # registrations by status and check-ins, as the API reports them
  local conf=$1
  curl -sS --fail-with-body "$API/conferences/$conf/registrations?limit=500" -H "authorization: Bearer $TOKEN" \
    | json '"registrations=%d" % len(d["items"])'
  curl -sS --fail-with-body "$API/conferences/$conf/attendance" -H "authorization: Bearer $TOKEN" \
    | python3 -c 'import json,sys; d=json.load(sys.stdin); d.pop("generated_at", None); d.pop("as_of", None); print("attendance=" + json.dumps(d, sort_keys=True))'
}

echo "==> roles and the source database $SRC"
roles "$SRC"
OWNER_SRC=postgres://$OWNER:$OWNER_PW@$HOSTPORT/$SRC
DATABASE_URL=$OWNER_SRC "$BIN" migrate >/dev/null
DATABASE_URL=$OWNER_SRC HOITHAO_ADMIN_PASSWORD='a long admin passphrase' \
  "$BIN" create-admin --email admin@example.vn >/dev/null

echo "==> registrations and check-ins through the API"
serve "$SRC"
login
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
# Starting in a few minutes: door scans are admitted from an hour before the start.
start=$(date -u -d '+5 minutes' +%Y-%m-%dT%H:%M:%SZ)
later=$(date -u -d '+4 hours' +%Y-%m-%dT%H:%M:%SZ)
CONF=$(curl -sS --fail-with-body "$API/conferences" -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
  -d "{\"code\":\"restore-check\",\"title\":\"Hội thảo kiểm tra sao lưu\",\"starts_at\":\"$start\",\"ends_at\":\"$later\"}" \
  | json 'd["id"]')
curl -sS --fail-with-body -X POST "$API/conferences/$CONF/publish" -H "authorization: Bearer $TOKEN" >/dev/null
REGS=()
n=0
for name in "Nguyễn Văn An" "Trần Thị Bình" "Lê Văn Cường" "Phạm Thị Dung"; do
  n=$((n + 1))
  REGS+=("$(curl -sS --fail-with-body "$API/conferences/$CONF/registrations" -H "authorization: Bearer $TOKEN" \
    -H 'content-type: application/json' \
    -d "{\"full_name\":\"$name\",\"category\":\"district\",\"phone\":\"091234560$n\"}" | json 'd["registration"]["id"]')")
done
DEVICE=$(curl -sS --fail-with-body "$API/conferences/$CONF/devices" -H "authorization: Bearer $TOKEN" \
  -H 'content-type: application/json' -d '{"name":"Cửa chính"}' | json 'd["token"]')
for reg in "${REGS[@]:0:3}"; do
  outcome=$(curl -sS --fail-with-body "$API/conferences/$CONF/checkins" -H "authorization: Bearer $DEVICE" -H 'content-type: application/json' \
    -d "{\"registration_id\":\"$reg\",\"direction\":\"in\",\"nonce\":\"$(python3 -c 'import uuid; print(uuid.uuid4())')\",\"occurred_at\":\"$now\"}" \
    | json 'd["outcome"]')
  [ "$outcome" = ok ] || { echo "check-in answered $outcome"; exit 1; }
done
counts "$CONF" > "$WORK/before"
stop

echo "==> backup (deploy/backup.sh) and restore into $DST"
PGURL=$OWNER_SRC BACKUP_DIR=$WORK/backups KEEP_DAYS=1 bash deploy/backup.sh >/dev/null
dump=$(ls "$WORK"/backups/*.dump)
roles "$DST"
pg_restore --exit-on-error --no-owner --no-privileges --single-transaction \
  -d "postgres://$OWNER:$OWNER_PW@$HOSTPORT/$DST" "$dump"
# Grants on restored objects: the same script again (its statements are idempotent).
roles "$DST"

echo "==> serve the restored database as the app role"
serve "$DST"
login
counts "$CONF" > "$WORK/after"
stop
cat "$WORK/before"
if diff -u "$WORK/before" "$WORK/after"; then
  echo "restore check passed: the restored database serves the same registrations and check-ins"
else
  echo "restore check FAILED: counts differ"; exit 1
fi
