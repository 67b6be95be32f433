"""Offers, blind bidding, issues and ratings, and the settlement (R8).

Offers, ratings and proposals are entries of a room (R3.5): each row here hangs off the Entry
that carries it, so it is visible exactly where that entry (or a mediator's shared copy) is.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from parley.audit.chain import new_salt
from parley.cases.models import Case, Participant, Side
from parley.negotiation.policy import (
    DEFAULT_MARGIN_PERCENT,
    DEFAULT_ROUNDS,
    Answer,
    BiddingStatus,
    IssueSetKind,
    MarginKind,
    OfferKind,
    OfferOrigin,
    OfferStatus,
    ProposalJobStatus,
)
from parley.rooms.models import Entry
from parley.vault.fields import EncryptedDecimalField, EncryptedJSONField, EncryptedTextField


class IssueSet(models.Model):
    """The mediator's list of issues (with options) or items, as one frozen version.

    `spec` is `[{"title": str, "options": [str, ...]}, ...]` (no options for items).
    A new version replaces the old one; ratings of an older version no longer count.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="issue_sets")
    version = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=IssueSetKind.choices)
    spec: models.JSONField[list[dict[str, Any]]] = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="issue_set_version_unique")
        ]

    def __str__(self) -> str:
        return f"Issues v{self.version} of {self.case_id}"


class Rating(models.Model):
    """A side's private ratings (R8.4): caucus content of that side, carried by a rating entry
    in its caucus whose body holds no figure. `data` is `{"weights": [...], "scores": [[...]]}`
    for issues or `{"points": [...]}` for items. The newest row per side and set counts."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="ratings")
    issue_set = models.ForeignKey(IssueSet, on_delete=models.CASCADE, related_name="ratings")
    side = models.ForeignKey(Side, on_delete=models.PROTECT, related_name="+")
    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="rating")
    rated_by = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    data = EncryptedJSONField(context=lambda r: (r.case_id, str(r.entry_id)))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Rating {self.pk}"


class Offer(models.Model):
    """A party's offer (R8.1) or the mediator's proposal (R8.4). `entry` is the original entry;
    whoever can see it or one of its shared copies can see the offer."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="offers")
    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="offer")
    origin = models.CharField(max_length=16, choices=OfferOrigin.choices)
    side = models.ForeignKey(
        Side, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    made_by = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=OfferKind.choices)
    # The sum and the terms are encrypted under the case key (R11.3), named by the offer's entry.
    amount = EncryptedDecimalField(
        null=True, blank=True, context=lambda o: (o.case_id, str(o.entry_id))
    )
    payer = models.ForeignKey(
        Side, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payee = models.ForeignKey(
        Side, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issue_set = models.ForeignKey(
        IssueSet, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # package: one option index per issue; allocation: per item {side id: share "p/q"}.
    terms = EncryptedJSONField(
        null=True, blank=True, context=lambda o: (o.case_id, str(o.entry_id))
    )
    # What the offering side writes beside the terms: a note, and the conditions the offer is
    # made on. Content, encrypted like the terms.
    note = EncryptedTextField(blank=True, context=lambda o: (o.case_id, str(o.entry_id)))
    conditions = EncryptedTextField(blank=True, context=lambda o: (o.case_id, str(o.entry_id)))
    method = models.CharField(max_length=32, blank=True)
    status = models.CharField(max_length=16, choices=OfferStatus.choices, default=OfferStatus.OPEN)
    expires_at = models.DateTimeField(null=True, blank=True)
    counter_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="counters"
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Offer {self.pk}"


class OfferAnswer(models.Model):
    """A party's answer to an offer, for its side. Never edited."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="answers")
    side = models.ForeignKey(Side, on_delete=models.PROTECT, related_name="+")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(max_length=8, choices=Answer.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "side"], name="one_answer_per_side")
        ]


class Bidding(models.Model):
    """Double-blind bidding over one sum between a payer and a claimant (R8.3)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="biddings")
    payer = models.ForeignKey(Side, on_delete=models.PROTECT, related_name="+")
    claimant = models.ForeignKey(Side, on_delete=models.PROTECT, related_name="+")
    rounds = models.PositiveSmallIntegerField(default=DEFAULT_ROUNDS)
    margin_kind = models.CharField(
        max_length=8, choices=MarginKind.choices, default=MarginKind.PERCENT
    )
    margin_value = models.DecimalField(
        max_digits=14, decimal_places=2, default=DEFAULT_MARGIN_PERCENT
    )
    # The sum a "whichever is greater" margin compares with the percent in margin_value.
    margin_fixed = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    status = models.CharField(
        max_length=16, choices=BiddingStatus.choices, default=BiddingStatus.OPEN
    )
    current_round = models.PositiveSmallIntegerField(default=1)
    settled_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    settled_round = models.PositiveSmallIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="open"),
                name="one_open_bidding_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"Bidding {self.pk}"


class SealedBid(models.Model):
    """One side's sealed figure for one round.

    No serializer, export, page or event reads this model. `sealed` holds the figure and its
    nonce, encrypted under the case key like all content (R11.3); it is erased the moment the round
    is decided, so a failed round leaves only the HMAC commitment (also in the audit chain).
    """

    bidding = models.ForeignKey(Bidding, on_delete=models.CASCADE, related_name="+")
    round = models.PositiveSmallIntegerField()
    side = models.ForeignKey(Side, on_delete=models.PROTECT, related_name="+")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    sealed = EncryptedTextField(
        blank=True,
        context=lambda b: (b.bidding.case_id, f"{b.bidding_id}:{b.round}:{b.side_id}"),
    )
    commitment = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bidding", "round", "side"], name="one_sealed_bid_per_side_round"
            )
        ]

    def __repr__(self) -> str:
        # Never the figure, not even in a debugger or a log line.
        return f"<SealedBid {self.pk} round {self.round}>"

    __str__ = __repr__


class SettlementVersion(models.Model):
    """One version of the settlement text. An edit is a new version: older signatures no longer
    count and every party signs again."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="settlement_versions")
    version = models.PositiveIntegerField()
    text = EncryptedTextField(context=lambda v: (v.case_id, str(v.version)))
    sha256 = models.CharField(max_length=64)
    terms_offer = models.ForeignKey(
        Offer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    terms_bidding = models.ForeignKey(
        Bidding, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="settlement_version_unique")
        ]

    def __str__(self) -> str:
        return f"Settlement v{self.version}"


class SettlementSignature(models.Model):
    """A party's signature on one settlement version (R2.2's rules). Never edited."""

    settlement = models.ForeignKey(
        SettlementVersion, on_delete=models.PROTECT, related_name="signatures"
    )
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    typed_name = models.CharField(max_length=200)
    text_sha256 = models.CharField(max_length=64)
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["settlement", "participant"], name="one_signature_per_settlement"
            )
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("A signature is never edited.")
        super().save(*args, **kwargs)


class ProposalJob(models.Model):
    """The mediator's request for an engine proposal (R8.4), run off the request path
    (parley/negotiation/tasks.py). At most one per case is queued or running. The result, the
    terms' indices and shares, is derived from the ratings, so it is encrypted under the case
    key like them; only the case's mediator reads it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="proposal_jobs")
    issue_set = models.ForeignKey(IssueSet, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    salt = models.CharField(max_length=32, default=new_salt)
    method = models.CharField(max_length=32)
    baseline = EncryptedJSONField(null=True, blank=True, context=lambda j: (j.case_id, j.salt))
    time_limit = models.FloatField()
    status = models.CharField(
        max_length=16, choices=ProposalJobStatus.choices, default=ProposalJobStatus.QUEUED
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # How the search stands while it runs: seconds of search, proven log gap (null: none yet).
    progress_seconds = models.FloatField(default=0.0)
    progress_gap = models.FloatField(null=True, blank=True)
    result = EncryptedJSONField(null=True, blank=True, context=lambda j: (j.case_id, j.salt))
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_live_proposal_job_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"Proposal job {self.pk} of case {self.case_id}"
