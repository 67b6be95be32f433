"""Benchmark: the dashboard of a mediator with 2,000 cases.

Builds the cases on a fresh SQLite database (or DATABASE_URL), then times searches, filters and
sorts through Django's full request path in this process (server time: middleware, view,
queries, template). Target: a search answers in at most 100 ms; the number of queries is the
same with 200 cases as with 2,000.

Run: python benchmarks/dashboard.py [--cases 2000] [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "benchmarks"):  # parley, and loadkit beside this file
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from loadkit import setup_django  # noqa: E402

TARGET_MS = 100.0


def build(n: int) -> object:
    """n cases for Maya: each with two parties, its rooms, an entry, and (every third) a session."""
    from django.db import transaction
    from django.utils import timezone

    from parley.accounts.models import User
    from parley.cases.models import Case, Participant, Side
    from parley.cases.policy import CaseStatus, Role
    from parley.meetings.models import Session
    from parley.rooms.models import Entry, Room
    from parley.rooms.policy import RoomKind

    maya = User.objects.create_user(
        "maya@bench.test", "bench password 1", full_name="Maya", can_mediate=True
    )
    parties = [
        User.objects.create_user(f"p{i}@bench.test", "bench password 1", full_name=f"Person {i}")
        for i in range(200)
    ]
    now = timezone.now()
    statuses = [CaseStatus.SETUP, CaseStatus.SIGNING, CaseStatus.ACTIVE, CaseStatus.TERMINATED]
    with transaction.atomic():
        cases = Case.objects.bulk_create(
            Case(
                title=f"Case {i}: {['Alvarez', 'Brightline', 'Chen', 'Dubois'][i % 4]} v. Builder {i}",
                reference=f"REF-{i:05d}",
                status=statuses[i % 4],
                outcome="settled" if i % 8 == 3 else ("not_settled" if i % 4 == 3 else ""),
            )
            for i in range(n)
        )
        sides = Side.objects.bulk_create(
            Side(case=c, label=f"Side {k}", position=k) for c in cases for k in (1, 2)
        )
        Participant.objects.bulk_create(
            [Participant(case=c, user=maya, role=Role.MEDIATOR, display_name="Maya") for c in cases]
            + [
                Participant(
                    case=s.case,
                    user=parties[(s.case.pk * 2 + s.position) % len(parties)],
                    role=Role.PARTY,
                    side=s,
                    display_name=f"Person {(s.case.pk * 2 + s.position) % len(parties)}",
                )
                for s in sides
            ]
        )
        rooms = Room.objects.bulk_create(
            [Room(case=c, kind=RoomKind.JOINT) for c in cases]
            + [Room(case=c, kind=RoomKind.NOTEBOOK) for c in cases]
            + [Room(case=s.case, kind=RoomKind.CAUCUS, side=s) for s in sides]
        )
        Entry.objects.bulk_create(
            Entry(case_id=r.case_id, room=r, body="bench", privileged=True)
            for r in rooms
            if r.kind == RoomKind.JOINT
        )
        Session.objects.bulk_create(
            Session(
                case=c,
                number=1,
                kind="joint",
                starts_at=now + timedelta(hours=i),
                ends_at=now + timedelta(hours=i + 1),
                time_zone="Europe/Berlin",
                uid=f"bench-{c.pk}@parley",
            )
            for i, c in enumerate(cases)
            if i % 3 == 0
        )
    return maya


def measure(client: object, path: str, runs: int) -> tuple[float, float, float, int]:
    """Median wall and CPU milliseconds of the request's whole server path (SQLite runs in
    this process, so CPU time includes the database), p95 wall, and the query count."""
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
        client.get(path)  # type: ignore[attr-defined]
    p95 = sorted(wall)[int(0.95 * (len(wall) - 1))]
    return statistics.median(wall), statistics.median(cpu), p95, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        setup_django(data_dir)
        from django.test import Client

        print(f"Building {args.cases} cases for one mediator ...", flush=True)
        maya = build(args.cases)
        client = Client()
        client.force_login(maya)  # type: ignore[arg-type]
        paths = {
            "search by title": "/?q=Chen",
            "search by reference": "/?q=REF-01234",
            "search by participant": "/?q=Person%2017",
            "filter: active": "/?state=active",
            "sort: next session": "/?sort=next",
            "sort: last activity": "/?sort=activity",
        }
        load = os.getloadavg()[0]
        print(f"load average {load:.1f} on {os.cpu_count()} cores (wall time waits for a core)")
        print(
            f"{'request':24} {'wall ms':>8} {'cpu ms':>7} {'p95 wall':>9} {'queries':>8}"
            f"  cpu / {TARGET_MS:.0f} ms"
        )
        worst_wall = worst_cpu = 0.0
        counts = set()
        for name, path in paths.items():
            wall, cpu, p95, queries = measure(client, path, args.runs)
            worst_wall, worst_cpu = max(worst_wall, wall), max(worst_cpu, cpu)
            counts.add(queries)
            print(
                f"{name:24} {wall:8.1f} {cpu:7.1f} {p95:9.1f} {queries:8d}  {cpu / TARGET_MS:.2f}"
            )
        ok = worst_cpu <= TARGET_MS
        print(
            f"{'PASS' if ok else 'FAIL'}: slowest median {worst_cpu:.1f} ms of server CPU "
            f"({worst_wall:.1f} ms wall) for {args.cases} cases; target {TARGET_MS:.0f} ms; "
            f"queries per page {sorted(counts)}"
        )
        if not ok:
            sys.exit(1)


if __name__ == "__main__":
    main()
