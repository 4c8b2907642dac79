#!/usr/bin/env python3
"""Two replicas on one database: two `hoithao serve` processes (ports BENCH_PORT and
BENCH_PORT + 1) on one fresh PostgreSQL database, the load split between them, and the
invariants that the database must keep across replicas checked and printed:

1. Registration burst: `--burst` threads released at once by a barrier, alternating between the
   two replicas, self-register against `--seats` seats with a waitlist. Exactly `--seats` are
   confirmed, the rest waitlisted, nobody twice, capacity never exceeded.
2. Scans: every delegate of a `--delegates` conference is scanned at the door through BOTH
   replicas at the same moment (one wrk per replica, each with every target). Exactly one of
   each pair is admitted (`ok`), the other answered `already_checked_in`; nobody is admitted twice.

  python3 bench/replicas.py                      # 200 against 50 seats; 5,000 delegates scanned
  python3 bench/replicas.py --burst 5000 --seats 1000

A load balancer does the same splitting in production (docker-compose.yml, profile `replicas`);
here the clients pick the port themselves so that no extra process sits in the measurement.
"""

import argparse
import concurrent.futures
import os
import shutil
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serving  # noqa: E402

PORT = int(os.environ.get("BENCH_PORT", "18094"))
PORTS = [PORT, PORT + 1]


def burst(admin, db, count, seats):
    cid = serving.conference_now(admin, f"replicas-burst-{count}", capacity=seats, waitlist_enabled=True)
    barrier = threading.Barrier(count)

    def register(n):
        client = serving.Client(PORTS[n % 2])
        barrier.wait()
        started = time.perf_counter()
        status, body = client.call("POST", f"/conferences/{cid}/self-registrations", {
            "full_name": f"Đại biểu {n}", "category": "enterprise", "phone": f"09{n:08d}",
            "consent": {"notice_version": 1, "accepted": True}})
        return status, body, (time.perf_counter() - started) * 1000

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        results = list(pool.map(register, range(count)))
    elapsed = time.perf_counter() - started
    statuses = [body["registration"]["status"] for status, body, _ in results if status == 201]
    failures = [(status, body.get("code") if isinstance(body, dict) else body) for status, body, _ in results if status != 201]
    latencies = sorted(ms for _, _, ms in results)
    stored = dict(line.split("|") for line in db.psql(
        f"SELECT status, count(*) FROM registrations WHERE conference_id = '{cid}' GROUP BY 1").splitlines())
    confirmed, waitlisted = int(stored.get("confirmed", 0)), int(stored.get("waitlisted", 0))
    people = int(db.psql(f"SELECT count(DISTINCT phone) FROM registrations WHERE conference_id = '{cid}'"))
    print(f"burst through 2 replicas: {count} self-registrations against {seats} seats in {elapsed:.2f} s = "
          f"{count / elapsed:.0f}/s; p50 {latencies[len(latencies) // 2]:.0f} ms, "
          f"p99 {latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))]:.0f} ms; "
          f"answered confirmed {statuses.count('confirmed')}, waitlisted {statuses.count('waitlisted')}, "
          f"failed {len(failures)} {sorted(set(map(str, failures)))[:3]}", flush=True)
    checks = {
        f"confirmed stored = {seats} (capacity reached, never exceeded)": confirmed == seats,
        f"waitlisted stored = {count - seats}": waitlisted == count - seats,
        "every answer matches what is stored": statuses.count("confirmed") == confirmed
        and statuses.count("waitlisted") == waitlisted,
        "one registration per person": people == confirmed + waitlisted,
    }
    return checks


def scans(admin, db, delegates, concurrency, duration):
    cid = serving.conference_now(admin, f"replicas-scans-{delegates}")
    codes = serving.import_delegates(admin, db, cid, delegates)
    status, device = admin.call("POST", f"/conferences/{cid}/devices", {"name": "Bench door"})
    assert status == 201, device
    targets_file = f"/tmp/{db.name}-targets.txt"
    with open(targets_file, "w") as f:
        f.write("".join(f"{code}\t\n" for code in codes))
    results = [None, None]

    def run(i):
        results[i] = serving.wrk_scans(PORTS[i], targets_file, device["token"], cid, concurrency // 2,
                                       duration, "ok", threads=1, salt=i + 1)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    os.remove(targets_file)
    # wrk runs out its whole duration even once every target is scanned, so the time is taken
    # from the database: first to last scan received, both replicas together.
    elapsed = float(db.psql(f"SELECT extract(epoch FROM max(received_at) - min(received_at)) FROM checkins "
                            f"WHERE conference_id = '{cid}'"))
    answered = sum(r["requests"] for r in results)
    admitted = sum(r["acknowledged"] for r in results)
    refused = sum(r["unexpected"] for r in results)
    socket_errors = sum(r["socket_errors"] for r in results)
    stored_ok = int(db.psql(f"SELECT count(*) FROM checkins WHERE conference_id = '{cid}' AND outcome = 'ok'"))
    stored_again = int(db.psql(
        f"SELECT count(*) FROM checkins WHERE conference_id = '{cid}' AND outcome = 'already_checked_in'"))
    p99 = max(r["p99"] for r in results)
    print(f"scans through 2 replicas: {delegates} delegates each scanned through both at once: {answered} scans "
          f"in {elapsed:.2f} s (first to last received) = {answered / elapsed:.0f}/s; p99 {p99:.1f} ms "
          f"(the worse replica); admitted {admitted}, already_checked_in {refused}, socket errors {socket_errors}",
          flush=True)
    # A wrk thread stops when its share is sent, before the answers to its last requests (one
    # per connection) arrive: the database, not the answers, is complete.
    return {
        # wrk may stop before sending its very last target or two: those are never scanned.
        f"each delegate scanned admitted once: stored ok {stored_ok} of {delegates}":
            delegates - concurrency <= stored_ok <= delegates,
        "admitted twice: 0": serving.double_entries(db, cid) == 0,
        f"the other scan refused and recorded: stored already_checked_in {stored_again} = ok {stored_ok}":
            stored_again == stored_ok,
        "answers agree with what is stored": admitted <= stored_ok and refused <= stored_again,
        "no socket errors": socket_errors == 0,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--burst", type=int, default=200, help="parallel self-registrations (200)")
    parser.add_argument("--seats", type=int, default=50, help="capacity of the burst's conference (50)")
    parser.add_argument("--delegates", type=int, default=5000, help="delegates scanned through both replicas (5,000)")
    parser.add_argument("--concurrency", type=int, default=64, help="scan connections, split between replicas (64)")
    parser.add_argument("--duration", type=float, default=20.0,
                        help="wrk's run time; the scans must finish within it (wrk runs it out in any case)")
    parser.add_argument("--pool", type=int, default=16, help="HOITHAO_DB_POOL_SIZE of each replica (16)")
    parser.add_argument("--keep", action="store_true", help="keep the database (and print its name)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench/replicas.py drives the scans with wrk: apt-get install wrk")

    db = serving.Database("hoithao_replicabench")
    servers = serving.start_servers(db, PORTS, args.pool)
    try:
        # Logged in on one replica, used on both: the signing key is shared.
        admin = serving.admin_client(PORTS[0])
        # The generated delegates belong to the seed units.
        with open(os.path.join(serving.ROOT, "src/seed/units.csv"), "rb") as f:
            admin.call("POST", "/unit-imports", f.read(), {"content-type": "text/csv"})
        checks = burst(admin, db, args.burst, args.seats)
        checks.update(scans(serving.Client(PORTS[1], admin.token), db, args.delegates, args.concurrency, args.duration))
        for name, held in checks.items():
            print(f"check: {name}: {held}")
        if not all(checks.values()):
            sys.exit(1)
    finally:
        serving.stop_servers(servers)
        if args.keep:
            print(f"kept database {db.name}")
        else:
            db.drop()


if __name__ == "__main__":
    main()
