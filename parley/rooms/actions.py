"""Writes in rooms: post, change a disclosure instruction, share (R3, R4, R5.1)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from parley.accounts.models import User
from parley.audit.actions import record_event
from parley.audit.chain import salted_hash
from parley.audit.models import AuditEvent
from parley.audit.policy import room_readers
from parley.cases.access import CaseContext, load_context
from parley.cases.actions import lock_case
from parley.cases.models import Participant
from parley.cases.policy import CaseStatus, Role
from parley.cases.roster import context_for, lock_for_writing
from parley.documents.models import Document
from parley.errors import BadInput, DomainError, NotFound
from parley.inserts import insert, pipelined
from parley.limits import check_client_key, clean_text
from parley.realtime.publish import publish_on_commit
from parley.rooms.events import publish_entry
from parley.rooms.models import Entry, EntryKind, InstructionChange, Room
from parley.rooms.policy import (
    EntryRef,
    Instruction,
    RoomKind,
    check_can_change_instruction,
    check_can_post,
    check_can_share,
    initial_instruction,
    is_privileged,
)
from parley.vault.keys import prime


def entry_ref(entry: Entry, ctx: CaseContext) -> EntryRef:
    author_role = ctx.participants[entry.author_id].role if entry.author_id else None
    return EntryRef(
        id=entry.pk,
        room=ctx.room_refs[entry.room_id],
        author_role=Role(author_role) if author_role else None,
        is_copy=entry.source_id is not None,
    )


def caucus_default(ctx: CaseContext) -> Instruction:
    if ctx.agreement is None:
        return Instruction.MAY_DISCLOSE
    return Instruction(ctx.agreement.caucus_default)


def store_entry(
    ctx: CaseContext,
    me: Participant,
    room_id: int,
    *,
    body: str,
    kind: EntryKind,
    acknowledge_not_confidential: bool,
    instruction: Instruction | None,
    client_key: str = "",
    ids: tuple[int | None, int | None] = (None, None),
) -> Entry:
    """Check R3/R5.1 for posting in `room_id`, then store the entry with its disclosure
    instruction (R4.1) and the instruction's first history row.

    Precondition: the caller holds the case lock and writes the audit event. `ids`: ids
    reserved for the entry and the instruction row, or None to let the database choose."""
    room = ctx.rooms.get(room_id)
    if room is None:
        raise NotFound()
    ref = ctx.room_refs[room.pk]
    check_can_post(
        ctx.person(me), ref, ctx.state, acknowledged_not_confidential=acknowledge_not_confidential
    )
    chosen = initial_instruction(ref, Role(me.role), caucus_default(ctx))
    if chosen is not None and instruction is not None:
        chosen = Instruction(instruction)
    entry = Entry(
        id=ids[0],
        case=ctx.case,
        room=room,
        author=me,
        kind=kind,
        body=body,
        privileged=is_privileged(CaseStatus(ctx.case.status)),
        instruction=chosen or "",
        client_key=client_key,
    )
    insert(entry)
    if chosen is not None:
        insert(InstructionChange(id=ids[1], entry=entry, changed_by=me, instruction=chosen))
    return entry


def stored_with_key(case_id: int, user: User, client_key: str) -> tuple[str, list[Any]]:
    """The statement that finds the entry this user already stored in this case under this
    idempotency key (run by lock_for_writing once the case lock is held)."""
    entries, participants = Entry._meta.db_table, Participant._meta.db_table
    return (
        # Table names are the models' own; values are parameters.
        f"SELECT e.id FROM {entries} e JOIN {participants} p ON p.id = e.author_id "  # noqa: S608
        "WHERE p.case_id = %s AND p.user_id = %s AND e.client_key = %s",
        [case_id, user.pk, client_key],
    )


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
    # The hot path: one batch for the lock, the key check and the ids; one for the writes and
    # the commit (PostgreSQL's pipeline mode; see parley/inserts.py). The case key, needed to
    # encrypt the text as it is written, is fetched before (cached in the process).
    prime(case_id)
    with pipelined(), transaction.atomic():
        # The writer's participation comes with the lock, the policy's context from the roster
        # cache (see cases/roster.py for why it cannot be stale).
        writing = lock_for_writing(
            acting_user,
            case_id,
            check=stored_with_key(case_id, acting_user, client_key) if client_key else None,
            reserve=(Entry, InstructionChange, AuditEvent),
        )
        if writing.found is not None:
            return Entry.objects.get(pk=writing.found[0])
        case, me = writing.case, writing.me
        ctx = context_for(case, writing.roster_token)
        entry_id, change_id, event_id = writing.ids or (None, None, None)
        entry = store_entry(
            ctx,
            me,
            room_id,
            body=body,
            kind=kind,
            acknowledge_not_confidential=acknowledge_not_confidential,
            instruction=instruction,
            client_key=client_key,
            ids=(entry_id, change_id),
        )
        record_event(
            case,
            "entry_posted",
            actor_id=me.pk,
            subject_id=entry.pk,
            content_hashes={"body": salted_hash(entry.salt, body), "room": entry.room_id},
            event_id=event_id,
            audience=room_readers([entry.room_id]),
        )
        publish_entry(ctx, entry)
    return entry


def do_change_instruction(
    *, acting_user: User, case_id: int, entry_id: int, instruction: Instruction
) -> Entry:
    if instruction not in Instruction.values:
        raise BadInput("bad_instruction", "Choose may_disclose or do_not_disclose.")
    with transaction.atomic():
        case, me = lock_case(acting_user, case_id)
        ctx = load_context(case)
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
        case, me = lock_case(acting_user, case_id)
        ctx = load_context(case)
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
            raise DomainError("not_shareable", "A side's ratings are private and never shared.")
        copy = Entry.objects.create(
            case=case,
            room=target,
            author=entry.author,
            kind=entry.kind,
            body=entry.body,
            privileged=is_privileged(CaseStatus(case.status)) or entry.privileged,
            source=entry,
            shared_by=me,
        )
        if hasattr(entry, "document"):
            Document.objects.create(
                entry=copy,
                name=entry.document.name,
                size=entry.document.size,
                sha256=entry.document.sha256,
                content_type=entry.document.content_type,
                provenance=entry.document.provenance,
                file=entry.document.file.name,
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
        publish_entry(ctx, copy)
    return copy


def rooms_for_kind(ctx: CaseContext, kind: RoomKind) -> list[Room]:
    return [r for r in ctx.rooms.values() if r.kind == kind]
