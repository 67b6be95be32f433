"""Browser tests: Debian's Chromium driven by Playwright against a real Parley server.

The server is a real ASGI server (uvicorn) in a subprocess, on its own SQLite file and data
directory, so pages, WebSockets and the database behave as in production. These tests run in
their own pytest process (`make browser`): Playwright's event loop breaks later asyncio tests.

Without Chromium they are not run, and say so loudly; with PARLEY_REQUIRE_BROWSER set (CI)
they fail instead. Likewise the Redis test fails without Redis when PARLEY_REQUIRE_REDIS is set.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("PARLEY_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Pages follow the browser's Accept-Language: tests read British English unless a context
    # asks for another locale.
    "--lang=en-GB",
]
PASSWORD = "correct horse battery"
DEMO_PASSWORD = "parley-demo-2026"
REDIS_TEST_URL = os.environ.get("PARLEY_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
BIN = Path(sys.executable).parent


def _loud(message: str) -> None:
    banner = "!" * 78
    sys.stderr.write(f"\n{banner}\n!!! {message}\n{banner}\n")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    url: str
    data_dir: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log: Path

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [str(BIN / "parley"), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return done.stdout


def start_server(
    root: Path,
    *,
    redis_url: str | None = None,
    demo: bool = False,
    serve: bool = False,
    env: dict[str, str] | None = None,
) -> Server:
    """serve=True: `parley serve`, as `make run` starts it (background jobs in the job
    process it starts, mail through the configured backend) instead of bare uvicorn with jobs run at
    once and mail kept in memory."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    data_dir = root / "data"
    data_dir.mkdir(parents=True)
    extra = env or {}
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "PARLEY_TEST_SQLITE_FILE", "EMAIL_BACKEND")
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "parley.settings",
            "PARLEY_DATA_DIR": str(data_dir),
            "SITE_URL": url,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PARLEY_JOBS_IMMEDIATE": "0" if serve else "1",
            # Mail the server sends lands in files the tests read (sign-up, reset links).
            "EMAIL_URL": f"file://{data_dir / 'mail'}",
        }
    )
    env.update(extra)
    if redis_url:
        env["REDIS_URL"] = redis_url
    for step in (["migrate", "--noinput"],):
        subprocess.run([str(BIN / "parley"), *step], env=env, check=True, capture_output=True)
    subprocess.run(
        [
            str(BIN / "parley"),
            "createmediator",
            "maya@example.com",
            "--name",
            "Maya Mediator",
            "--password",
            PASSWORD,
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    # R11.2: the mediator issues agreements, so she has an authenticator app (tests compute
    # its codes from MAYA_TOTP_SECRET).
    subprocess.run(
        [
            str(BIN / "python"),
            "-c",
            "import django; django.setup()\n"
            "from parley.accounts.models import User\n"
            "from parley.testing import MAYA_TOTP_SECRET, enrol_totp\n"
            "enrol_totp(User.objects.get(email='maya@example.com'), MAYA_TOTP_SECRET)\n",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    if demo:
        subprocess.run([str(BIN / "parley"), "demo"], env=env, check=True, capture_output=True)
    log = root / "server.log"
    command = [str(BIN / "parley"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    if not serve:
        command = [
            str(BIN / "python"),
            "-m",
            "uvicorn",
            "parley.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--lifespan",
            "off",
            "--log-level",
            "warning",
        ]
    process = subprocess.Popen(
        command,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/login/", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"Parley did not start:\n{log.read_text()}")
        time.sleep(0.2)
    return Server(url=url, data_dir=data_dir, env=env, process=process, log=log)


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()


class _Shared:
    """A session resource set up once per process. Other apps' conftests re-export these
    fixtures, so pytest may hold two fixture definitions for one resource; two Playwright
    drivers in one process break each other, and two servers only cost time."""

    def __init__(self) -> None:
        self.value: Any = None
        self.users = 0


_SERVER = _Shared()
_BROWSER = _Shared()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A fresh server on the in-memory channel layer: one mediator account (Maya) with no
    case yet, and the demo mediation (`parley demo`), active, with its own demo accounts."""
    if _SERVER.users == 0:
        _SERVER.value = start_server(tmp_path_factory.mktemp("parley"), demo=True)
    _SERVER.users += 1
    try:
        yield _SERVER.value
    finally:
        _SERVER.users -= 1
        if _SERVER.users == 0:
            stop_server(_SERVER.value)
            _SERVER.value = None


@pytest.fixture(scope="session")
def demo_server(server: Server) -> Server:
    return server


_USED_CODES: dict[str, float] = {}


def fresh_totp_code(secret: str) -> str:
    """A code allauth has not seen yet: it refuses a code used in the last 90 s (its window
    with a tolerance of one period), and one person may sign in several times a minute here."""
    from parley.accounts.second_factor import totp_code

    while True:
        now = time.time()
        for code, used in list(_USED_CODES.items()):
            if now - used > 100:
                del _USED_CODES[code]
        for step in (0, 1):
            code = totp_code(secret, at=now, step=step)
            if code not in _USED_CODES:
                _USED_CODES[code] = now
                return code
        time.sleep(30 - now % 30 + 0.5)


def sign_in_page(
    page: Any, base: str, email: str, password: str, totp_secret: str | None = None
) -> None:
    """The sign-in form, and the authenticator-code step when the account has one."""
    from playwright.sync_api import expect

    page.goto(base + "/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    if totp_secret is not None:
        expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
        page.get_by_label("Code").fill(fresh_totp_code(totp_secret))
        page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_title("My cases · Parley")


def redis_available(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=2).ping())
    except redis.RedisError:
        return False


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The demo mediation on a server whose channel layer is a real Redis."""
    if not redis_available(REDIS_TEST_URL):
        message = f"Redis is not reachable at {REDIS_TEST_URL}: the Redis browser test"
        if os.environ.get("PARLEY_REQUIRE_REDIS"):
            pytest.fail(message + " cannot run, and PARLEY_REQUIRE_REDIS is set.")
        _loud(message + " is NOT RUN.")
        pytest.skip(message + " is not run.")
    running = start_server(tmp_path_factory.mktemp("redis"), redis_url=REDIS_TEST_URL, demo=True)
    yield running
    stop_server(running)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"Chromium is not installed ({CHROMIUM}): BROWSER TESTS NOT RUN."
        if os.environ.get("PARLEY_REQUIRE_BROWSER"):
            _loud(message + " PARLEY_REQUIRE_BROWSER is set: failing.")
            pytest.fail(message + " PARLEY_REQUIRE_BROWSER is set.")
        _loud(message + " Install it with: apt-get install -y chromium")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    if _BROWSER.users == 0:
        driver = sync_playwright().start()
        chromium = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        _BROWSER.value = (driver, chromium)
    _BROWSER.users += 1
    try:
        yield _BROWSER.value[1]
    finally:
        _BROWSER.users -= 1
        if _BROWSER.users == 0:
            driver, chromium = _BROWSER.value
            chromium.close()
            driver.stop()
            _BROWSER.value = None


@pytest.fixture(scope="session")
def screenshots() -> Path | None:
    """Set PARLEY_SCREENSHOTS=docs/screenshots to refresh the README's pictures."""
    where = os.environ.get("PARLEY_SCREENSHOTS")
    if not where:
        return None
    path = Path(where)
    path.mkdir(parents=True, exist_ok=True)
    return path


def mails_to(server: Server, address: str) -> list[str]:
    """Every message the server's file backend wrote to `address`, oldest first, as text."""
    folder = server.data_dir / "mail"
    found = []
    for path in sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime):
        for raw in path.read_bytes().split(b"-" * 79):
            if not raw.strip():
                continue
            message = message_from_bytes(raw.strip() + b"\n", policy=policy.default)
            if address in str(message.get("To", "")):
                body = message.get_body(preferencelist=("plain",))
                found.append(body.get_content() if body is not None else "")
    return found


def link_in_last_mail(server: Server, address: str, path: str) -> str:
    found = re.findall(
        r"https?://[^/\s]+(" + re.escape(path) + r"\S*)", mails_to(server, address)[-1]
    )
    assert found, mails_to(server, address)[-1]
    return str(found[0])
