"""Sessions recorded before sessions were scheduled (a date and a hand-typed attendee list)
become held sessions with a confirmed roster, so the §7 report keeps them."""

import uuid
from datetime import datetime, time, timedelta, timezone
from typing import Any

from django.db import migrations


def copy_recorded_sessions(apps: Any, schema_editor: Any) -> None:
    Old = apps.get_model("cases", "MediationSession")
    Session = apps.get_model("meetings", "Session")
    Attendee = apps.get_model("meetings", "Attendee")
    for old in Old.objects.all().order_by("case_id", "number"):
        starts = datetime.combine(old.held_on, time(12, 0), tzinfo=timezone.utc)
        new = Session.objects.create(
            case_id=old.case_id,
            number=old.number,
            kind="joint",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            time_zone="UTC",
            status="scheduled",
            uid=f"{uuid.uuid4()}@parley",
            created_at=old.recorded_at,
            changed_at=old.recorded_at,
            roster_confirmed_at=old.recorded_at,
        )
        Attendee.objects.bulk_create(
            Attendee(session=new, participant_id=p.pk, source="recorded")
            for p in old.attendees.all()
        )


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0001_initial"),
        ("cases", "0002_roster_version"),
    ]

    operations = [migrations.RunPython(copy_recorded_sessions, migrations.RunPython.noop)]
