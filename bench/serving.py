"""Shared by bench/growth.py and bench/replicas.py: `hoithao serve` processes on a fresh
database, a keep-alive client, psql, and wrk first-scan runs through bench/scan.lua.
Python standard library only (plus wrk for scans)."""

import http.client
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from registrations import generated_csv  # noqa: E402,F401  (re-exported for the scripts)

BIN = os.environ.get("HOITHAO_BIN", os.path.join(ROOT, "target/release/hoithao"))
SERVER = os.environ.get("DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
ADMIN_EMAIL = "bench@example.vn"
ADMIN_PASSWORD = "bench-admin-password"


class Client:
    """One keep-alive connection to the API on `port`."""

    def __init__(self, port, token=None):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        self.token = token

    def call(self, method, path, body=None, headers=None):
        hdrs = dict(headers or {})
        if self.token:
            hdrs["authorization"] = f"Bearer {self.token}"
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            hdrs.setdefault("content-type", "application/json")
        try:
            self.conn.request(method, "/api/v1" + path, body=data, headers=hdrs)
            resp = self.conn.getresponse()
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            # The server closed the kept-alive connection while it sat idle (during a wrk run).
            self.conn.close()
            self.conn.request(method, "/api/v1" + path, body=data, headers=hdrs)
            resp = self.conn.getresponse()
        payload = resp.read()
        return resp.status, json.loads(payload or b"null")


class Database:
    """A database of its own on the server, dropped by `drop` unless kept."""

    def __init__(self, prefix):
        self.name = f"{prefix}_{os.getpid()}"
        self.url = f"{SERVER}/{self.name}"

    def psql(self, sql):
        return subprocess.run(["psql", self.url, "-Atqc", sql], check=True, capture_output=True, text=True).stdout.strip()

    def drop(self):
        subprocess.run(["psql", f"{SERVER}/postgres", "-qc", f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)"],
                       capture_output=True)


def server_env(db, port, pool):
    return dict(os.environ, DATABASE_URL=db.url, HOITHAO_LISTEN=f"127.0.0.1:{port}", HOITHAO_LOG_FORMAT="json",
                RUST_LOG="warn", HOITHAO_ADMIN_PASSWORD=ADMIN_PASSWORD, HOITHAO_ACCESS_TOKEN_TTL_SECS="3600",
                HOITHAO_DB_POOL_SIZE=str(pool), HOITHAO_DB_TIMEOUT_MS="30000",
                # Every replica signs and checks tokens with the same key.
                HOITHAO_JWT_SECRET="bench-signing-secret-of-at-least-32-bytes")


def start_servers(db, ports, pool):
    """`hoithao serve` on each port, all on `db`; returns the processes once every /readyz is 200.
    The first creates the database and migrates it; the others start after it."""
    processes = []
    subprocess.run([BIN, "migrate"], env=server_env(db, ports[0], pool), check=True, capture_output=True)
    subprocess.run([BIN, "create-admin", "--email", ADMIN_EMAIL], env=server_env(db, ports[0], pool),
                   check=True, capture_output=True)
    for port in ports:
        processes.append(subprocess.Popen([BIN, "serve", "--no-migrate"], env=server_env(db, port, pool),
                                          stderr=subprocess.DEVNULL))
    for port in ports:
        for _ in range(300):
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                probe.request("GET", "/readyz")
                if probe.getresponse().status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            sys.exit(f"the server on port {port} did not become ready")
    return processes


def stop_servers(processes):
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait()


def admin_client(port):
    status, login = Client(port).call("POST", "/auth/login", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert status == 200, login
    return Client(port, login["access_token"])


def conference_now(admin, code, **extra):
    """A published conference that is on now (scans fall inside its window)."""
    now = datetime.now(timezone.utc)
    status, conf = admin.call("POST", "/conferences", {
        "code": code, "title": "Đo hiệu năng", "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(hours=10)).isoformat(), **extra})
    assert status == 201, conf
    status, conf = admin.call("POST", f"/conferences/{conf['id']}/publish", {})
    assert status == 200, conf
    return conf["id"]


def track(admin, cid, n):
    now = datetime.now(timezone.utc)
    status, session = admin.call("POST", f"/conferences/{cid}/sessions", {
        "title": f"Phòng {n}", "kind": "discussion",
        "starts_at": (now - timedelta(minutes=30)).isoformat(), "ends_at": (now + timedelta(hours=9)).isoformat()})
    assert status == 201, session
    return session["id"]


def import_delegates(admin, db, cid, count):
    """Imports `count` generated delegates; returns their QR payloads (read from the database:
    organizer responses carry no QR secrets)."""
    with open(generated_csv(count), "rb") as f:
        status, imported = admin.call("POST", f"/conferences/{cid}/registration-imports", f.read(),
                                      {"content-type": "text/csv"})
    assert status == 200, str(imported)[:300]
    return db.psql(f"SELECT 'hoithao:1:' || id || ':' || qr_secret FROM registrations "
                   f"WHERE conference_id = '{cid}' ORDER BY created_at, id").splitlines()


def wrk_scans(port, targets_file, token, cid, concurrency, duration, expected, threads=2, salt=0):
    """wrk scanning each target of `targets_file` at most once; the figures bench/scan.lua prints."""
    out = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(concurrency), "-d", f"{max(1, round(duration))}s", "--timeout", "10s",
         "-s", os.path.join(ROOT, "bench/scan.lua"), f"http://127.0.0.1:{port}", "--",
         targets_file, token, f"/api/v1/conferences/{cid}/checkins", str(threads), expected, str(salt)],
        check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def double_entries(db, cid):
    """(delegate, door or session) pairs admitted more than once: must be 0. The door admits
    once per local day; every run here is within one day."""
    return int(db.psql(
        f"SELECT count(*) FROM (SELECT registration_id, session_id FROM checkins "
        f"WHERE conference_id = '{cid}' AND direction = 'in' AND outcome = 'ok' AND undone_at IS NULL "
        f"GROUP BY 1, 2 HAVING count(*) > 1) AS twice"))
