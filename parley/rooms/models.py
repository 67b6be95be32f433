from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parley.audit.chain import new_salt
from parley.cases.models import Case, Participant, Side
from parley.limits import CLIENT_KEY_CHARS
from parley.rooms.policy import Instruction, RoomKind
from parley.rooms.words import render
from parley.vault.fields import EncryptedTextField


class Room(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="rooms")
    kind = models.CharField(max_length=16, choices=RoomKind.choices)
    side = models.ForeignKey(Side, null=True, blank=True, on_delete=models.CASCADE)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind", "side"], name="one_room_per_kind_side"),
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=models.Q(side__isnull=True),
                name="one_sideless_room_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.kind == RoomKind.CAUCUS and self.side is not None:
            return _("Caucus: %(side)s") % {"side": self.side.label}
        if self.kind == RoomKind.COUNSEL and self.side is not None:
            return _("Counsel room: %(side)s") % {"side": self.side.label}
        return str(RoomKind(self.kind).label)


class EntryKind(models.TextChoices):
    TEXT = "text", gettext_lazy("Message")
    SYSTEM = "system", gettext_lazy("Notice")
    DOCUMENT = "document", gettext_lazy("Document")
    OFFER = "offer", gettext_lazy("Offer")
    PROPOSAL = "proposal", gettext_lazy("Proposal")
    RATING = "rating", gettext_lazy("Rating")


class Entry(models.Model):
    """Everything written in a room. Visible to exactly the members of its room (R3.5)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="entries")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="entries")
    author = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    kind = models.CharField(max_length=16, choices=EntryKind.choices, default=EntryKind.TEXT)
    # Encrypted under the case key (R11.3); the salt, fixed at creation, names the row.
    body = EncryptedTextField(context=lambda e: (e.case_id, e.salt))
    created_at = models.DateTimeField(default=timezone.now)
    privileged = models.BooleanField()
    instruction = models.CharField(max_length=20, choices=Instruction.choices, blank=True)
    source = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="copies"
    )
    shared_by = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    client_key = models.CharField(max_length=CLIENT_KEY_CHARS, blank=True)
    # Keys the entry's content hashes in the audit chain (audit.chain.salted_hash).
    salt = models.CharField(max_length=32, default=new_salt, editable=False)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "entries"
        indexes = [models.Index(fields=["room", "id"], name="entry_room_id")]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "client_key"],
                condition=~models.Q(client_key=""),
                name="entry_idempotency_key",
            )
        ]

    def __str__(self) -> str:
        return f"Entry {self.pk} in {self.room_id}"

    @property
    def shown_body(self) -> str:
        """The body as the reader reads it: Parley's own words in the active language."""
        return render(self.kind, self.body)


class InstructionChange(models.Model):
    """History of a caucus entry's disclosure instruction (R4.2)."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="instruction_history")
    changed_by = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    instruction = models.CharField(max_length=20, choices=Instruction.choices)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]


class GuideSeen(models.Model):
    """A participant put away the first-visit guide to the rooms: it no longer opens by itself
    (the "How this works" link still shows it). A person's own reading state, not an act in
    the mediation, so it is not in the audit chain."""

    participant = models.OneToOneField(Participant, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Guide seen by {self.participant_id}"
