"""Invitation links: the signed token a mail carries (read back by cases.actions.read_invitation).

A leaf of the cases app (models only), so the mail job can build a link without importing the
actions that queue it."""

from __future__ import annotations

from django.core import signing

from parley.cases.models import Invitation

INVITATION_SALT = "parley.invitation"


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk}, salt=INVITATION_SALT, compress=True)
