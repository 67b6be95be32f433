"""The operator's pages: accounts and case metadata (R1.3: never content). Anyone who is not
the operator gets the one 404 page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from parley.accounts.actions import do_decide_mediator, do_reset_second_factor
from parley.accounts.auth import request_user as signed_in
from parley.errors import DomainError, NotFound
from parley.ops import operator
from parley.web.pages import not_found


@login_required
def accounts(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    try:
        rows = operator.accounts(user)
    except NotFound:
        return not_found(request)
    return render(
        request,
        "web/operator_accounts.html",
        {
            "pending": [r for r in rows if r["mediator_application"] == "pending"],
            "accounts": rows,
            "events": operator.account_events(user),
        },
    )


@login_required
def cases(request: HttpRequest) -> HttpResponse:
    try:
        rows = operator.cases(signed_in(request))
    except NotFound:
        return not_found(request)
    return render(request, "web/operator_cases.html", {"cases": rows})


@require_POST
@login_required
def decide(request: HttpRequest, user_id: int, decision: str) -> HttpResponse:
    if decision not in ("approve", "refuse"):
        return not_found(request)
    try:
        person = do_decide_mediator(
            acting_user=signed_in(request), user_id=user_id, approve=decision == "approve"
        )
    except NotFound:
        return not_found(request)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        done = "approved as a mediator" if decision == "approve" else "refused"
        messages.success(request, f"{person.email} is {done}.")
    return redirect("operator_accounts")


@require_POST
@login_required
def reset_second_factor(request: HttpRequest, user_id: int) -> HttpResponse:
    try:
        do_reset_second_factor(
            acting_user=signed_in(request),
            user_id=user_id,
            reason=request.POST.get("reason", "")[:600],
        )
    except NotFound:
        return not_found(request)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, gettext("The second factor is reset, and the reset is recorded."))
    return redirect("operator_accounts")
