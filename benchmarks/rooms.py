"""Benchmark: a room of 1,000 entries, opened at its latest and paged back to its first.

Builds one mediation (the test cast, through the real actions) on a fresh SQLite database (or
DATABASE_URL), stores 1,000 entries in its joint room, then times through Django's full request
path in this process (server time: middleware, view, queries, decryption, template): the room
page as a party opens it (its latest 50 entries), and every "Show earlier" page back to the
first entry. Target: the room opens in at most 150 ms; the number of queries is the same for
every page and for a room of 100 entries as of 1,000.

Run: python benchmarks/rooms.py [--entries 1000] [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "benchmarks"):  # parley, and loadkit beside this file
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from loadkit import setup_django  # noqa: E402

TARGET_MS = 150.0


def fill(cast: object, n: int) -> None:
    """n entries in the joint room, Alice and Bob in turn, some long, every tenth with a link."""
    from parley.rooms.models import Entry
    from parley.testing import ActiveCast

    assert isinstance(cast, ActiveCast)
    people = [cast.participant(cast.alice), cast.participant(cast.bob)]
    room = cast.room("joint")
    Entry.objects.bulk_create(
        (
            Entry(
                case=cast.case,
                room=room,
                author=people[i % 2],
                body=f"Entry {i + 1}. "
                + ("See https://example.org/plans/v2 for the plans. " if i % 10 == 0 else "")
                + "We would like the work finished before the spring. " * (1 + i % 4),
                privileged=True,
            )
            for i in range(n)
        ),
        batch_size=500,
    )


def measure(client: object, path: str, runs: int) -> tuple[float, float, float, int, str]:
    """Median wall and CPU ms of the whole server path (SQLite runs in this process, so CPU time
    includes the database), p95 wall, the query count, and the page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(path)  # type: ignore[attr-defined]
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        html = client.get(path).content.decode()  # type: ignore[attr-defined]
    p95 = sorted(wall)[int(0.95 * (len(wall) - 1))]
    return statistics.median(wall), statistics.median(cpu), p95, len(queries), html


def earlier_link(html: str) -> str | None:
    found = re.search(r'class="earlier"><a href="[^"]*" hx-get="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        setup_django(data_dir)
        from django.test import Client

        from parley.testing import build_case, make_cast

        cast = build_case(make_cast())
        client = Client()
        client.force_login(cast.alice)
        room = f"/cases/{cast.case.pk}/rooms/{cast.room('joint').pk}/"

        fill(cast, 100)
        small = measure(client, room, 3)[3]
        print(f"Storing {args.entries} entries in one room ...", flush=True)
        fill(cast, args.entries - 100)
        load = os.getloadavg()[0]
        print(f"load average {load:.1f} on {os.cpu_count()} cores (wall time waits for a core)")
        print(f"{'request':28} {'wall ms':>8} {'cpu ms':>7} {'p95 wall':>9} {'queries':>8}")
        wall, cpu, p95, opening, html = measure(client, room, args.runs)
        print(f"{'open the room (latest 50)':28} {wall:8.1f} {cpu:7.1f} {p95:9.1f} {opening:8d}")
        seen = len(re.findall(r"data-entry-id=", html))
        pages, walls, cpus, counts = 1, [], [], set()
        link = earlier_link(html)
        while link is not None:
            w, c, _, q, html = measure(client, link, 3)
            walls.append(w)
            cpus.append(c)
            counts.add(q)
            seen += len(re.findall(r"data-entry-id=", html))
            pages += 1
            link = earlier_link(html)
        if walls:
            print(
                f"{'each earlier page (median)':28} {statistics.median(walls):8.1f} "
                f"{statistics.median(cpus):7.1f} {max(walls):9.1f} "
                f"{'/'.join(map(str, sorted(counts))):>8}"
            )
        reached = "Entry 1. " in html
        ok = cpu <= TARGET_MS and small == opening and len(counts) <= 1 and reached
        print(
            f"{'PASS' if ok else 'FAIL'}: opens in {cpu:.1f} ms of server CPU ({wall:.1f} ms wall) "
            f"at {args.entries} entries, target {TARGET_MS:.0f} ms; queries {small} at 100 "
            f"entries, {opening} at {args.entries}; {pages} pages back to the first entry "
            f"({'reached' if reached else 'NOT reached'}, {seen} entries shown)"
        )
        if not ok:
            sys.exit(1)


if __name__ == "__main__":
    main()
