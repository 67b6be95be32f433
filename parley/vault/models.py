"""The per-case data keys (R11.3), each stored only wrapped by the master key."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from parley.cases.models import Case


class CaseKey(models.Model):
    """A case's AES-256-GCM data key, encrypted (wrapped) under the master key named by
    `master_id`. `wrapped` is emptied when the key is destroyed under the retention policy
    (R11.4): from then on no copy of the database can decrypt the case's content."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="key")
    wrapped = models.BinaryField(blank=True)
    master_id = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    rotated_at = models.DateTimeField(null=True, blank=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Key of case {self.case_id}"
