"""Calendar files (R10.3), made with the `icalendar` library. Content-free: the summary says
"Mediation session" (with the case title only where the mediator allowed it) and the
description links to Parley, where the rest is behind sign-in."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from parley.meetings.models import Session
from parley.meetings.policy import SessionKind, SessionStatus

PRODID = "-//Parley//Mediation sessions//EN"


def sessions_link(case_id: int) -> str:
    return f"{settings.SITE_URL}/cases/{case_id}/sessions/"


def summary(session: Session, case_title: str | None) -> str:
    what = _("Mediation session") if session.kind == SessionKind.JOINT else _("Mediation caucus")
    return f"{what}: {case_title}" if case_title else what


def _event(session: Session, case_title: str | None, attendee: str | None) -> Event:
    tz = ZoneInfo(session.time_zone)
    link = sessions_link(session.case_id)
    event = Event()
    event.add("uid", session.uid)
    event.add("sequence", session.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", session.starts_at.astimezone(tz))
    event.add("dtend", session.ends_at.astimezone(tz))
    event.add("summary", summary(session, case_title))
    event.add(
        "description", _("Join and see the details in Parley (sign in): %(link)s") % {"link": link}
    )
    event.add("url", link)
    cancelled = session.status == SessionStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{_address(settings.DEFAULT_FROM_EMAIL)}")
    organizer.params["cn"] = vText("Parley")
    event.add("organizer", organizer)
    if attendee:
        guest = vCalAddress(f"mailto:{attendee}")
        guest.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", guest)
    return event


def _address(from_email: str) -> str:
    return from_email.rsplit("<", 1)[-1].rstrip(">").strip()


def _calendar(method: str | None, events: Iterable[Event]) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    if method:
        cal.add("method", method)
    for event in events:
        cal.add_component(event)
    # One VTIMEZONE per TZID used, so every client reads the local times the same way.
    cal.add_missing_timezones()
    return cal


def invitation_ics(session: Session, case_title: str | None, attendee: str) -> bytes:
    """The file attached to an invitation, change or cancellation mail."""
    method = "CANCEL" if session.status == SessionStatus.CANCELLED else "REQUEST"
    return bytes(_calendar(method, [_event(session, case_title, attendee)]).to_ical())


def feed_ics(items: Iterable[tuple[Session, str | None]], now: datetime | None = None) -> bytes:
    """A person's private feed: every session they are invited to, cancelled ones marked so."""
    cal = _calendar(None, [_event(s, title, None) for s, title in items])
    cal.add("x-wr-calname", _("Mediation sessions (Parley)"))
    return bytes(cal.to_ical())
