"""Who learns the outcome (R5.3, R2.3, R7.1). Unless `results_confidential`, the outcome is
public to every participant. When it is confidential it is privileged like the rest: only
signed participants learn it, on every path (case API, JSON and PDF exports, §7 report,
the operator's `parley report`)."""

from __future__ import annotations

import io
import json
from typing import Any

from django.core.management import call_command

from parley.accounts.models import User
from parley.agreements.policy import AgreementPolicy
from parley.cases.policy import Role
from parley.cases.record import open_record
from parley.cases.record_pdf import record_pdf_bytes
from parley.cases.tests.test_record_pdf import text_of
from parley.negotiation.tests.helpers import base, side_ids
from parley.testing import ActiveCast, Api, Cast, add_person, build_case


def settle(cast: ActiveCast) -> None:
    alice_side, bob_side = side_ids(cast)
    _, offer = Api(cast.bob).post(
        f"{base(cast)}/offers",
        {
            "room": cast.room("joint").pk,
            "kind": "sum",
            "amount": "15000",
            "payer": bob_side,
            "payee": alice_side,
        },
    )
    Api(cast.alice).post(f"{base(cast)}/offers/{offer['id']}/accept")
    status, settlement = Api(cast.maya).post(f"{base(cast)}/settlement", {"offer": offer["id"]})
    assert status == 201, settlement
    for party in (cast.alice, cast.bob):
        status, body = Api(party).post(
            f"{base(cast)}/settlement/sign",
            {"typed_name": party.full_name, "consent": True, "sha256": settlement["sha256"]},
        )
        assert status == 201, body


def settled_case(cast: Cast, *, results_confidential: bool) -> tuple[ActiveCast, User, User]:
    """A settled case with a signed observer (Sam) and an observer who accepted the
    invitation but never signed (Uma)."""
    cast = build_case(cast, policy=AgreementPolicy(results_confidential=results_confidential))
    signed = add_person(cast, "sam@example.com", "Sam Signed", Role.OBSERVER)
    unsigned = add_person(cast, "uma@example.com", "Uma Unsigned", Role.OBSERVER, sign=False)
    settle(cast)
    return cast, signed, unsigned


def path_of(cast: ActiveCast, tail: str) -> str:
    return f"/cases/{cast.case.pk}{tail}"


def everything_about_the_case(cast: ActiveCast, user: User) -> dict[str, Any]:
    path = f"/cases/{cast.case.pk}"
    api = Api(user)
    # The PDF as the export job makes it (parley/notifications/tests/test_exports.py).
    pdf = record_pdf_bytes(open_record(user, cast.case.pk))
    return {
        "case": api.get(path)[1],
        "export": api.get(f"{path}/export")[1],
        "report": api.get(f"{path}/report")[1],
        "pdf": text_of(pdf),
    }


def test_r5_3_with_results_confidential_an_unsigned_participant_learns_nothing_of_the_outcome(
    cast: Cast,
) -> None:
    active, signed, unsigned = settled_case(cast, results_confidential=True)
    seen = everything_about_the_case(active, unsigned)
    assert seen["case"]["status"] == "terminated"  # R7.1: everyone sees that it ended
    assert seen["case"]["outcome"] is None
    assert seen["case"]["terminated_by"] is None
    assert seen["export"]["outcome"]["outcome"] is None
    assert seen["report"]["code"] == "mediator_only"  # the §7 report is the mediator's
    assert "settled" not in json.dumps([seen["case"], seen["export"], seen["report"]]).replace(
        '"status": "terminated"', ""
    )
    assert "settled" not in seen["pdf"].lower()

    # A signed participant (here an observer) reads it, stamped privileged.
    known = everything_about_the_case(active, signed)
    assert known["case"]["outcome"] == "settled"
    assert known["export"]["outcome"]["outcome"] == "settled"
    assert known["export"]["outcome"]["confidential"] is True
    assert known["report"]["code"] == "mediator_only"
    assert Api(active.maya).get(path_of(active, "/report"))[1]["settlement_reached"] is True
    assert "settled" in known["pdf"]

    # The operator is no participant: the report it prints withholds a confidential outcome.
    out = io.StringIO()
    call_command("report", str(active.case.pk), stdout=out)
    assert json.loads(out.getvalue())["settlement_reached"] is None


def test_r5_3_without_it_every_participant_and_the_operator_learn_the_outcome(
    cast: Cast,
) -> None:
    active, _, unsigned = settled_case(cast, results_confidential=False)
    seen = everything_about_the_case(active, unsigned)
    assert seen["case"]["outcome"] == "settled"
    assert seen["export"]["outcome"]["outcome"] == "settled"
    assert Api(active.maya).get(path_of(active, "/report"))[1]["settlement_reached"] is True
    out = io.StringIO()
    call_command("report", str(active.case.pk), stdout=out)
    assert json.loads(out.getvalue())["settlement_reached"] is True
