"""The workspace pages as each member of the cast sees them (R3, R4, R5.1, R7)."""

from __future__ import annotations

import re

from django.test import Client

from parley.accounts.models import User
from parley.cases.models import Case
from parley.rooms.actions import do_change_instruction, do_post_entry
from parley.rooms.models import Entry
from parley.rooms.policy import Instruction
from parley.testing import ActiveCast, entries_with_body


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def the_case(cast: ActiveCast) -> Case:
    return cast.case


def unmasked(html: bytes) -> bytes:
    """The page without its CSRF token, which is masked afresh for every response."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", html)


def room_url(cast: ActiveCast, name: str) -> str:
    return f"/cases/{the_case(cast).pk}/rooms/{cast.room(name).pk}/"


def test_case_home_sends_a_signed_participant_to_the_joint_room(active: ActiveCast) -> None:
    response = client_for(active.alice).get(f"/cases/{the_case(active).pk}/")
    assert response.status_code == 302
    assert response["Location"] == room_url(active, "joint")


def test_r3_1_the_joint_room_page_says_who_reads_it_and_the_title_says_where(
    active: ActiveCast,
) -> None:
    html = client_for(active.bob).get(room_url(active, "joint")).content.decode()
    assert "<title>Joint room · Alvarez v. Brightline · Parley</title>" in html
    assert "Everyone in the mediation sees this room." in html


def test_r3_2_a_partys_caucus_says_only_their_side_and_the_mediator_see_it(
    active: ActiveCast,
) -> None:
    html = client_for(active.alice).get(room_url(active, "caucus_a")).content.decode()
    assert (
        "Only you, Carol Counsel (your lawyer) and Maya Mediator (the mediator) see this." in html
    )


def test_r3_3_the_counsel_room_says_the_mediator_does_not_see_it(active: ActiveCast) -> None:
    html = client_for(active.alice).get(room_url(active, "counsel_a")).content.decode()
    assert "Only you and Carol Counsel (your lawyer) see this. The mediator does not." in html


def test_r3_6_other_sides_rooms_are_the_same_404_as_missing_ones(active: ActiveCast) -> None:
    bob = client_for(active.bob)
    forbidden = bob.get(room_url(active, "caucus_a"))
    missing = bob.get(f"/cases/{the_case(active).pk}/rooms/999999/")
    assert forbidden.status_code == missing.status_code == 404
    assert unmasked(forbidden.content) == unmasked(missing.content)
    assert client_for(active.maya).get(room_url(active, "counsel_a")).status_code == 404
    assert client_for(active.olga).get(room_url(active, "joint")).status_code == 404


def test_tabs_list_exactly_the_rooms_the_reader_is_in(active: ActiveCast) -> None:
    maya = client_for(active.maya).get(room_url(active, "joint")).content.decode()
    tabs = re.findall(r'data-room-tab="(\d+)"', maya)
    expected = {active.room(n).pk for n in ("joint", "notebook", "caucus_a", "caucus_b")}
    assert {int(t) for t in tabs} == expected
    carol = client_for(active.carol).get(room_url(active, "joint")).content.decode()
    expected = {active.room(n).pk for n in ("joint", "caucus_a", "counsel_a")}
    assert {int(t) for t in re.findall(r'data-room-tab="(\d+)"', carol)} == expected


def test_posting_from_the_page_stores_the_entry_with_the_chosen_instruction(
    active: ActiveCast,
) -> None:
    response = client_for(active.alice).post(
        room_url(active, "caucus_a") + "post/",
        {"body": "Keep this to yourself.", "instruction": "do_not_disclose", "client_key": "k1"},
    )
    assert response.status_code == 302
    entry = entries_with_body("Keep this to yourself.")[0]
    assert entry.instruction == Instruction.DO_NOT_DISCLOSE
    assert entry.privileged is True


def test_an_htmx_post_answers_with_a_fresh_form_and_a_catch_up_trigger(active: ActiveCast) -> None:
    response = client_for(active.bob).post(
        room_url(active, "joint") + "post/",
        {"body": "Hello all", "client_key": "k2"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "parleyCatchup"
    assert 'id="composer"' in response.content.decode()
    assert len(entries_with_body("Hello all")) == 1


def test_r9_2_a_retried_post_with_the_same_key_is_stored_once(active: ActiveCast) -> None:
    alice = client_for(active.alice)
    for _ in range(2):
        alice.post(room_url(active, "joint") + "post/", {"body": "Once", "client_key": "same"})
    assert len(entries_with_body("Once")) == 1


def test_catch_up_returns_only_entries_after_the_given_id(active: ActiveCast) -> None:
    case = the_case(active)
    joint = active.room("joint").pk
    first = do_post_entry(acting_user=active.maya, case_id=case.pk, room_id=joint, body="one")
    do_post_entry(acting_user=active.bob, case_id=case.pk, room_id=joint, body="two")
    html = (
        client_for(active.alice)
        .get(room_url(active, "joint") + f"entries/?after={first.pk}")
        .content.decode()
    )
    assert "two" in html
    assert ">one<" not in html
    assert html.count("data-entry-id=") == 1


def alices_caucus_entry(
    active: ActiveCast, body: str, instruction: Instruction | None = None
) -> Entry:
    """An entry Alice writes in her side's caucus with the mediator."""
    return do_post_entry(
        acting_user=active.alice,
        case_id=the_case(active).pk,
        room_id=active.room("caucus_a").pk,
        body=body,
        instruction=instruction,
    )


def test_r4_2_a_side_member_changes_the_instruction_from_the_page(active: ActiveCast) -> None:
    case = the_case(active)
    entry = alices_caucus_entry(active, "Our limit is 7,000.")
    response = client_for(active.carol).post(
        f"/cases/{case.pk}/entries/{entry.pk}/instruction/",
        {"instruction": "do_not_disclose"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Do not disclose" in response.content.decode()
    entry.refresh_from_db()
    assert entry.instruction == Instruction.DO_NOT_DISCLOSE


def test_r4_2_the_mediator_sees_no_instruction_control(active: ActiveCast) -> None:
    case = the_case(active)
    entry = alices_caucus_entry(active, "Limit.")
    html = client_for(active.maya).get(f"/cases/{case.pk}/entries/{entry.pk}/").content.decode()
    assert "/instruction/" not in html
    assert "Share to…" in html


def test_r4_3_a_do_not_disclose_entry_offers_the_mediator_no_share(active: ActiveCast) -> None:
    case = the_case(active)
    entry = alices_caucus_entry(active, "Our real limit is 9,000.", Instruction.DO_NOT_DISCLOSE)
    maya = client_for(active.maya)
    part = f"/cases/{case.pk}/entries/{entry.pk}/"
    html = maya.get(part).content.decode()
    assert "Share to…" not in html
    assert "/share/" not in html
    assert "Not for sharing: the side asked that this stay in their caucus." in html
    do_change_instruction(
        acting_user=active.alice,
        case_id=case.pk,
        entry_id=entry.pk,
        instruction=Instruction.MAY_DISCLOSE,
    )
    html = maya.get(part).content.decode()
    assert "Share to…" in html
    assert "Not for sharing" not in html


def test_r4_3_a_refused_share_says_why_and_moves_nothing(active: ActiveCast) -> None:
    case = the_case(active)
    entry = alices_caucus_entry(active, "Secret.", Instruction.DO_NOT_DISCLOSE)
    response = client_for(active.maya).post(
        f"/cases/{case.pk}/entries/{entry.pk}/share/",
        {"target_room": active.room("joint").pk},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "Not shared: The side that wrote this entry said it must not be disclosed." in html
    assert not Entry.objects.filter(source=entry).exists()
    bob_view = client_for(active.bob).get(room_url(active, "joint")).content.decode()
    assert "Secret." not in bob_view


def test_r4_3_a_shared_copy_shows_its_source_and_who_shared_it(active: ActiveCast) -> None:
    case = the_case(active)
    entry = alices_caucus_entry(active, "We could accept 6,000.")
    response = client_for(active.maya).post(
        f"/cases/{case.pk}/entries/{entry.pk}/share/",
        {"target_room": active.room("joint").pk},
        HTTP_HX_REQUEST="true",
    )
    assert "Shared into the joint room." in response.content.decode()
    bob_view = client_for(active.bob).get(room_url(active, "joint")).content.decode()
    assert "We could accept 6,000." in bob_view
    assert "Shared by Maya Mediator from Alice's caucus; written by Alice Alvarez." in bob_view


def test_r5_1_entries_are_marked_privileged_on_the_page(active: ActiveCast) -> None:
    case = the_case(active)
    do_post_entry(
        acting_user=active.bob, case_id=case.pk, room_id=active.room("joint").pk, body="Hi"
    )
    html = client_for(active.alice).get(room_url(active, "joint")).content.decode()
    assert (
        '<a class="badge privileged" href="/help/words/#confidential" '
        'title="What “confidential” means here">Confidential</a>'
    ) in html


def test_the_page_says_in_one_sentence_how_the_reader_takes_part(active: ActiveCast) -> None:
    side_a = active.participant(active.alice).side
    assert side_a is not None
    said = {
        person.email: client_for(person).get(room_url(active, "joint")).content.decode()
        for person in (active.maya, active.alice, active.carol)
    }
    assert "You are the mediator" in said[active.maya.email]
    assert f"You are a party, on the side of {side_a.label}" in said[active.alice.email]
    assert f"You are counsel for {side_a.label}" in said[active.carol.email]
    negotiation = client_for(active.bob).get(f"/cases/{the_case(active).pk}/negotiate/")
    assert "You are a party, on the side of" in negotiation.content.decode()


def test_the_sentence_keeps_german_nouns_and_words_each_role_in_full(active: ActiveCast) -> None:
    User.objects.filter(pk__in=[active.alice.pk, active.carol.pk]).update(language="de")
    side_a = active.participant(active.alice).side
    assert side_a is not None
    alice = client_for(active.alice).get(room_url(active, "joint")).content.decode()
    carol = client_for(active.carol).get(room_url(active, "joint")).content.decode()
    assert f"Sie sind Partei auf der Seite von {side_a.label}" in alice
    assert f"Sie vertreten {side_a.label} als Rechtsbeistand" in carol
