"""Parley's own notices in a room are stored as words and read in each reader's language."""

from __future__ import annotations

from django.utils import translation

from parley.cases.actions import do_terminate
from parley.rooms.models import Entry, EntryKind
from parley.rooms.words import render, stored, words
from parley.testing import ActiveCast, Api, cid


def joint_bodies(c: ActiveCast, user: object, language: str) -> list[str]:
    user.language = language  # type: ignore[attr-defined]
    user.save(update_fields=["language"])  # type: ignore[attr-defined]
    with translation.override(language):
        status, entries = Api(user).get(  # type: ignore[arg-type]
            f"/cases/{cid(c)}/rooms/{c.room('joint').pk}/entries"
        )
    assert status == 200
    return [e["body"] for e in entries]


def test_the_mediators_ending_reads_in_each_readers_language(active: ActiveCast) -> None:
    do_terminate(acting_user=active.maya, case_id=cid(active), statement="Thank you all.")
    notice = Entry.objects.get(room=active.room("joint"), kind=EntryKind.SYSTEM)
    # The stored body holds the message and the mediator's own words, not an English sentence.
    assert notice.body.startswith('{"parley-words": ')
    english = (
        "The mediator declared to all parties that the mediation is terminated. Thank you all."
    )
    assert english in joint_bodies(active, active.alice, "en-gb")
    assert (
        "Der Mediator hat allen Parteien erklärt, dass die Mediation beendet ist. Thank you all."
        in joint_bodies(active, active.bob, "de")
    )
    assert (
        "El mediador comunicó a todas las partes que da por terminada la mediación. "
        "Thank you all." in joint_bodies(active, active.carol, "es")
    )


def test_a_body_in_words_is_read_only_for_parleys_own_kinds() -> None:
    body = stored(words("The mediation has ended."))
    with translation.override("de"):
        assert render("system", body) == "Die Mediation ist beendet."
        # A person's message that looks the same is shown exactly as written.
        assert render("text", body) == body
        assert (
            render("system", "An old notice, stored as text.") == "An old notice, stored as text."
        )
