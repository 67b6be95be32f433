"""Read settings from the environment and fail loudly on a bad value (healthchecks' way)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlparse


class ConfigError(RuntimeError):
    pass


def envstr(name: str, default: str) -> str:
    return os.environ.get(name, default)


def envchoice(name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = os.environ.get(name) or default
    if raw not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, not {raw!r}")
    return raw


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}")


def envint(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, not {raw!r}") from None


def envlist(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def envsecret(name: str, data_dir: Path) -> str:
    """The secret from NAME, or the file NAME_FILE, or one generated once and kept in data_dir.

    Never a constant in the code: a leaked default key would let anyone forge sessions and
    invitation links.
    """
    value = os.environ.get(name)
    if value:
        return value
    path_from_env = os.environ.get(f"{name}_FILE")
    if path_from_env:
        try:
            return Path(path_from_env).read_text().strip()
        except OSError as exc:
            raise ConfigError(f"{name}_FILE cannot be read: {exc}") from None
    kept = data_dir / f"{name.lower()}.txt"
    if kept.exists():
        return kept.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    generated = secrets.token_urlsafe(50)
    kept.touch(mode=0o600)
    kept.write_text(generated)
    return generated


def database_from_url(url: str | None, data_dir: Path) -> dict[str, object]:
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(data_dir / "parley.sqlite3"),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    parsed = urlparse(url)
    if parsed.scheme in ("postgres", "postgresql"):
        name = unquote(parsed.path.lstrip("/"))
        if not name:
            raise ConfigError("DATABASE_URL must name a database, e.g. postgresql://host/parley")
        options: dict[str, object] = {}
        if envbool("PARLEY_DB_PREPARED", True):
            # Parameters travel apart from the SQL, and a statement run five times on a
            # connection is prepared: the server parses and plans it once, not per post
            # (measured: a third of the database's CPU per post). Off for a pooler that cannot
            # carry prepared statements (PgBouncer before 1.21).
            options.update(server_side_binding=True, prepare_threshold=5)
        if envbool("PARLEY_DB_POOL", True):
            # Under ASGI every request runs in a fresh thread, so Django's persistent
            # connections never get reused: without a pool each request pays a new connection.
            # A short wait for a free connection: during an outage a request must get its clear
            # 503 in seconds, not hang for the pool's default 30 s.
            options["pool"] = {
                "min_size": 2,
                "max_size": envint("PARLEY_DB_POOL_SIZE", 20),
                "timeout": 3,
            }
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 0,
            # With the pool, check a connection before handing it out: after a database restart
            # the pool would otherwise give a request a dead connection.
            "CONN_HEALTH_CHECKS": True,
            "TEST": {"NAME": f"test_{name}"},
            "OPTIONS": options,
        }
    if parsed.scheme == "sqlite":
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": unquote(parsed.path)}
    raise ConfigError(
        f"DATABASE_URL scheme {parsed.scheme!r} is not supported (postgresql, sqlite)"
    )


def channel_layer_from_url(url: str, connections: int) -> dict[str, object]:
    """Redis pub/sub through channels_redis as shipped. It sends one command at a time on each
    of its connections (a PUBLISH waits for the one before it). The layer spreads channels and
    groups over the hosts it is given by a stable hash of the name: giving it the same server
    `connections` times gives each worker that many connections working side by side. Pub/sub
    is server-wide, so every worker still reaches every subscriber, and one group's messages
    keep their order (one connection). The pushed events of a worker all go to one group
    (publish.WORKERS_GROUP), in batches; the other connections carry the subscriptions of the
    sockets' own channels and of the sign-in sessions' groups."""
    return {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {
            # redis-py's default 5 s socket timeout drops idle WebSockets (channels_redis#422).
            "hosts": [{"address": url, "socket_timeout": None} for _ in range(max(1, connections))],
        },
    }


def email_from_url(url: str, data_dir: Path) -> dict[str, object]:
    """Django's e-mail settings from EMAIL_URL.

    smtp://user:password@host:587 (STARTTLS), smtps://user:password@host:465 (TLS from the
    start), file:///path/to/outbox (one file per message, for a look), console: (printed).
    Unset: the outbox folder in the data directory, so mail on a fresh `make run` lands
    where a person can read it."""
    if not url:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(data_dir / "outbox"),
        }
    parsed = urlparse(url)
    if parsed.scheme in ("smtp", "smtps"):
        if not parsed.hostname:
            raise ConfigError("EMAIL_URL must name a host, e.g. smtp://user:pw@mail.example:587")
        port = parsed.port or (465 if parsed.scheme == "smtps" else 587)
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parsed.hostname,
            "EMAIL_PORT": port,
            "EMAIL_HOST_USER": unquote(parsed.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
            "EMAIL_USE_SSL": parsed.scheme == "smtps",
            "EMAIL_USE_TLS": parsed.scheme == "smtp" and port != 25,
            "EMAIL_TIMEOUT": 20,
        }
    if parsed.scheme == "file":
        if not parsed.path:
            raise ConfigError("EMAIL_URL=file:///absolute/path names a folder")
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": unquote(parsed.path),
        }
    if parsed.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    raise ConfigError(f"EMAIL_URL: unknown scheme {parsed.scheme!r} (smtp, smtps, file, console)")


def default_master_key_file(data_dir: Path) -> Path:
    """Beside the data folder, never inside it: the data folder holds the database, the
    document store and the backups, none of which may hold the key that opens them."""
    return data_dir.parent / f"{data_dir.name}.master-key"


def _decode_master(raw: str, where: str) -> bytes:
    import base64
    import binascii

    try:
        key = base64.b64decode(raw.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError(f"{where} must be 32 bytes in base64") from None
    if len(key) != 32:
        raise ConfigError(f"{where} must be 32 bytes in base64, not {len(key)} bytes")
    return key


def envmasterkey(data_dir: Path, *, may_create: bool) -> tuple[bytes, str]:
    """The master key (R11.3) and where it came from: PARLEY_MASTER_KEY (base64), the file
    PARLEY_MASTER_KEY_FILE, or the development key file beside the data folder, created on first
    start when `may_create` (never in production: there a missing key stops Parley)."""
    import base64

    raw = os.environ.get("PARLEY_MASTER_KEY")
    if raw:
        return _decode_master(raw, "PARLEY_MASTER_KEY"), "PARLEY_MASTER_KEY"
    named = os.environ.get("PARLEY_MASTER_KEY_FILE")
    path = Path(named) if named else default_master_key_file(data_dir)
    if path.exists() or named:
        try:
            return _decode_master(path.read_text(), f"the master key file {path}"), str(path)
        except OSError as exc:
            raise ConfigError(f"PARLEY_MASTER_KEY_FILE cannot be read: {exc}") from None
    if not may_create:
        raise ConfigError(
            "No master key: set PARLEY_MASTER_KEY_FILE (see docs/deploy.md, Encryption at rest)"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass  # another process created it a moment ago
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
    return _decode_master(path.read_text(), str(path)), str(path)
