from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from parley.agreements.policy import (
    NO_CONFLICT,
    ORIGINAL_LANGUAGE,
    AgreementSource,
    AgreementText,
    base_language,
)
from parley.cases.models import Case, Participant
from parley.rooms.policy import Instruction


class Agreement(models.Model):
    """A frozen version of a case's agreement to mediate: text, its SHA-256, and its policy.

    A change is a new version; signatures on older versions stay as history but count no more.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="agreements")
    version = models.PositiveIntegerField()
    source = models.CharField(max_length=16, choices=AgreementSource.choices)
    text = models.TextField()
    sha256 = models.CharField(max_length=64)
    caucus_default = models.CharField(max_length=20, choices=Instruction.choices)
    results_confidential = models.BooleanField(default=False)
    # R11.4: days the content is kept after the mediation ends; 0 keeps nothing after the report.
    # Null (the rows from before this setting) means the default, 365. Nullable so that adding
    # the column is a plain ALTER TABLE on SQLite: rebuilding this table would drop the roster
    # triggers (cases/migrations/0002_roster_version.py) that live on it.
    retention_days = models.PositiveIntegerField(null=True, blank=True)
    court_order: models.JSONField[dict[str, Any] | None] = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    issued_at = models.DateTimeField(null=True, blank=True)
    # The language of `text`. Null: a version from before languages, written in English.
    # Nullable (like retention_days) so adding it does not rebuild the table on SQLite.
    language = models.CharField(max_length=16, null=True, blank=True)  # noqa: DJ001
    # The template's text in each other language, each with its own SHA-256:
    # {"es": {"text": ..., "sha256": ...}, ...}. Null: `text` is the only one (the mediator's own
    # text, or a version from before languages).
    translations: models.JSONField[dict[str, dict[str, str]] | None] = models.JSONField(
        null=True, blank=True
    )

    class Meta:
        ordering = ["version"]
        get_latest_by = "version"
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="agreement_version_unique")
        ]

    def __str__(self) -> str:
        return f"Agreement v{self.version} for {self.case}"

    def texts(self) -> dict[str, AgreementText]:
        """Every language this version is written in, the original first."""
        original = self.language or ORIGINAL_LANGUAGE
        out = {original: AgreementText(original, self.text, self.sha256)}
        for language, t in (self.translations or {}).items():
            out[language] = AgreementText(language, t["text"], t["sha256"])
        return out

    def text_for(self, language: str | None) -> AgreementText:
        """The text a person reading in `language` is shown: theirs, or else the original."""
        texts = self.texts()
        return texts.get(base_language(language)) or texts[self.language or ORIGINAL_LANGUAGE]

    def text_with_hash(self, sha256: str) -> AgreementText | None:
        return next((t for t in self.texts().values() if t.sha256 == sha256), None)


class Signature(models.Model):
    """Who signed which text, when. Never edited (R2.2)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="signatures")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    typed_name = models.CharField(max_length=200)
    text_sha256 = models.CharField(max_length=64)
    signed_at = models.DateTimeField(default=timezone.now)
    # The language of the text signed (its hash is text_sha256). Null: signed before languages,
    # that is the agreement's original text. Nullable: no table rebuild on SQLite (triggers).
    language = models.CharField(max_length=16, null=True, blank=True)  # noqa: DJ001

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "participant"], name="one_signature_per_version"
            )
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("A signature is never edited.")
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.typed_name} signed v{self.agreement.version}"

    @property
    def signed_language(self) -> str:
        return self.language or self.agreement.language or ORIGINAL_LANGUAGE


class ConflictDisclosure(models.Model):
    """The mediator's conflict-of-interest disclosure, or an explicit "none" (R6.1)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="disclosures")
    text = models.TextField()
    is_none = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    # Made after the agreement was issued: every party must acknowledge it.
    needs_acknowledgement = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return "None" if self.is_none else self.text[:50]

    @property
    def shown_text(self) -> str:
        """The text as the reader reads it: "none" in the reader's language, a disclosure as
        the mediator wrote it."""
        return str(NO_CONFLICT) if self.is_none else self.text


class DisclosureAcknowledgement(models.Model):
    disclosure = models.ForeignKey(
        ConflictDisclosure, on_delete=models.CASCADE, related_name="acknowledgements"
    )
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["disclosure", "participant"], name="one_ack_per_disclosure"
            )
        ]
