"""Times as each reader sees them: in their own time zone, with the zone named."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from parley.meetings.policy import zone, zone_names

ZONE_COOKIE = "parley_tz"


def valid_zone(name: str) -> str:
    return name if name and name in zone_names() else ""


def zone_of_user(user: object) -> str:
    """The zone a person chose in their account, or "" while it is the default (UTC): then the
    browser's zone, or the session's own, is the better guess."""
    chosen = valid_zone(str(getattr(user, "time_zone", "") or ""))
    return "" if chosen == "UTC" else chosen


def reader_zone(request: HttpRequest) -> str:
    """The reader's zone: their account's, else the one their browser reports (a cookie the
    page sets), else UTC, always named next to the time so nobody guesses."""
    return zone_of_user(request.user) or valid_zone(request.COOKIES.get(ZONE_COOKIE, "")) or "UTC"


def local(moment: datetime, zone_name: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone_name))


def when(moment: datetime, zone_name: str) -> str:
    """'Tue 3 Dec 2026, 14:00 (Europe/Berlin)'."""
    at = local(moment, zone_name)
    return f"{at:%a} {at.day} {at:%b %Y, %H:%M} ({zone_name})"


def zone_label(at: datetime) -> str:
    """The short name of an aware time's zone as people know it ("CET", "EST"), or its offset
    ("UTC+03:00") where the zone has no letters of its own (many show "+03")."""
    name = at.strftime("%Z")
    if name.isalpha():
        return name
    offset = at.strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"


def short_when(moment: datetime, zone_name: str) -> str:
    """'3 Dec, 14:00 CET' (the year too when it is not this year's, in that zone)."""
    at = local(moment, zone_name)
    now = local(timezone.now(), zone_name)
    year = "" if at.year == now.year else f" {at.year}"
    return f"{at.day} {at:%b}{year}, {at:%H:%M} {zone_label(at)}"


def span(starts_at: datetime, ends_at: datetime, zone_name: str) -> str:
    """'Tue 3 Dec 2026, 14:00–16:00 (Europe/Berlin)'."""
    start, end = local(starts_at, zone_name), local(ends_at, zone_name)
    if start.date() == end.date():
        return f"{start:%a} {start.day} {start:%b %Y, %H:%M}–{end:%H:%M} ({zone_name})"
    return f"{when(starts_at, zone_name)} – {when(ends_at, zone_name)}"


def parse_local(value: str, zone_name: str) -> datetime:
    """A wall-clock time typed in `zone_name` ('2026-12-03T14:00'), or an ISO time with an
    offset, as an aware datetime."""
    from parley.errors import BadInput

    try:
        naive = datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadInput("bad_time", _("Give the time as YYYY-MM-DD HH:MM.")) from None
    if not 2000 <= naive.year <= 2100:
        # "0001-01-01" parses, but no session falls then (and it overflows in a zone's offset).
        raise BadInput("bad_time", _("The date must fall between 2000 and 2100."))
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=zone(zone_name))
