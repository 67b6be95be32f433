"""Invitation and reminder mails, and exports made off the request path."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from django.core import mail

from parley.agreements.actions import do_sign
from parley.cases.access import current_agreement
from parley.cases.actions import do_create_case, do_invite, read_invitation
from parley.cases.policy import Role
from parley.notifications.tasks import remind_unsigned, send_invitation
from parley.rooms.actions import do_post_entry
from parley.testing import ActiveCast, Api, Cast, build_case

Capture = Callable[..., AbstractContextManager[Any]]
NOT_FOUND = (404, {"code": "not_found", "detail": "Not found."})


def test_the_invitation_mail_carries_a_working_join_link(cast: Cast) -> None:
    case = do_create_case(acting_user=cast.maya, title="Harbour dispute")
    invitation, _ = do_invite(
        acting_user=cast.maya,
        case_id=case.pk,
        email=cast.alice.email,
        display_name=cast.alice.full_name,
        role=Role.PARTY,
    )
    mail.outbox.clear()
    send_invitation(invitation.pk)
    [message] = mail.outbox
    assert message.to == [cast.alice.email]
    found = re.search(r"/invitations/([^/\s]+)/", str(message.body))
    assert found is not None
    assert read_invitation(found.group(1)).pk == invitation.pk


def test_reminders_go_to_those_who_have_not_signed_and_not_twice(cast: Cast) -> None:
    cast = build_case(cast, stage="signing")
    agreement = current_agreement(cast.case)
    assert agreement is not None
    do_sign(
        acting_user=cast.maya,
        case_id=cast.case.pk,
        typed_name=cast.maya.full_name,
        consent=True,
        shown_sha256=agreement.sha256,
    )
    mail.outbox.clear()
    remind_unsigned(cast.case.pk)
    remind_unsigned(cast.case.pk)
    to = sorted(address for m in mail.outbox for address in m.to)
    assert to == sorted([cast.alice.email, cast.bob.email, cast.carol.email])


def test_r5_2_an_export_is_made_off_the_request_path_for_the_requester_only(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    case_id = active.case.pk
    do_post_entry(
        acting_user=active.alice,
        case_id=case_id,
        room_id=active.room("caucus_a").pk,
        body="Alice's side only",
    )
    alice = Api(active.alice)
    with django_capture_on_commit_callbacks(execute=True):
        status, job = alice.post(f"/cases/{case_id}/exports")
    assert status == 202, job
    status, job = alice.get(f"/exports/{job['id']}")
    assert (status, job["status"]) == (200, "ready")
    response = alice.client.get(job["download"])
    assert response.status_code == 200
    data = json.loads(b"".join(response.streaming_content))  # type: ignore[attr-defined]
    assert "Alice's side only" in json.dumps(data)
    for other in (active.bob, active.maya, active.olga):
        assert Api(other).get(f"/exports/{job['id']}") == NOT_FOUND
        assert Api(other).client.get(job["download"]).json() == NOT_FOUND[1]
    assert Api(active.olga).post(f"/cases/{case_id}/exports") == NOT_FOUND
