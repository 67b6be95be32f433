"""Appending to, reading and verifying a case's audit chain."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from parley.audit.chain import (
    GENESIS,
    Link,
    Opening,
    Verdict,
    commitment_of,
    link_hash,
    new_salt,
    salted_hash,
    verify,
)
from parley.audit.models import AuditEvent
from parley.audit.policy import EVERYONE, Audience, can_open
from parley.cases.access import CaseContext
from parley.cases.models import Case, Participant
from parley.inserts import insert

# Links per page of GET /cases/{id}/audit: the default and the most a client may ask for.
CHAIN_PAGE = 200
MAX_CHAIN_PAGE = 1000


def stamp(moment: datetime) -> str:
    """Microsecond precision, fixed format: the same string is hashed now and on verification."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_record(
    *,
    case_id: int,
    seq: int,
    kind: str,
    actor_id: int | None,
    subject_id: int | None,
    at: str,
    content_hashes: Mapping[str, Any],
    audience: Mapping[str, Any],
) -> dict[str, Any]:
    """The whole record an event commits to; its opening is this and the salt."""
    return {
        "case": case_id,
        "seq": seq,
        "kind": kind,
        "actor_id": actor_id,
        "subject_id": subject_id,
        "at": at,
        "content_hashes": dict(content_hashes),
        "audience": dict(audience),
    }


def record_event(
    case: Case,
    kind: str,
    *,
    actor_id: int | None,
    subject_id: int | None = None,
    content_hashes: dict[str, Any] | None = None,
    audience: Audience = EVERYONE,
    salted: Mapping[str, str] | None = None,
) -> AuditEvent:
    """Append one event. Precondition: the caller holds the case row lock (select_for_update)
    inside the transaction that makes the change, so the chain and the change commit together.

    `audience`: who the event is about, hence who may open it (audit/policy.py); case-wide
    (every signed participant) unless said otherwise. `salted`: content committed with this
    event's own salt (a short or guessable value: an e-mail address, an answer, a name), so
    only the event's audience can test a guess of it."""
    seq = case.audit_count + 1
    prev = case.audit_head or GENESIS
    now = timezone.now()
    salt = new_salt()
    hashes = dict(content_hashes or {})
    for name, value in (salted or {}).items():
        hashes[name] = salted_hash(salt, value)
    audience_record = audience.as_record()
    record = event_record(
        case_id=case.pk,
        seq=seq,
        kind=kind,
        actor_id=actor_id,
        subject_id=subject_id,
        at=stamp(now),
        content_hashes=hashes,
        audience=audience_record,
    )
    commitment = commitment_of(salt, record)
    digest = link_hash(case_id=case.pk, seq=seq, commitment=commitment, prev_hash=prev)
    event = AuditEvent(
        case=case,
        seq=seq,
        kind=kind,
        actor_id=actor_id,
        created_at=now,
        subject_id=subject_id,
        content_hashes=hashes,
        audience=audience_record,
        salt=salt,
        commitment=commitment,
        prev_hash=prev,
        hash=digest,
    )
    # The database sets the case's head and count from the inserted row
    # (migration audit 0003); the in-memory case follows.
    insert(event)
    case.audit_count = seq
    case.audit_head = digest
    return event


def record_of(event: AuditEvent) -> dict[str, Any]:
    return event_record(
        case_id=event.case_id,
        seq=event.seq,
        kind=event.kind,
        actor_id=event.actor_id,
        subject_id=event.subject_id,
        at=stamp(event.created_at),
        content_hashes=event.content_hashes,
        audience=event.audience,
    )


def _events(case: Case) -> list[AuditEvent]:
    # Ordered by primary key, the order of insertion: a reordered seq is then detected.
    return list(AuditEvent.objects.filter(case=case).order_by("pk"))


def _link(event: AuditEvent) -> Link:
    return Link(
        seq=event.seq, commitment=event.commitment, prev_hash=event.prev_hash, hash=event.hash
    )


def links_of(case: Case) -> list[Link]:
    return [_link(e) for e in _events(case)]


def offer_rooms_of(case: Case, offer_ids: Iterable[int] | None = None) -> dict[int, set[int]]:
    """Every offer's rooms (or those of `offer_ids`): its entry's room and those of the
    entry's shared copies (the same rule as negotiation.access.offer_room_ids), in two
    queries."""
    # Imported here: negotiation's actions append to the chain, so it imports this module.
    from parley.negotiation.models import Offer
    from parley.rooms.models import Entry

    offers = Offer.objects.filter(case=case)
    if offer_ids is not None:
        offers = offers.filter(pk__in=list(offer_ids))
    rooms: dict[int, set[int]] = {}
    by_entry: dict[int, int] = {}
    for offer_id, entry_id, room_id in offers.values_list("pk", "entry_id", "entry__room_id"):
        rooms[offer_id] = {room_id}
        by_entry[entry_id] = offer_id
    for source_id, room_id in Entry.objects.filter(source_id__in=by_entry).values_list(
        "source_id", "room_id"
    ):
        rooms[by_entry[source_id]].add(room_id)
    return rooms


def _with_openings(
    ctx: CaseContext, me: Participant, events: list[AuditEvent], offer_rooms: dict[int, set[int]]
) -> list[tuple[Link, Opening | None]]:
    person = ctx.person(me)
    out: list[tuple[Link, Opening | None]] = []
    for event in events:
        opening = None
        if can_open(person, Audience.from_record(event.audience), ctx.room_refs, offer_rooms):
            opening = Opening(salt=event.salt, record=record_of(event))
        out.append((_link(event), opening))
    return out


def chain_for(ctx: CaseContext, me: Participant) -> list[tuple[Link, Opening | None]]:
    """Every link of the chain, each with its opening if `me` is in the event's audience."""
    events = _events(ctx.case)
    offer_rooms = offer_rooms_of(ctx.case) if any("offer" in e.audience for e in events) else {}
    return _with_openings(ctx, me, events, offer_rooms)


def chain_page(
    ctx: CaseContext,
    me: Participant,
    *,
    after: int = 0,
    before: int | None = None,
    limit: int = CHAIN_PAGE,
) -> list[tuple[Link, Opening | None]]:
    """A page of the chain, oldest first, at most `limit` links (1..MAX_CHAIN_PAGE), each with
    its opening if `me` may open it. With `before`: the links just before that seq (from the
    head when it is past it), so a reader starts at the newest and pages back to the first;
    otherwise the links after `after`, so a reader resumes from the last seq it holds. Either
    way a page's links check against their neighbours' hashes. At most three queries, however
    long the chain."""
    limit = max(1, min(limit, MAX_CHAIN_PAGE))
    rows = AuditEvent.objects.filter(case=ctx.case)
    if before is not None:
        events = list(rows.filter(seq__lt=before).order_by("-seq")[:limit])
        events.reverse()
    else:
        events = list(rows.filter(seq__gt=after).order_by("seq")[:limit])
    offers = {int(e.audience["offer"]) for e in events if e.audience.get("offer") is not None}
    offer_rooms = offer_rooms_of(ctx.case, offers) if offers else {}
    return _with_openings(ctx, me, events, offer_rooms)


def verify_for(ctx: CaseContext, me: Participant) -> Verdict:
    """What a participant can check: every link, and every record they may open."""
    ctx.case.refresh_from_db(fields=["audit_head", "audit_count"])
    chain = chain_for(ctx, me)
    openings = {link.seq: opening for link, opening in chain if opening is not None}
    return verify(
        ctx.case.pk,
        [link for link, _ in chain],
        ctx.case.audit_head,
        ctx.case.audit_count,
        openings,
    )


def verify_case(case: Case) -> Verdict:
    """The operator's check (`parley audit verify`, restore): every link and every stored
    record against its commitment. It prints nothing of the records (R1.3)."""
    case.refresh_from_db(fields=["audit_head", "audit_count"])
    events = _events(case)
    openings = {e.seq: Opening(salt=e.salt, record=record_of(e)) for e in events}
    return verify(case.pk, [_link(e) for e in events], case.audit_head, case.audit_count, openings)
