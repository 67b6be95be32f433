"""Fault drills under load (PostgreSQL + Redis + 2 uvicorn workers, loopback only):

    kill9     kill -9 one worker; uvicorn's supervisor starts a new one
    redis     restart Redis (shutdown nosave, start again)
    postgres  stop PostgreSQL for a few seconds, then start it again

For each: people keep posting (retrying with the same idempotency key) and listening (sockets
reconnect and resume from their last entry id per room). The drill prints its counts and
passes only when no acknowledged entry is lost, every entitled recipient received every entry
after reconnecting, nobody else got any, requests during a database outage got a clear 503
(no 500, no hang), and the service recovered without a restart.

    python benchmarks/faults.py [--drills kill9,redis,postgres] [--cases 20] [--duration 20]

The PostgreSQL drill stops the machine's shared server for a few seconds and always starts it
again (try/finally). Results: benchmarks/results/faults.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

from load import environment, reset_pg, reset_redis, stored_check
from loadkit import (
    BIN,
    RESULTS_DIR,
    Client,
    Population,
    Protocol,
    Server,
    http_status,
    seed,
    start_server,
)

PG_URL = "postgresql://postgres@127.0.0.1:5432/parley_faults"
REDIS_URL = "redis://127.0.0.1:6379/6"
REDIS_START = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379",
    "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis",
    "--logfile", "/var/log/redis/ci.log",
]  # fmt: skip


def pg_cluster() -> list[str]:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    return ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main"]


def wait_until(check: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


def redis_up() -> bool:
    return (
        subprocess.run(["redis-cli", "-h", "127.0.0.1", "ping"], capture_output=True).returncode
        == 0
    )


def pg_up() -> bool:
    return (
        subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], capture_output=True).returncode == 0
    )


class Probe:
    """What /readyz said during and after the fault."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.seen: dict[str, list[int]] = {}

    def ask(self, moment: str) -> int:
        status = http_status(self.server.port, "/readyz", timeout=5)
        self.seen.setdefault(moment, []).append(status)
        return status


def kill9(server: Server, probe: Probe, notes: dict[str, Any]) -> None:
    before = server.worker_pids()
    victim = before[0]
    os.kill(victim, signal.SIGKILL)
    notes["killed_pid"] = victim
    notes["worker_restarted"] = wait_until(
        lambda: len(set(server.worker_pids()) - {victim}) >= server.workers, 30
    )
    notes["workers_after"] = server.worker_pids()
    probe.ask("after")


def restart_redis(server: Server, probe: Probe, notes: dict[str, Any]) -> None:
    subprocess.run(["redis-cli", "-h", "127.0.0.1", "shutdown", "nosave"], capture_output=True)
    try:
        wait_until(lambda: not redis_up(), 10)
        time.sleep(1.0)
        probe.ask("during")
        time.sleep(1.0)
    finally:
        subprocess.run(REDIS_START, capture_output=True)
        notes["redis_back"] = wait_until(redis_up, 30)
    notes["ready_again"] = wait_until(lambda: probe.ask("after") == 200, 60)


def restart_postgres(server: Server, probe: Probe, notes: dict[str, Any]) -> None:
    from django.db import connections

    connections.close_all()
    try:
        subprocess.run([*pg_cluster(), "stop"], capture_output=True, timeout=60)
        notes["pg_stopped"] = not pg_up()
        probe.ask("during")
        time.sleep(2.0)
        probe.ask("during")
    finally:
        subprocess.run([*pg_cluster(), "start"], capture_output=True, timeout=60)
        notes["pg_back"] = wait_until(pg_up, 60)
    notes["ready_again"] = wait_until(lambda: probe.ask("after") == 200, 60)


DRILLS: dict[str, Callable[[Server, Probe, dict[str, Any]], None]] = {
    "kill9": kill9,
    "redis": restart_redis,
    "postgres": restart_postgres,
}


async def run_drill(
    name: str,
    population: Population,
    server: Server,
    *,
    rate: float,
    duration: float,
    fault_at: float,
) -> dict[str, Any]:
    tag = f"f{name}{int(time.time())}"
    # The drills' clients send the browser's heartbeat (faster, to fit the drill's time).
    client = Client(
        population,
        server.port,
        Protocol(),
        run_tag=tag,
        stop_at=time.monotonic() + 600,
        heartbeat=2.0,
    )
    await client.open_sockets()
    probe = Probe(server)
    notes: dict[str, Any] = {}
    probe.ask("before")
    posting = asyncio.create_task(client.post_load(rate, duration, inflight=16))
    await asyncio.sleep(fault_at)
    fault_started = time.monotonic()
    # The fault runs in a thread: clients keep posting and listening meanwhile.
    await asyncio.to_thread(DRILLS[name], server, probe, notes)
    fault_ended = time.monotonic()
    await posting
    # Sockets that dropped reconnect by themselves and resume from their last entry id.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(client.connected) < len(population.people):
        await asyncio.sleep(0.2)
    await client.drain(30)
    after_reconnect = client.verdict()
    if after_reconnect["lost"]:
        # Tell apart "not delivered" from "not readable": reload every room from the start.
        await client.catch_up_all(full=True)
    after_reconnect["lost_after_full_reload"] = client.verdict()["lost"]
    await client.close()
    during = [s for t, s in client.stats.status_log if fault_started - 1 <= t <= fault_ended + 1]
    stored = await asyncio.to_thread(stored_check, tag, client.stats.acked)
    hangs = sum(
        v for k, v in client.stats.errors.items() if "Timeout" in k and k.startswith("post:")
    )
    result: dict[str, Any] = {
        "drill": name,
        **after_reconnect,
        **stored,
        "statuses": {str(k): v for k, v in sorted(client.stats.statuses.items())},
        "statuses_during_fault": {str(s): during.count(s) for s in sorted(set(during))},
        "server_errors_not_503": sum(
            v for k, v in client.stats.statuses.items() if k >= 500 and k != 503
        ),
        "hung_requests": hangs,
        "client_errors": client.stats.errors,
        "readyz": probe.seen,
        **notes,
    }
    checks = {
        "no acknowledged entry lost": result["acknowledged_not_stored"] == 0,
        "no entry stored twice": result["stored_twice"] == 0,
        "everyone entitled got everything after reconnect": result["lost"] == 0,
        "nobody else got anything": result["misdelivered"] == 0,
        "no 500s, no hangs": result["server_errors_not_503"] == 0 and hangs == 0,
        "every post was finally acknowledged": result["gave_up"] == 0,
        "ready again without a restart": probe.seen.get("after", [0])[-1] == 200,
    }
    if name == "postgres":
        checks["/readyz unhealthy while PostgreSQL is down"] = 503 in probe.seen.get("during", [])
    if name == "redis":
        checks["/readyz unhealthy while Redis is down"] = 503 in probe.seen.get("during", [])
    if name == "kill9":
        checks["the supervisor started a new worker"] = bool(notes.get("worker_restarted"))
    result["checks"] = checks
    result["passed"] = all(checks.values())
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--drills", default="kill9,redis,postgres")
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--rate", type=float, default=15.0)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--fault-at", type=float, default=6.0)
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="parley-faults-"))
    env = environment("pg", data_dir)
    env.update(DATABASE_URL=PG_URL, REDIS_URL=REDIS_URL)
    reset_pg(PG_URL)
    reset_redis(REDIS_URL)
    os.environ.clear()
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    population = seed(args.cases, f"f{int(time.time())}")
    connections.close_all()

    results = []
    for name in args.drills.split(","):
        server = start_server(
            f"parley-{name}",
            [str(BIN / "parley"), "serve", "--host", "127.0.0.1", "--workers", "2"],
            env,
            2,
            RESULTS_DIR / f"faults-{name}.log",
            "/readyz",
        )
        try:
            result = asyncio.run(
                run_drill(
                    name,
                    population,
                    server,
                    rate=args.rate,
                    duration=args.duration,
                    fault_at=args.fault_at,
                )
            )
        finally:
            server.stop()
            if not pg_up():
                subprocess.run([*pg_cluster(), "start"], capture_output=True, timeout=60)
            if not redis_up():
                subprocess.run(REDIS_START, capture_output=True)
        results.append(result)
        print(
            f"{name:9} acknowledged={result['acknowledged']} stored={result['stored']} "
            f"expected deliveries={result['expected_deliveries']} delivered={result['delivered']} "
            f"lost={result['lost']} misdelivered={result['misdelivered']} "
            f"503s={result['statuses'].get('503', 0)} other 5xx={result['server_errors_not_503']} "
            f"hangs={result['hung_requests']} reconnects={result['reconnects']} "
            f"caught up={result['caught_up']} -> {'PASS' if result['passed'] else 'FAIL'}",
            flush=True,
        )
        for text, ok in result["checks"].items():
            print(f"    {'ok  ' if ok else 'FAIL'} {text}")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "faults.json").write_text(json.dumps(results, indent=2, default=str))
    if not all(r["passed"] for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
