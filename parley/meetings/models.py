"""Mediation sessions (R10). A session is a meeting of the joint room or of one side's caucus;
who is invited to it is who may read that room (R3.1, R3.2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from parley.cases.models import Case, Participant, Side
from parley.meetings.policy import Answer, AttendanceSource, SessionKind, SessionStatus


def default_reminder_hours() -> list[int]:
    return [24, 1]


class CaseSchedule(models.Model):
    """A case's calendar settings, chosen by the mediator."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="schedule")
    # R10.3: the case title appears in calendars only where the mediator allowed it.
    title_in_calendar = models.BooleanField(default=False)
    reminder_hours: models.JSONField[list[int]] = models.JSONField(default=default_reminder_hours)

    def __str__(self) -> str:
        return f"Schedule of case {self.case_id}"


class Session(models.Model):
    """A mediation session: joint, or a caucus with one side (R10.1)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="meetings")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=8, choices=SessionKind.choices)
    side = models.ForeignKey(Side, null=True, blank=True, on_delete=models.PROTECT)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    time_zone = models.CharField(max_length=64)
    video_link = models.URLField(max_length=500, blank=True)
    status = models.CharField(
        max_length=16, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    # R10.3: one calendar event per session, its SEQUENCE raised on every change.
    uid = models.CharField(max_length=80, unique=True)
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)
    roster_confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="meeting_number_unique"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after"
            ),
        ]
        indexes = [models.Index(fields=["status", "starts_at"], name="meeting_due_idx")]

    def __str__(self) -> str:
        return f"Session {self.number} of case {self.case_id}"


class Attendee(models.Model):
    """One line of a session's confirmed roster (R10.5): the §7 report reads only these."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendees")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=16, choices=AttendanceSource.choices)

    class Meta:
        ordering = ["participant_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant"], name="one_roster_line_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} at {self.session_id}"


class PresenceSpan(models.Model):
    """From a person's first open page of a case to their last one closing: the joins and
    leaves a session's roster is proposed from (R10.5). Presence is not content."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["case", "joined_at"], name="presence_case_idx")]

    def __str__(self) -> str:
        return f"{self.participant_id} from {self.joined_at}"


class ReminderSent(models.Model):
    """A reminder mailed (R10.4). Written in the transaction that sends it, keyed by the start
    time it was for, so a restarted worker never sends it again and a moved session gets its
    own reminders for the new time."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    hours_before = models.PositiveIntegerField()
    for_start = models.DateTimeField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant", "hours_before", "for_start"],
                name="one_reminder_per_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.hours_before} h reminder of {self.session_id}"


class CalendarFeed(models.Model):
    """A person's private iCal feed (R10.3). Revoking deletes it; regenerating makes a new
    token, so an old address answers 404 from then on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user_id}"


class Poll(models.Model):
    """An availability poll (R10.2): proposed slots for one session."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="polls")
    kind = models.CharField(max_length=8, choices=SessionKind.choices)
    side = models.ForeignKey(Side, null=True, blank=True, on_delete=models.PROTECT)
    time_zone = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Poll {self.pk} of case {self.case_id}"


class PollSlot(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return f"Slot {self.starts_at}"


class PollAnswer(models.Model):
    slot = models.ForeignKey(PollSlot, on_delete=models.CASCADE, related_name="answers")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(max_length=8, choices=Answer.choices)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["slot", "participant"], name="one_answer_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.answer} by {self.participant_id}"
