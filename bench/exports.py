#!/usr/bin/env python3
"""Export benchmark: time to the first body byte and in total for the delegate list and the
check-in history (CSV and XLSX) and the post-event package, over a conference of 100,000
delegates with 100,000 door check-ins; then 4 exports at once (CSV, then XLSX), with the
server's peak RSS (VmHWM) after each step. Runs `hoithao serve` on a fresh database. Python
standard library only. See bench/README.md.

  python3 bench/exports.py                      # 100,000 delegates
  python3 bench/exports.py --delegates 10000    # quicker
"""

import argparse
import concurrent.futures
import http.client
import os
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from registrations import ROOT, SERVER, PORT, DB, request, psql, generated_csv, conference  # noqa: E402

BIN = os.environ.get("HOITHAO_BIN", os.path.join(ROOT, "target/release/hoithao"))


def peak_rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(next(line for line in f if line.startswith("VmHWM")).split()[1]) / 1024


def wait_ready():
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/readyz", timeout=1)
            return
        except Exception:
            time.sleep(0.1)


def export(path, token):
    """GET `path` on its own connection: (seconds to the first body byte, seconds in all, bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=600)
    started = time.perf_counter()
    conn.request("GET", "/api/v1" + path, headers={"authorization": f"Bearer {token}"})
    resp = conn.getresponse()
    first = resp.read(1)
    first_byte = time.perf_counter() - started
    assert resp.status == 200, (resp.status, first + resp.read(2000))
    size = len(first)
    while True:
        chunk = resp.read(1 << 16)
        if not chunk:
            break
        size += len(chunk)
    conn.close()
    return first_byte, time.perf_counter() - started, size


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--delegates", type=int, default=100_000, help="delegates (and door check-ins) (100,000)")
    parser.add_argument("--keep", action="store_true", help="keep the database for a look afterwards")
    args = parser.parse_args()
    env = dict(os.environ, DATABASE_URL=f"{SERVER}/{DB}", HOITHAO_LISTEN=f"127.0.0.1:{PORT}", HOITHAO_WORKERS="2",
               HOITHAO_LOG_FORMAT="json", RUST_LOG="warn", HOITHAO_ADMIN_PASSWORD="bench-admin-password",
               HOITHAO_ACCESS_TOKEN_TTL_SECS="3600", HOITHAO_DB_POOL_SIZE="16", HOITHAO_DB_TIMEOUT_MS="30000",
               HOITHAO_DB_STATEMENT_TIMEOUT_MS="120000")
    subprocess.run([BIN, "create-admin", "--email", "bench@example.vn"], env=env, check=True, capture_output=True)
    server = subprocess.Popen([BIN, "serve"], env=env, stderr=subprocess.DEVNULL)
    try:
        wait_ready()
        status, login = request("POST", "/auth/login", {"email": "bench@example.vn", "password": "bench-admin-password"})
        token = login["access_token"]
        with open(os.path.join(ROOT, "src/seed/units.csv"), "rb") as f:
            status, report = request("POST", "/unit-imports", f.read(), token, "text/csv")
        assert status == 200, report
        conf = conference(token, "export-bench")
        with open(generated_csv(args.delegates), "rb") as f:
            status, report = request("POST", f"/conferences/{conf}/registration-imports", f.read(), token, "text/csv")
        assert status == 200, str(report)[:500]
        # One door entry per delegate, as a day of scanning leaves them (the scan path has its
        # own benchmark, bench/scans.py).
        psql(f"""INSERT INTO checkins (id, conference_id, registration_id, nonce, direction, outcome, method,
                                        occurred_at, local_day)
                 SELECT gen_random_uuid(), conference_id, id, gen_random_uuid(), 'in', 'ok', 'scan',
                        timestamptz '2031-07-19 07:00+07' + number * interval '100 ms', date '2031-07-19'
                 FROM registrations WHERE conference_id = '{conf}'""")
        psql("ANALYZE")
        print(f"{report['created']} delegates, {psql('SELECT count(*) FROM checkins')} check-ins; "
              f"server peak RSS after the import {peak_rss_mib(server.pid):.1f} MiB")
        # A fresh server, so that its peak RSS is the exports' and not the import's.
        server.terminate()
        server.wait()
        server = subprocess.Popen([BIN, "serve"], env=env, stderr=subprocess.DEVNULL)
        wait_ready()
        print(f"fresh server: RSS {peak_rss_mib(server.pid):.1f} MiB")

        base = f"/conferences/{conf}"
        one_by_one = [
            ("delegates CSV", f"{base}/exports/registrations.csv"),
            ("delegates XLSX", f"{base}/exports/registrations.xlsx"),
            ("check-ins CSV", f"{base}/exports/checkins.csv"),
            ("check-ins XLSX", f"{base}/exports/checkins.xlsx"),
            ("report JSON", f"{base}/reports/attendance"),
            ("package XLSX", f"{base}/reports/package.xlsx"),
        ]
        for name, path in one_by_one:
            first, total, size = export(path, token)
            print(f"{name:15} first byte {first * 1000:7.0f} ms, total {total:6.2f} s, {size / 1e6:6.1f} MB; "
                  f"peak RSS so far {peak_rss_mib(server.pid):.1f} MiB")

        for name, path in [("CSV", f"{base}/exports/registrations.csv"), ("XLSX", f"{base}/exports/registrations.xlsx")]:
            with concurrent.futures.ThreadPoolExecutor(4) as pool:
                started = time.perf_counter()
                results = list(pool.map(lambda _: export(path, token), range(4)))
                wall = time.perf_counter() - started
            firsts = ", ".join(f"{r[0] * 1000:.0f}" for r in results)
            print(f"4 delegate {name} exports at once: first bytes {firsts} ms, all done in {wall:.2f} s; "
                  f"peak RSS so far {peak_rss_mib(server.pid):.1f} MiB")
        print(f"server peak RSS: {peak_rss_mib(server.pid):.1f} MiB")
    finally:
        server.terminate()
        server.wait()
        if args.keep:
            print(f"kept database {DB}")
        else:
            subprocess.run(["psql", f"{SERVER}/postgres", "-qc", f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)"],
                           capture_output=True)


if __name__ == "__main__":
    main()
