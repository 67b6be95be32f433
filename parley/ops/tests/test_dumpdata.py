"""`parley dumpdata` is no way around confidentiality (R1.3, R3.5): the operator who runs it
gets the accounts and the cases' metadata, never a message, document, offer or rating."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from parley.rooms.actions import do_post_entry
from parley.testing import ActiveCast, Api

SECRET = "Alice's walk-away figure is 7,314"


def test_r1_3_a_full_dump_leaves_every_content_app_out(active: ActiveCast) -> None:
    do_post_entry(
        acting_user=active.alice,
        case_id=active.case.pk,
        room_id=active.room("caucus_a").pk,
        body=SECRET,
    )
    Api(active.maya).put(
        f"/cases/{active.case.pk}/negotiation/issues",
        {"kind": "items", "issues": [{"title": "The speedboat"}]},
    )
    out, err = StringIO(), StringIO()
    call_command("dumpdata", stdout=out, stderr=err)
    dump = out.getvalue()
    assert "Alvarez v. Brightline" in dump  # the case's metadata is there
    assert "7,314" not in dump and "speedboat" not in dump
    assert '"model": "rooms.' not in dump and '"model": "negotiation.' not in dump
    assert "left out of the dump" in err.getvalue()


@pytest.mark.parametrize("label", ["rooms", "rooms.entry", "documents", "negotiation.offer"])
def test_r1_3_asking_for_content_is_refused(active: ActiveCast, label: str) -> None:
    with pytest.raises(CommandError, match="mediation content is never dumped"):
        call_command("dumpdata", label, stdout=StringIO())
