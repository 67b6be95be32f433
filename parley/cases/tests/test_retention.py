"""R11.4: after the case ends its content is kept for the agreed period; every participant is
told once, 14 days before the end, and can export until then; then the case key is destroyed
and every content path says so, while the audit chain and the §7 report keep working."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from parley.agreements.policy import AgreementPolicy
from parley.cases.models import Case
from parley.cases.policy import RetentionStep, retention_step
from parley.cases.retention import enforce_retention
from parley.testing import Api, Cast, build_case
from parley.vault.models import CaseKey

ENDED = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
SECRET = "Between us: 9,000 is my floor."


@pytest.mark.parametrize(
    ("days_after", "notice_sent", "expected"),
    [
        (0, False, RetentionStep.NOTHING),
        (15, False, RetentionStep.NOTHING),
        (16, False, RetentionStep.NOTICE),
        (16, True, RetentionStep.NOTHING),
        (29, True, RetentionStep.NOTHING),
        (30, True, RetentionStep.DESTROY),
        (30, False, RetentionStep.NOTICE),  # never destroyed without the notice first
    ],
)
def test_r11_4_the_daily_step_for_a_30_day_period(
    days_after: int, notice_sent: bool, expected: RetentionStep
) -> None:
    now = ENDED + dt.timedelta(days=days_after)
    assert retention_step(now, ENDED, 30, notice_sent=notice_sent, destroyed=False) == expected


def test_r11_4_the_mediator_may_shorten_the_period_but_not_lengthen_it(cast: Cast) -> None:
    cast = build_case(cast, policy=AgreementPolicy(retention_days=90))
    path = f"/cases/{cast.case.pk}/retention"
    assert Api(cast.maya).get(path)[1]["days"] == 90
    status, body = Api(cast.maya).post(path, {"days": 120})
    assert (status, body["code"]) == (422, "retention_not_shorter")
    status, body = Api(cast.alice).post(path, {"days": 10})
    assert status == 403
    status, body = Api(cast.maya).post(path, {"days": 30})
    assert (status, body["days"]) == (200, 30)


def test_r11_4_notice_once_then_the_key_is_destroyed_and_every_path_says_so(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    def enforce() -> dict[str, int]:
        # Mails leave after the commit, as in production.
        with django_capture_on_commit_callbacks(execute=True):
            return enforce_retention()

    with time_machine.travel(ENDED - dt.timedelta(days=1), tick=False):
        cast = build_case(cast, policy=AgreementPolicy(retention_days=30))
        case = cast.case.pk
        caucus = cast.room("caucus_a").pk
        Api(cast.alice).post(f"/cases/{case}/rooms/{caucus}/entries", {"body": SECRET})
        client = Client()
        client.force_login(cast.alice)
        upload = SimpleUploadedFile("quote.txt", b"the quote", content_type="text/plain")
        document = client.post(
            f"/api/v1/cases/{case}/documents",
            {"room": caucus, "provenance": "prepared", "file": upload},
        ).json()["document"]["id"]
    with time_machine.travel(ENDED, tick=False):
        assert Api(cast.maya).post(f"/cases/{case}/terminate", {})[0] == 200
    people = {cast.maya.email, cast.alice.email, cast.bob.email, cast.carol.email}
    mail.outbox.clear()

    with time_machine.travel(ENDED + dt.timedelta(days=15), tick=False):
        assert enforce() == {"notices": 0, "destroyed": 0}
    assert mail.outbox == []

    with time_machine.travel(ENDED + dt.timedelta(days=16), tick=False):
        assert enforce() == {"notices": 1, "destroyed": 0}
        assert enforce() == {"notices": 0, "destroyed": 0}  # once
        # Until the end they can still read and export.
        assert SECRET in page_text(cast, cast.alice, f"/cases/{case}/rooms/{caucus}/")
        assert Api(cast.alice).get(f"/cases/{case}/export")[0] == 200
    assert {m.to[0] for m in mail.outbox} == people and len(mail.outbox) == len(people)
    assert all(
        " 1 Apr 2026, " in m.body and "(UTC)" in m.body and SECRET not in m.body
        for m in mail.outbox
    )

    with time_machine.travel(ENDED + dt.timedelta(days=29, hours=23), tick=False):
        assert enforce() == {"notices": 0, "destroyed": 0}
    with time_machine.travel(ENDED + dt.timedelta(days=30), tick=False):
        assert enforce() == {"notices": 0, "destroyed": 1}
    assert len(mail.outbox) == len(people)

    key = CaseKey.objects.get(case_id=case)
    assert bytes(key.wrapped) == b"" and key.destroyed_at is not None
    gone = "Content destroyed under the retention policy on 2026-04-01."
    for user in (cast.maya, cast.alice):
        api = Api(user)
        for path in (
            f"/cases/{case}/rooms/{caucus}/entries",
            f"/cases/{case}/export",
            f"/cases/{case}/documents/{document}/content",
        ):
            status, body = api.get(path)
            assert (status, body) == (410, {"code": "content_destroyed", "detail": gone}), path
    for path in (
        f"/cases/{case}/rooms/{caucus}/",
        f"/cases/{case}/record/",
        f"/cases/{case}/documents/{document}/download/",
    ):
        client = Client()
        client.force_login(cast.alice)
        response = client.get(path)
        assert response.status_code == 410, path
        assert gone in response.content.decode()

    # What holds no content still works: the §7 report and the audit chain.
    status, report = Api(cast.maya).get(f"/cases/{case}/report")
    assert status == 200 and report["terminated"] is True
    out = StringIO()
    call_command("audit", "verify", str(case), stdout=out)
    assert "ok" in out.getvalue().lower()
    assert Case.objects.get(pk=case).content_destroyed_at is not None


def page_text(cast: Cast, user: object, path: str) -> str:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()
