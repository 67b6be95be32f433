from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from parley.cases.models import Case, Participant


class MailKind(models.TextChoices):
    ACTIVITY = "activity", "New activity in a room"
    REMINDER = "reminder", "Agreement not yet signed"


class MailMark(models.Model):
    """When a person was last mailed about one thing, so mails are debounced (at most one
    "new activity" mail per room per window). `scope` is the room id, or the case id."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=MailKind.choices)
    scope = models.PositiveBigIntegerField()
    last_sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "kind", "scope"], name="one_mail_mark_per_scope"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.scope} for {self.participant_id}"


class DeadLetter(models.Model):
    """A background job that failed on every try. Holds the task's name and arguments (ids
    only: tasks never carry content), the last error, and when."""

    task_name = models.CharField(max_length=200)
    task_id = models.CharField(max_length=64)
    arguments = models.JSONField(default=dict)
    error = models.TextField()
    failed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-failed_at"]

    def __str__(self) -> str:
        return f"{self.task_name} {self.task_id}"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class ExportJob(models.Model):
    """A record export made off the request path, kept for the person who asked only."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        max_length=16, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(upload_to="exports/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Export {self.pk} of case {self.case_id}"


class ReadMarker(models.Model):
    """The last entry a person has seen in a room (parley/notifications/reading.py)."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey("rooms.Room", on_delete=models.CASCADE, related_name="+")
    last_entry_id = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "room"], name="one_marker_per_room")
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} read {self.room_id} to {self.last_entry_id}"
