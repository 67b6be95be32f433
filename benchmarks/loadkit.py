"""The pieces the load benchmark and the fault drills share: servers as subprocesses, a seeded
population of cases, WebSocket clients that resume from their last entry id, an HTTP poster that
retries with the same idempotency key, and the exactly-once / no-misdelivery check.

Everything talks to 127.0.0.1 only, and every loop is bounded in time and count.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def setup_django(data_dir: str, *, migrate: bool = True) -> None:
    """Django in this process on a fresh data folder (SQLite there unless DATABASE_URL is set),
    jobs run at once, migrated: for the benchmarks that time the server path in process."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parley.settings")
    os.environ["PARLEY_DATA_DIR"] = data_dir
    os.environ.setdefault("PARLEY_JOBS_IMMEDIATE", "1")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


RESULTS_DIR = ROOT / "benchmarks" / "results"
CLOCK = time.perf_counter


# --------------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def children_of(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(x) for x in (task / "children").read_text().split()]
    return found


def is_worker(pid: int) -> bool:
    """uvicorn's worker processes, not multiprocessing's resource tracker."""
    try:
        return b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def memory_mib(pid: int) -> tuple[float, float]:
    """(current RSS, peak RSS) in MiB."""
    rss = hwm = 0.0
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) / 1024
    return rss, hwm


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    workers: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        if self.workers == 1:
            return [self.process.pid]
        return [pid for pid in children_of(self.process.pid) if is_worker(pid)]

    def job_pids(self) -> list[int]:
        """The job process `parley serve` starts beside itself on the embedded default."""
        return [
            pid
            for pid in children_of(self.process.pid)
            if b"\0worker\0" in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_server(
    name: str, command: list[str], env: dict[str, str], workers: int, log: Path, ready_path: str
) -> Server:
    port = free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    handle = log.open("wb")
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    server = Server(name, port, process, workers, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited: see {log}")
        if http_status(port, ready_path) == 200 and (
            workers == 1 or len(server.worker_pids()) >= workers
        ):
            return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{name} did not become ready: see {log}")


def http_status(port: int, path: str, timeout: float = 2.0) -> int:
    """A blocking GET, for probes outside the event loop. 0 when nothing answers."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
            )
            head = s.recv(64).decode("latin-1")
            return int(head.split()[1])
    except (OSError, ValueError, IndexError):
        return 0


# --------------------------------------------------------------------------- population


@dataclass
class Person:
    index: int
    case_id: int
    participant_id: int
    token: str  # API token for HTTP posts
    session: str  # session cookie for the WebSocket (the consumer uses session auth)
    rooms: list[int]  # rooms this person is a member of (from the policy)


@dataclass
class Population:
    people: list[Person]
    members: dict[int, frozenset[int]]  # room id -> participant ids entitled to read it
    room_case: dict[int, int]

    def to_json(self) -> dict[str, Any]:
        return {
            "people": [p.__dict__ for p in self.people],
            "members": {str(k): sorted(v) for k, v in self.members.items()},
            "room_case": {str(k): v for k, v in self.room_case.items()},
        }


def seed(cases: int, tag: str) -> Population:
    """Precondition: Django is set up on the target database, migrated. Builds `cases` active
    mediations of 4 people (mediator, two parties, one party's counsel) through the real
    actions, and asks the policy (`ctx.recipients`) who may read each room."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from parley.accounts.models import ApiToken, User
    from parley.accounts.second_factor import enrol_totp
    from parley.cases.access import load_context
    from parley.cases.builder import build_mediation
    from parley.cases.models import Case

    people: list[Person] = []
    members: dict[int, frozenset[int]] = {}
    room_case: dict[int, int] = {}

    def user(label: str, n: int, **extra: Any) -> User:
        # No password: hashing 800 Argon2 passwords would dominate the seeding time.
        return User.objects.create_user(
            f"{label}{n}.{tag}@bench.invalid", None, full_name=f"{label.title()} {n}", **extra
        )

    for n in range(cases):
        maya = user("mediator", n, can_mediate=True)
        enrol_totp(maya, "JBSWY3DPEHPK3PXP")  # a mediator issues agreements with a second factor
        alice, bob, carol = user("alice", n), user("bob", n), user("carol", n)
        case = build_mediation(maya, alice, bob, carol, title=f"Bench case {n}")
        ctx = load_context(Case.objects.get(pk=case.pk))
        for room_id in ctx.rooms:
            members[room_id] = frozenset(ctx.recipients(room_id))
            room_case[room_id] = case.pk
        for participant in ctx.participants.values():
            u = participant.user
            _, raw = ApiToken.issue(u, "bench")
            session = SessionStore()
            session[SESSION_KEY] = str(u.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = u.get_session_auth_hash()
            session.create()
            assert session.session_key is not None
            mine = sorted(r for r in ctx.rooms if participant.pk in members[r])
            people.append(
                Person(len(people), case.pk, participant.pk, raw, session.session_key, mine)
            )
    return Population(people, members, room_case)


# --------------------------------------------------------------------------- HTTP


class HttpConnection:
    """A minimal HTTP/1.1 keep-alive client (one request at a time), like a browser's fetch."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None and self.writer is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        for k, v in (headers or {}).items():
            lines.append(f"{k}: {v}")
        if body:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        try:
            status_line = await self.reader.readline()
            if not status_line:
                raise ConnectionResetError("closed by server")
            status = int(status_line.split()[1])
            length = 0
            keep = True
            while True:
                line = await self.reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
                elif name.lower() == "connection" and value.strip().lower() == "close":
                    keep = False
            payload = await self.reader.readexactly(length) if length else b""
        except BaseException:
            await self.close()
            raise
        if not keep:
            await self.close()
        return status, payload


# --------------------------------------------------------------------------- the run


@dataclass
class Stats:
    sent: dict[str, float] = field(default_factory=dict)  # client key -> first send time
    acked: dict[str, int] = field(default_factory=dict)  # client key -> entry id
    ack_time: dict[str, float] = field(default_factory=dict)
    entry_room: dict[int, int] = field(default_factory=dict)  # entry id -> room posted to
    key_room: dict[str, int] = field(default_factory=dict)  # client key -> room posted to
    statuses: dict[int, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    rejected: int = 0
    gave_up: int = 0
    retries: int = 0
    received: dict[int, set[int]] = field(default_factory=dict)  # participant -> entry ids
    duplicates: int = 0
    latencies: list[float] = field(default_factory=list)
    caught_up: int = 0
    reconnects: int = 0
    foreign: int = 0  # deliveries of entries this run did not post
    status_log: list[tuple[float, int]] = field(default_factory=list)

    def count(self, bucket: dict[Any, int], key: Any) -> None:
        bucket[key] = bucket.get(key, 0) + 1


class Protocol:
    """How the client speaks to a server: Parley's API and socket, or the bare baseline."""

    catch_up = True

    def ws_url(self, port: int, person: Person) -> str:
        return f"ws://127.0.0.1:{port}/ws/cases/{person.case_id}/"

    def ws_headers(self, person: Person) -> dict[str, str]:
        return {"Cookie": f"sessionid={person.session}"}

    def post_path(self, person: Person, room: int) -> str:
        return f"/api/v1/cases/{person.case_id}/rooms/{room}/entries"

    def post_headers(self, person: Person) -> dict[str, str]:
        return {"Authorization": f"Bearer {person.token}"}


class BaselineProtocol(Protocol):
    catch_up = False

    def ws_url(self, port: int, person: Person) -> str:
        rooms = ",".join(str(r) for r in person.rooms)
        return f"ws://127.0.0.1:{port}/ws/{person.participant_id}/?rooms={rooms}"

    def ws_headers(self, person: Person) -> dict[str, str]:
        return {}

    def post_path(self, person: Person, room: int) -> str:
        return f"/post/{room}/{person.participant_id}"

    def post_headers(self, person: Person) -> dict[str, str]:
        return {}


class Client:
    """800 sockets and a paced poster in one asyncio loop."""

    def __init__(
        self,
        population: Population,
        port: int,
        protocol: Protocol,
        *,
        run_tag: str,
        stop_at: float,
        heartbeat: float | None = None,
        post_via: str = "socket",
    ) -> None:
        self.pop = population
        # "socket": posts go over the person's WebSocket, as the browser's page sends them;
        # "http": through the JSON API, as an API client does.
        self.post_via = post_via
        self.sockets: dict[int, Any] = {}  # person index -> open socket
        self.waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}  # client key -> answer
        self.pending_of: dict[int, set[str]] = {}  # person index -> keys awaiting an answer
        # Seconds between pings, as the browser sends them (None: no heartbeat). Each pong is
        # followed by a catch-up fetch from the last entry id, as the browser does.
        self.heartbeat = heartbeat
        self.port = port
        self.protocol = protocol
        self.tag = run_tag
        self.stats = Stats()
        self.connected: set[int] = set()
        # People whose socket has connected and finished its first catch-up.
        self.caught_up: set[int] = set()
        self.opened_at = self.all_connected_at = 0.0
        self.last_seen: dict[tuple[int, int], int] = {}  # (participant, room) -> last entry id
        self.stop_at = stop_at  # sockets give up reconnecting after this (monotonic)
        self.closing = False
        self.tasks: list[asyncio.Task[None]] = []
        # Posts sent before this moment (the warm-up) are checked for delivery, not timed.
        self.timed_from = 0.0

    # ------------------------------------------------------------------ receiving

    def deliver(self, person: Person, entry: dict[str, Any], now: float, live: bool) -> None:
        entry_id = int(entry["id"])
        room = int(entry["room"])
        seen = self.stats.received.setdefault(person.participant_id, set())
        key = entry.get("client_key") or ""
        if entry_id in seen:
            self.stats.duplicates += 1
            return
        seen.add(entry_id)
        # The room we posted it to, not the room the server claims: a misrouted entry counts.
        self.stats.entry_room.setdefault(entry_id, self.stats.key_room.get(key, room))
        if key not in self.stats.sent:
            self.stats.foreign += 1
        elif live and self.stats.sent[key] >= self.timed_from:
            self.stats.latencies.append(now - self.stats.sent[key])
        if not live:
            self.stats.caught_up += 1
        # Like the browser, the resume cursor moves only with what a fetch returned: a push that
        # arrives after a lost one must not move it past the gap.
        k = (person.participant_id, room)
        if not live and entry_id > self.last_seen.get(k, 0):
            self.last_seen[k] = entry_id

    async def resume(self, person: Person, http: HttpConnection) -> None:
        """After (re)connecting: fetch what was written since the last entry seen, per room."""
        for room in person.rooms:
            while True:
                after = self.last_seen.get((person.participant_id, room), 0)
                path = (
                    f"/api/v1/cases/{person.case_id}/rooms/{room}/entries?after={after}&limit=200"
                )
                status, body = await http.request(
                    "GET", path, headers=self.protocol.post_headers(person)
                )
                if status != 200:
                    raise ConnectionError(f"catch-up answered {status}")
                rows = json.loads(body)
                for row in rows:
                    self.deliver(person, row, CLOCK(), live=False)
                if len(rows) < 200:
                    break

    async def socket(self, person: Person, ready: asyncio.Event | None) -> None:
        from websockets.asyncio.client import connect

        url = self.protocol.ws_url(self.port, person)
        headers = self.protocol.ws_headers(person)
        http = HttpConnection(self.port)
        delay = 0.2
        first = True
        while not self.closing and time.monotonic() < self.stop_at:
            try:
                async with connect(
                    url,
                    additional_headers=headers,
                    origin=f"http://127.0.0.1:{self.port}",  # type: ignore[arg-type]
                    compression=None,
                    proxy=None,
                    open_timeout=20,
                    ping_interval=None,
                    max_queue=None,
                ) as ws:
                    hello = json.loads(await asyncio.wait_for(ws.recv(), 20))
                    if hello.get("type") not in ("hello", "ready"):
                        raise ConnectionError(f"unexpected first message {hello}")
                    if not first:
                        self.stats.reconnects += 1
                    self.connected.add(person.index)
                    self.sockets[person.index] = ws
                    if len(self.connected) == len(self.pop.people) and not self.all_connected_at:
                        self.all_connected_at = CLOCK()
                    if self.protocol.catch_up:
                        await self.resume(person, http)
                    self.caught_up.add(person.index)
                    if ready is not None and len(self.caught_up) == len(self.pop.people):
                        ready.set()
                    first = False
                    delay = 0.2
                    beat = (
                        asyncio.create_task(self.beat(ws, self.heartbeat))
                        if self.heartbeat
                        else None
                    )
                    resuming: asyncio.Task[None] | None = None
                    try:
                        async for raw in ws:
                            message = json.loads(raw)
                            if message.get("type") == "entry":
                                self.deliver(person, message["entry"], CLOCK(), live=True)
                            elif message.get("type") in ("posted", "refused"):
                                waiter = self.waiting.pop(str(message.get("client_key")), None)
                                if waiter is not None and not waiter.done():
                                    waiter.set_result(message)
                            elif (
                                message.get("type") == "pong"
                                and self.protocol.catch_up
                                and (resuming is None or resuming.done())
                            ):
                                # As the page: the catch-up runs beside the socket (one at a
                                # time), so answers to posts are read while it fetches.
                                resuming = asyncio.create_task(self.resume(person, http))
                                # A failed catch-up (a 503 while the database is down) is
                                # tried again after the next pong; nothing waits for it here.
                                resuming.add_done_callback(self.catch_up_done)
                    finally:
                        if beat is not None:
                            beat.cancel()
                        if resuming is not None:
                            resuming.cancel()
                            with contextlib.suppress(BaseException):
                                await resuming
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.stats.count(self.stats.errors, f"ws:{type(exc).__name__}")
            finally:
                self.connected.discard(person.index)
                self.sockets.pop(person.index, None)
                # Posts in flight on this socket: their answer is lost, so they are sent again
                # (same key) once the socket is back.
                for key in self.pending_of.pop(person.index, set()):
                    waiter = self.waiting.pop(key, None)
                    if waiter is not None and not waiter.done():
                        waiter.set_exception(ConnectionError("socket closed before the answer"))
            if self.closing:
                break
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)
        await http.close()

    def catch_up_done(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            self.stats.count(self.stats.errors, f"catch-up:{type(task.exception()).__name__}")

    @staticmethod
    async def beat(ws: Any, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            await ws.send('{"type":"ping"}')

    async def open_sockets(self, timeout: float = 300) -> float:
        """Open every socket; returns once each has connected and finished its first catch-up
        (the page's fetch of what it missed), so that posting starts in a steady state."""
        ready = asyncio.Event()
        start = self.opened_at = CLOCK()
        gate = asyncio.Semaphore(40)

        async def one(person: Person) -> None:
            async with gate:
                task = asyncio.create_task(self.socket(person, ready))
                self.tasks.append(task)
                deadline = time.monotonic() + 30
                while person.index not in self.connected and time.monotonic() < deadline:
                    await asyncio.sleep(0.01)

        await asyncio.gather(*(one(p) for p in self.pop.people))
        await asyncio.wait_for(ready.wait(), timeout)
        return CLOCK() - start

    # ------------------------------------------------------------------ posting

    async def post_one(self, http: HttpConnection, person: Person, room: int, key: str) -> None:
        if self.post_via == "socket":
            await self.post_over_socket(person, room, key)
        else:
            await self.post_over_http(http, person, room, key)

    def acknowledge(self, key: str, entry_id: int, room: int) -> None:
        self.stats.acked[key] = entry_id
        self.stats.ack_time[key] = CLOCK()
        self.stats.entry_room[entry_id] = room

    async def post_over_socket(self, person: Person, room: int, key: str) -> None:
        """The browser's way: the post goes over the person's open socket and the server
        answers `posted` (after commit) or `refused`. A lost answer (socket closed, timeout)
        means "unknown": the same key goes again once the socket is back."""
        text = json.dumps(
            {"type": "post", "room": room, "body": f"Bench message {key}", "client_key": key}
        )
        self.stats.sent[key] = CLOCK()
        self.stats.key_room[key] = room
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            ws = self.sockets.get(person.index)
            if ws is None:
                await asyncio.sleep(0.05)
                continue
            waiter: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
            self.waiting[key] = waiter
            self.pending_of.setdefault(person.index, set()).add(key)
            try:
                await ws.send(text)
                answer = await asyncio.wait_for(waiter, 15)
            except (TimeoutError, OSError, ConnectionError) as exc:
                self.stats.count(self.stats.errors, f"post:{type(exc).__name__}")
                self.stats.retries += 1
                await asyncio.sleep(0.25)
                continue
            except Exception as exc:  # the socket library's "closed" errors
                self.stats.count(self.stats.errors, f"post:{type(exc).__name__}")
                self.stats.retries += 1
                await asyncio.sleep(0.25)
                continue
            finally:
                self.waiting.pop(key, None)
                self.pending_of.get(person.index, set()).discard(key)
                if waiter.done() and not waiter.cancelled():
                    waiter.exception()  # seen: the retry above handles it
            status = 201 if answer["type"] == "posted" else int(answer.get("status", 400))
            self.stats.count(self.stats.statuses, status)
            self.stats.status_log.append((time.monotonic(), status))
            if status == 201:
                self.acknowledge(key, int(answer["entry"]), room)
                return
            if answer.get("retry"):
                self.stats.retries += 1
                await asyncio.sleep(0.25)
                continue
            self.stats.rejected += 1
            return
        self.stats.gave_up += 1

    async def post_over_http(
        self, http: HttpConnection, person: Person, room: int, key: str
    ) -> None:
        body = json.dumps({"body": f"Bench message {key}", "client_key": key}).encode()
        path = self.protocol.post_path(person, room)
        self.stats.sent[key] = CLOCK()
        self.stats.key_room[key] = room
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, payload = await asyncio.wait_for(
                    http.request("POST", path, body, self.protocol.post_headers(person)), 15
                )
            except (TimeoutError, OSError, ConnectionError, asyncio.IncompleteReadError) as exc:
                self.stats.count(self.stats.errors, f"post:{type(exc).__name__}")
                await http.close()
                self.stats.retries += 1
                await asyncio.sleep(0.25)
                continue
            self.stats.count(self.stats.statuses, status)
            self.stats.status_log.append((time.monotonic(), status))
            if status == 201:
                self.acknowledge(key, int(json.loads(payload)["id"]), room)
                return
            if status >= 500 or status == 429:
                # Not stored, or stored without the answer reaching us: send the same key again.
                self.stats.retries += 1
                await asyncio.sleep(0.25)
                continue
            self.stats.rejected += 1
            return
        self.stats.gave_up += 1

    async def post_load(
        self, rate: float, duration: float, inflight: int, *, warmup: float = 0.0
    ) -> tuple[float, float]:
        """Open-loop posts at `rate` per second for `duration` s, at most `inflight` at once;
        the first `warmup` seconds are not timed. Returns (first send, last ack)."""
        people = self.pop.people
        cursor = {p.index: 0 for p in people}
        start = CLOCK() + 0.05
        end = start + duration
        self.timed_from = start + warmup
        counter = 0

        async def worker(slot: int) -> None:
            nonlocal counter
            http = HttpConnection(self.port)
            try:
                while True:
                    n = counter
                    counter += 1
                    at = start + n / rate
                    # Bounded in time: once the window closes nothing new is sent, even if a
                    # saturated server left part of the schedule unsent.
                    if at >= end or CLOCK() >= end:
                        return
                    wait = at - CLOCK()
                    if wait > 0:
                        await asyncio.sleep(wait)
                    person = people[n % len(people)]
                    room = person.rooms[cursor[person.index] % len(person.rooms)]
                    cursor[person.index] += 1
                    await self.post_one(http, person, room, f"{self.tag}-{n}")
            finally:
                await http.close()

        await asyncio.gather(*(worker(i) for i in range(inflight)))
        last = max(self.stats.ack_time.values(), default=CLOCK())
        return start, last

    # ------------------------------------------------------------------ checking

    def expected(self) -> set[tuple[int, int]]:
        want: set[tuple[int, int]] = set()
        for entry_id in self.stats.acked.values():
            room = self.stats.entry_room[entry_id]
            for pid in self.pop.members[room]:
                want.add((pid, entry_id))
        return want

    def got(self) -> set[tuple[int, int]]:
        return {(pid, e) for pid, ids in self.stats.received.items() for e in ids}

    async def drain(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        want = self.expected()
        while time.monotonic() < deadline and not want <= self.got():
            await asyncio.sleep(0.1)

    async def catch_up_all(self, *, full: bool = False) -> None:
        """What a reconnecting browser does: ask for everything after its last id, per room.
        `full`: reload every room from the start (a page reload), which also fills a gap left
        by a push that never arrived while later ones did."""
        gate = asyncio.Semaphore(16)

        async def one(person: Person) -> None:
            if full:
                for room in person.rooms:
                    self.last_seen[(person.participant_id, room)] = 0
            async with gate:
                http = HttpConnection(self.port)
                try:
                    await self.resume(person, http)
                finally:
                    await http.close()

        await asyncio.gather(*(one(p) for p in self.pop.people))

    async def close(self) -> None:
        self.closing = True
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    def verdict(self) -> dict[str, int]:
        want = self.expected()
        got = self.got()
        known = set(self.stats.acked.values())
        # Any delivery to someone outside the room it was posted to, acknowledged or not.
        misdelivered = sum(
            1
            for pid, e in got - want
            if e in known or pid not in self.pop.members.get(self.stats.entry_room[e], frozenset())
        )
        return {
            "acknowledged": len(self.stats.acked),
            "expected_deliveries": len(want),
            "delivered": len(want & got),
            "lost": len(want - got),
            "misdelivered": misdelivered,
            "duplicates_dropped": self.stats.duplicates,
            "caught_up": self.stats.caught_up,
            "reconnects": self.stats.reconnects,
            "rejected": self.stats.rejected,
            "gave_up": self.stats.gave_up,
            "retries": self.stats.retries,
        }


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def latency_ms(values: list[float]) -> dict[str, float]:
    return {
        "p50": round(percentile(values, 50) * 1000, 1),
        "p95": round(percentile(values, 95) * 1000, 1),
        "p99": round(percentile(values, 99) * 1000, 1),
        "mean": round(statistics.fmean(values) * 1000, 1) if values else float("nan"),
    }


@contextlib.contextmanager
def sampling(pids: Callable[[], list[int]]) -> Iterator[dict[str, Any]]:
    """CPU seconds and memory of each worker over the block."""
    out: dict[str, Any] = {}
    before = {pid: cpu_seconds(pid) for pid in pids()}
    t0 = time.monotonic()
    yield out
    wall = time.monotonic() - t0
    workers = []
    for pid in pids():
        used = cpu_seconds(pid) - before.get(pid, 0.0)
        rss, hwm = memory_mib(pid)
        workers.append(
            {
                "pid": pid,
                "cpu_percent": round(100 * used / wall, 1),
                "rss_mib": round(rss, 1),
                "peak_rss_mib": round(hwm, 1),
            }
        )
    out["workers"] = workers


def host_jiffies() -> list[int]:
    """The host's CPU time so far, by kind, in jiffies (the first line of /proc/stat)."""
    with open("/proc/stat") as stat:
        return [int(n) for n in stat.readline().split()[1:]]


def steal_percent(before: list[int], after: list[int]) -> float:
    """Share of the host's CPU time between two readings that went to other guests. The first
    eight fields of /proc/stat's cpu line (user ... steal) add up to the whole; steal is the
    eighth (the guest fields after it are already counted in user and nice)."""
    spent = [b - a for a, b in zip(before[:8], after[:8], strict=True)]
    return round(100 * spent[7] / max(sum(spent), 1), 1)


def parse_redis(url: str) -> tuple[str, int, int]:
    parsed = urlparse(url)
    return parsed.hostname or "127.0.0.1", parsed.port or 6379, int(parsed.path.strip("/") or 0)
