"""Shared by the session tests: schedule through the API, read mails and their .ics."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core import mail
from django.core.mail import EmailMessage
from django.utils import timezone
from icalendar import Calendar

from parley.testing import ActiveCast, Api, cid

Capture = Callable[..., AbstractContextManager[Any]]


def berlin(days: int = 3, hour: int = 14) -> datetime:
    day = (timezone.now() + timedelta(days=days)).astimezone(ZoneInfo("Europe/Berlin"))
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def schedule(
    cast: ActiveCast,
    capture: Capture,
    *,
    start: datetime | None = None,
    hours: int = 2,
    kind: str = "joint",
    side: int | None = None,
    link: str = "",
) -> dict[str, Any]:
    start = start or berlin()
    body = {
        "kind": kind,
        "side": side,
        "start": start.strftime("%Y-%m-%dT%H:%M"),
        "end": (start + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M"),
        "time_zone": "Europe/Berlin",
        "video_link": link,
    }
    with capture(execute=True):
        status, session = Api(cast.maya).post(f"/cases/{cid(cast)}/sessions", body)
    assert status == 201, session
    return dict(session)


def ics_of(message: EmailMessage) -> Calendar | None:
    for attachment in message.attachments:
        if isinstance(attachment, tuple) or hasattr(attachment, "filename"):
            name, content, _ = attachment
            if str(name).endswith(".ics"):
                raw = content.encode() if isinstance(content, str) else content
                return Calendar.from_ical(raw)
    return None


def mails_to(address: str) -> list[EmailMessage]:
    return [m for m in mail.outbox if address in m.to]
