#!/usr/bin/env python3
"""Check-in benchmark: first scans, duplicate scans, bundle downloads (full and delta) and
batch uploads of 1,000 offline scans, against `hoithao serve` (release) on a fresh database.
Scans are driven by wrk (bench/scan.lua), the rest by the Python standard library; see
bench/README.md."""

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from datetime import datetime, timedelta, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from registrations import generated_csv  # noqa: E402

BIN = os.environ.get("HOITHAO_BIN", os.path.join(ROOT, "target/release/hoithao"))
SERVER = os.environ.get("DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
PORT = int(os.environ.get("BENCH_PORT", "18091"))
DB = f"hoithao_scanbench_{os.getpid()}"


class Client:
    """One keep-alive connection."""

    def __init__(self, token=None):
        self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
        self.token = token

    def call(self, method, path, body=None, headers=None, raw=False):
        hdrs = dict(headers or {})
        if self.token:
            hdrs["authorization"] = f"Bearer {self.token}"
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            hdrs.setdefault("content-type", "application/json")
        self.conn.request(method, "/api/v1" + path, body=data, headers=hdrs)
        resp = self.conn.getresponse()
        payload = resp.read()
        if raw:
            return resp.status, payload, resp
        return resp.status, json.loads(payload or b"null")


def psql(sql):
    return subprocess.run(["psql", f"{SERVER}/{DB}", "-Atqc", sql], check=True, capture_output=True, text=True).stdout.strip()


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


def report(name, latencies, errors, elapsed, unit="requests"):
    print(f"{name}: {len(latencies)} {unit} in {elapsed:.2f} s = {len(latencies) / elapsed:.0f}/s; "
          f"p50 {pct(latencies, 50):.1f} ms, p90 {pct(latencies, 90):.1f} ms, p99 {pct(latencies, 99):.1f} ms, "
          f"max {max(latencies, default=float('nan')):.1f} ms; errors {errors}")


def drive(concurrency, duration, work, token):
    """Runs `work(client, index)` from `concurrency` threads until the items or the time run out."""
    lock = threading.Lock()
    state = {"next": 0, "latencies": [], "errors": 0, "results": []}
    deadline = time.perf_counter() + duration

    def worker():
        client = Client(token)
        while time.perf_counter() < deadline:
            with lock:
                index = state["next"]
                state["next"] += 1
            started = time.perf_counter()
            result = work(client, index)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if result is StopIteration:
                    return
                state["latencies"].append(elapsed)
                if result is None:
                    state["errors"] += 1
                else:
                    state["results"].append(result)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return state, time.perf_counter() - started


class ScanCeiling:
    """What the database allows: pgbench running bench/scan_ceiling.sql (the minimal work of a
    scan, one round trip) on scratch tables of the bench database, with the server's
    concurrency, between the server's own runs."""

    def __init__(self, url, delegates, concurrency, duration):
        self.url, self.delegates, self.concurrency, self.duration = url, delegates, concurrency, duration
        subprocess.run(["psql", url, "-qv", "ON_ERROR_STOP=1", "-c", f"""
            CREATE TABLE scan_ceiling_delegates (id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                                                 secret_sha256 bytea NOT NULL UNIQUE);
            INSERT INTO scan_ceiling_delegates (secret_sha256)
                SELECT sha256(n::text::bytea) FROM generate_series(1, {delegates}) AS n;
            CREATE TABLE scan_ceiling_checkins (registration_id uuid NOT NULL, slot integer NOT NULL,
                                                received_at timestamptz NOT NULL DEFAULT now(),
                                                PRIMARY KEY (registration_id, slot));
            CREATE SEQUENCE scan_ceiling_seq;
            ANALYZE scan_ceiling_delegates;"""], check=True, capture_output=True)

    def run(self, name, duplicates):
        filled = int(psql("SELECT count(*) FROM scan_ceiling_checkins")) if duplicates else 0
        if duplicates and filled == 0:
            return float("nan")
        out = subprocess.run(
            ["pgbench", "-n", "-M", "prepared", "-c", str(self.concurrency), "-j", "2", "-T", str(max(1, round(self.duration))),
             "-f", os.path.join(ROOT, "bench/scan_ceiling.sql"), "-D", f"delegates={self.delegates}",
             "-D", f"duplicates={int(duplicates)}", "-D", f"filled={max(filled, 1)}", self.url],
            capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"pgbench failed: {out.stderr[-2000:]}")
        out = out.stdout
        tps = float(next(line for line in out.splitlines() if line.startswith("tps =")).split()[2])
        latency = next((line.split("=")[1].strip() for line in out.splitlines() if line.startswith("latency average")), "?")
        print(f"{name}: {tps:.0f}/s, latency average {latency}")
        return tps


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--delegates", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--keep", action="store_true", help="keep the database (and print its name)")
    parser.add_argument("--pool", type=int, default=16, help="HOITHAO_DB_POOL_SIZE of the server (16, its default)")
    parser.add_argument("--tracks", type=int, default=8, help="parallel sessions scanned besides the door")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per scenario at most")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench/scans.py drives the scans with wrk: apt-get install wrk")

    env = dict(os.environ, DATABASE_URL=f"{SERVER}/{DB}", HOITHAO_LISTEN=f"127.0.0.1:{PORT}", HOITHAO_LOG_FORMAT="json",
               RUST_LOG="warn", HOITHAO_ADMIN_PASSWORD="bench-admin-password", HOITHAO_ACCESS_TOKEN_TTL_SECS="3600",
               HOITHAO_DB_POOL_SIZE=str(args.pool), HOITHAO_DB_TIMEOUT_MS="30000")
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
        status, login = Client().call("POST", "/auth/login", {"email": "bench@example.vn", "password": "bench-admin-password"})
        admin = Client(login["access_token"])
        now = datetime.now(timezone.utc)
        status, conf = admin.call("POST", "/conferences", {
            "code": "scan-bench", "title": "Đo hiệu năng điểm danh",
            "starts_at": (now - timedelta(hours=1)).isoformat(), "ends_at": (now + timedelta(hours=10)).isoformat()})
        cid = conf["id"]
        admin.call("POST", f"/conferences/{cid}/publish", {})
        status, session = admin.call("POST", f"/conferences/{cid}/sessions", {
            "title": "Hội trường", "kind": "presentation",
            "starts_at": (now - timedelta(minutes=30)).isoformat(), "ends_at": (now + timedelta(hours=9)).isoformat()})
        with open(os.path.join(ROOT, "src/seed/units.csv"), "rb") as f:
            admin.call("POST", "/unit-imports", f.read(), {"content-type": "text/csv"})
        with open(generated_csv(args.delegates), "rb") as f:
            status, imported = admin.call("POST", f"/conferences/{cid}/registration-imports", f.read(), {"content-type": "text/csv"})
        assert status == 200, str(imported)[:300]
        # Organizer responses carry no QR secrets; the bench reads the codes from the database.
        codes = psql(f"SELECT 'hoithao:1:' || id || ':' || qr_secret FROM registrations "
                     f"WHERE conference_id = '{cid}' ORDER BY created_at, id").splitlines()
        status, device = admin.call("POST", f"/conferences/{cid}/devices", {"name": "Bench door"})
        token = device["token"]
        # Parallel tracks, so that every (delegate, door or track) pair is a distinct first entry.
        tracks = []
        for n in range(args.tracks):
            status, track = admin.call("POST", f"/conferences/{cid}/sessions", {
                "title": f"Phòng {n + 1}", "kind": "discussion",
                "starts_at": (now - timedelta(minutes=30)).isoformat(), "ends_at": (now + timedelta(hours=9)).isoformat()})
            tracks.append(track["id"])
        targets = [f"{code}\t" for code in codes] + [f"{code}\t{track}" for track in tracks for code in codes]
        targets_file = f"/tmp/{DB}-targets.txt"
        with open(targets_file, "w") as f:
            f.write("\n".join(targets) + "\n")
        print(f"setup: {len(codes)} delegates, {len(targets)} scan targets (door and {len(tracks)} tracks); "
              f"concurrency {args.concurrency}; at most {args.duration:.0f} s a scenario")

        def wrk_scans(name, expected):
            """wrk, 2 threads, each scanning its share of the targets once."""
            out = subprocess.run(
                ["wrk", "-t", "2", "-c", str(args.concurrency), "-d", f"{max(1, round(args.duration))}s", "--timeout", "10s",
                 "-s", os.path.join(ROOT, "bench/scan.lua"), f"http://127.0.0.1:{PORT}", "--",
                 targets_file, token, f"/api/v1/conferences/{cid}/checkins", "2", expected],
                check=True, capture_output=True, text=True).stdout
            figures = json.loads(out.strip().splitlines()[-1])
            print(f"{name}: {figures['requests']} scans in {figures['seconds']:.2f} s = "
                  f"{figures['requests'] / figures['seconds']:.0f}/s; p50 {figures['p50']:.1f} ms, p90 {figures['p90']:.1f} ms, "
                  f"p99 {figures['p99']:.1f} ms, max {figures['max']:.1f} ms; "
                  f"errors {figures['unexpected'] + figures['socket_errors']}")
            return figures

        ceiling = ScanCeiling(f"{SERVER}/{DB}", len(codes), args.concurrency, args.duration)
        first_ceiling = ceiling.run("ceiling, first scans (pgbench)", duplicates=False)
        first = wrk_scans("first scans", "ok")
        acknowledged = first["acknowledged"]
        stored_online = int(psql(f"SELECT count(*) FROM checkins WHERE conference_id = '{cid}' AND method = 'scan' AND outcome = 'ok'"))
        # The duplicates: exactly the (delegate, door or track) pairs admitted above.
        code_of = {code.split(":")[2]: code for code in codes}
        admitted = psql(f"SELECT registration_id || '|' || coalesce(session_id::text, '') FROM checkins "
                        f"WHERE conference_id = '{cid}' AND method = 'scan' AND outcome = 'ok'").splitlines()
        with open(targets_file, "w") as f:
            f.write("".join(f"{code_of[r]}\t{s}\n" for r, s in (line.split("|") for line in admitted)))
        duplicates = wrk_scans("duplicate scans", "already_checked_in")
        duplicate_ceiling = ceiling.run("ceiling, duplicate scans (pgbench)", duplicates=True)
        for name, figures, tps in (("first scans", first, first_ceiling), ("duplicate scans", duplicates, duplicate_ceiling)):
            rate = figures["requests"] / figures["seconds"]
            print(f"{name}: the server does {rate:.0f}/s = {100 * rate / tps:.0f}% of the pgbench ceiling ({tps:.0f}/s)")

        def full_bundle(client, index):
            if index >= 200:
                return StopIteration
            status, payload, resp = client.call("GET", f"/conferences/{cid}/device-bundle", headers={"accept-encoding": "gzip"}, raw=True)
            return len(payload) if status == 200 and resp.getheader("content-encoding") == "gzip" else None

        alone = []
        for _ in range(5):
            started = time.perf_counter()
            full_bundle(Client(token), 0)
            alone.append((time.perf_counter() - started) * 1000)
        print(f"full bundle, one download at a time: median {statistics.median(alone):.0f} ms of 5")
        state, elapsed = drive(8, args.duration, full_bundle, token)
        size = state["results"][0] if state["results"] else 0
        report(f"full bundle ({len(codes)} delegates, {size / 1024:.0f} KiB gzip)", state["latencies"], state["errors"], elapsed, "downloads")
        status, payload, _ = Client(token).call("GET", f"/conferences/{cid}/device-bundle", raw=True)
        watermark = json.loads(payload)["watermark"]

        def delta_bundle(client, index):
            if index >= 2000:
                return StopIteration
            status, body = client.call("GET", f"/conferences/{cid}/device-bundle?since={urllib.parse.quote(watermark)}")
            return len(body["registrations"]) if status == 200 else None

        state, elapsed = drive(8, args.duration, delta_bundle, token)
        report("delta bundle (nothing changed)", state["latencies"], state["errors"], elapsed, "downloads")

        batches = [codes[i:i + 1000] for i in range(0, len(codes), 1000)]
        offline_ok = []

        def upload(client, index):
            if index >= len(batches):
                return StopIteration
            at = datetime.now(timezone.utc).isoformat()
            scans = [{"code": c, "session_id": session["id"], "direction": "in", "nonce": str(uuid.uuid4()), "occurred_at": at}
                     for c in batches[index]]
            status, items = client.call("POST", f"/conferences/{cid}/checkin-batches", {"scans": scans})
            if status != 200:
                return None
            ok = sum(1 for item in items if item["result"] and item["result"]["outcome"] == "ok")
            offline_ok.append(ok)
            return ok

        state, elapsed = drive(4, max(args.duration, 60), upload, token)
        report("batch upload (1,000 offline scans each)", state["latencies"], state["errors"], elapsed, "batches")

        stored_offline = int(psql(f"SELECT count(*) FROM checkins WHERE conference_id = '{cid}' AND method = 'offline' AND outcome = 'ok'"))
        # When wrk's duration cuts a run short, the scans in flight at that moment are stored
        # but never acknowledged: at most one per connection.
        cut_short = first["requests"] < len(targets)
        in_flight = args.concurrency if cut_short else 0
        online_ok = acknowledged <= stored_online <= acknowledged + in_flight
        print(f"check: online ok stored {stored_online}, acknowledged {acknowledged}"
              f"{f' (+ at most {in_flight} in flight when wrk stopped)' if cut_short else ''}: {online_ok}; "
              f"offline ok stored {stored_offline} = acknowledged {sum(offline_ok)}: {stored_offline == sum(offline_ok)}")
        with open(f"/proc/{server.pid}/status") as f:
            peak = next(line for line in f if line.startswith("VmHWM")).split()[1]
        print(f"server peak RSS: {int(peak) / 1024:.1f} MiB")
        if not online_ok or stored_offline != sum(offline_ok):
            sys.exit(1)
    finally:
        server.terminate()
        server.wait()
        if args.keep:
            print(f"kept database {DB}")
        else:
            subprocess.run(["psql", f"{SERVER}/postgres", "-qc", f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)"], capture_output=True)


if __name__ == "__main__":
    main()
