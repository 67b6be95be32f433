"""The rooms API as each member of the cast sees it (R3, R4, R5.1)."""

from __future__ import annotations

from parley.testing import Api, Cast


def test_r3_2_a_caucus_entry_reaches_its_side_and_the_mediator_only(active: Cast) -> None:
    caucus = active.room("caucus_a").pk
    case = active.case
    assert case is not None
    status, entry = Api(active.alice).post(
        f"/cases/{case.pk}/rooms/{caucus}/entries", {"body": "Our bottom line is 7,000."}
    )
    assert status == 201, entry
    assert entry["instruction"] == "may_disclose"
    assert entry["privileged"] is True
    for user in (active.alice, active.carol, active.maya):
        status, rows = Api(user).get(f"/cases/{case.pk}/rooms/{caucus}/entries")
        assert status == 200
        assert [r["body"] for r in rows] == ["Our bottom line is 7,000."]
    for user in (active.bob, active.olga):
        status, body = Api(user).get(f"/cases/{case.pk}/rooms/{caucus}/entries")
        assert (status, body) == (404, {"code": "not_found", "detail": "Not found."})
