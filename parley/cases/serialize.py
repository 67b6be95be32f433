"""A case as its reader sees it: the API's answer and the workspace's header alike."""

from __future__ import annotations

from typing import Any

from parley.cases.context import CaseContext
from parley.cases.models import Case, Participant
from parley.cases.policy import Role, TerminationKind, outcome_visible
from parley.rooms.queries import my_rooms
from parley.rooms.serialize import room_payload


def case_payload(ctx: CaseContext, me: Participant) -> dict[str, Any]:
    case: Case = ctx.case
    is_mediator = me.role == Role.MEDIATOR
    terminated_by = None
    results_confidential = bool(ctx.agreement and ctx.agreement.results_confidential)
    knows_outcome = outcome_visible(results_confidential, me.pk in ctx.signed_ids)
    # R7.1: the party declared it to the mediator; others see only that it ended. Who ended
    # it also tells the outcome (the mediator's declaration means "not settled"), so it
    # follows the outcome's visibility too (R5.3).
    if not knows_outcome:
        pass
    elif case.termination_kind == TerminationKind.PARTY and case.terminated_by is not None:
        if is_mediator or case.terminated_by.side_id == me.side_id:
            terminated_by = case.terminated_by.display_name
    elif case.termination_kind == TerminationKind.MEDIATOR:
        terminated_by = "the mediator"
    return {
        "id": case.pk,
        "title": case.title,
        "reference": case.reference,
        "currency": case.currency,
        "status": case.status,
        "my_role": me.role,
        "my_participant": me.pk,
        "my_side": me.side_id,
        "signed": me.pk in ctx.signed_ids,
        "outcome": (case.outcome or None) if knows_outcome else None,
        "ended_at": case.terminated_at.isoformat() if case.terminated_at else None,
        "terminated_by": terminated_by,
        "sides": [{"id": s.pk, "label": s.label} for s in case.sides.all()],
        "participants": [
            {
                "id": p.pk,
                "name": p.display_name,
                "role": p.role,
                "side": p.side_id,
                "signed": p.pk in ctx.signed_ids,
            }
            for p in ctx.participants.values()
        ],
        "rooms": [room_payload(ctx, me, r) for r in my_rooms(ctx, me)],
    }
