"""An invitation is e-mailed with its join link; the mail carries no mediation content."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail

from parley.cases.actions import do_invite, read_invitation
from parley.cases.policy import Role
from parley.testing import ActiveCast


def test_an_invitation_is_mailed_with_its_link(
    active: ActiveCast, django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        invitation, _ = do_invite(
            acting_user=active.maya,
            case_id=active.case.pk,
            email="oscar@example.com",
            display_name="Oscar Observer",
            role=Role.OBSERVER,
        )
    assert [m.to for m in mail.outbox] == [["oscar@example.com"]]
    # The link is signed with a timestamp, so it may differ from the returned token by a second;
    # what matters is that it opens this invitation.
    found = re.search(r"/invitations/([^/\s]+)/", str(mail.outbox[0].body))
    assert found is not None
    assert read_invitation(found.group(1)).pk == invitation.pk
