"""Writing entries: the one function that stores an entry (add_entry), and a participant's entry
checked against the rooms policy first (new_entry).

Precondition for both: the caller entered the case (cases.access.enter_case) in the current
transaction, so it holds the case lock, and writes its own audit event: the chain records the
act (a post, a share, an offer, a termination), not the row."""

from __future__ import annotations

from django.db import connection

from parley.audit.actions import record_event
from parley.audit.chain import salted_hash
from parley.audit.policy import room_readers
from parley.cases.context import CaseContext
from parley.cases.models import Participant
from parley.cases.policy import CaseStatus, Role
from parley.documents.models import Document
from parley.errors import NotFound
from parley.inserts import insert
from parley.limits import clean_text
from parley.rooms.events import publish_entry
from parley.rooms.models import Entry, EntryKind, InstructionChange, Room
from parley.rooms.policy import (
    EntryRef,
    Instruction,
    check_can_post,
    initial_instruction,
    is_privileged,
)

# The idempotency index (Entry.Meta's entry_idempotency_key), its condition repeated so that the
# database matches the clause to the index.
KEYED = "ON CONFLICT (author_id, client_key) WHERE NOT (client_key = '') DO NOTHING"


class AlreadyStored(Exception):
    """The author already stored an entry under this idempotency key: the post is a retry.
    Raised before anything of it is written (stored_post finds the entry)."""


def add_entry(
    ctx: CaseContext,
    room: Room,
    *,
    kind: EntryKind,
    body: str,
    author: Participant | None = None,
    instruction: Instruction | None = None,
    client_key: str = "",
    source: Entry | None = None,
    shared_by: Participant | None = None,
    privileged: bool = False,
    document: Document | None = None,
) -> Entry:
    """Store an entry in `room` (with its first instruction row, and its document if any) and
    publish it to exactly the room's members once the transaction commits. AlreadyStored if
    `author` already stored an entry under `client_key`.

    `privileged` adds to R5.1 (an entry is privileged when written before the end); a shared
    copy keeps its source's mark. The caller has checked every rule that applies."""
    entry = Entry(
        case=ctx.case,
        room=room,
        author=author,
        kind=kind,
        body=body,
        privileged=privileged or is_privileged(CaseStatus(ctx.case.status)),
        instruction=instruction or "",
        client_key=client_key,
        source=source,
        shared_by=shared_by,
    )
    if not insert(entry, on_conflict=KEYED if client_key else ""):
        raise AlreadyStored(client_key)
    if instruction is not None:
        assert author is not None, "an instruction is a side member's (R4.1)"
        insert(InstructionChange(entry=entry, changed_by=author, instruction=instruction))
    if document is not None:
        document.entry = entry
        document.save()
    publish_entry(ctx, entry)
    return entry


STORED_POST = (
    "SELECT id FROM rooms_entry WHERE author_id = %s AND client_key = %s AND NOT (client_key = '')"
)


def stored_post(author: Participant, client_key: str) -> Entry | None:
    """The entry `author` already stored with this idempotency key, if any: one plain statement
    on the unique index (its condition, a non-empty key, repeated so the database can use it);
    the entry itself is loaded only when there is one."""
    with connection.cursor() as cursor:
        cursor.execute(STORED_POST, [author.pk, client_key])
        row = cursor.fetchone()
    return None if row is None else Entry.objects.get(pk=row[0])


def caucus_default(ctx: CaseContext) -> Instruction:
    if ctx.agreement is None:
        return Instruction.MAY_DISCLOSE
    return Instruction(ctx.agreement.caucus_default)


def new_entry(
    ctx: CaseContext,
    me: Participant,
    room_id: int,
    *,
    body: str,
    kind: EntryKind,
    acknowledge_not_confidential: bool = False,
    instruction: Instruction | None = None,
    client_key: str = "",
    document: Document | None = None,
) -> Entry:
    """`me` writes in `room_id`: R3 and R5.1 checked, the disclosure instruction chosen (R4.1:
    the side's choice, else the agreement's default; none outside a caucus), then add_entry."""
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
    return add_entry(
        ctx,
        room,
        kind=kind,
        body=body,
        author=me,
        instruction=chosen,
        client_key=client_key,
        document=document,
    )


def post_entry(
    ctx: CaseContext,
    me: Participant,
    room_id: int,
    *,
    body: str,
    kind: EntryKind = EntryKind.TEXT,
    acknowledge_not_confidential: bool = False,
    instruction: Instruction | None = None,
    client_key: str = "",
) -> Entry:
    """A post: `me`'s entry (new_entry) and its "entry_posted" event in the audit chain, for a
    message and for the entries negotiation acts write (offers, proposals, ratings)."""
    body = clean_text(body)
    entry = new_entry(
        ctx,
        me,
        room_id,
        body=body,
        kind=kind,
        acknowledge_not_confidential=acknowledge_not_confidential,
        instruction=instruction,
        client_key=client_key,
    )
    record_event(
        ctx.case,
        "entry_posted",
        actor_id=me.pk,
        subject_id=entry.pk,
        content_hashes={"body": salted_hash(entry.salt, body), "room": entry.room_id},
        audience=room_readers([entry.room_id]),
    )
    return entry


def entry_ref(entry: Entry, ctx: CaseContext) -> EntryRef:
    author_role = ctx.participants[entry.author_id].role if entry.author_id else None
    return EntryRef(
        id=entry.pk,
        room=ctx.room_refs[entry.room_id],
        author_role=Role(author_role) if author_role else None,
        is_copy=entry.source_id is not None,
    )
