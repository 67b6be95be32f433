"""R11.1: a person signs with their full name as the mediator wrote it; when it is written
wrong they ask the mediator to correct it instead of being stuck."""

from __future__ import annotations

import json

from parley.agreements.models import Agreement
from parley.cases.models import Participant
from parley.testing import ActiveCast, Api, Cast, build_case, cid


def sign_page(user: object, case_id: int, typed_name: str) -> int:
    client = Api(user).client  # type: ignore[arg-type]
    agreement = Agreement.objects.filter(case_id=case_id).latest()
    response = client.post(
        f"/cases/{case_id}/sign/",
        {"typed_name": typed_name, "consent": "on", "sha256": agreement.sha256},
    )
    return response.status_code


def test_r11_1_a_party_whose_name_is_misspelt_asks_and_then_signs_with_the_corrected_name(
    cast: Cast,
) -> None:
    cast = build_case(cast, stage="signing")
    case_id = cid(cast)
    # Her real name is refused: the mediator wrote "Alice Alvarez".
    assert sign_page(cast.alice, case_id, "Alicia Álvarez") == 422
    alice_page = Api(cast.alice).client
    response = alice_page.post(f"/cases/{case_id}/name-correction/", {"name": "Alicia Álvarez"})
    assert response.status_code == 302
    assert "Alicia Álvarez" in alice_page.get(f"/cases/{case_id}/sign/").content.decode()

    maya_page = Api(cast.maya).client
    setup = maya_page.get(f"/cases/{case_id}/setup/").content.decode()
    assert "asks to be written as “Alicia Álvarez”" in setup
    (correction,) = Api(cast.maya).get(f"/cases/{case_id}/name-corrections")[1]
    response = maya_page.post(f"/cases/{case_id}/name-corrections/{correction['id']}/apply/")
    assert response.status_code == 302
    assert "Alicia Álvarez" not in maya_page.get(f"/cases/{case_id}/setup/").content.decode()

    assert Participant.objects.get(case_id=case_id, user=cast.alice).display_name == (
        "Alicia Álvarez"
    )
    assert sign_page(cast.alice, case_id, "Alicia Álvarez") == 302


def test_r11_1_a_declined_correction_keeps_the_name(cast: Cast) -> None:
    cast = build_case(cast, stage="signing")
    case_id = cid(cast)
    status, correction = Api(cast.bob).post(
        f"/cases/{case_id}/name-corrections", {"name": "Robert Brightline"}
    )
    assert status == 201, correction
    status, decided = Api(cast.maya).post(
        f"/cases/{case_id}/name-corrections/{correction['id']}/decline"
    )
    assert (status, decided["status"]) == (200, "declined")
    assert Participant.objects.get(case_id=case_id, user=cast.bob).display_name == (
        "Bob Brightline"
    )
    again = Api(cast.maya).post(f"/cases/{case_id}/name-corrections/{correction['id']}/apply")
    assert again[0] == 404


def test_r11_1_only_the_asker_and_the_mediator_see_a_correction_and_only_the_mediator_decides(
    active: ActiveCast,
) -> None:
    case_id = cid(active)
    status, correction = Api(active.alice).post(
        f"/cases/{case_id}/name-corrections", {"name": "Alicia Secretname"}
    )
    assert status == 201, correction
    path = f"/cases/{case_id}/name-corrections/{correction['id']}"

    assert Api(active.bob).get(f"/cases/{case_id}/name-corrections") == (200, [])
    assert Api(active.carol).get(f"/cases/{case_id}/name-corrections") == (200, [])
    assert Api(active.olga).get(f"/cases/{case_id}/name-corrections")[0] == 404
    assert Api(active.bob).post(f"{path}/apply")[0] == 403
    assert Api(active.alice).post(f"{path}/apply")[0] == 403
    assert Api(active.olga).post(f"{path}/apply")[0] == 404
    assert Api(active.bob).client.post(f"/cases/{case_id}/setup/").status_code in (404, 405)

    # The audit chain records the request; only Alice and the mediator can open it.
    for user, sees in [(active.maya, True), (active.alice, True), (active.bob, False)]:
        status, chain = Api(user).get(f"/cases/{case_id}/audit")
        assert status == 200
        kinds = {link["opening"]["record"]["kind"] for link in chain if link["opening"]}
        assert ("name_correction_requested" in kinds) is sees, (user, kinds)
        if not sees:
            assert "Alicia" not in json.dumps(chain)
