"""Liveness and readiness probes, and the one test of "is this a database outage?"."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)

# SQLite reports a busy or missing file through OperationalError, but so does a missing table
# (a bug or an unapplied migration), which must stay a 500. Only these are outages.
SQLITE_OUTAGES = (
    "database is locked",
    "unable to open database",
    "disk i/o error",
    "database or disk is full",
)


def is_database_outage(exc: BaseException) -> bool:
    """True for errors that mean "the database is not answering right now": a lost or refused
    PostgreSQL connection, a server shutting down, a cancelled statement, a locked SQLite file."""
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    if connections["default"].vendor == "sqlite":
        message = str(exc).lower()
        return any(text in message for text in SQLITE_OUTAGES)
    return True


@dataclass(frozen=True)
class Readiness:
    database: bool
    channel_layer: bool

    @property
    def ready(self) -> bool:
        return self.database and self.channel_layer


def database_answers() -> bool:
    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("readiness: the database does not answer: %s", exc)
        # The next request must open a fresh connection, not reuse a broken one.
        connection.close_if_unusable_or_obsolete()
        return False
    return True


def channel_layer_answers() -> bool:
    """The in-memory layer lives in this process and always answers; Redis must answer PING."""
    if not settings.REDIS_URL:
        return True
    import redis

    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_timeout=1.0, socket_connect_timeout=1.0
    )
    try:
        return bool(client.ping())
    except redis.RedisError as exc:
        logger.warning("readiness: Redis does not answer: %s", exc)
        return False
    finally:
        client.close()


def readiness() -> Readiness:
    return Readiness(database=database_answers(), channel_layer=channel_layer_answers())
