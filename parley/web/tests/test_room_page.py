"""What a room page shows its reader: links that are safe to follow, the people of this room
only, and, when writing is blocked, why and what unblocks it."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from parley.agreements.actions import do_acknowledge_disclosure, do_add_disclosure
from parley.negotiation.tests.helpers import EventTap
from parley.rooms.actions import do_post_entry, do_share_entry
from parley.rooms.models import Entry
from parley.rooms.policy import Instruction
from parley.testing import ActiveCast, Cast, build_case, cid


def page(cast: ActiveCast, user: object, room: str) -> str:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    response = client.get(f"/cases/{cid(cast)}/rooms/{cast.room(room).pk}/")
    assert response.status_code == 200
    return response.content.decode()


def people_listed(html: str) -> set[str]:
    panel = html.split('id="people"')[1].split("</ul>")[0]
    return set(re.findall(r"<strong>([^<]+)</strong>", panel))


def test_web_addresses_in_an_entry_are_links_that_open_apart_and_nothing_else_is(
    active: ActiveCast,
) -> None:
    do_post_entry(
        acting_user=active.bob,
        case_id=cid(active),
        room_id=active.room("joint").pk,
        body='Plans: https://example.org/plans?v=2&x=1 <a href="javascript:alert(1)">x</a> '
        "javascript:alert(2)",
    )
    html = page(active, active.alice, "joint")
    assert (
        '<a href="https://example.org/plans?v=2&amp;x=1" rel="nofollow noopener noreferrer" '
        'target="_blank">https://example.org/plans?v=2&amp;x=1</a>' in html
    )
    assert "&lt;a href=&quot;javascript:alert(1)&quot;&gt;" in html
    assert 'href="javascript' not in html


def test_r3_2_the_people_panel_of_a_caucus_lists_its_members_and_not_the_other_side(
    active: ActiveCast,
) -> None:
    assert people_listed(page(active, active.alice, "caucus_a")) == {
        "Alice Alvarez",
        "Carol Counsel",
        "Maya Mediator",
    }
    assert people_listed(page(active, active.bob, "caucus_b")) == {
        "Bob Brightline",
        "Maya Mediator",
    }
    assert people_listed(page(active, active.alice, "counsel_a")) == {
        "Alice Alvarez",
        "Carol Counsel",
    }
    assert people_listed(page(active, active.bob, "joint")) == {
        "Alice Alvarez",
        "Bob Brightline",
        "Carol Counsel",
        "Maya Mediator",
    }


def test_r3_6_the_people_panel_refresh_follows_the_room_and_its_access(active: ActiveCast) -> None:
    bob = Client()
    bob.force_login(active.bob)
    mine = bob.get(f"/cases/{cid(active)}/people/?room={active.room('caucus_b').pk}")
    assert "Carol Counsel" not in mine.content.decode()
    theirs = bob.get(f"/cases/{cid(active)}/people/?room={active.room('caucus_a').pk}")
    missing = bob.get(f"/cases/{cid(active)}/people/?room=999999")
    assert theirs.status_code == missing.status_code == 404


def test_r6_1_a_party_blocked_by_a_new_disclosure_reads_why_and_what_unblocks_it(
    active: ActiveCast,
) -> None:
    disclosure = do_add_disclosure(
        acting_user=active.maya, case_id=cid(active), text="I once advised Brightline's insurer."
    )
    alice = page(active, active.alice, "joint")
    assert "You cannot write here until you have read the mediator’s new disclosure" in alice
    assert "I have read this disclosure" in alice
    do_acknowledge_disclosure(
        acting_user=active.alice, case_id=cid(active), disclosure_id=disclosure.pk
    )
    alice = page(active, active.alice, "joint")
    assert "Writing starts again once every party has read it" in alice
    assert "waiting for the others" in alice
    do_acknowledge_disclosure(
        acting_user=active.bob, case_id=cid(active), disclosure_id=disclosure.pk
    )
    assert 'name="body"' in page(active, active.alice, "joint")


def test_r4_3_a_second_share_into_the_same_room_makes_no_copy_and_says_it_is_there(
    active: ActiveCast,
) -> None:
    entry = do_post_entry(
        acting_user=active.alice,
        case_id=cid(active),
        room_id=active.room("caucus_a").pk,
        body="We could start in March.",
    )
    maya = Client()
    maya.force_login(active.maya)
    url = f"/cases/{cid(active)}/entries/{entry.pk}/share/"
    joint = active.room("joint").pk
    first = maya.post(url, {"target_room": joint}, HTTP_HX_REQUEST="true").content.decode()
    assert "Shared into the joint room." in first
    assert "Shared to the joint room by the mediator at" in first
    # The joint room is no longer offered for this entry; a second try is refused, no copy.
    assert f'<option value="{joint}">' not in first
    again = maya.post(url, {"target_room": joint}, HTTP_HX_REQUEST="true").content.decode()
    assert "Not shared: This entry is already in that room" in again
    assert Entry.objects.filter(source=entry, room_id=joint).count() == 1


def test_r4_3_the_writers_side_sees_where_the_mediator_shared_its_entry_and_the_other_side_does_not(
    active: ActiveCast,
) -> None:
    entry = do_post_entry(
        acting_user=active.alice,
        case_id=cid(active),
        room_id=active.room("caucus_a").pk,
        body="We could start in March.",
    )
    do_share_entry(
        acting_user=active.maya,
        case_id=cid(active),
        entry_id=entry.pk,
        target_room_id=active.room("caucus_b").pk,
    )
    for user in (active.alice, active.carol):
        assert "Shared to Bob&#x27;s caucus by the mediator at" in page(active, user, "caucus_a")
    bob_sees = page(active, active.bob, "caucus_b")
    assert "We could start in March." in bob_sees  # the copy, as before
    assert "Shared to" not in bob_sees
    assert "Shared to" not in page(active, active.bob, "joint")


def test_the_first_visit_guide_opens_until_put_away_and_stays_one_link_away(
    active: ActiveCast,
) -> None:
    alice = Client()
    alice.force_login(active.alice)
    url = f"/cases/{cid(active)}/rooms/{active.room('joint').pk}/"
    html = alice.get(url).content.decode()
    assert 'id="guide"' in html
    assert "Our caucus with the mediator</strong>: you, your lawyer and the mediator" in html
    assert "You can end the mediation at any time by telling the mediator" in html
    answer = alice.post(f"/cases/{cid(active)}/guide/", {"room": active.room("joint").pk})
    assert answer["Location"] == url + "#entries-end"
    assert 'id="guide"' not in alice.get(url).content.decode()
    again = alice.get(f"/cases/{cid(active)}/guide/").content.decode()
    assert "How this mediation works here" in again
    # The mediator's guide speaks of sharing; Carol's of her client.
    assert "Use “Share to…” on an entry" in page(active, active.maya, "joint")
    assert "you, your client and the mediator" in page(active, active.carol, "joint")


def test_every_badge_links_to_the_glossary_entry_that_explains_it(active: ActiveCast) -> None:
    do_post_entry(
        acting_user=active.alice,
        case_id=cid(active),
        room_id=active.room("caucus_a").pk,
        body="Private thought",
        instruction=Instruction.DO_NOT_DISCLOSE,
    )
    html = page(active, active.alice, "caucus_a")
    badges = re.findall(r'<(\w+) class="badge[^"]*"(?: href="([^"]*)")?', html)
    assert badges and all(tag == "a" and href.startswith("/help/words/#") for tag, href in badges)
    words = Client().get("/help/words/").content.decode()
    for _, href in badges:
        assert f'id="{href.split("#")[1]}"' in words


def test_r3_3_a_side_without_a_lawyer_is_offered_no_counsel_room(cast: Cast) -> None:
    cast = build_case(cast, with_carol=False)
    html = page(cast, cast.alice, "joint")
    assert "Counsel room" not in html
    assert f'data-room-tab="{cast.room("caucus_a").pk}"' in html


def test_r3_3_the_counsel_room_is_offered_once_a_lawyer_is_invited_for_the_side(
    cast: Cast,
) -> None:
    from parley.cases.actions import do_invite
    from parley.cases.policy import Role

    cast = build_case(cast, with_carol=False)
    counsel_tab = f'data-room-tab="{cast.room("counsel_a").pk}"'
    assert counsel_tab not in page(cast, cast.alice, "joint")
    do_invite(
        acting_user=cast.maya,
        case_id=cid(cast),
        email="carol@example.com",
        display_name="Carol Counsel",
        role=Role.COUNSEL,
        side_id=cast.participant(cast.alice).side_id,
        send_mail=False,
    )
    assert counsel_tab in page(cast, cast.alice, "joint")  # she may write before Carol joins
    assert f'data-room-tab="{cast.room("counsel_b").pk}"' not in page(cast, cast.bob, "joint")


def test_a_tabs_new_marker_survives_reloads_until_the_room_is_read(active: ActiveCast) -> None:
    joint = active.room("joint").pk
    page(active, active.alice, "joint")  # Alice has read the joint room
    do_post_entry(acting_user=active.bob, case_id=cid(active), room_id=joint, body="New idea")
    do_post_entry(acting_user=active.maya, case_id=cid(active), room_id=joint, body="And mine")
    tab = re.compile(rf'data-room-tab="{joint}" *>Joint room<span class="unread"> \((\d+) new\)')
    for _ in range(2):  # a reload keeps it
        found = tab.search(page(active, active.alice, "caucus_a"))
        assert found is not None and found.group(1) == "2"
    page(active, active.alice, "joint")
    assert tab.search(page(active, active.alice, "caucus_a")) is None


def test_r4_3_the_writers_side_hears_of_a_share_live_and_the_other_side_hears_only_of_the_copy(
    active: ActiveCast, django_capture_on_commit_callbacks: Any
) -> None:
    with EventTap(active, django_capture_on_commit_callbacks) as tap:
        entry = tap.run(
            lambda: do_post_entry(
                acting_user=active.alice,
                case_id=cid(active),
                room_id=active.room("caucus_a").pk,
                body="We could start in March.",
            )
        )
        tap.drain()
        tap.run(
            lambda: do_share_entry(
                acting_user=active.maya,
                case_id=cid(active),
                entry_id=entry.pk,
                target_room_id=active.room("caucus_b").pk,
            )
        )
        got = tap.drain()
    told = {
        user.full_name
        for user in (active.maya, active.alice, active.bob, active.carol)
        if any(
            e["type"] == "shared" and e["entry"] == entry.pk
            for e in got[active.participant(user).pk]
        )
    }
    assert told == {"Maya Mediator", "Alice Alvarez", "Carol Counsel"}
    bobs = got[active.participant(active.bob).pk]
    assert [e["type"] for e in bobs] == ["entry"]  # the copy in his caucus, nothing more


def test_a_room_lists_its_documents_with_a_preview_and_only_its_own(
    active: ActiveCast, settings: Any, tmp_path: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from parley.documents.actions import do_upload_document
    from parley.testing import small_pdf

    settings.MEDIA_ROOT = tmp_path / "documents"
    do_upload_document(
        acting_user=active.alice,
        case_id=cid(active),
        room_id=active.room("caucus_a").pk,
        upload=SimpleUploadedFile("quote.pdf", small_pdf("a quote")),
        provenance="pre_existing",
    )
    html = page(active, active.alice, "caucus_a")
    assert "Documents in this room" in html and "quote.pdf" in html
    link = re.search(r'href="(/cases/\d+/documents/\d+/[^"]*)\?view=1"', html)
    assert link is not None
    client = Client()
    client.force_login(active.alice)
    shown = client.get(link.group(1) + "?view=1")
    assert shown.status_code == 200 and shown["Content-Type"] == "application/pdf"
    assert shown["Content-Disposition"].startswith("inline")
    assert client.get(link.group(1))["Content-Disposition"].startswith("attachment")
    # Not in the joint room's list, and Bob cannot open it.
    assert "quote.pdf" not in page(active, active.alice, "joint")
    other = Client()
    other.force_login(active.bob)
    assert other.get(link.group(1) + "?view=1").status_code == 404


def test_a_divider_marks_what_others_wrote_since_the_last_visit(active: ActiveCast) -> None:
    joint = active.room("joint").pk
    do_post_entry(acting_user=active.bob, case_id=cid(active), room_id=joint, body="Before")
    assert "New since your last visit" not in page(active, active.alice, "joint")  # first visit
    do_post_entry(acting_user=active.alice, case_id=cid(active), room_id=joint, body="Mine")
    first = do_post_entry(acting_user=active.bob, case_id=cid(active), room_id=joint, body="One")
    do_post_entry(acting_user=active.maya, case_id=cid(active), room_id=joint, body="Two")
    html = page(active, active.alice, "joint")
    divider = html.index('id="new-since"')
    assert html.index("Mine") < divider < html.index(f'id="entry-{first.pk}"')
    assert "New since your last visit" not in page(active, active.alice, "joint")  # read now
