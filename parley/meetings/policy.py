"""The rules of sessions (R10), as pure functions: no ORM, no HTTP."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.db.models import TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parley.errors import BadInput
from parley.rooms.policy import Person, RoomKind, RoomRef, members

MAX_LENGTH = timedelta(hours=12)
MIN_SLOTS = 2
MAX_SLOTS = 10


class SessionKind(TextChoices):
    JOINT = "joint", gettext_lazy("Joint session")
    CAUCUS = "caucus", gettext_lazy("Caucus")


class SessionStatus(TextChoices):
    SCHEDULED = "scheduled", gettext_lazy("Scheduled")
    CANCELLED = "cancelled", gettext_lazy("Cancelled")


class AttendanceSource(TextChoices):
    PRESENCE = "presence", gettext_lazy("Joined in Parley")
    PHONE = "phone", gettext_lazy("Joined by phone (added by the mediator)")
    RECORDED = "recorded", gettext_lazy("Recorded by the mediator")


class Answer(TextChoices):
    YES = "yes", gettext_lazy("Yes")
    IF_NEED_BE = "maybe", gettext_lazy("If need be")
    NO = "no", gettext_lazy("No")


def session_room(kind: SessionKind, side_id: int | None, rooms: Iterable[RoomRef]) -> RoomRef:
    """The room a session meets in: the joint room, or that side's caucus (R3.1, R3.2)."""
    want = RoomKind.JOINT if kind == SessionKind.JOINT else RoomKind.CAUCUS
    for room in rooms:
        if room.kind == want and (want == RoomKind.JOINT or room.side_id == side_id):
            return room
    raise BadInput("bad_side", _("A caucus session is held with one side of this case."))


def invitees(room: RoomRef, people: Iterable[Person]) -> frozenset[int]:
    """Who is invited to a session, sees it, and is mailed about it: exactly who may read its
    room. A caucus session is for that side and the mediator only (R3.2)."""
    return members(room, people)


@cache
def zone_names() -> frozenset[str]:
    """The IANA zones this machine knows (read from disk once: the lookup walks directories)."""
    return frozenset(available_timezones())


def zone(name: str) -> ZoneInfo:
    if name not in zone_names():
        raise BadInput("bad_time_zone", _("Pick a time zone from the list (e.g. Europe/Berlin)."))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadInput("bad_time_zone", _("Pick a time zone from the list.")) from None


def check_times(starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    """A session ends after it starts, lasts at most 12 hours, and has not already ended (one
    under way may still be put on the calendar)."""
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise BadInput("bad_time", _("Give times with their time zone."))
    if ends_at <= starts_at:
        raise BadInput("bad_time", _("The session must end after it starts."))
    if ends_at - starts_at > MAX_LENGTH:
        raise BadInput("bad_time", _("A session lasts at most 12 hours."))
    if ends_at <= now:
        raise BadInput("bad_time", _("That time is already over. Pick a time to come."))


def check_video_link(link: str) -> str:
    link = link.strip()
    if not link:
        return ""
    parts = urlsplit(link)
    if parts.scheme not in ("https", "http") or not parts.netloc or len(link) > 500:
        raise BadInput("bad_video_link", _("Paste the full video link, starting with https://."))
    return link


def check_slot_count(count: int) -> None:
    if not MIN_SLOTS <= count <= MAX_SLOTS:
        raise BadInput(
            "bad_slots",
            _("Propose between %(MIN_SLOTS)s and %(MAX_SLOTS)s times.")
            % {"MIN_SLOTS": MIN_SLOTS, "MAX_SLOTS": MAX_SLOTS},
        )


def check_reminder_hours(hours: list[int]) -> list[int]:
    clean = sorted({int(h) for h in hours}, reverse=True)
    if len(clean) > 4 or any(h < 1 or h > 24 * 14 for h in clean):
        raise BadInput(
            "bad_reminders", _("Up to four reminders, each 1 to 336 hours before the session.")
        )
    return clean


def is_running(starts_at: datetime, ends_at: datetime, now: datetime) -> bool:
    return starts_at <= now < ends_at


def reminder_due(
    starts_at: datetime, changed_at: datetime, hours: Iterable[int], now: datetime
) -> int | None:
    """The one reminder (hours before) to send now, or None (R10.4).

    Of the reminders whose time has come, only the nearest to the session counts, so a worker
    that was down sends one late reminder, not a burst. A reminder whose time came before the
    session was scheduled or moved is not sent: the invitation or change mail just told them."""
    if now >= starts_at:
        return None
    due = [h for h in hours if starts_at - timedelta(hours=h) <= now]
    if not due:
        return None
    nearest = min(due)
    if starts_at - timedelta(hours=nearest) < changed_at:
        return None
    return nearest


def held_with_every_party(attendee_ids: Iterable[int], party_ids: Iterable[int]) -> bool:
    """A session counts toward a court order's minimum only with every party present (R10.5)."""
    present = set(attendee_ids)
    parties = set(party_ids)
    return bool(parties) and parties <= present
