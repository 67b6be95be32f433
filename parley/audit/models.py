from __future__ import annotations

from typing import Any

from django.db import models

from parley.cases.models import Case


class AuditEvent(models.Model):
    """One event of a case's append-only hash chain (R9.1). Hashes of content, never content.

    The record (kind, actor, created_at, subject, content_hashes, audience) is committed with
    `salt` into `commitment`; the chain links commitments (`prev_hash`, `hash`). Participants
    get every link, and the record only if the audience includes them (audit/policy.py)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="audit_events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=64)
    actor_id = models.BigIntegerField(null=True, blank=True)  # a Participant id, None: the system
    created_at = models.DateTimeField()
    subject_id = models.BigIntegerField(null=True, blank=True)
    content_hashes: models.JSONField[dict[str, Any]] = models.JSONField(default=dict)
    audience: models.JSONField[dict[str, Any]] = models.JSONField(default=dict)
    salt = models.CharField(max_length=32)
    commitment = models.CharField(max_length=64)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="audit_seq_unique")]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.kind}"
