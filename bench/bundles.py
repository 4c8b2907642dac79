#!/usr/bin/env python3
"""Device bundle benchmark: full bundle downloads (gzip) of a conference of 100,000 delegates,
one alone and 8 at once, with the server's peak RSS (VmHWM), against `hoithao serve` (release)
on a fresh database. Delegates are seeded straight in the database (with units, as an import
would store them), so the run measures the bundle, not the import. See bench/README.md."""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import threading
import time
from datetime import datetime, timedelta, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("HOITHAO_BIN", os.path.join(ROOT, "target/release/hoithao"))
SERVER = os.environ.get("DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
PORT = int(os.environ.get("BENCH_PORT", "18092"))
DB = f"hoithao_bundlebench_{os.getpid()}"


def call(method, path, token=None, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=300)
    hdrs = dict(headers or {})
    if token:
        hdrs["authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        hdrs.setdefault("content-type", "application/json")
    conn.request(method, "/api/v1" + path, body=data, headers=hdrs)
    resp = conn.getresponse()
    payload = resp.read()
    conn.close()
    return resp, payload


def psql(sql):
    return subprocess.run(["psql", f"{SERVER}/{DB}", "-Atqc", sql], check=True, capture_output=True, text=True).stdout.strip()


def rss(pid, field):
    with open(f"/proc/{pid}/status") as f:
        return int(next(line for line in f if line.startswith(field)).split()[1]) / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--delegates", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of concurrent downloads")
    args = parser.parse_args()

    subprocess.run(["psql", f"{SERVER}/postgres", "-qc", f"CREATE DATABASE {DB}"], check=True, capture_output=True)
    env = dict(os.environ, DATABASE_URL=f"{SERVER}/{DB}?sslmode=disable", HOITHAO_LISTEN=f"127.0.0.1:{PORT}",
               HOITHAO_LOG_FORMAT="json", RUST_LOG="warn", HOITHAO_ADMIN_PASSWORD="bench-admin-password",
               HOITHAO_ACCESS_TOKEN_TTL_SECS="3600", HOITHAO_DB_TIMEOUT_MS="30000")
    subprocess.run([BIN, "create-admin", "--email", "bench@example.vn"], env=env, check=True, capture_output=True)
    server = subprocess.Popen([BIN, "serve"], env=env, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                probe = http.client.HTTPConnection("127.0.0.1", PORT, timeout=1)
                probe.request("GET", "/readyz")
                if probe.getresponse().status == 200:
                    break
            except Exception:
                pass
            time.sleep(0.1)
        _, login = call("POST", "/auth/login", body={"email": "bench@example.vn", "password": "bench-admin-password"})
        admin = json.loads(login)["access_token"]
        now = datetime.now(timezone.utc)
        _, conf = call("POST", "/conferences", admin, {
            "code": "bundle-bench", "title": "Đo hiệu năng gói dữ liệu",
            "starts_at": (now - timedelta(hours=1)).isoformat(), "ends_at": (now + timedelta(hours=10)).isoformat()})
        cid = json.loads(conf)["id"]
        call("POST", f"/conferences/{cid}/publish", admin, {})
        with open(os.path.join(ROOT, "src/seed/units.csv"), "rb") as f:
            call("POST", "/unit-imports", admin, f.read(), {"content-type": "text/csv"})
        psql(f"""
            INSERT INTO registrations (id, conference_id, number, full_name, position, unit_id, category, email, status,
                                       source, qr_secret, delegate_token_hash, search_text, name_folded)
            SELECT gen_random_uuid(), '{cid}', n, 'Nguyễn Văn Đại biểu ' || n, 'Chuyên viên',
                   (SELECT id FROM units ORDER BY id OFFSET (n % (SELECT count(*) FROM units)) LIMIT 1),
                   'agency', 'd' || n || '@example.vn', 'confirmed', 'import',
                   md5(random()::text) || md5(random()::text), sha256(gen_random_uuid()::text::bytea), '',
                   'nguyen van dai bieu ' || n
            FROM generate_series(1, {args.delegates}) AS n;
            UPDATE conference_seats SET registration_seq = {args.delegates}, confirmed_count = {args.delegates} WHERE conference_id = '{cid}';
            ANALYZE registrations;""")
        _, device = call("POST", f"/conferences/{cid}/devices", admin, {"name": "Bench door"})
        token = json.loads(device)["token"]
        print(f"setup: {args.delegates} delegates; server RSS before downloads {rss(server.pid, 'VmRSS'):.1f} MiB")

        def download():
            started = time.perf_counter()
            resp, payload = call("GET", f"/conferences/{cid}/device-bundle", token, headers={"accept-encoding": "gzip"})
            assert resp.status == 200 and resp.getheader("content-encoding") == "gzip", resp.status
            return (time.perf_counter() - started) * 1000, len(payload)

        alone = [download() for _ in range(5)]
        print(f"full bundle alone ({alone[0][1] / 1024:.0f} KiB gzip): median {statistics.median(t for t, _ in alone):.0f} ms "
              f"of 5 (min {min(t for t, _ in alone):.0f}, max {max(t for t, _ in alone):.0f})")
        plain = []
        for _ in range(3):
            started = time.perf_counter()
            resp, payload = call("GET", f"/conferences/{cid}/device-bundle", token)
            plain.append((time.perf_counter() - started) * 1000)
        print(f"full bundle alone, identity ({len(payload) / 1024:.0f} KiB): median {statistics.median(plain):.0f} ms of 3")
        started = time.perf_counter()
        digest = psql(f"EXPLAIN (ANALYZE, TIMING OFF) SELECT encode(sha256(convert_to(string_agg(r.id::text || ':' || "
                      f"r.changed_xid::text || ':' || coalesce(u.name, ''), E'\\n' ORDER BY r.number), 'UTF8')), 'hex') "
                      f"FROM registrations r LEFT JOIN units u ON u.id = r.unit_id WHERE r.conference_id = '{cid}'")
        print(f"the former ETag digest query (a pass over every row): {digest.splitlines()[-1]}")
        digest = psql(f"EXPLAIN (ANALYZE, TIMING OFF) SELECT count(*), sum(hashint8extended(changed_xid, 1)), "
                      f"sum(hashint8extended(changed_xid, 2)) FROM registrations WHERE conference_id = '{cid}'")
        print(f"the ETag digest query since 2026-12-02 (index only): {digest.splitlines()[-1]}")
        print(f"server peak RSS after single downloads: {rss(server.pid, 'VmHWM'):.1f} MiB")
        latencies = []
        lock = threading.Lock()

        def worker():
            for _ in range(args.rounds):
                elapsed, _ = download()
                with lock:
                    latencies.append(elapsed)

        threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        latencies.sort()
        print(f"{args.concurrency} at once, {args.rounds} rounds: {len(latencies)} downloads in {elapsed:.1f} s; "
              f"p50 {statistics.median(latencies):.0f} ms, max {latencies[-1]:.0f} ms")
        # The ETag is answered before any row is read: a device holding the bundle gets 304.
        resp, _ = call("GET", f"/conferences/{cid}/device-bundle", token)
        etag = resp.getheader("etag")
        started = time.perf_counter()
        resp, _ = call("GET", f"/conferences/{cid}/device-bundle", token, headers={"if-none-match": etag})
        print(f"304 for an unchanged bundle: {resp.status} in {(time.perf_counter() - started) * 1000:.0f} ms")
        print(f"server peak RSS (VmHWM): {rss(server.pid, 'VmHWM'):.1f} MiB")
    finally:
        server.terminate()
        server.wait()
        subprocess.run(["psql", f"{SERVER}/postgres", "-qc", f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)"], capture_output=True)


if __name__ == "__main__":
    main()
