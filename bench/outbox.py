#!/usr/bin/env python3
"""Outbox throughput: 10,000 confirmations (one import) delivered to a local SMTP sink, and the
API's latency while the queue drains.

Starts an aiosmtpd sink (tests/api/smtp_sink.py) and `hoithao serve` on a fresh database with
HOITHAO_SMTP_URL pointing at the sink, imports N delegates with email addresses into an open
conference (every one confirmed, so every one gets an email with its QR code and .ics), and
measures the time from the import's response until the sink holds N messages. Meanwhile one
client reads a page of registrations over and over; its latency is compared with the same
request on the idle server. The database is dropped afterwards.

    python3 bench/outbox.py [--rows 10000] [--concurrency 4]
    HOITHAO_BIN=target/release/hoithao python3 bench/outbox.py
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVER = os.environ.get("DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")


def call(method, url, token=None, body=None, content_type="application/json"):
    data = None
    headers = {}
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers["content-type"] = content_type
    if token:
        headers["authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=120) as response:
        raw = response.read()
        return json.loads(raw) if raw else None


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--batch", type=int, default=50)
    args = parser.parse_args()

    binary = os.environ.get("HOITHAO_BIN", os.path.join(ROOT, "target/release/hoithao"))
    dbname = f"hoithao_outbox_bench_{os.getpid()}"
    sink_dir = tempfile.mkdtemp(prefix="hoithao-sink-")
    sink = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests/api/smtp_sink.py"), sink_dir],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    port = int(sink.stdout.readline())
    env = dict(os.environ, DATABASE_URL=f"{SERVER}/{dbname}", HOITHAO_LISTEN="127.0.0.1:18181",
               HOITHAO_SMTP_URL=f"smtp://127.0.0.1:{port}", HOITHAO_OUTBOX_POLL_MS="200",
               HOITHAO_OUTBOX_CONCURRENCY=str(args.concurrency),
               HOITHAO_OUTBOX_BATCH_SIZE=str(args.batch),
               HOITHAO_ADMIN_PASSWORD="a long admin passphrase", HOITHAO_LOG_FORMAT="json",
               RUST_LOG="warn")
    api = "http://127.0.0.1:18181/api/v1"
    server = None
    try:
        subprocess.run([binary, "create-admin", "--email", "admin@example.vn"], env=env,
                       check=True, capture_output=True)
        server = subprocess.Popen([binary, "serve", "--workers", "2"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(300):
            try:
                urllib.request.urlopen("http://127.0.0.1:18181/readyz", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        token = call("POST", f"{api}/auth/login",
                     body={"email": "admin@example.vn", "password": "a long admin passphrase"})["access_token"]
        conference = call("POST", f"{api}/conferences", token, {
            "code": "bench-outbox", "title": "Hội thảo sản xuất sạch hơn",
            "starts_at": "2030-07-19T08:00:00+07:00", "ends_at": "2030-07-19T17:00:00+07:00",
            "registration_mode": "open"})["id"]
        probe = f"{api}/conferences/{conference}/registrations?limit=20"

        idle = []
        for _ in range(200):
            started = time.perf_counter()
            call("GET", probe, token)
            idle.append((time.perf_counter() - started) * 1000)

        rows = ["STT,Họ và tên,Thành phần,Email"]
        rows += [f"{n},Đại biểu số {n},guest,daibieu{n}@example.vn" for n in range(1, args.rows + 1)]
        started = time.perf_counter()
        call("POST", f"{api}/conferences/{conference}/registration-imports", token,
             ("\n".join(rows) + "\n").encode(), "text/csv")
        imported = time.perf_counter()

        busy = []
        done = threading.Event()

        def probe_loop():
            while not done.is_set():
                t = time.perf_counter()
                call("GET", probe, token)
                busy.append((time.perf_counter() - t) * 1000)

        prober = threading.Thread(target=probe_loop)
        prober.start()
        while True:
            count = sum(1 for name in os.listdir(sink_dir) if name.endswith(".eml"))
            if count >= args.rows:
                break
            time.sleep(0.2)
        drained = time.perf_counter()
        done.set()
        prober.join()

        sizes = [os.path.getsize(os.path.join(sink_dir, n)) for n in os.listdir(sink_dir) if n.endswith(".eml")]
        print(f"import of {args.rows} delegates: {imported - started:.1f} s")
        print(f"delivered {args.rows} emails in {drained - imported:.1f} s after the import "
              f"({args.rows / (drained - imported):.0f}/s; concurrency {args.concurrency}, "
              f"batch {args.batch}); mean message {statistics.mean(sizes) / 1024:.1f} KiB")
        for label, values in (("idle", idle), ("while draining", busy)):
            print(f"GET registrations page {label}: n={len(values)} p50={percentile(values, 50):.1f} ms "
                  f"p99={percentile(values, 99):.1f} ms max={max(values):.1f} ms")
    finally:
        if server:
            server.terminate()
            server.wait()
        sink.stdin.close()
        sink.terminate()
        shutil.rmtree(sink_dir, ignore_errors=True)
        subprocess.run(["psql", f"{SERVER}/postgres", "-qc", f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)"],
                       capture_output=True)


if __name__ == "__main__":
    main()
