from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from parley.cases.policy import CaseStatus, Outcome, Role, TerminationKind


class Case(models.Model):
    """One mediation."""

    title = models.CharField(max_length=200)
    reference = models.CharField(max_length=100, blank=True)
    # ISO 4217: every sum in the case is in this currency (parley/money.py).
    currency = models.CharField(max_length=3, default="EUR")
    status = models.CharField(max_length=16, choices=CaseStatus.choices, default=CaseStatus.SETUP)
    created_at = models.DateTimeField(default=timezone.now)
    activated_at = models.DateTimeField(null=True, blank=True)
    terminated_at = models.DateTimeField(null=True, blank=True)
    termination_kind = models.CharField(max_length=16, choices=TerminationKind.choices, blank=True)
    terminated_by = models.ForeignKey(
        "cases.Participant", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    # The head of the audit chain, updated with every event in the same transaction, so a
    # truncated chain no longer matches (R9.1).
    audit_head = models.CharField(max_length=64, blank=True)
    audit_count = models.PositiveIntegerField(default=0)
    # R11.4: the mediator's shorter retention period (the agreement's applies when null), the
    # notice sent before the end of it, and when the case key was destroyed.
    retention_days = models.PositiveIntegerField(null=True, blank=True)
    retention_notice_at = models.DateTimeField(null=True, blank=True)
    content_destroyed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.title


class Side(models.Model):
    """A party and the people who attend for it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sides")
    label = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["case", "position"], name="side_position_unique")
        ]

    def __str__(self) -> str:
        return self.label


class Participant(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="participations"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    side = models.ForeignKey(
        Side, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    display_name = models.CharField(max_length=200)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            # R1.2: one role per person per case.
            models.UniqueConstraint(fields=["case", "user"], name="one_role_per_case"),
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(role="mediator"), name="one_mediator_per_case"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.role})"


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", gettext_lazy("waiting for the mediator")
    APPLIED = "applied", gettext_lazy("corrected")
    DECLINED = "declined", gettext_lazy("declined by the mediator")


class NameCorrection(models.Model):
    """A participant asks the mediator to write their name differently (R11.1): they sign with
    the full name as the mediator wrote it, so a misspelt name must not leave them stuck."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="name_corrections")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="name_corrections"
    )
    current_name = models.CharField(max_length=200)
    requested_name = models.CharField(max_length=200)
    status = models.CharField(
        max_length=16, choices=CorrectionStatus.choices, default=CorrectionStatus.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant"],
                condition=models.Q(status="pending"),
                name="one_pending_name_correction",
            )
        ]


class InvitationStatus(models.TextChoices):
    PENDING = "pending", gettext_lazy("Pending")
    ACCEPTED = "accepted", gettext_lazy("Accepted")
    REVOKED = "revoked", gettext_lazy("Revoked")


class MailStatus(models.TextChoices):
    QUEUED = "queued", gettext_lazy("Queued")
    SENT = "sent", gettext_lazy("Sent")
    FAILED = "failed", gettext_lazy("Failed")


class Invitation(models.Model):
    """An invitation to a role (and side) in a case, redeemed once through a signed link."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    display_name = models.CharField(max_length=200)
    role = models.CharField(max_length=16, choices=Role.choices)
    side = models.ForeignKey(Side, null=True, blank=True, on_delete=models.PROTECT)
    status = models.CharField(
        max_length=16, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    participant = models.OneToOneField(
        Participant, null=True, blank=True, on_delete=models.PROTECT, related_name="invitation"
    )
    # What became of its mail, and whether the link was opened: the set-up page shows it.
    # Empty while queued. Nullable without a default, so adding it keeps the table (and on
    # SQLite its roster triggers) in place instead of rebuilding it.
    mail_status = models.CharField(  # noqa: DJ001 (null is "queued"; see above)
        max_length=8, choices=MailStatus.choices, null=True, blank=True
    )
    mail_sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "email"],
                condition=models.Q(status="pending"),
                name="one_pending_invitation_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} as {self.role}"

    def state(self, now: datetime) -> str:
        """queued, sent, failed, opened, accepted, expired or revoked, as the set-up page says."""
        if self.status != InvitationStatus.PENDING:
            return str(self.status)
        if self.expires_at < now:
            return "expired"
        if self.opened_at is not None:
            return "opened"
        return str(self.mail_status or MailStatus.QUEUED)


class RosterVersion(models.Model):
    """A random token per case, replaced by database triggers (migration 0002) whenever anything
    the access policy reads about the case changes: participants, sides, invitations, rooms,
    agreements, signatures, disclosures and their acknowledgements. Written only by those
    triggers, never by code, so a stale copy cannot be saved back; see parley/cases/roster.py."""

    case = models.OneToOneField(
        Case,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,  # the triggers may write it while a case is being deleted
        related_name="+",
    )
    token = models.CharField(max_length=32)
