from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections


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


def start_jobs(mode: str, *, workers: int, redis_url: str) -> Any:
    """The job consumer, started in this process, or None. On the embedded default (SQLite
    queue, one server process) mail goes out with no other command; under several workers
    or Redis, `parley worker` runs them, so no job runs twice as often as it should."""
    from huey.contrib.djhuey import HUEY

    if mode == "off" or HUEY.immediate:
        return None
    if mode == "auto" and (workers > 1 or redis_url):
        return None
    consumer = HUEY.create_consumer(
        workers=settings.PARLEY_JOB_WORKERS,
        worker_type="thread",
        periodic=True,
        max_delay=settings.PARLEY_JOB_POLL_SECONDS,
    )
    consumer.start()
    return consumer


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
            help="run the background jobs (mail, reminders, exports) in this process: 'auto' "
            "does on the embedded default (one worker, no REDIS_URL); with Redis run "
            "`parley worker` beside the server instead",
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
        consumer = start_jobs(options["jobs"], workers=workers, redis_url=settings.REDIS_URL)
        if consumer is not None:
            self.stdout.write("Background jobs (mail, reminders) run in this process.")
        self.stdout.flush()
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
            if consumer is not None:
                consumer.stop(graceful=True)
