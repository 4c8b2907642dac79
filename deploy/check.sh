#!/usr/bin/env bash
# Checks every file docs/production.md shows: that the Dockerfile copies what the binary
# compiles in, the systemd units (systemd-analyze verify), the
# nginx site (nginx -t, with a self-signed certificate made here), the compose file
# (docker-compose config -q), the load balancer of the replicas profile (haproxy -c), and the
# backup/restore steps (restore-check.sh).
#
#   bash deploy/check.sh target/debug/hoithao
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:-target/debug/hoithao}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "--> Dockerfile copies what the binary compiles in"
# Top-level folders read at compile time: include_str!/include_bytes! paths, rust-embed
# folders, and migrations/ (embed_migrations!).
compiled_in=$( (grep -rhoE 'include_(str|bytes)!\("[^"]+"\)' src | sed -E 's/.*\("(\.\.\/)*([^/"]+).*/\2/';
  grep -rhoE '#\[folder = "[^"/]+' src | sed -E 's/.*"//'; echo migrations) | sort -u)
missing=
checked=
for dir in $compiled_in; do
  [ -e "src/$dir" ] && continue  # a path relative to its source file, inside src/
  checked="$checked $dir"
  grep -qE "^COPY $dir \./$dir\$" Dockerfile || missing="$missing $dir"
done
if [ -n "$missing" ]; then echo "the Dockerfile does not COPY:$missing"; exit 1; fi
echo "the Dockerfile copies$checked"

echo "--> systemd units"
mkdir -p "$work/units"
for unit in deploy/hoithao.service deploy/hoithao-backup.service deploy/hoithao-backup.timer; do
  # The installed paths, pointed at this checkout's files so that verify finds them.
  sed -e "s|/usr/local/bin/hoithao|$BIN|g" -e "s|/usr/local/lib/hoithao/backup.sh|$PWD/deploy/backup.sh|g" \
    "$unit" > "$work/units/$(basename "$unit")"
done
out=$(cd "$work/units" && SYSTEMD_LOG_LEVEL=notice systemd-analyze verify ./*.service ./*.timer 2>&1 || echo "exit status $?")
# Users and credential files exist only on the server; anything else is a finding.
findings=$(printf '%s\n' "$out" | grep -v -e '^$' -e 'Failed to resolve user' -e 'Failed to resolve group' || true)
if [ -n "$findings" ]; then echo "$findings"; exit 1; fi
echo "units verify"

echo "--> nginx site"
mkdir -p "$work/nginx/ssl"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=hoithao.example.vn \
  -keyout "$work/nginx/ssl/privkey.pem" -out "$work/nginx/ssl/fullchain.pem" 2>/dev/null
sed "s|/etc/ssl/hoithao/|$work/nginx/ssl/|" deploy/nginx/hoithao.conf > "$work/nginx/hoithao.conf"
cat > "$work/nginx/nginx.conf" <<CONF
pid $work/nginx/nginx.pid;
error_log stderr;
events {}
http {
    access_log off;
    include $work/nginx/hoithao.conf;
}
CONF
nginx -t -q -p "$work/nginx" -c "$work/nginx/nginx.conf"
echo "nginx site is valid"

echo "--> docker-compose.yml"
docker-compose -f docker-compose.yml config -q
docker-compose -f docker-compose.yml --profile replicas config -q
echo "compose file is valid (with the replicas profile too)"

echo "--> load balancer (deploy/haproxy/haproxy.cfg)"
# The replicas' names resolve only inside compose: a warning here, not an error.
haproxy -c -q -f deploy/haproxy/haproxy.cfg
echo "haproxy configuration is valid"

echo "--> backup and restore"
bash deploy/restore-check.sh "$BIN"
