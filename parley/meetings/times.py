"""Times as each reader sees them: in their own time zone, with the zone named."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton, format_time
from django.http import HttpRequest
from django.utils import timezone, translation
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


def _babel_locale() -> Locale | None:
    """The active language as a Babel locale, or None for English (whose forms are written
    out below: "Tue 3 Dec 2026, 14:00")."""
    language = translation.get_language() or ""
    if not language or language.startswith("en"):
        return None
    try:
        return Locale.parse(translation.to_locale(language))
    except (UnknownLocaleError, ValueError):
        return None


def _day(at: datetime, locale: Locale | None, *, weekday: bool, year: bool) -> str:
    if locale is None:
        shown = f"{at.day} {at:%b}" + (f" {at.year}" if year else "")
        return f"{at:%a} {shown}" if weekday else shown
    skeleton = ("y" if year else "") + "MMM" + ("Ed" if weekday else "d")
    return format_skeleton(skeleton, at, locale=locale)


def _clock(at: datetime, locale: Locale | None) -> str:
    return f"{at:%H:%M}" if locale is None else format_time(at, "HH:mm", locale=locale)


def when(moment: datetime, zone_name: str) -> str:
    """'Tue 3 Dec 2026, 14:00 (Europe/Berlin)'; in the active language ('mar, 3 dic 2026')."""
    at = local(moment, zone_name)
    locale = _babel_locale()
    return f"{_day(at, locale, weekday=True, year=True)}, {_clock(at, locale)} ({zone_name})"


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
    locale = _babel_locale()
    this_year = at.year == local(timezone.now(), zone_name).year
    day = _day(at, locale, weekday=False, year=not this_year)
    return f"{day}, {_clock(at, locale)} {zone_label(at)}"


def span(starts_at: datetime, ends_at: datetime, zone_name: str) -> str:
    """'Tue 3 Dec 2026, 14:00–16:00 (Europe/Berlin)'."""
    start, end = local(starts_at, zone_name), local(ends_at, zone_name)
    if start.date() != end.date():
        return f"{when(starts_at, zone_name)} – {when(ends_at, zone_name)}"
    locale = _babel_locale()
    day = _day(start, locale, weekday=True, year=True)
    return f"{day}, {_clock(start, locale)}–{_clock(end, locale)} ({zone_name})"


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
