"""The first-visit guide to the rooms, per role: what each room is, what "confidential" and
"may share" mean, what happens at the end. It opens by itself on a person's first visit to a
case's rooms until they put it away, and stays one link away after that."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from parley.accounts.auth import request_user as signed_in
from parley.cases.access import CaseContext, access_case, load_context
from parley.cases.models import Participant
from parley.cases.policy import SIDE_ROLES, Role
from parley.rooms.models import GuideSeen
from parley.rooms.policy import RoomKind, in_room
from parley.web.pages import member_page


def guide_context(ctx: CaseContext, me: Participant, *, first_visit: bool) -> dict[str, Any]:
    person = ctx.person(me)
    side_rooms = me.role in SIDE_ROLES and any(
        ref.kind == RoomKind.CAUCUS and in_room(person, ref) for ref in ctx.room_refs.values()
    )
    has_counsel = me.role in SIDE_ROLES and any(
        p.role == Role.COUNSEL and p.side_id == me.side_id for p in ctx.people.values()
    )
    return {
        "role": me.role,
        "side_rooms": side_rooms,
        "has_counsel": has_counsel,
        "first_visit": first_visit,
    }


def first_visit(me: Participant) -> bool:
    return not GuideSeen.objects.filter(participant=me).exists()


@member_page
def guide(request: HttpRequest, case_id: int) -> HttpResponse:
    """GET: the guide as a page. POST ("Got it"): it no longer opens by itself; back to the
    room the person was in."""
    case, me = access_case(signed_in(request), case_id)
    if request.method == "POST":
        GuideSeen.objects.get_or_create(participant=me)
        try:
            room_id = int(request.POST.get("room", ""))
        except ValueError:
            return redirect("case", case_id=case_id)
        # The room page checks access itself; a room id from the form is only a destination.
        return redirect(reverse("room", args=[case_id, room_id]) + "#entries-end")
    ctx = load_context(case)
    return render(
        request,
        "web/guide.html",
        {"case": case, "me": me, "g": guide_context(ctx, me, first_visit=False)},
    )
