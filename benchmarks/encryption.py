"""Benchmark: what encryption at rest (R11.3) costs the server, with and without it, same run.

On a fresh SQLite database (or DATABASE_URL) this process posts entries through the API and
reads rooms through the API (Django's whole request path: middleware, view, action, policy,
queries, JSON), in alternating rounds: with the vault as shipped, then with its two text
functions swapped for pass-throughs (the benchmark's own stand-in; nothing in Parley can turn
encryption off). Server CPU time per request is compared: a CPU-bound server's throughput
falls by the same share. Target: encryption costs at most 10 %.

Run: python benchmarks/encryption.py [--rounds 3] [--posts 600] [--reads 60]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "benchmarks"):  # parley, and loadkit beside this file
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from loadkit import setup_django  # noqa: E402

TARGET = 0.10
PLAIN = "v1:"  # the stand-in keeps the stored form's prefix, so every code path is the same


@contextmanager
def without_encryption() -> Iterator[None]:
    from parley.vault import keys

    sealed, opened = keys.seal_text, keys.open_text

    def seal(case_id: int, identity: str, text: str) -> str:
        return PLAIN + text

    def open_(case_id: int, identity: str, stored: str) -> str:
        return stored[len(PLAIN) :]

    keys.seal_text, keys.open_text = seal, open_
    try:
        yield
    finally:
        keys.seal_text, keys.open_text = sealed, opened


def cpu_ms(calls: int, fn: Callable[[int], None]) -> float:
    started = time.process_time()
    for i in range(calls):
        fn(i)
    return (time.process_time() - started) * 1000 / calls


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--posts", type=int, default=600)
    parser.add_argument("--reads", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        setup_django(data_dir)
        from django.test import Client
        from loadkit import seed

        from parley.cases.models import Participant

        population = seed(10, "enc")
        # Each mode writes and reads its own five cases (a plain row does not open as a
        # ciphertext): the same people, rooms and sizes on both sides.
        cases = sorted({p.case_id for p in population.people})
        posters: dict[str, list[tuple[Any, str]]] = {"on": [], "off": []}
        for person in population.people:
            user = Participant.objects.select_related("user").get(pk=person.participant_id).user
            client = Client()
            client.force_login(user)
            mode = "on" if cases.index(person.case_id) % 2 == 0 else "off"
            room = f"/api/v1/cases/{person.case_id}/rooms/{person.rooms[0]}"
            posters[mode].append((client, room))

        def post(mode: str, tag: str) -> Callable[[int], None]:
            def one(i: int) -> None:
                client, room = posters[mode][i % len(posters[mode])]
                response = client.post(
                    f"{room}/entries",
                    {
                        "body": f"A message of ordinary length, number {i} ({tag}).",
                        "client_key": f"{tag}{i}",
                    },
                    content_type="application/json",
                )
                assert response.status_code == 201, response.content

            return one

        def read(mode: str) -> Callable[[int], None]:
            def one(i: int) -> None:
                client, room = posters[mode][i % len(posters[mode])]
                response = client.get(f"{room}/entries?limit=200")
                assert response.status_code == 200, response.content

            return one

        results: dict[str, list[float]] = {
            "post on": [],
            "post off": [],
            "read on": [],
            "read off": [],
        }

        def measure(mode: str, r: int) -> None:
            results[f"post {mode}"].append(cpu_ms(args.posts, post(mode, f"{mode}{r}-")))
            results[f"read {mode}"].append(cpu_ms(args.reads, read(mode)))

        # Warm both ways first (every person's first request loads their session and case).
        cpu_ms(len(posters["on"]), post("on", "warm-"))
        with without_encryption():
            cpu_ms(len(posters["off"]), post("off", "warm-"))
        for r in range(args.rounds):
            # Alternate which goes first, so neither gains from the other's warming.
            for mode in ("on", "off") if r % 2 == 0 else ("off", "on"):
                if mode == "on":
                    measure(mode, r)
                else:
                    with without_encryption():
                        measure(mode, r)

        load = os.getloadavg()[0]
        print(f"load average {load:.1f} on {os.cpu_count()} cores; server CPU ms per request")
        print(f"{'request':32} {'encrypted':>10} {'plain':>8} {'cost':>7}")
        worst = 0.0
        for what, label in (("post", "post an entry (API)"), ("read", "read 200 entries (API)")):
            on = statistics.median(results[f"{what} on"])
            off = statistics.median(results[f"{what} off"])
            cost = on / off - 1
            worst = max(worst, cost)
            print(f"{label:32} {on:10.2f} {off:8.2f} {cost:+7.1%}")
        print(
            f"{'PASS' if worst <= TARGET else 'FAIL'}: encryption costs at most {worst:+.1%} of "
            f"server CPU per request (target {TARGET:.0%}); medians of {args.rounds} "
            "alternating rounds"
        )


if __name__ == "__main__":
    main()
