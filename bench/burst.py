#!/usr/bin/env python3
"""Self-registration bursts: N people registering at once against S seats with a waitlist,
against `hoithao serve` (release) on a fresh database, one replica or two on the same database.

The client is asyncio on raw keep-alive HTTP/1.1 connections, opened before the clock starts
and released together, so that the figure is the server's and not the client's (a thread per
request with urllib costs about as much CPU as the registration itself on this 2-core machine).
Each connection sends its share of the registrations one after the other; with as many
connections as people (the default up to 1,000), everyone is in flight at once.

Prints throughput (registrations / time from release to last answer), latency p50 / p99, the
answers by status, and checks what is stored: exactly S confirmed, the rest waitlisted, the
seats went to the first numbers and the waitlist is in number order (arrival order under the
seat row's lock), nobody twice, the counters equal to the rows.

  python3 bench/burst.py                          # 200 against 50, then 5,000 against 1,000
  python3 bench/burst.py --people 200 --seats 50 --replicas 2
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serving  # noqa: E402

PORT = int(os.environ.get("BENCH_PORT", "18096"))


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def open_connection(port):
    return await asyncio.open_connection("127.0.0.1", port)


async def exchange(reader, writer, request):
    """Sends one request on a kept-alive connection; returns (status, body bytes)."""
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(int(line.split(":", 1)[1]) for line in lines[1:] if line.lower().startswith("content-length:"))
    body = await reader.readexactly(length)
    return status, body


def registration_request(cid, n):
    body = json.dumps({"full_name": f"Đại biểu {n}", "category": "enterprise", "phone": f"09{n:08d}",
                       "consent": {"notice_version": 1, "accepted": True}}).encode()
    return (f"POST /api/v1/conferences/{cid}/self-registrations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body


async def run_burst(ports, cid, people, connections):
    conns = await asyncio.gather(*(open_connection(ports[i % len(ports)]) for i in range(connections)))
    requests = [registration_request(cid, n) for n in range(people)]
    release = asyncio.Event()
    results = []

    async def worker(i, reader, writer):
        await release.wait()
        for n in range(i, people, connections):
            started = time.perf_counter()
            status, body = await exchange(reader, writer, requests[n])
            results.append((status, json.loads(body), (time.perf_counter() - started) * 1000))
        writer.close()

    tasks = [asyncio.create_task(worker(i, r, w)) for i, (r, w) in enumerate(conns)]
    await asyncio.sleep(0.2)
    started = time.perf_counter()
    release.set()
    await asyncio.gather(*tasks)
    return results, time.perf_counter() - started


def burst(db, admin, ports, people, seats, connections, label="burst"):
    cid = serving.conference_now(admin, f"{label.split(',')[0]}-{people}-{seats}-{len(ports)}", capacity=seats,
                                 waitlist_enabled=True)
    cpu_before = os.times()
    results, elapsed = asyncio.run(run_burst(ports, cid, people, min(connections, people)))
    cpu_after = os.times()
    client_cpu = (cpu_after.user + cpu_after.system) - (cpu_before.user + cpu_before.system)
    answered = [body["registration"]["status"] for status, body, _ in results if status == 201]
    failures = sorted({f"{status} {body.get('code') if isinstance(body, dict) else body}"
                       for status, body, _ in results if status != 201})
    latencies = [ms for _, _, ms in results]
    print(f"{label}, {len(ports)} replica(s): {people} self-registrations against {seats} seats in {elapsed:.3f} s = "
          f"{people / elapsed:.0f}/s; latency p50 {statistics.median(latencies):.0f} ms, p99 "
          f"{percentile(latencies, 99):.0f} ms; answered confirmed {answered.count('confirmed')}, waitlisted "
          f"{answered.count('waitlisted')}, other {people - len(answered)} {failures[:3]}; "
          f"client CPU {client_cpu:.2f} s", flush=True)
    stored = dict(line.split("|") for line in db.psql(
        f"SELECT status, count(*) FROM registrations WHERE conference_id = '{cid}' GROUP BY 1").splitlines())
    confirmed, waitlisted = int(stored.get("confirmed", 0)), int(stored.get("waitlisted", 0))
    out_of_order = int(db.psql(
        f"SELECT count(*) FROM (SELECT number, status, row_number() OVER (ORDER BY coalesce(waitlisted_at, "
        f"'-infinity'), number) AS place FROM registrations WHERE conference_id = '{cid}') r "
        f"WHERE (status = 'confirmed' AND number > {seats}) OR (status = 'waitlisted' AND number <> place)"))
    # Builds before the seat row kept the counters on the conference row.
    seat_table = "conference_seats" if db.psql("SELECT to_regclass('conference_seats') IS NOT NULL") == "t" \
        else "conferences"
    key = "conference_id" if seat_table == "conference_seats" else "id"
    counters = db.psql(f"SELECT confirmed_count || '|' || registration_seq FROM {seat_table} WHERE {key} = '{cid}'")
    distinct = int(db.psql(f"SELECT count(DISTINCT phone) FROM registrations WHERE conference_id = '{cid}'"))
    return {
        f"{people}/{seats}: confirmed stored = {seats} (never more)": confirmed == seats,
        f"{people}/{seats}: waitlisted stored = {people - seats}": waitlisted == people - seats,
        f"{people}/{seats}: every answer is a 201 matching what is stored": len(answered) == people
        and answered.count("confirmed") == confirmed and answered.count("waitlisted") == waitlisted,
        f"{people}/{seats}: seats to numbers 1-{seats}, waitlist in number order": out_of_order == 0,
        f"{people}/{seats}: one registration per person": distinct == confirmed + waitlisted,
        f"{people}/{seats}: counters equal the rows": counters == f"{seats}|{confirmed + waitlisted}",
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, help="registrations of one burst (default: 200, then 5,000)")
    parser.add_argument("--seats", type=int, help="capacity (default: 50, then 1,000)")
    parser.add_argument("--connections", type=int, default=1000, help="client connections, at most (1,000)")
    parser.add_argument("--replicas", type=int, default=1, choices=[1, 2], help="serve processes on one database")
    parser.add_argument("--pool", type=int, default=16, help="HOITHAO_DB_POOL_SIZE of each replica (16)")
    parser.add_argument("--keep", action="store_true", help="keep the database (and print its name)")
    args = parser.parse_args()
    runs = [(args.people, args.seats)] if args.people else [(200, 50), (5000, 1000)]
    ports = [PORT + i for i in range(args.replicas)]
    db = serving.Database("hoithao_burstbench")
    servers = serving.start_servers(db, ports, args.pool)
    try:
        admin = serving.admin_client(ports[0])
        # The first requests after start open the pool's connections and prepare each statement
        # on each of them: a burst of 64 on a conference of its own takes that cost first
        # (printed, not checked), so that the measured bursts meet a warm server.
        burst(db, admin, ports, 64, 16, args.connections, label="warm-up, cold pool")
        checks = {}
        for people, seats in runs:
            checks.update(burst(db, admin, ports, people, seats or max(1, people // 4), args.connections))
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
