"""Writes in rooms: post, change a disclosure instruction, share (R3, R4, R5.1)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from parley.accounts.models import User
from parley.audit.actions import record_event
from parley.audit.chain import salted_hash
from parley.audit.policy import room_readers
from parley.cases.access import enter_case
from parley.documents.models import Document
from parley.errors import BadInput, DomainError, NotFound
from parley.limits import check_client_key, clean_text
from parley.realtime.publish import publish_on_commit
from parley.rooms.entries import AlreadyStored, add_entry, entry_ref, post_entry, stored_post
from parley.rooms.models import Entry, EntryKind, InstructionChange
from parley.rooms.policy import (
    Instruction,
    check_can_change_instruction,
    check_can_share,
)
from parley.vault.keys import prime


def do_post_entry(
    *,
    acting_user: User,
    case_id: int,
    room_id: int,
    body: str,
    acknowledge_not_confidential: bool = False,
    client_key: str = "",
    kind: EntryKind = EntryKind.TEXT,
    instruction: Instruction | None = None,
) -> Entry:
    """Stored and committed before the caller acknowledges it (R9.2). A retried post with the
    same client key returns the entry already stored instead of writing a second one."""
    body = clean_text(body)
    check_client_key(client_key)
    # The case key, needed to encrypt the text as it is written, is fetched before the
    # transaction (cached in the process).
    prime(case_id)
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        try:
            return post_entry(
                ctx,
                me,
                room_id,
                body=body,
                kind=kind,
                acknowledge_not_confidential=acknowledge_not_confidential,
                instruction=instruction,
                client_key=client_key,
            )
        except AlreadyStored:
            # A retry. Its lookup runs after the insert that found the key taken, so on
            # PostgreSQL it sees the first post even when that committed while this one
            # waited for the case lock.
            stored = stored_post(me, client_key)
        except DomainError:
            # A retry refused now (the case ended since, say) still gets the entry it stored.
            stored = stored_post(me, client_key) if client_key else None
            if stored is None:
                raise
    assert stored is not None, "the key's entry is stored"
    return stored


def do_change_instruction(
    *, acting_user: User, case_id: int, entry_id: int, instruction: Instruction
) -> Entry:
    if instruction not in Instruction.values:
        raise BadInput("bad_instruction", _("Choose may_disclose or do_not_disclose."))
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        case = ctx.case
        entry = Entry.objects.select_for_update().filter(case=case, pk=entry_id).first()
        if entry is None:
            raise NotFound()
        check_can_change_instruction(ctx.person(me), entry_ref(entry, ctx))
        if entry.instruction != instruction:
            entry.instruction = instruction
            entry.save(update_fields=["instruction"])
            InstructionChange.objects.create(entry=entry, changed_by=me, instruction=instruction)
            record_event(
                case,
                "instruction_changed",
                actor_id=me.pk,
                subject_id=entry.pk,
                content_hashes={"instruction": salted_hash(entry.salt, str(instruction))},
                audience=room_readers([entry.room_id]),
            )
            publish_on_commit(
                ctx.recipients(entry.room_id),
                {
                    "type": "instruction",
                    "case": case.pk,
                    "entry": entry.pk,
                    "instruction": str(instruction),
                },
            )
    return entry


def do_share_entry(*, acting_user: User, case_id: int, entry_id: int, target_room_id: int) -> Entry:
    """R4.3: the mediator's share, refused when the side said "do not disclose" at this moment.
    The entry row is locked so a concurrent instruction change cannot slip in between."""
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        case = ctx.case
        entry = Entry.objects.select_for_update().filter(case=case, pk=entry_id).first()
        if entry is None:
            raise NotFound()
        target = ctx.rooms.get(target_room_id)
        ref = entry_ref(entry, ctx)
        if target is None:
            raise NotFound()
        check_can_share(
            ctx.person(me),
            ref,
            ctx.room_refs[target.pk],
            Instruction(entry.instruction) if entry.instruction else None,
            ctx.state,
        )
        if entry.kind == EntryKind.RATING:  # R8.4: ratings stay with their side, always
            raise DomainError("not_shareable", _("A side's ratings are private and never shared."))
        # One copy per room: under the entry's row lock, so two shares at once make one copy.
        if Entry.objects.filter(source=entry, room=target).exists():
            raise DomainError(
                "already_shared",
                _("This entry is already in that room: the mediator shared it there before."),
            )
        document = None
        if hasattr(entry, "document"):
            # A copy of the document row pointing at the same stored file.
            original = entry.document
            document = Document(
                name=original.name,
                size=original.size,
                sha256=original.sha256,
                content_type=original.content_type,
                provenance=original.provenance,
                file=original.file.name,
            )
        copy = add_entry(
            ctx,
            target,
            kind=EntryKind(entry.kind),
            body=entry.body,
            author=entry.author,
            source=entry,
            shared_by=me,
            privileged=entry.privileged,
            document=document,
        )
        record_event(
            case,
            "entry_shared",
            actor_id=me.pk,
            subject_id=copy.pk,
            content_hashes={"source": entry.pk, "room": target.pk},
            # The copy's readers: it shows them where it came from (R4.3).
            audience=room_readers([target.pk]),
        )
        # The original's readers (its side and the mediator) see on it where it was shared:
        # the event names only the original, and the page fetches it through the access check.
        publish_on_commit(
            ctx.recipients(entry.room_id),
            {"type": "shared", "case": case.pk, "entry": entry.pk},
        )
    return copy
