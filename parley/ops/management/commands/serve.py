from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

JOBS_STOP_SECONDS = 15
JOBS_NICENESS = 10


def check_workers(workers: int, *, redis_url: str, vendor: str) -> str:
    """Refuse a setup that would silently lose real-time events; return a warning or ""."""
    if workers < 1:
        raise CommandError("--workers must be 1 or more.")
    if workers > 1 and not redis_url:
        raise CommandError(
            f"--workers {workers} needs REDIS_URL (and DATABASE_URL for PostgreSQL): the "
            "in-memory channel layer lives in one process, so a message posted through one "
            "worker would never reach people connected to another. Set REDIS_URL and "
            "DATABASE_URL, or run one worker."
        )
    if workers > 1 and vendor == "sqlite":
        return (
            "Several workers share one SQLite file: writes queue behind each other. "
            "Use PostgreSQL (DATABASE_URL) for more than one worker."
        )
    return ""


def start_jobs(mode: str, *, workers: int, redis_url: str) -> subprocess.Popen[bytes] | None:
    """The job consumer (`parley worker`) as a process of its own beside this one, or None.
    On the embedded default (SQLite queue, one server process) mail goes out with no other
    command; under several workers or Redis, `parley worker` runs beside the servers, so no
    job runs twice as often as it should. In its own process a job (a PDF of thousands of
    entries, the engine, a burst of activity mails) never holds the server's interpreter
    lock while sockets wait. It stops with the server, and by itself if the server dies."""
    from huey.contrib.djhuey import HUEY

    if mode == "off" or HUEY.immediate:
        return None
    if mode == "auto" and (workers > 1 or redis_url):
        return None
    command = [sys.executable, "-m", "parley.cli", "worker", "--stop-with", str(os.getpid())]
    # Below the server in CPU priority, from its first instruction (so every thread, the
    # numerical libraries' included): on a busy machine a burst of jobs (hundreds of activity
    # mails at once) waits for the cores rather than the people posting.
    nice = shutil.which("nice")
    if nice:
        command = [nice, "-n", str(JOBS_NICENESS), *command]
    # Its own process group: Ctrl+C in a terminal reaches the server, which stops it once.
    return subprocess.Popen(command, process_group=0)


def stop_jobs(process: subprocess.Popen[bytes]) -> None:
    """SIGINT: huey finishes the jobs it is running, then exits."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=JOBS_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _exit(signum: int, frame: object) -> None:
    raise SystemExit(0)


class Command(BaseCommand):
    help = (
        "Serve Parley (HTTP and WebSockets) with uvicorn. One process by default (SQLite and "
        "the in-memory channel layer); --workers N with DATABASE_URL and REDIS_URL set."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1)
        parser.add_argument(
            "--forwarded-allow-ips",
            default="127.0.0.1",
            help="proxies trusted for X-Forwarded-For/-Proto (the TLS-terminating proxy)",
        )
        parser.add_argument("--log-level", default="warning")
        parser.add_argument(
            "--jobs",
            choices=["auto", "on", "off"],
            default="auto",
            help="start `parley worker` (mail, reminders, exports) beside the server: 'auto' "
            "does on the embedded default (one worker, no REDIS_URL); with Redis run "
            "`parley worker` yourself instead",
        )
        parser.add_argument("--access-log", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        import uvicorn

        workers = int(options["workers"])
        warning = check_workers(
            workers, redis_url=settings.REDIS_URL, vendor=connections["default"].vendor
        )
        if warning:
            self.stderr.write(warning)
        layer = "Redis" if settings.REDIS_URL else "in-memory"
        self.stdout.write(
            f"Parley on http://{options['host']}:{options['port']}/ "
            f"({workers} worker{'s' if workers > 1 else ''}, "
            f"{connections['default'].vendor} database, {layer} channel layer)"
        )
        jobs = start_jobs(options["jobs"], workers=workers, redis_url=settings.REDIS_URL)
        if jobs is not None:
            self.stdout.write(f"Background jobs (mail, reminders, exports): process {jobs.pid}.")
        self.stdout.flush()
        # uvicorn stops on SIGTERM, then raises it again: here that unwinds to `finally`
        # (which stops the job process), where the default action would end the process.
        signal.signal(signal.SIGTERM, _exit)
        try:
            uvicorn.run(
                "parley.asgi:application",
                host=options["host"],
                port=options["port"],
                workers=workers,
                log_level=options["log_level"],
                access_log=options["access_log"],
                lifespan="off",
                proxy_headers=True,
                forwarded_allow_ips=options["forwarded_allow_ips"],
                timeout_graceful_shutdown=10,
            )
        finally:
            if jobs is not None:
                stop_jobs(jobs)
