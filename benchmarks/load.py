"""Load benchmark: C cases x P people, each person a real WebSocket client, posting over its
socket with an idempotency key the way the browser does, at a set rate. Measures post ->
delivery latency at every entitled recipient, sustained throughput, CPU and memory per worker;
checks that every entitled recipient got every entry exactly once (after de-duplication by entry
id) and nobody else got any; runs the bare Channels baseline the same way and prints our/baseline
ratios.

    python benchmarks/load.py                        # both configurations, 200 cases x 4
    python benchmarks/load.py --configs sqlite --cases 20 --duration 10

Configurations: `sqlite` (one process, SQLite, in-memory channel layer: the embedded default)
and `pg` (PostgreSQL database parley_bench + Redis + 2 uvicorn workers). Loopback only; every
phase is bounded in time. Results: benchmarks/results/load-<config>.json, load.csv, load.md.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

from loadkit import (
    BIN,
    ROOT,
    BaselineProtocol,
    Client,
    Population,
    Protocol,
    Server,
    host_jiffies,
    latency_ms,
    parse_redis,
    sampling,
    seed,
    start_server,
    steal_percent,
)

RESULTS = ROOT / "benchmarks" / "results"
PG_URL = "postgresql://postgres@127.0.0.1:5432/parley_bench"
REDIS_BENCH = "redis://127.0.0.1:6379/5"
TARGETS = {"sqlite": 300.0, "pg": 500.0}
P99_TARGET_MS = 150.0
PHASES = ("capacity", "target")


def reset_pg(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}"')


def reset_redis(url: str) -> None:
    import redis

    host, port, db = parse_redis(url)
    client = redis.Redis(host=host, port=port, db=db)
    client.flushdb()
    client.close()


def environment(config: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="parley.settings",
        PARLEY_DATA_DIR=str(data_dir),
        DEBUG="false",
        LOG_LEVEL="ERROR",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        PARLEY_JOBS_IMMEDIATE="false",
    )
    env.pop("PYTEST_VERSION", None)
    if config == "pg":
        env.update(DATABASE_URL=PG_URL, REDIS_URL=REDIS_BENCH)
    return env


def setup_django(config: str, data_dir: Path) -> dict[str, str]:
    env = environment(config, data_dir)
    if config == "pg":
        reset_pg(PG_URL)
        reset_redis(REDIS_BENCH)
    os.environ.clear()
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return env


def stored_check(tag: str, acked: dict[str, int]) -> dict[str, int]:
    """Read back from the database: every acknowledged key stored exactly once."""
    from django.db import connection
    from django.db.models import Count

    from parley.rooms.models import Entry

    connection.close()
    rows = Entry.objects.filter(client_key__startswith=f"{tag}-")
    per_key = dict(
        rows.values_list("client_key").annotate(n=Count("id")).values_list("client_key", "n")
    )
    return {
        "stored": len(per_key),
        "stored_twice": sum(1 for n in per_key.values() if n > 1),
        "acknowledged_not_stored": sum(1 for k in acked if k not in per_key),
    }


async def drive(
    population: Population,
    server: Server,
    protocol: Protocol,
    *,
    tag: str,
    rate: float,
    duration: float,
    inflight: int,
    warmup: float,
) -> tuple[Client, dict[str, Any]]:
    client = Client(
        population, server.port, protocol, run_tag=tag, stop_at=time.monotonic() + duration + 300
    )
    result: dict[str, Any] = {}
    # Posting starts once every socket is open and has caught up (as a page does on load).
    result["connect_and_catch_up_seconds"] = round(await client.open_sockets(), 1)
    result["connect_seconds"] = round(client.all_connected_at - client.opened_at, 1)
    result["sockets"] = len(client.connected)
    print(
        f"  {result['sockets']} sockets open in {result['connect_seconds']} s, caught up in "
        f"{result['connect_and_catch_up_seconds']} s; "
        f"posting at {rate:g}/s for {duration:g} s (the first {warmup:g} s untimed)",
        flush=True,
    )
    client_cpu0 = time.process_time()
    host0 = host_jiffies()
    with sampling(server.worker_pids) as usage, sampling(server.job_pids) as jobs:
        first, last = await client.post_load(rate, duration, inflight, warmup=warmup)
        await client.drain(15)
    result["client_cpu_percent"] = round(
        100 * (time.process_time() - client_cpu0) / (last - first + 15), 1
    )
    # Time the hypervisor gave to other guests: a run on a disturbed host shows it here.
    result["host_steal_percent"] = steal_percent(host0, host_jiffies())
    # Acknowledgements per 5-s step from the first post: a server that slows down as the
    # phase goes on shows a falling row where the mean would hide it.
    steps = [0] * (int((last - first) // 5) + 1)
    for at in client.stats.ack_time.values():
        steps[int(max(at - first, 0) // 5)] += 1
    result["acks_per_5s"] = steps
    live = client.verdict()
    result["lost_before_catch_up"] = live["lost"]
    if protocol.catch_up and live["lost"]:
        await client.catch_up_all()
        result["lost_after_resume"] = client.verdict()["lost"]
        if result["lost_after_resume"]:
            await client.catch_up_all(full=True)
    await client.close()
    verdict = client.verdict()
    window = max(last - first, 1e-9)
    result.update(verdict)
    result["offered_rate"] = rate
    result["throughput"] = round(verdict["acknowledged"] / window, 1)
    result["deliveries_per_s"] = round(verdict["delivered"] / window, 1)
    result["latency_ms"] = latency_ms(client.stats.latencies)
    # Post -> the author's acknowledgement (stored and committed), apart from delivery.
    result["ack_latency_ms"] = latency_ms(
        [
            client.stats.ack_time[k] - client.stats.sent[k]
            for k in client.stats.ack_time
            if client.stats.sent[k] >= client.timed_from
        ]
    )
    result["warmup_s"] = warmup
    result["statuses"] = {str(k): v for k, v in sorted(client.stats.statuses.items())}
    result["errors"] = client.stats.errors
    result["workers"] = usage["workers"]
    result["jobs"] = jobs["workers"]
    return client, result


def child(args: argparse.Namespace) -> None:
    config = args.child
    workers = 2 if config == "pg" else 1
    data_dir = Path(tempfile.mkdtemp(prefix=f"parley-bench-{config}-"))
    env = setup_django(config, data_dir)
    t0 = time.monotonic()
    tag = f"b{int(time.time())}"
    population = seed(args.cases, tag)
    seeded = time.monotonic() - t0
    from django.db import connections

    connections.close_all()
    print(f"[{config}] seeded {args.cases} cases x 4 people in {seeded:.0f} s", flush=True)
    rate = args.rate or TARGETS[config]
    out: dict[str, Any] = {
        "config": config,
        "workers": workers,
        "cases": args.cases,
        "people": len(population.people),
        "duration_s": args.duration,
        "seed_seconds": round(seeded, 1),
        "jobs": args.jobs,
    }

    def phases(server: Server, protocol: Protocol, key: str) -> dict[str, Any]:
        """Capacity: more than the target offered (what the server sustains). Target: the
        target rate offered (latency there). Each with fresh sockets and fresh counts; the
        first seconds of each are a warm-up whose posts are checked but not timed."""
        runs: dict[str, Any] = {}
        for phase in PHASES:
            offered = rate * (args.over if phase == "capacity" else 1.0)
            run_tag = f"{tag}{key}{phase[0]}"
            client, result = asyncio.run(
                drive(population, server, protocol, tag=run_tag, rate=offered,
                      duration=args.duration, inflight=args.inflight, warmup=args.warmup)
            )  # fmt: skip
            if protocol.catch_up:
                result.update(stored_check(run_tag, client.stats.acked))
            runs[phase] = result
            print(f"[{config}] {server.name} {phase}: {json.dumps(result)}", flush=True)
        return runs

    server = start_server(
        "parley",
        [
            str(BIN / "parley"),
            "serve",
            "--host",
            "127.0.0.1",
            "--workers",
            str(workers),
            "--jobs",
            args.jobs,
        ],
        env,
        workers,
        RESULTS / f"server-{config}.log",
        "/readyz",
    )
    try:
        out["parley"] = phases(server, Protocol(), "p")
    finally:
        server.stop()

    base_env = dict(env)
    if config == "pg":
        base_env["REDIS_URL"] = "redis://127.0.0.1:6379/7"
        reset_redis(base_env["REDIS_URL"])
    uvicorn_cmd = [
        sys.executable, "-m", "uvicorn", "baseline:application",
        "--app-dir", str(ROOT / "benchmarks"), "--host", "127.0.0.1",
        "--workers", str(workers), "--log-level", "warning", "--lifespan", "off",
    ]  # fmt: skip
    server = start_server(
        "baseline", uvicorn_cmd, base_env, workers, RESULTS / f"baseline-{config}.log", "/healthz"
    )
    try:
        out["baseline"] = phases(server, BaselineProtocol(), "x")
    finally:
        server.stop()
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"load-{config}.json").write_text(json.dumps(out, indent=2))


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "n/a"


def table(results: list[dict[str, Any]]) -> str:
    head = (
        "| configuration | phase | sockets | offered/s | sustained entries/s | deliveries/s "
        "| p50 ms | p95 ms | p99 ms | lost | misdelivered | dup. dropped "
        "| CPU % per worker | peak RSS MiB per worker |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    rows = []
    for r in results:
        plural = "s" if r["workers"] > 1 else ""
        for who, label in (("parley", "Parley"), ("baseline", "bare baseline")):
            for phase in PHASES:
                m = r[who][phase]
                lat = m["latency_ms"]
                cpu = " / ".join(str(w["cpu_percent"]) for w in m["workers"])
                if m.get("jobs"):
                    cpu += " (jobs: " + " / ".join(str(w["cpu_percent"]) for w in m["jobs"]) + ")"
                rss = " / ".join(str(w["peak_rss_mib"]) for w in m["workers"])
                rows.append(
                    f"| {r['config']} {label} ({r['workers']} worker{plural}) | {phase} "
                    f"| {m['sockets']} | {m['offered_rate']:.0f} | {m['throughput']} "
                    f"| {m['deliveries_per_s']} | {lat['p50']} | {lat['p95']} | {lat['p99']} "
                    f"| {m['lost']} | {m['misdelivered']} | {m['duplicates_dropped']} "
                    f"| {cpu} | {rss} |"
                )
        p, b = r["parley"], r["baseline"]
        ps, bs, pp, bp = p["capacity"], b["capacity"], p["target"], b["target"]
        rows.append(
            f"| {r['config']} Parley / baseline | capacity: throughput; target: latency | | "
            f"| {ratio(ps['throughput'], bs['throughput'])} | "
            f"| {ratio(pp['latency_ms']['p50'], bp['latency_ms']['p50'])} "
            f"| {ratio(pp['latency_ms']['p95'], bp['latency_ms']['p95'])} "
            f"| {ratio(pp['latency_ms']['p99'], bp['latency_ms']['p99'])} | | | | | |"
        )
    return head + "\n".join(rows) + "\n"


def verdicts(results: list[dict[str, Any]]) -> list[str]:
    lines = []
    for r in results:
        sat, paced = r["parley"]["capacity"], r["parley"]["target"]
        target = TARGETS[r["config"]]
        checks = [
            (
                f"sustained >= {target:.0f} entries/s ({sat['throughput']})",
                sat["throughput"] >= target,
            ),
            (
                f"p99 <= {P99_TARGET_MS:.0f} ms at {paced['offered_rate']:.0f}/s ({paced['latency_ms']['p99']})",
                paced["latency_ms"]["p99"] <= P99_TARGET_MS,
            ),
        ]
        for phase, m in (("capacity", sat), ("target", paced)):
            checks += [
                (f"{phase}: zero lost", m["lost"] == 0 and m["acknowledged_not_stored"] == 0),
                (f"{phase}: zero misdelivered", m["misdelivered"] == 0),
                (f"{phase}: no entry stored twice", m["stored_twice"] == 0),
            ]
        for text, ok in checks:
            lines.append(f"{r['config']}: {text}: {'PASS' if ok else 'MISS'}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--configs", default="sqlite,pg")
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load per run")
    parser.add_argument(
        "--rate", type=float, default=0.0, help="entries/s offered (default: the target)"
    )
    parser.add_argument("--inflight", type=int, default=64, help="posts in flight at most")
    parser.add_argument(
        "--over",
        type=float,
        default=1.5,
        help="the capacity phase offers this multiple of the target rate",
    )
    parser.add_argument(
        "--warmup", type=float, default=5.0, help="untimed seconds at the start of each phase"
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="run nothing: rebuild load.md and load.csv from the configs' saved JSON results",
    )
    parser.add_argument(
        "--jobs",
        choices=("auto", "off"),
        default="auto",
        help="passed to `parley serve --jobs`: 'off' runs no job process beside the server",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    results = []
    for config in args.configs.split(","):
        if args.report_only:
            results.append(json.loads((RESULTS / f"load-{config}.json").read_text()))
            continue
        command = [
            sys.executable, __file__, "--child", config, "--cases", str(args.cases),
            "--duration", str(args.duration), "--rate", str(args.rate), "--inflight", str(args.inflight),
            "--over", str(args.over), "--warmup", str(args.warmup), "--jobs", args.jobs,
        ]  # fmt: skip
        subprocess.run(command, check=True, timeout=1800)
        results.append(json.loads((RESULTS / f"load-{config}.json").read_text()))
    text = table(results)
    print()
    print(text)
    for line in verdicts(results):
        print(line)
    (RESULTS / "load.md").write_text(text + "\n" + "\n".join(verdicts(results)) + "\n")
    with (RESULTS / "load.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["config", "server", "phase", "workers", "sockets", "offered", "throughput",
             "p50_ms", "p95_ms", "p99_ms", "lost", "misdelivered", "duplicates_dropped"]
        )  # fmt: skip
        for r in results:
            for who in ("parley", "baseline"):
                for phase in PHASES:
                    m = r[who][phase]
                    lat = m["latency_ms"]
                    writer.writerow(
                        [r["config"], who, phase, r["workers"], m["sockets"], m["offered_rate"],
                         m["throughput"], lat["p50"], lat["p95"], lat["p99"], m["lost"],
                         m["misdelivered"], m["duplicates_dropped"]]
                    )  # fmt: skip


if __name__ == "__main__":
    main()
