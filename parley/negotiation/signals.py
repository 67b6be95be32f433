"""R7.5: when a mediation ends, open bidding closes at once and any sealed figure still waiting
for the other side's is erased, in the transaction that ends the case. Termination lives in
parley.cases (do_terminate, end_settled); listening to the case row keeps that code
unaware of negotiation, and no path can end a case without closing its bidding."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from parley.audit.actions import record_event
from parley.audit.policy import room_readers
from parley.cases.models import Case
from parley.cases.policy import CaseStatus


def close_bidding_on_termination(
    sender: type[Case], instance: Case, update_fields: frozenset[str] | None = None, **_: Any
) -> None:
    if instance.status != CaseStatus.TERMINATED or (
        update_fields is not None and "status" not in update_fields
    ):
        return
    from parley.negotiation.models import Bidding, SealedBid
    from parley.negotiation.policy import BiddingStatus
    from parley.rooms.models import Room
    from parley.rooms.policy import RoomKind

    for bidding in Bidding.objects.select_for_update().filter(
        case=instance, status=BiddingStatus.OPEN
    ):
        SealedBid.objects.filter(bidding=bidding).update(sealed="")
        bidding.status = BiddingStatus.CLOSED
        bidding.closed_at = timezone.now()
        bidding.save(update_fields=["status", "closed_at"])
        joint = Room.objects.get(case=instance, kind=RoomKind.JOINT)
        record_event(
            instance,
            "bidding_closed",
            actor_id=None,
            subject_id=bidding.pk,
            audience=room_readers([joint.pk]),
        )
