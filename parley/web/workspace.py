"""The case workspace: one room at a time, tabs for the others, entries, and the forms that
post, upload, change a disclosure instruction and share. Views parse, access, act, respond.

Every form works without JavaScript (post, then redirect back); with htmx the answer is the
part of the page that changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from parley.accounts.auth import request_user as signed_in
from parley.cases.access import CaseContext, access_case, load_context
from parley.cases.actions import do_terminate, termination_warning
from parley.cases.models import Participant
from parley.cases.policy import CaseStatus, Role
from parley.cases.serialize import case_payload
from parley.documents.actions import do_upload_document
from parley.documents.policy import accepted_list
from parley.errors import DomainError, NotFound
from parley.limits import entry_chars
from parley.meetings.times import reader_zone
from parley.notifications.reading import mark_read, read_position, unread_counts
from parley.rooms.actions import (
    do_change_instruction,
    do_post_entry,
    do_share_entry,
)
from parley.rooms.entries import caucus_default
from parley.rooms.models import Entry, Room
from parley.rooms.policy import (
    Instruction,
    RoomKind,
    check_can_post,
    initial_instruction,
)
from parley.rooms.queries import (
    access_entry,
    access_room,
    earlier,
    my_rooms,
    room_documents,
    tab_rooms,
    timeline,
)
from parley.rooms.readers import readers_sentence
from parley.web.forms import EntryForm, InstructionForm, ShareForm, TerminateForm, UploadForm
from parley.web.guide import first_visit, guide_context
from parley.web.pages import is_htmx, member_page
from parley.web.presenters import (
    EntryView,
    entry_view,
    entry_views,
    people_context,
    room_tab_label,
    share_target_label,
)
from parley.web.sessions import upcoming_for
from parley.web.signing import pending_disclosures, where_to

FIRST_PAGE = 100
# A room opens at its latest entries, this many; "Show earlier" pages back the same number.
PAGE = 50


def _id_param(request: HttpRequest, name: str) -> int | None:
    try:
        value = int(request.GET.get(name, ""))
    except ValueError:
        return None
    return value if value > 0 else None


def negotiation_url(case_id: int) -> str | None:
    """The negotiation pages are another app's; link to them only once they exist."""
    try:
        return reverse("negotiation:home", args=[case_id])
    except NoReverseMatch:
        return None


def blocked_because(ctx: CaseContext, me: Participant, refusal: DomainError) -> str:
    """Why this person cannot write now and what lets them write again, in their terms."""
    if refusal.code == "disclosure_unacknowledged":
        if pending_disclosures(ctx, me):
            return gettext(
                "You cannot write here until you have read the mediator’s new disclosure: "
                "read it above and press “I have read this disclosure”."
            )
        return gettext(
            "The mediator has made a new disclosure about a possible conflict of interest. "
            "Writing starts again once every party has read it; you are waiting for "
            "the others."
        )
    if refusal.code == "case_not_active":
        return gettext(
            "The mediation has not started yet: it starts once the mediator and every party "
            "have signed the agreement to mediate."
        )
    return refusal.detail


def composer(
    ctx: CaseContext, me: Participant, room: Room, *, error: str = "", body: str = ""
) -> dict[str, Any]:
    """What the post and upload forms of a room need, from the policy's answers."""
    ref = ctx.room_refs[room.pk]
    why = ""
    try:
        check_can_post(ctx.person(me), ref, ctx.state, acknowledged_not_confidential=True)
        can_post = True
    except DomainError as refusal:
        can_post = False
        why = blocked_because(ctx, me, refusal)
    preset = initial_instruction(ref, Role(me.role), caucus_default(ctx))
    return {
        "room": room,
        "case": ctx.case,
        "can_post": can_post,
        "why": why,
        "preset": preset.value if preset else "",
        "instructions": Instruction.choices,
        "terminated": ctx.case.status == CaseStatus.TERMINATED,
        "client_key": uuid.uuid4().hex,
        "error": error,
        "body": body,
        "accepted": accepted_list(),
    }


def _tabs(
    ctx: CaseContext, me: Participant, current: Room, unread: dict[int, int]
) -> list[dict[str, Any]]:
    return [
        {
            "room": r,
            "label": room_tab_label(r, me),
            "current": r.pk == current.pk,
            # Opens at the latest entry, with or without the page's script.
            "url": reverse("room", args=[ctx.case.pk, r.pk]) + "#entries-end",
            "unread": unread.get(r.pk, 0),
        }
        for r in tab_rooms(ctx, me)
    ]


@member_page
def room(request: HttpRequest, case_id: int, room_id: int) -> HttpResponse:
    ctx, me, current = access_room(signed_in(request), case_id, room_id)
    if where_to(ctx, me) != "workspace":
        return redirect("case", case_id=case_id)
    info = case_payload(ctx, me)
    # ?before=N: the page of entries just before N (the "Show earlier" link without script).
    before = _id_param(request, "before")
    rows, more = earlier(current, before_id=before, limit=PAGE)
    entries = entry_views(ctx, me, rows)
    unread = unread_counts([me.pk], [r.pk for r in my_rooms(ctx, me) if r.pk != current.pk])
    first_new = 0
    if entries and before is None:
        # "New since your last visit" stands above the first entry someone else wrote since.
        seen = read_position(me.pk, current.pk)
        if seen:  # a first visit has no "since"
            first_new = next(
                (e.id for e in entries if e.id > seen and e.entry.author_id != me.pk), 0
            )
        mark_read(me.pk, current.pk, entries[-1].id)
    return render(
        request,
        "web/workspace.html",
        {
            "case": ctx.case,
            "me": me,
            "room": current,
            "room_label": room_tab_label(current, me),
            "readers": readers_sentence(ctx, me, current),
            "tabs": _tabs(ctx, me, current, unread),
            "entries": entries,
            "first_new": first_new,
            "earlier": _earlier_links(ctx.case.pk, current.pk, entries, more),
            "paged_back": before is not None,
            "last_id": entries[-1].id if entries else 0,
            "composer": composer(ctx, me, current),
            "people": people_context(ctx, current),
            "documents": room_documents(current),
            "terminated": ctx.case.status == CaseStatus.TERMINATED,
            "terminated_by": info["terminated_by"],
            "can_terminate": me.role in (Role.PARTY, Role.MEDIATOR)
            and ctx.case.status != CaseStatus.TERMINATED,
            "negotiation_url": negotiation_url(ctx.case.pk),
            "pending_disclosures": pending_disclosures(ctx, me),
            "is_caucus": current.kind == RoomKind.CAUCUS,
            "next_session": upcoming_for(ctx, me, reader_zone(request)),
            "guide": guide_context(ctx, me, first_visit=first_visit(me)),
        },
    )


def _earlier_links(
    case_id: int, room_id: int, entries: list[EntryView], more: bool
) -> dict[str, str] | None:
    """Where "Show earlier" leads: a fragment for the page's script, a page without it."""
    if not more or not entries:
        return None
    first = entries[0].id
    return {
        "fragment": reverse("entries_after", args=[case_id, room_id]) + f"?before={first}",
        "page": reverse("room", args=[case_id, room_id]) + f"?before={first}",
    }


@require_GET
@member_page
def entries_after(request: HttpRequest, case_id: int, room_id: int) -> HttpResponse:
    """New entries of a room after `after`, as page fragments: live updates and catch-up after
    a reconnect use this, so what arrives is always what the policy lets this reader see.
    With `before`, the page of entries just before that id instead ("Show earlier"), headed
    by the link to the page before it while there is one."""
    ctx, me, current = access_room(signed_in(request), case_id, room_id)
    before = _id_param(request, "before")
    if before is not None:
        rows, more = earlier(current, before_id=before, limit=PAGE)
        views = entry_views(ctx, me, rows)
        return render(
            request,
            "web/parts/entries.html",
            {
                "entries": views,
                "earlier": _earlier_links(case_id, room_id, views, more),
                "case": ctx.case,
                "me": me,
            },
        )
    try:
        after = max(0, int(request.GET.get("after", "0")))
    except ValueError:
        after = 0
    rows = timeline(current, after_id=after, limit=FIRST_PAGE)
    if rows:
        mark_read(me.pk, current.pk, rows[-1].pk)
    return render(
        request,
        "web/parts/entries.html",
        {"entries": entry_views(ctx, me, rows), "case": ctx.case, "me": me},
    )


@require_GET
@member_page
def entry_part(request: HttpRequest, case_id: int, entry_id: int) -> HttpResponse:
    ctx, me, entry = access_entry(signed_in(request), case_id, entry_id)
    return _entry_response(request, ctx, me, entry)


def _entry_response(
    request: HttpRequest,
    ctx: CaseContext,
    me: Participant,
    entry: Entry,
    *,
    error: str = "",
    notice: str = "",
) -> HttpResponse:
    view = entry_view(ctx, me, entry, error=error, notice=notice)
    return render(request, "web/parts/entry.html", {"e": view, "case": ctx.case, "me": me})


def _back_to(case_id: int, room_id: int, entry_id: int | None = None) -> HttpResponse:
    url = reverse("room", args=[case_id, room_id])
    return redirect(url + (f"#entry-{entry_id}" if entry_id else ""))


def _composer_response(
    request: HttpRequest, ctx: CaseContext, me: Participant, current: Room, **kw: str
) -> HttpResponse:
    response = render(request, "web/parts/composer.html", {"c": composer(ctx, me, current, **kw)})
    if not kw.get("error"):
        # The new entry arrives through the same catch-up path as everyone else's.
        response["HX-Trigger"] = "parleyCatchup"
    return response


@require_POST
@member_page
def post(request: HttpRequest, case_id: int, room_id: int) -> HttpResponse:
    user = signed_in(request)

    def write(data: dict[str, Any]) -> None:
        do_post_entry(
            acting_user=user,
            case_id=case_id,
            room_id=room_id,
            body=data["body"],
            acknowledge_not_confidential=data["acknowledge_not_confidential"],
            client_key=data["client_key"],
            instruction=Instruction(data["instruction"]) if data["instruction"] else None,
        )

    invalid = gettext("Write something first (at most %(count)s characters).") % {
        "count": number_format(entry_chars(), force_grouping=True)
    }
    return _composer_submit(request, case_id, room_id, EntryForm(request.POST), invalid, write)


@require_POST
@member_page
def upload(request: HttpRequest, case_id: int, room_id: int) -> HttpResponse:
    user = signed_in(request)

    def write(data: dict[str, Any]) -> None:
        do_upload_document(
            acting_user=user,
            case_id=case_id,
            room_id=room_id,
            upload=data["file"],
            provenance=data["provenance"],
            description=data["description"],
            acknowledge_not_confidential=data["acknowledge_not_confidential"],
            instruction=Instruction(data["instruction"]) if data["instruction"] else None,
        )

    form = UploadForm(request.POST, request.FILES)
    return _composer_submit(
        request, case_id, room_id, form, gettext("Choose a file to upload."), write
    )


def _composer_submit(
    request: HttpRequest,
    case_id: int,
    room_id: int,
    form: forms.Form,
    invalid: str,
    write: Callable[[dict[str, Any]], None],
) -> HttpResponse:
    """What the composer's two forms (a message, a file) share: parse, write through one
    action, then answer with the fresh composer (HTMX) or go back to the room, a refusal
    shown with what was typed kept."""
    ctx, me, current = access_room(signed_in(request), case_id, room_id)
    error = ""
    if form.is_valid():
        try:
            write(form.cleaned_data)
        except NotFound:
            raise
        except DomainError as exc:
            error = exc.detail
    else:
        error = invalid
    if is_htmx(request):
        ctx = ctx if error else load_context(ctx.case)
        body = request.POST.get("body", "") if error else ""
        return _composer_response(request, ctx, me, current, error=error, body=body)
    if error:
        messages.error(request, error)
    return _back_to(case_id, room_id)


@require_POST
@member_page
def instruction(request: HttpRequest, case_id: int, entry_id: int) -> HttpResponse:
    user = signed_in(request)
    ctx, me, entry = access_entry(user, case_id, entry_id)
    form = InstructionForm(request.POST)
    error = notice = ""
    if not form.is_valid():
        error = gettext("Choose whether the mediator may share this.")
    else:
        try:
            entry = do_change_instruction(
                acting_user=user,
                case_id=case_id,
                entry_id=entry_id,
                instruction=Instruction(form.cleaned_data["instruction"]),
            )
            notice = gettext("Instruction changed: %(instruction)s.") % {
                "instruction": Instruction(entry.instruction).label
            }
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            error = exc.detail
    if not is_htmx(request):
        if error:
            messages.error(request, error)
        return _back_to(case_id, entry.room_id, entry.pk)
    ctx, me, entry = access_entry(user, case_id, entry_id)
    return _entry_response(request, ctx, me, entry, error=error, notice=notice)


@require_POST
@member_page
def share(request: HttpRequest, case_id: int, entry_id: int) -> HttpResponse:
    user = signed_in(request)
    ctx, me, entry = access_entry(user, case_id, entry_id)
    form = ShareForm(request.POST)
    error = notice = ""
    if not form.is_valid():
        error = gettext("Choose the room to share into.")
    else:
        target_id = form.cleaned_data["target_room"]
        try:
            do_share_entry(
                acting_user=user, case_id=case_id, entry_id=entry_id, target_room_id=target_id
            )
            notice = gettext("Shared into %(room)s.") % {"room": share_target_label(ctx, target_id)}
        except DomainError as exc:
            if isinstance(exc, NotFound):
                error = gettext("You cannot share into that room.")
            else:
                error = gettext("Not shared: %(reason)s") % {"reason": exc.detail}
    if not is_htmx(request):
        if error:
            messages.error(request, error)
        else:
            messages.success(request, notice)
        return _back_to(case_id, entry.room_id, entry.pk)
    return _entry_response(request, ctx, me, entry, error=error, notice=notice)


@require_GET
@member_page
def people(request: HttpRequest, case_id: int) -> HttpResponse:
    """Who takes part, who signed: metadata every participant of the case may know. With
    `room`, the members of that room only (the workspace's panel), for a reader in it."""
    room_id = _id_param(request, "room")
    if room_id is not None:
        ctx, _, current = access_room(signed_in(request), case_id, room_id)
        shown = people_context(ctx, current)
    else:
        case, _ = access_case(signed_in(request), case_id)
        shown = people_context(load_context(case))
    return render(request, "web/parts/people.html", {"people": shown})


@member_page
def end(request: HttpRequest, case_id: int) -> HttpResponse:
    """R7.1/R7.2: a party declares the end to the mediator; the mediator declares it to all."""
    user = signed_in(request)
    case, me = access_case(user, case_id)
    if me.role not in (Role.PARTY, Role.MEDIATOR) or case.status == CaseStatus.TERMINATED:
        if case.status == CaseStatus.TERMINATED:
            messages.info(request, gettext("This mediation has already ended."))
        else:
            messages.error(request, gettext("Only a party or the mediator can end the mediation."))
        return redirect("case", case_id=case_id)
    warning = termination_warning(acting_user=user, case_id=case_id)
    error = ""
    if request.method == "POST":
        form = TerminateForm(request.POST)
        if form.is_valid() and form.cleaned_data["confirm"]:
            try:
                do_terminate(
                    acting_user=user,
                    case_id=case_id,
                    statement=form.cleaned_data["statement"],
                    confirm_court_order=form.cleaned_data["confirm_court_order"],
                )
            except DomainError as exc:
                if isinstance(exc, NotFound):
                    raise
                error = exc.detail
            else:
                messages.success(request, gettext("The mediation has ended."))
                return redirect("case", case_id=case_id)
        else:
            error = gettext("Tick the box to confirm that you want to end the mediation.")
    return render(
        request,
        "web/end.html",
        {"case": case, "me": me, "warning": warning, "error": error},
        status=422 if error else 200,
    )
