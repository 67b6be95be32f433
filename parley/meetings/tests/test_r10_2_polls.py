"""R10.2: availability polls. Invitees answer in their own zone and see only their own answers;
the mediator sees everyone's and turns one time into a session in one step."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client

from parley.meetings.tests.helpers import Capture, berlin, ics_of, mails_to
from parley.testing import ActiveCast, Api, cid


def slots(n: int, hours: int = 1) -> list[dict[str, str]]:
    out = []
    for i in range(n):
        start = berlin(days=3 + i, hour=10)
        out.append(
            {
                "start": start.strftime("%Y-%m-%dT%H:%M"),
                "end": (start + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M"),
            }
        )
    return out


def make_poll(cast: ActiveCast, capture: Capture, n: int = 3, **extra: object) -> dict[str, object]:
    with capture(execute=True):
        status, poll = Api(cast.maya).post(
            f"/cases/{cid(cast)}/polls", {"time_zone": "Europe/Berlin", "slots": slots(n), **extra}
        )
    assert status == 201, poll
    return dict(poll)


@pytest.mark.parametrize("n", [1, 11])
def test_r10_2_a_poll_proposes_two_to_ten_times(active: ActiveCast, n: int) -> None:
    status, refusal = Api(active.maya).post(
        f"/cases/{cid(active)}/polls", {"time_zone": "Europe/Berlin", "slots": slots(n)}
    )
    assert status == 422 and refusal["code"] in ("bad_slots", "bad_input")


def test_r10_2_each_person_sees_only_their_own_answers_and_the_mediator_sees_all(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    poll = make_poll(active, django_capture_on_commit_callbacks)
    assert sorted(a for m in mail.outbox for a in m.to) == sorted(
        u.email for u in (active.alice, active.bob, active.carol)
    )
    ids = [s["id"] for s in poll["slots"]]  # type: ignore[attr-defined]
    url = f"/cases/{cid(active)}/polls/{poll['id']}/answers"
    assert (
        Api(active.alice).post(url, {"answers": {ids[0]: "yes", ids[1]: "no", ids[2]: "maybe"}})[0]
        == 200
    )
    assert (
        Api(active.bob).post(url, {"answers": {ids[0]: "no", ids[1]: "yes", ids[2]: "yes"}})[0]
        == 200
    )
    _, [bob_view] = Api(active.bob).get(f"/cases/{cid(active)}/polls")
    assert [s["mine"] for s in bob_view["slots"]] == ["no", "yes", "yes"]
    assert all(s["answers"] is None for s in bob_view["slots"])
    assert "maybe" not in str(bob_view)  # Alice's answers are not in Bob's view
    _, [maya_view] = Api(active.maya).get(f"/cases/{cid(active)}/polls")
    alice, bob = active.participant(active.alice).pk, active.participant(active.bob).pk
    assert [(s["answers"][str(alice)], s["answers"][str(bob)]) for s in maya_view["slots"]] == [
        ("yes", "no"),
        ("no", "yes"),
        ("maybe", "yes"),
    ]
    assert Api(active.olga).get(f"/cases/{cid(active)}/polls")[0] == 404
    assert Api(active.maya).post(url, {"answers": {ids[0]: "yes"}})[1]["code"] == "not_invited"


def test_r10_2_a_caucus_poll_asks_only_that_side(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    side_b = active.participant(active.bob).side_id
    poll = make_poll(active, django_capture_on_commit_callbacks, kind="caucus", side=side_b)
    assert [m.to for m in mail.outbox] == [[active.bob.email]]
    assert Api(active.alice).get(f"/cases/{cid(active)}/polls") == (200, [])
    slot = poll["slots"][0]["id"]  # type: ignore[index]
    status, _ = Api(active.alice).post(
        f"/cases/{cid(active)}/polls/{poll['id']}/answers", {"answers": {slot: "yes"}}
    )
    assert status == 404


def test_r10_2_the_mediator_turns_a_time_into_a_session_in_one_click(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    poll = make_poll(active, django_capture_on_commit_callbacks)
    second = poll["slots"][1]  # type: ignore[index]
    page = Client()
    page.force_login(active.maya)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = page.post(
            f"/cases/{cid(active)}/polls/{poll['id']}/pick/", {"slot": second["id"]}, follow=True
        )
    assert "Session scheduled from the poll" in response.content.decode()
    [session] = Api(active.bob).get(f"/cases/{cid(active)}/sessions")[1]
    assert (session["starts_at"], session["ends_at"]) == (second["starts_at"], second["ends_at"])
    cal = ics_of(mails_to(active.bob.email)[0])
    assert cal is not None and str(cal["METHOD"]) == "REQUEST"
    status, refusal = Api(active.maya).post(
        f"/cases/{cid(active)}/polls/{poll['id']}/pick", {"slot": second["id"]}
    )
    assert (status, refusal["code"]) == (409, "poll_closed")


def test_r10_2_invitees_answer_on_a_grid_in_their_own_time_zone(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    poll = make_poll(active, django_capture_on_commit_callbacks, n=2)
    page = Client()
    page.force_login(active.alice)
    page.cookies["parley_tz"] = "America/New_York"
    html = page.get(f"/cases/{cid(active)}/sessions/").content.decode()
    assert "04:00–05:00 (America/New_York)" in html  # 10:00 Berlin
    ids = [s["id"] for s in poll["slots"]]  # type: ignore[attr-defined]
    response = page.post(
        f"/cases/{cid(active)}/polls/{poll['id']}/answer/",
        {f"slot_{ids[0]}": "maybe", f"slot_{ids[1]}": "no"},
        follow=True,
    )
    assert "Only the mediator sees them" in response.content.decode()
    _, [mine] = Api(active.alice).get(f"/cases/{cid(active)}/polls")
    assert [s["mine"] for s in mine["slots"]] == ["maybe", "no"]
