"""Every mail and calendar file the suite produces is checked for entry texts after each test
(parley/conftest.py). These tests show the check finds a leak when there is one."""

from __future__ import annotations

from django.core import mail
from django.core.mail import EmailMessage

from parley.rooms.actions import do_post_entry
from parley.testing import ActiveCast, entry_texts_in_mail

SECRET = "We could accept 40,000 if the van stays"


def test_r10_3_the_suite_wide_check_finds_entry_text_in_a_mail_or_its_ics(
    active: ActiveCast,
) -> None:
    do_post_entry(
        acting_user=active.alice,
        case_id=active.case.pk,
        room_id=active.room("caucus_a").pk,
        body=SECRET,
    )
    clean = EmailMessage("Mediation session", "Sign in to read it.", to=["a@example.com"])
    in_body = EmailMessage("Hello", f"... {SECRET} ...", to=["a@example.com"])
    in_ics = EmailMessage("Mediation session", "See the file.", to=["a@example.com"])
    folded = f"DESCRIPTION:{SECRET}"
    in_ics.attach("s.ics", (folded[:40] + "\r\n " + folded[40:]).encode(), "text/calendar")
    assert entry_texts_in_mail([clean]) == []
    assert entry_texts_in_mail([in_body]) == [SECRET]
    assert entry_texts_in_mail([in_ics]) == [SECRET]
    mail.outbox.clear()  # these were never sent; the check after the test sees none
