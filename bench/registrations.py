#!/usr/bin/env python3
"""Registration benchmark: a 200-way self-registration burst, CSV imports of 10,000 and 100,000
delegates, and search latency over 100,000 registrations (a sequential ranked set, then a mix of
query shapes at concurrency 8), against `hoithao serve` (release) on a fresh database. Python
standard library only. See bench/README.md.

  python3 bench/registrations.py                 # everything
  python3 bench/registrations.py --search-only   # only the 100,000-row import and the searches
"""

import argparse
import concurrent.futures
import http.client
import random
import unicodedata
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("HOITHAO_BIN", os.path.join(ROOT, "target/release/hoithao"))
SERVER = os.environ.get("DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
DATA = os.path.join(ROOT, "..", "shared", "data")
PORT = int(os.environ.get("BENCH_PORT", "18090"))
API = f"http://127.0.0.1:{PORT}/api/v1"
DB = f"hoithao_bench_{os.getpid()}"


def request(method, path, body=None, token=None, content_type="application/json", headers=None):
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(API + path, data=data, method=method)
    if data is not None:
        req.add_header("content-type", content_type)
    if token:
        req.add_header("authorization", f"Bearer {token}")
    for key, value in (headers or {}).items():
        req.add_header(key, value)
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def psql(sql):
    out = subprocess.run(["psql", f"{SERVER}/{DB}", "-Atqc", sql], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def generated_csv(count):
    """`count` generated delegates; rows whose phone or email repeats an earlier one (the
    generator draws them at random) are replaced by further rows, since imports refuse them."""
    import csv
    import io
    path = f"/tmp/hoithao-delegates-{count}.csv"
    if os.path.exists(path):
        return path
    raw = subprocess.run([sys.executable, os.path.join(DATA, "generate.py"), "delegates", str(count * 2), "42"],
                         check=True, capture_output=True, text=True).stdout
    rows = csv.reader(io.StringIO(raw))
    header = next(rows)
    phone, email = header.index("Điện thoại"), header.index("Email")
    seen, kept = set(), []
    for row in rows:
        keys = {("p", "".join(c for c in row[phone] if c.isdigit())[-9:]) if row[phone] else None,
                ("e", row[email].lower()) if row[email] else None} - {None}
        if keys & seen:
            continue
        seen |= keys
        kept.append(row)
        if len(kept) == count:
            break
    with open(path, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(kept)
    return path


def conference(token, code, **extra):
    body = {"code": code, "title": "Hội thảo đo hiệu năng", "starts_at": "2031-07-19T08:00:00+07:00",
            "ends_at": "2031-07-19T17:00:00+07:00", **extra}
    status, conf = request("POST", "/conferences", body, token)
    assert status == 201, conf
    status, conf = request("POST", f"/conferences/{conf['id']}/publish", {}, token)
    assert status == 200, conf
    return conf["id"]


def fold(text):
    """The server's fold (src/domain/text.rs): NFD, combining marks dropped, đ -> d, lower case."""
    out = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return " ".join(out.replace("đ", "d").replace("Đ", "d").lower().split())


def search_mix(conf, token, people, concurrency, rounds):
    """Name searches as door staff type them, over `people` (name, phone, reference) sampled
    from the conference: one word, two words (given name first or family name first), three
    words in order or given name first, a phone in one of three spellings, a reference. Each
    worker keeps one HTTP connection. Returns the latencies (ms) by shape, the wall time, and
    how often the expected person (or, for names, a namesake) came first."""
    rng = random.Random(7)
    shapes = ["one word", "two words", "three words", "three words, given name first", "phone", "reference"]
    jobs = []
    for _ in range(rounds):
        for name, phone, ref in people:
            words = name.split()
            shape = rng.choice(shapes)
            if shape == "one word":
                q = rng.choice([words[0], words[-1]])
            elif shape == "two words":
                q = rng.choice([f"{words[-1]} {words[0]}", f"{words[0]} {words[-1]}"])
            elif shape == "three words":
                q = name if rng.random() < 0.5 else fold(name)
            elif shape == "three words, given name first":
                q = fold(" ".join([words[-1], *words[1:-1], words[0]]))
            elif shape == "phone" and phone:
                digits = "0" + phone[3:]
                q = rng.choice([phone, digits, f"{digits[:4]} {digits[4:7]} {digits[7:]}"])
            else:
                shape, q = "reference", ref
            jobs.append((shape, q, name, ref))
    local = threading.local()

    def run(job):
        shape, q, name, ref = job
        if not hasattr(local, "conn"):
            local.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        path = f"/api/v1/conferences/{conf}/registrations?limit=20&q={urllib.parse.quote(q)}"
        started = time.perf_counter()
        local.conn.request("GET", path, headers={"authorization": f"Bearer {token}"})
        resp = local.conn.getresponse()
        body = json.loads(resp.read())
        elapsed = (time.perf_counter() - started) * 1000
        assert resp.status == 200, body
        items = body["items"]
        if shape in ("phone", "reference"):
            hit = any(i["reference"] == ref for i in items)
        elif shape.startswith("three"):
            hit = bool(items) and sorted(fold(items[0]["full_name"]).split()) == sorted(fold(name).split())
        else:
            hit = bool(items)
        return shape, elapsed, hit

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(run, jobs))
    wall = time.perf_counter() - started
    return results, wall


def postgres_cpu_seconds():
    """CPU seconds used so far by every process named postgres (backends come and go: compare
    two readings only over a stretch where the pool's connections stay open)."""
    total = 0.0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/comm") as f:
                if f.read().strip() != "postgres":
                    continue
            total += cpu_seconds(pid)
        except OSError:
            continue
    return total


def cpu_seconds(pid):
    """User and system CPU seconds a process has used."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


_last_busy = None


def busy_cpu_seconds(wall, known):
    """CPU seconds used machine-wide since the previous call (first call: since boot, so call
    once before), minus `known`."""
    global _last_busy
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    busy = (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")
    previous, _last_busy = _last_busy, busy
    return (busy - previous - known) if previous is not None else 0.0


def search_plan(conf, q):
    """EXPLAIN ANALYZE of the search statement as the server runs it, for the folded query `q`."""
    import re
    with open(os.path.join(ROOT, "src/db/registrations/search.rs")) as f:
        source = f.read()
    start = source.index('pub const SEARCH: &str = "') + len('pub const SEARCH: &str = "')
    sql = source[start:source.index('";', start)]
    words = q.split()
    values = {"conference": f"'{conf}'::uuid", "folded": f"'{q}'",
              "whole": "'" + " & ".join(f"''{w}''" for w in words) + "'",
              "prefixes": "'" + " & ".join(f"''{w}'':*" for w in words) + "'", "sample": "100", "page": "21"}
    sql = re.sub(r"\$([a-z_]+)", lambda m: values.get(m.group(1), "NULL"), sql)
    return psql("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + sql)


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--search-only", action="store_true", help="skip the burst and the 10,000-row import")
    parser.add_argument("--burst-only", action="store_true", help="only the burst (bench/burst.py has more)")
    parser.add_argument("--concurrency", type=int, default=8, help="parallel clients of the search mix (8)")
    parser.add_argument("--people", type=int, default=200, help="people sampled for the search mix (200)")
    parser.add_argument("--rounds", type=int, default=5, help="queries per sampled person (5)")
    parser.add_argument("--keep", action="store_true", help="keep the database for a look afterwards")
    args = parser.parse_args()
    env = dict(os.environ, DATABASE_URL=f"{SERVER}/{DB}", HOITHAO_LISTEN=f"127.0.0.1:{PORT}", HOITHAO_WORKERS="2",
               HOITHAO_LOG_FORMAT="json", RUST_LOG="warn", HOITHAO_ADMIN_PASSWORD="bench-admin-password",
               HOITHAO_ACCESS_TOKEN_TTL_SECS="3600", HOITHAO_DB_POOL_SIZE="16", HOITHAO_DB_TIMEOUT_MS="30000")
    subprocess.run([BIN, "create-admin", "--email", "bench@example.vn"], env=env, check=True, capture_output=True)
    server = subprocess.Popen([BIN, "serve"], env=env, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/readyz", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        status, login = request("POST", "/auth/login", {"email": "bench@example.vn", "password": "bench-admin-password"})
        token = login["access_token"]

        # 1. 200 parallel self-registrations against 50 seats with a waitlist.
        if not args.search_only:
            burst(token)
        if args.burst_only:
            return

        # 2. Imports: the units directory, then 10,000 and 100,000 delegates.
        with open(os.path.join(ROOT, "src/seed/units.csv"), "rb") as f:
            status, report = request("POST", "/unit-imports", f.read(), token, "text/csv")
        assert status == 200, report
        for count, code in [(10_000, "import-10k"), (100_000, "search-100k")]:
            if args.search_only and count == 10_000:
                continue
            conf = conference(token, code)
            path = os.path.join(DATA, "delegates-10k.csv") if count == 10_000 else generated_csv(count)
            with open(path, "rb") as f:
                body = f.read()
            started = time.perf_counter()
            status, report = request("POST", f"/conferences/{conf}/registration-imports", body, token, "text/csv")
            elapsed = time.perf_counter() - started
            assert status == 200, str(report)[:500]
            print(f"import: {report['created']} delegates in {elapsed:.2f} s ({report['created'] / elapsed:.0f} rows/s)")

        # 3. Search over the 100,000-registration conference.
        psql("ANALYZE registrations")
        queries = ["nguyen van an", "tran thi", "le cong vinh", "xanh 19", "0912", "pham thi yen", "dang", "vu hong van",
                   "giam doc", "SEARCH-0042", "hoang minh", "do thi", "bui van", "ngo", "duong", "phan thanh"]
        samples = []
        for _ in range(5):
            for q in queries:
                started = time.perf_counter()
                status, page = request("GET", f"/conferences/{conf}/registrations?limit=20&q={urllib.parse.quote(q)}", token=token)
                samples.append((time.perf_counter() - started) * 1000)
                assert status == 200, page
        print(f"search at 100,000 registrations, one at a time: {len(samples)} queries, p50 {statistics.median(samples):.1f} ms, "
              f"p99 {percentile(samples, 99):.1f} ms, max {max(samples):.1f} ms")

        # 4. The mix of query shapes at concurrency 8 over sampled people.
        rows = psql(f"SELECT setseed(0.42); SELECT full_name || '|' || coalesce(phone, '') || '|' || number "
                    f"FROM registrations WHERE conference_id = '{conf}' ORDER BY random() LIMIT {args.people}")
        people = []
        for line in rows.splitlines():
            if line.count("|") == 2:
                name, phone, number = line.split("|")
                people.append((name, phone, f"SEARCH-{int(number):04d}"))
        busy_cpu_seconds(0, 0)
        client_before, server_before, pg_before = os.times(), cpu_seconds(server.pid), postgres_cpu_seconds()
        results, wall = search_mix(conf, token, people, args.concurrency, args.rounds)
        client_after, server_after, pg_after = os.times(), cpu_seconds(server.pid), postgres_cpu_seconds()
        latencies = [ms for _, ms, _ in results]
        print(f"search mix at 100,000 registrations, concurrency {args.concurrency}: {len(results)} queries in {wall:.2f} s "
              f"= {len(results) / wall:.0f}/s; p50 {statistics.median(latencies):.1f} ms, p90 {percentile(latencies, 90):.1f} ms, "
              f"p99 {percentile(latencies, 99):.1f} ms, max {max(latencies):.1f} ms")
        client_cpu = (client_after.user + client_after.system) - (client_before.user + client_before.system)
        server_cpu, pg_cpu = server_after - server_before, pg_after - pg_before
        print(f"  CPU during the mix ({wall:.2f} s on {os.cpu_count()} cores): this client {client_cpu:.2f} s, "
              f"the API server {server_cpu:.2f} s, PostgreSQL {pg_cpu:.2f} s, anything else on the machine "
              f"{busy_cpu_seconds(wall, client_cpu + server_cpu + pg_cpu):.2f} s; server and PostgreSQL "
              f"{(server_cpu + pg_cpu) * 1000 / len(results):.2f} ms of CPU a query")
        for shape in dict.fromkeys(shape for shape, _, _ in results):
            mine = [(ms, hit) for s, ms, hit in results if s == shape]
            ms = [m for m, _ in mine]
            hits = sum(1 for _, hit in mine if hit)
            what = "the person first (or a namesake)" if shape.startswith("three") else (
                "the person on the page" if shape in ("phone", "reference") else "results")
            print(f"  {shape:31} {len(mine):4} queries: p50 {statistics.median(ms):5.1f} ms, p99 {percentile(ms, 99):5.1f} ms; "
                  f"{what}: {hits}/{len(mine)}")
        print("plan for q=an nguyen (the statement in src/db/registrations/search.rs, parameters inlined):\n  "
              + search_plan(conf, "an nguyen").replace("\n", "\n  "))
        with open(f"/proc/{server.pid}/status") as f:
            peak = next(line for line in f if line.startswith("VmHWM")).split()[1]
        print(f"server peak RSS: {int(peak) / 1024:.1f} MiB")
    finally:
        server.terminate()
        server.wait()
        if args.keep:
            print(f"kept database {DB}")
        else:
            subprocess.run(["psql", f"{SERVER}/postgres", "-qc", f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)"],
                           capture_output=True)


def burst(token):
    """200 parallel self-registrations against 50 seats with a waitlist, sent by bench/burst.py's
    asyncio client (kept-alive connections opened first, released together)."""
    import asyncio
    from burst import percentile as _percentile, run_burst
    conf = conference(token, "burst", capacity=50, waitlist_enabled=True)
    results, elapsed = asyncio.run(run_burst([PORT], conf, 200, 200))
    statuses = [body["registration"]["status"] for status, body, _ in results if status == 201]
    latencies = [ms for _, _, ms in results]
    stored = psql(f"SELECT status, count(*) FROM registrations WHERE conference_id = '{conf}' GROUP BY 1 ORDER BY 1")
    print(f"burst: 200 self-registrations in {elapsed:.3f} s = {200 / elapsed:.0f}/s; "
          f"confirmed {statuses.count('confirmed')}, waitlisted {statuses.count('waitlisted')}; "
          f"latency p50 {statistics.median(latencies):.1f} ms, p99 {_percentile(latencies, 99):.1f} ms; stored {stored!r}")
    assert statuses.count("confirmed") == 50 and statuses.count("waitlisted") == 150


if __name__ == "__main__":
    import urllib.parse
    main()
