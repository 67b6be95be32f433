from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from parley.cases.models import Case, Participant


class MailKind(models.TextChoices):
    ACTIVITY = "activity", gettext_lazy("New activity in a room")
    REMINDER = "reminder", gettext_lazy("Agreement not yet signed")


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
    QUEUED = "queued", gettext_lazy("Waiting to start")
    RUNNING = "running", gettext_lazy("Being made")
    READY = "ready", gettext_lazy("Ready to download")
    FAILED = "failed", gettext_lazy("Could not be made")
    EXPIRED = "expired", gettext_lazy("Deleted after its time")


class ExportFormat(models.TextChoices):
    JSON = "json", gettext_lazy("JSON")
    PDF = "pdf", gettext_lazy("PDF")


# A person has at most one export of a case waiting or being made (R5.2 exports are jobs).
UNFINISHED = (ExportStatus.QUEUED, ExportStatus.RUNNING)


class ExportJob(models.Model):
    """A record export made off the request path, kept for the person who asked only: the file
    is sealed under the case key and deleted `PARLEY_EXPORT_KEEP_HOURS` after it was made."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    format = models.CharField(max_length=8, choices=ExportFormat.choices, default=ExportFormat.JSON)
    status = models.CharField(
        max_length=16, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # Progress: entries written so far, of `total` (counted when the job starts).
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    # Why it failed, as a stable code (content_destroyed, not_found, error).
    problem = models.CharField(max_length=32, blank=True)
    file = models.FileField(upload_to="exports/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["requested_by", "case"],
                condition=models.Q(status__in=UNFINISHED),
                name="one_unfinished_export_per_person_case",
            )
        ]

    def __str__(self) -> str:
        return f"Export {self.pk} of case {self.case_id}"

    @property
    def unfinished(self) -> bool:
        return self.status in UNFINISHED


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
