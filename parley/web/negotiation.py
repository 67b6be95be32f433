"""The negotiation page (/cases/<id>/negotiate/): a tab of the workspace, on the case's socket.
Plain forms, each posting to one action: parse, access, act, respond; refusals come back as a
message on the page. Live updates fetch `live/`, the same regions through the same access
checks as a reload (the socket's events only say that something changed)."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from parley.accounts.auth import request_user as signed_in
from parley.accounts.models import User
from parley.cases.access import CaseContext
from parley.cases.models import Participant
from parley.cases.policy import CaseStatus, Role
from parley.errors import BadInput, DomainError, NotFound
from parley.meetings.times import parse_local, reader_zone, when
from parley.money import format_money
from parley.negotiation import actions
from parley.negotiation.access import (
    access_negotiation,
    access_proposal_job,
    check_in_joint_room,
    in_joint_room,
    latest_proposal_job,
    visible_offers,
    visible_ratings,
)
from parley.negotiation.actions.offers import current_issue_set
from parley.negotiation.actions.settlement import check_draftable, current_settlement
from parley.negotiation.models import Bidding, Offer, ProposalJob
from parley.negotiation.pdf import settlement_pdf_response
from parley.negotiation.policy import (
    PROPOSAL_JOB_LIVE,
    PROPOSAL_TIME_LIMIT_MAX,
    PROPOSAL_TIME_LIMIT_MIN,
    Answer,
    IssueSetKind,
    IssueSpec,
    MarginKind,
    OfferKind,
    OfferStatus,
    parse_amount,
)
from parley.negotiation.serialize import (
    bidding_payload,
    issue_set_payload,
    offer_payload,
    proposal_job_payload,
    rating_payload,
    settlement_payload,
)
from parley.negotiation.suggest import (
    ISSUE_METHODS,
    ITEM_METHODS,
    METHOD_WORDS,
    Method,
)
from parley.notifications.reading import unread_counts
from parley.rooms.entries import caucus_default
from parley.rooms.policy import Instruction, RoomKind
from parley.rooms.queries import tab_rooms
from parley.web.pages import member_page
from parley.web.presenters import people_context, room_tab_label


def _int(value: str | None, what: str) -> int:
    try:
        return int(value or "")
    except ValueError:
        raise BadInput("bad_input", gettext("Choose %(what)s.") % {"what": what}) from None


def _ints(request: HttpRequest, prefix: str, count: int, what: str) -> list[int]:
    return [_int(request.POST.get(f"{prefix}{i}"), what) for i in range(count)]


def _where(ctx: CaseContext, me: Participant, offer: Offer, view: dict[str, Any]) -> str:
    """Where the offer was made, as its reader may know it (R8.1, R4)."""
    if view["where"] == "joint":
        return gettext("Made in the joint room: everyone in the mediation sees it.")
    home = ctx.rooms[offer.entry.room_id]
    if view["instruction"] is None:
        label = home.side.label if home.side else ""
        return gettext(
            "Given to the mediator in %(side)s's caucus, and shared with you by the mediator."
        ) % {"side": label}
    if view["instruction"] == Instruction.DO_NOT_DISCLOSE:
        passing = gettext("The mediator may not pass it on.")
    else:
        passing = gettext("The mediator may pass it on to the other side.")
    if me.role == Role.MEDIATOR:
        label = home.side.label if home.side else ""
        return gettext("Given to you in %(side)s's caucus. %(passing)s") % {
            "side": label,
            "passing": passing,
        }
    return gettext(
        "Given to the mediator in your caucus; the other side does not see it. %(passing)s"
    ) % {"passing": passing}


def _offer_view(ctx: CaseContext, me: Participant, offer: Offer, zone: str) -> dict[str, Any]:
    view = offer_payload(ctx, me, offer)
    view["expires_words"] = when(offer.expires_at, zone) if offer.expires_at else ""
    view["where_words"] = _where(ctx, me, offer, view)
    view["status_words"] = OfferStatus(view["status"]).label
    view["direction"] = f"{offer.payer_id}:{offer.payee_id}" if offer.payer_id else ""
    view["form_prefix"] = f"counter-{offer.pk}"
    if me.role == Role.MEDIATOR and view["status"] == "accepted":
        try:
            check_draftable(ctx, offer, offer.entry.instruction)
            view["draft_refused"] = None
        except DomainError as refusal:
            view["draft_refused"] = refusal.detail
    return view


def page_context_open(ctx: CaseContext) -> bool:
    return ctx.case.status == CaseStatus.ACTIVE and not ctx.disclosures_pending


def job_view(job: ProposalJob | None) -> dict[str, Any] | None:
    """A proposal job as the mediator's page shows it. Precondition: `me` is the mediator."""
    if job is None:
        return None
    view = proposal_job_payload(job)
    view["live"] = job.status in PROPOSAL_JOB_LIVE
    method = Method(job.method) if job.method in Method.values else None
    view["method_label"] = method.label if method else ""
    view["method_plain"] = METHOD_WORDS[method][0] if method else ""
    return view


def page_context(ctx: CaseContext, me: Participant, zone: str) -> dict[str, Any]:
    """`zone`: the reader's time zone (meetings.times.reader_zone), named beside every time."""
    joint = in_joint_room(ctx, me)
    issue_set = current_issue_set(ctx) if joint else None
    settlement = current_settlement(ctx) if joint else None
    sides = list(ctx.case.sides.all())
    my_side = next((s for s in sides if s.pk == me.side_id), None)
    directions = []
    if my_side is not None:
        for other in sides:
            if other.pk != my_side.pk:
                directions.append(
                    (
                        f"{other.pk}:{my_side.pk}",
                        gettext("%(payer)s pays %(payee)s")
                        % {"payer": other.label, "payee": my_side.label},
                    )
                )
                directions.append(
                    (
                        f"{my_side.pk}:{other.pk}",
                        gettext("%(payer)s pays %(payee)s")
                        % {"payer": my_side.label, "payee": other.label},
                    )
                )
    ratings = [rating_payload(r) for r in visible_ratings(ctx, me)]
    labels = {s.pk: s.label for s in sides}
    for rating in ratings:
        rating["side_label"] = labels.get(rating["side"], "")
        rating["rows"] = _rating_rows(issue_set.spec if issue_set else [], rating)
    biddings = (
        [bidding_payload(ctx, me, b) for b in Bidding.objects.filter(case=ctx.case)]
        if joint
        else []
    )
    for b in biddings:
        b["my_role"] = (
            "payer"
            if me.side_id == b["payer"]
            else "claimant"
            if me.side_id == b["claimant"]
            else ""
        )
        b["payer_label"], b["claimant_label"] = labels[b["payer"]], labels[b["claimant"]]
        b["settled_text"] = (
            format_money(Decimal(b["settled_amount"]), ctx.case.currency)
            if b["settled_amount"] is not None
            else ""
        )
    bidding_directions = [
        (
            f"{payer.pk}:{claimant.pk}",
            gettext("%(payer)s pays %(payee)s") % {"payer": payer.label, "payee": claimant.label},
        )
        for claimant in sides
        for payer in sides
        if payer.pk != claimant.pk
    ]
    methods = (
        ISSUE_METHODS
        if issue_set is not None and issue_set.kind == IssueSetKind.ISSUES
        else ITEM_METHODS
    )
    return {
        "case": ctx.case,
        "me": me,
        "joint": joint,
        "is_mediator": me.role == Role.MEDIATOR,
        "is_side": me.role in (Role.PARTY, Role.COUNSEL),
        "open": page_context_open(ctx),
        "sides": sides,
        "directions": directions,
        "issues": issue_set_payload(issue_set) if issue_set else None,
        "ratings": ratings,
        "my_rating": next((r for r in ratings if r["side"] == me.side_id), None),
        "offers": [_offer_view(ctx, me, o, zone) for o in visible_offers(ctx, me)][::-1],
        "zone": zone,
        "biddings": biddings,
        "bidding_directions": bidding_directions,
        "settlement": settlement_payload(ctx, me, settlement) if settlement else None,
        "methods": [(m.value, m.label) for m in methods],
        "method_words": [(m.value, m.label, *METHOD_WORDS[m]) for m in methods],
        "caucus_default": caucus_default(ctx).value,
        "instructions": Instruction.choices,
        "job": job_view(latest_proposal_job(ctx, me)) if joint else None,
        "time_limit_min": PROPOSAL_TIME_LIMIT_MIN,
        "time_limit_max": PROPOSAL_TIME_LIMIT_MAX,
    }


def _rating_rows(spec: list[dict[str, Any]], rating: dict[str, Any]) -> list[dict[str, Any]]:
    """A side's recorded ratings by name: points per issue (or item) and each option's score."""
    rows = []
    for i, issue in enumerate(spec):
        if rating.get("points") is not None:
            points = rating["points"][i] if i < len(rating["points"]) else None
            rows.append({"title": issue["title"], "points": points, "options": []})
            continue
        weights, scores = rating.get("weights") or [], rating.get("scores") or []
        options = [
            (name, scores[i][k] if i < len(scores) and k < len(scores[i]) else None)
            for k, name in enumerate(issue.get("options", []))
        ]
        rows.append(
            {
                "title": issue["title"],
                "points": weights[i] if i < len(weights) else None,
                "options": options,
            }
        )
    return rows


def workspace_context(request: HttpRequest, ctx: CaseContext, me: Participant) -> dict[str, Any]:
    """The workspace around the negotiation: the room tabs, the people and their presence."""
    rooms = tab_rooms(ctx, me)
    unread = unread_counts([me.pk], [r.pk for r in rooms])
    return {
        "tabs": [
            {
                "room": r,
                "label": room_tab_label(r, me),
                "url": reverse("room", args=[ctx.case.pk, r.pk]) + "#entries-end",
                "unread": unread.get(r.pk, 0),
            }
            for r in rooms
        ],
        # The negotiation belongs to the joint room: its members, as that room's page lists them.
        "people": people_context(ctx, ctx.joint_room()),
        "terminated": ctx.case.status == CaseStatus.TERMINATED,
    }


@require_GET
@member_page
def home(request: HttpRequest, case_id: int) -> HttpResponse:
    ctx, me = access_negotiation(signed_in(request), case_id)
    if not in_joint_room(ctx, me):
        raise NotFound()
    return render(
        request,
        "negotiation/home.html",
        {**page_context(ctx, me, reader_zone(request)), **workspace_context(request, ctx, me)},
    )


@require_GET
@member_page
def live(request: HttpRequest, case_id: int) -> HttpResponse:
    """The page's live regions, for the page to swap in after an event or a reconnect."""
    ctx, me = access_negotiation(signed_in(request), case_id)
    if not in_joint_room(ctx, me):
        raise NotFound()
    return render(
        request, "negotiation/parts/live.html", page_context(ctx, me, reader_zone(request))
    )


@require_GET
@member_page
def settlement_file(request: HttpRequest, case_id: int) -> HttpResponse:
    ctx, me = access_negotiation(signed_in(request), case_id)
    check_in_joint_room(ctx, me)
    current = current_settlement(ctx)
    if current is None:
        raise Http404()
    return settlement_pdf_response(ctx, current, reader_zone(request))


# --- Form handlers: each parses the form and calls one action -----------------------------


def _offer(request: HttpRequest, user: User, case_id: int) -> str:
    ctx, me = access_negotiation(user, case_id)
    counter = request.POST.get("counter_to")
    counter_to = _int(counter, gettext("the offer you answer")) if counter else None
    where = request.POST.get("where", "joint")
    caucus = where != "joint" and me.side_id is not None
    room = ctx.room_of(RoomKind.CAUCUS, me.side_id) if caucus else ctx.joint_room()
    kind = OfferKind(request.POST.get("kind", "sum"))
    expires = request.POST.get("expires_at", "").strip()
    # Typed as a wall-clock time in the reader's zone, which the form names.
    expires_at = parse_local(expires, reader_zone(request)) if expires else None
    payer = payee = None
    package = None
    amount = None
    if kind == OfferKind.SUM:
        # Read the way this reader writes numbers (parley/money.py), strictly.
        amount = parse_amount(request.POST.get("amount", ""), ctx.case.currency, locale=None)
        payer_raw, _, payee_raw = request.POST.get("direction", "").partition(":")
        payer, payee = _int(payer_raw, gettext("who pays")), _int(payee_raw, gettext("who is paid"))
    else:
        issue_set = current_issue_set(ctx)
        count = len(issue_set.spec) if issue_set else 0
        package = _ints(request, "option_", count, gettext("an option for every issue"))
    raw_instruction = request.POST.get("instruction")
    actions.do_make_offer(
        acting_user=user,
        case_id=case_id,
        room_id=room.pk,
        kind=kind,
        amount=amount,
        payer_side_id=payer,
        payee_side_id=payee,
        package=package,
        note=request.POST.get("note", ""),
        conditions=request.POST.get("conditions", ""),
        expires_at=expires_at,
        counter_to_id=counter_to,
        instruction=(
            Instruction(raw_instruction)
            if caucus and raw_instruction in Instruction.values
            else None
        ),
    )
    if counter_to:
        return (
            gettext("Your counter-offer is with the mediator.")
            if caucus
            else gettext("Your counter-offer is made.")
        )
    return gettext("Your offer is with the mediator.") if caucus else gettext("Your offer is made.")


def _answer(answer: Answer) -> Callable[[HttpRequest, User, int], str]:
    def handler(request: HttpRequest, user: User, case_id: int) -> str:
        actions.do_answer_offer(
            acting_user=user,
            case_id=case_id,
            offer_id=_int(request.POST.get("offer"), gettext("an offer")),
            answer=answer,
        )
        return (
            gettext("You accepted the offer.")
            if answer == Answer.ACCEPT
            else gettext("You rejected the offer.")
        )

    return handler


def _withdraw(request: HttpRequest, user: User, case_id: int) -> str:
    actions.do_withdraw_offer(
        acting_user=user,
        case_id=case_id,
        offer_id=_int(request.POST.get("offer"), gettext("an offer")),
    )
    return gettext("The offer is withdrawn.")


def _bidding(request: HttpRequest, user: User, case_id: int) -> str:
    kind = request.POST.get("margin_kind", MarginKind.PERCENT)
    if kind not in MarginKind.values:
        raise BadInput("bad_margin", gettext("Choose how the margin is set."))
    payer, _, claimant = request.POST.get("direction", "").partition(":")
    actions.do_set_up_bidding(
        acting_user=user,
        case_id=case_id,
        payer_side_id=_int(payer, gettext("who pays")),
        claimant_side_id=_int(claimant, gettext("who is paid")),
        rounds=_int(request.POST.get("rounds") or "3", gettext("the number of rounds")),
        margin_kind=MarginKind(kind),
        margin_value=request.POST.get("margin_value") or "30",
        margin_fixed=request.POST.get("margin_fixed") or "0",
    )
    return gettext("Blind bidding is open.")


def _bid(request: HttpRequest, user: User, case_id: int) -> str:
    ctx, _ = access_negotiation(user, case_id)
    amount = parse_amount(
        request.POST.get("amount", ""), ctx.case.currency, locale=None, allow_zero=True
    )
    actions.do_place_bid(acting_user=user, case_id=case_id, amount=amount)
    return gettext("Your sealed figure is in. It is never shown to anyone, you included.")


def _issues(request: HttpRequest, user: User, case_id: int) -> str:
    kind = request.POST.get("kind", IssueSetKind.ISSUES)
    if kind not in IssueSetKind.values:
        raise BadInput("bad_kind", gettext("Choose issues or items."))
    specs = []
    for line in request.POST.get("issues", "").splitlines():
        if not line.strip():
            continue
        title, _, rest = line.partition(":")
        options = tuple(o.strip() for o in rest.split("/") if o.strip())
        specs.append(IssueSpec(title.strip(), options))
    actions.do_set_issues(acting_user=user, case_id=case_id, kind=IssueSetKind(kind), issues=specs)
    return gettext("The issues are set out.")


def _rate(request: HttpRequest, user: User, case_id: int) -> str:
    ctx, _ = access_negotiation(user, case_id)
    issue_set = current_issue_set(ctx)
    if issue_set is None:
        raise DomainError("no_issues", gettext("The mediator has not set out issues or items yet."))
    n = len(issue_set.spec)
    if issue_set.kind == IssueSetKind.ITEMS:
        actions.do_rate(
            acting_user=user,
            case_id=case_id,
            points=_ints(request, "points_", n, gettext("points")),
        )
    else:
        scores = [
            _ints(request, f"score_{i}_", len(issue["options"]), gettext("every score"))
            for i, issue in enumerate(issue_set.spec)
        ]
        actions.do_rate(
            acting_user=user,
            case_id=case_id,
            weights=_ints(request, "weight_", n, gettext("points for every issue")),
            scores=scores,
        )
    return gettext("Your ratings are recorded. Only your side and the mediator see them.")


def _propose(request: HttpRequest, user: User, case_id: int) -> str:
    package = None
    shares = None
    if request.POST.get("package"):
        package = [_int(x, gettext("a package")) for x in request.POST["package"].split(",")]
    if request.POST.get("shares"):
        try:
            shares = [
                [Fraction(x) for x in row.split(",")] for row in request.POST["shares"].split(";")
            ]
        except (ValueError, ZeroDivisionError):
            raise BadInput("bad_allocation", gettext("The division is not valid.")) from None
    actions.do_present_proposal(
        acting_user=user,
        case_id=case_id,
        package=package,
        shares=shares,
        method=request.POST.get("method", ""),
    )
    return gettext("Your proposal is in the joint room.")


def _draft(request: HttpRequest, user: User, case_id: int) -> str:
    offer = request.POST.get("offer")
    bidding = request.POST.get("bidding")
    actions.do_draft_settlement(
        acting_user=user,
        case_id=case_id,
        offer_id=_int(offer, gettext("terms")) if offer else None,
        bidding_id=_int(bidding, gettext("terms")) if bidding else None,
    )
    return gettext("The settlement is drafted. Every party signs it.")


def _edit(request: HttpRequest, user: User, case_id: int) -> str:
    actions.do_edit_settlement(acting_user=user, case_id=case_id, text=request.POST.get("text", ""))
    return gettext("The settlement text is saved as a new version. Every party signs again.")


def _sign(request: HttpRequest, user: User, case_id: int) -> str:
    actions.do_sign_settlement(
        acting_user=user,
        case_id=case_id,
        typed_name=request.POST.get("typed_name", ""),
        consent=request.POST.get("consent") == "on",
        shown_sha256=request.POST.get("sha256", ""),
    )
    return gettext("You signed the settlement.")


HANDLERS: dict[str, Callable[[HttpRequest, User, int], str]] = {
    "offer": _offer,
    "counter": _offer,
    "accept": _answer(Answer.ACCEPT),
    "reject": _answer(Answer.REJECT),
    "withdraw": _withdraw,
    "bidding": _bidding,
    "bid": _bid,
    "issues": _issues,
    "rate": _rate,
    "propose": _propose,
    "draft": _draft,
    "edit": _edit,
    "sign": _sign,
}


@require_POST
@member_page
def act(request: HttpRequest, case_id: int, name: str) -> HttpResponseBase:
    handler = HANDLERS.get(name)
    if handler is None:
        raise NotFound()
    try:
        done = handler(request, signed_in(request), case_id)
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, done)
    return redirect("negotiation:home", case_id=case_id)


@require_POST
@member_page
def engine(request: HttpRequest, case_id: int) -> HttpResponseBase:
    """The mediator asks the engine: a job is queued and the page shows its progress, then its
    answer (to the mediator only, until presented)."""
    ctx, me = access_negotiation(signed_in(request), case_id)
    check_in_joint_room(ctx, me)
    method = request.POST.get("method", "")
    try:
        if method not in Method.values:
            raise BadInput("bad_method", gettext("Choose a method."))
        baseline = None
        if method == Method.IMPROVE:
            issue_set = current_issue_set(ctx)
            count = len(issue_set.spec) if issue_set else 0
            baseline = _ints(
                request, "baseline_", count, gettext("the agreed option of every issue")
            )
        time_limit = _seconds(request.POST.get("time_limit"))
        actions.do_start_proposal(
            acting_user=signed_in(request),
            case_id=case_id,
            method=Method(method),
            baseline=baseline,
            time_limit=time_limit,
        )
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect(reverse("negotiation:home", args=[case_id]) + "#proposal-job")


def _seconds(value: str | None) -> float:
    if not value:
        return PROPOSAL_TIME_LIMIT_MAX
    try:
        seconds = float(value)
    except ValueError:
        raise BadInput("bad_time_limit", gettext("Give the time limit in seconds.")) from None
    if not math.isfinite(seconds):
        raise BadInput("bad_time_limit", gettext("Give the time limit in seconds."))
    return seconds


@require_GET
@member_page
def proposal_job(request: HttpRequest, case_id: int, job_id: int) -> HttpResponse:
    """The progress (or the answer) of one proposal job: the part of the page that polls."""
    ctx, _, job = access_proposal_job(signed_in(request), case_id, job_id)
    return render(
        request,
        "negotiation/parts/proposal_job.html",
        {"case": ctx.case, "job": job_view(job), "open": page_context_open(ctx)},
    )
