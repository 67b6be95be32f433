"""A session as each reader sees it: times in their zone, the roster only for the mediator."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from parley.cases.models import Participant
from parley.cases.policy import Role
from parley.meetings.models import Session
from parley.meetings.policy import SessionKind, SessionStatus, is_running
from parley.meetings.times import span


def session_payload(
    session: Session, me: Participant, zone_name: str, now: datetime | None = None
) -> dict[str, Any]:
    now = now or timezone.now()
    label = str(SessionKind(session.kind).label)
    if session.kind == SessionKind.CAUCUS and session.side is not None:
        label = _("Caucus with %(side)s") % {"side": session.side.label}
    scheduled = session.status == SessionStatus.SCHEDULED
    return {
        "id": session.pk,
        "number": session.number,
        "kind": session.kind,
        "side": session.side_id,
        "label": label,
        "starts_at": session.starts_at.isoformat(),
        "ends_at": session.ends_at.isoformat(),
        "time_zone": session.time_zone,
        "local": span(session.starts_at, session.ends_at, zone_name),
        "reader_zone": zone_name,
        "video_link": session.video_link or None,
        "status": session.status,
        "sequence": session.sequence,
        "running": scheduled and is_running(session.starts_at, session.ends_at, now),
        "upcoming": scheduled and session.starts_at > now,
        "roster_confirmed": session.roster_confirmed_at is not None,
        "can_manage": me.role == Role.MEDIATOR,
    }
