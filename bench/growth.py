#!/usr/bin/env python3
"""Growth benchmark: first scans at concurrency 64 against conferences of 1,000, 10,000 and
100,000 delegates, one after the other on one server and one database (which grows with each),
printing throughput and latency per size, so that the README can show whether scan latency
stays flat as events grow. Scans are driven by wrk with bench/scan.lua; see bench/README.md.

  python3 bench/growth.py                       # 1,000, 10,000 and 100,000 delegates
  python3 bench/growth.py --sizes 1000,10000    # a quicker look

Each size gets enough parallel tracks (sessions) that wrk never runs out of distinct first
scans before its duration ends: wrk divides by its whole duration even after its threads have
stopped, so a run that finishes early would understate throughput.
"""

import argparse
import math
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serving  # noqa: E402

PORT = int(os.environ.get("BENCH_PORT", "18093"))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000", help="delegates per conference, comma-separated")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of scanning per size")
    parser.add_argument("--min-targets", type=int, default=60000,
                        help="distinct first scans offered per size (more than wrk can finish in --duration)")
    parser.add_argument("--pool", type=int, default=16, help="HOITHAO_DB_POOL_SIZE of the server (16, its default)")
    parser.add_argument("--keep", action="store_true", help="keep the database (and print its name)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench/growth.py drives the scans with wrk: apt-get install wrk")
    sizes = [int(s) for s in args.sizes.split(",")]

    db = serving.Database("hoithao_growthbench")
    servers = serving.start_servers(db, [PORT], args.pool)
    rows, failed = [], False
    try:
        admin = serving.admin_client(PORT)
        with open(os.path.join(serving.ROOT, "src/seed/units.csv"), "rb") as f:
            admin.call("POST", "/unit-imports", f.read(), {"content-type": "text/csv"})
        for size in sizes:
            cid = serving.conference_now(admin, f"growth-{size}")
            codes = serving.import_delegates(admin, db, cid, size)
            tracks = [serving.track(admin, cid, n + 1) for n in range(max(0, math.ceil(args.min_targets / size) - 1))]
            status, device = admin.call("POST", f"/conferences/{cid}/devices", {"name": "Bench door"})
            assert status == 201, device
            targets = [f"{code}\t" for code in codes] + [f"{code}\t{t}" for t in tracks for code in codes]
            targets_file = f"/tmp/{db.name}-{size}.txt"
            with open(targets_file, "w") as f:
                f.write("\n".join(targets) + "\n")
            figures = serving.wrk_scans(PORT, targets_file, device["token"], cid, args.concurrency,
                                        args.duration, "ok")
            os.remove(targets_file)
            stored = int(db.psql(f"SELECT count(*) FROM checkins WHERE conference_id = '{cid}' AND outcome = 'ok'"))
            twice = serving.double_entries(db, cid)
            acknowledged = figures["acknowledged"]
            exhausted = figures["requests"] >= len(targets)
            # Scans in flight when wrk's time ends are stored but not acknowledged: at most one
            # per connection.
            consistent = acknowledged <= stored <= acknowledged + args.concurrency
            errors = figures["unexpected"] + figures["socket_errors"]
            ok = consistent and twice == 0 and errors == 0 and not exhausted
            failed |= not ok
            rate = figures["requests"] / figures["seconds"]
            print(f"{size} delegates ({len(tracks)} tracks, {len(targets)} targets): {figures['requests']} first scans "
                  f"in {figures['seconds']:.2f} s = {rate:.0f}/s; p50 {figures['p50']:.1f} ms, p90 {figures['p90']:.1f} ms, "
                  f"p99 {figures['p99']:.1f} ms, max {figures['max']:.1f} ms; errors {errors}", flush=True)
            print(f"  check: ok stored {stored}, acknowledged {acknowledged} (+ at most {args.concurrency} in flight): "
                  f"{consistent}; admitted twice: {twice}; targets left over (wrk never ran dry): {not exhausted}",
                  flush=True)
            rows.append((size, rate, figures["p50"], figures["p99"]))
        registrations = db.psql("SELECT count(*) FROM registrations")
        print(f"\ndelegates | first scans/s | p50 ms | p99 ms   (database at the end: {registrations} registrations)")
        for size, rate, p50, p99 in rows:
            print(f"{size:>9} | {rate:>13.0f} | {p50:>6.1f} | {p99:>6.1f}")
        if failed:
            sys.exit(1)
    finally:
        serving.stop_servers(servers)
        if args.keep:
            print(f"kept database {db.name}")
        else:
            db.drop()


if __name__ == "__main__":
    main()
