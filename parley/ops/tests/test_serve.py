from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from parley.ops.management.commands.serve import JOBS_NICENESS, check_workers


def test_one_worker_needs_nothing_else() -> None:
    assert check_workers(1, redis_url="", vendor="sqlite") == ""


def test_several_workers_with_postgresql_and_redis_are_fine() -> None:
    assert check_workers(2, redis_url="redis://127.0.0.1:6379/0", vendor="postgresql") == ""


def test_several_workers_on_sqlite_with_redis_get_a_warning() -> None:
    assert "PostgreSQL" in check_workers(2, redis_url="redis://x", vendor="sqlite")


@override_settings(REDIS_URL="")
def test_serve_refuses_several_workers_with_the_in_memory_channel_layer() -> None:
    with pytest.raises(CommandError, match="needs REDIS_URL"):
        call_command("serve", "--workers", "2")


def test_serve_refuses_zero_workers() -> None:
    with pytest.raises(CommandError):
        check_workers(0, redis_url="", vendor="sqlite")


# --------------------------------------------------------------------------- the job process


def _serve_with_jobs(tmp_path: Path) -> tuple[subprocess.Popen[str], int]:
    """`parley serve` as `make run` starts it, on its own data directory; and the pid of the
    job process it says it started."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        {
            "PARLEY_DATA_DIR": str(tmp_path),
            "PARLEY_JOBS_IMMEDIATE": "0",
            "DJANGO_SETTINGS_MODULE": "parley.settings",
        }
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "parley.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert server.stdout is not None
    for line in server.stdout:
        found = re.search(r"Background jobs .*process (\d+)", line)
        if found:
            return server, int(found.group(1))
    raise AssertionError(f"serve exited ({server.wait()}) without starting its jobs")


def _gone(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state == "Z":  # exited, waiting for its parent to reap it
            return True
        time.sleep(0.1)
    return False


def _cmdline(pid: int) -> list[str]:
    """The process's command line once it has one with `worker` in it, or as it is after 20 s
    (the job process starts as nice(1), which then becomes the worker in the same process)."""
    deadline = time.monotonic() + 20
    while True:
        words = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
        if "worker" in words or time.monotonic() > deadline:
            return words
        time.sleep(0.05)


def _niceness_of_threads(pid: int) -> set[int]:
    """The nice values of the process's threads (field 19 of /proc/<pid>/task/<tid>/stat)."""
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):  # a thread that ended meanwhile
            found.add(int((task / "stat").read_text().rsplit(")", 1)[1].split()[16]))
    return found


def test_serve_runs_the_jobs_in_a_process_of_their_own_that_stops_with_it(
    tmp_path: Path,
) -> None:
    server, jobs = _serve_with_jobs(tmp_path)
    try:
        assert jobs != server.pid
        assert "worker" in _cmdline(jobs)
        assert not _gone(jobs, within=1)
        # Jobs yield the cores to the server: every thread of the job process runs below it.
        assert _niceness_of_threads(jobs) == {os.getpriority(os.PRIO_PROCESS, 0) + JOBS_NICENESS}
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        assert _gone(jobs, within=20)
    finally:
        server.kill()
        with contextlib.suppress(OSError):
            os.kill(jobs, signal.SIGKILL)


def test_the_job_process_stops_by_itself_when_the_server_dies_without_stopping_it(
    tmp_path: Path,
) -> None:
    server, jobs = _serve_with_jobs(tmp_path)
    try:
        assert not _gone(jobs, within=1)
        server.kill()  # SIGKILL: no finally block, no chance to stop its child
        server.wait(timeout=10)
        assert _gone(jobs, within=20)
    finally:
        with contextlib.suppress(OSError):
            os.kill(jobs, signal.SIGKILL)


def test_the_job_consumer_prints_each_log_line_once(tmp_path: Path) -> None:
    """`make run` shows the job process's output in the same terminal: with LOG_LEVEL=INFO
    each of its lines comes once (huey adds no handler of its own beside the project's)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        {
            "PARLEY_DATA_DIR": str(tmp_path),
            "PARLEY_JOBS_IMMEDIATE": "0",
            "DJANGO_SETTINGS_MODULE": "parley.settings",
            "LOG_LEVEL": "INFO",
        }
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "parley.cli", "worker"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert worker.stdout is not None
        for line in worker.stdout:
            if "consumer started" in line:
                break
        else:
            raise AssertionError(f"the worker exited ({worker.wait()}) without starting")
        # The consumer's next line is its next message, not the same one again.
        assert "consumer started" not in worker.stdout.readline()
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
