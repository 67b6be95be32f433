"""The negotiation page with plain forms, as the cast sees it."""

from __future__ import annotations

from django.test import Client

from parley.negotiation.models import Offer
from parley.negotiation.tests.helpers import side_ids
from parley.testing import ActiveCast


def client(user: object) -> Client:
    c = Client()
    c.force_login(user)  # type: ignore[arg-type]
    return c


def url(cast: ActiveCast, tail: str = "") -> str:
    return f"/cases/{cast.case.pk}/negotiate/{tail}"


def test_the_page_is_for_people_in_the_joint_room_only(active: ActiveCast) -> None:
    for user in (active.maya, active.alice, active.bob, active.carol):
        assert client(user).get(url(active)).status_code == 200
    response = client(active.olga).get(url(active))
    assert response.status_code == 404
    assert client(active.olga).get(url(active, "settlement.pdf")).status_code == 404


def test_a_whole_settlement_through_plain_forms(active: ActiveCast) -> None:
    alice_side, bob_side = side_ids(active)
    bob = client(active.bob)
    response = bob.post(
        url(active, "offer/"),
        {
            "kind": "sum",
            "direction": f"{bob_side}:{alice_side}",
            "amount": "4,321.00",
            "where": "joint",
        },
        follow=True,
    )
    assert "Your offer is made." in response.content.decode()
    offer = Offer.objects.get()
    assert (
        "Bob pays Alice the sum of €4,321.00."
        in client(active.alice).get(url(active)).content.decode()
    )
    client(active.alice).post(url(active, "accept/"), {"offer": offer.pk})
    maya = client(active.maya)
    page = maya.post(url(active, "draft/"), {"offer": offer.pk}, follow=True).content.decode()
    assert "The settlement is drafted." in page
    from parley.negotiation.models import SettlementVersion

    sha = SettlementVersion.objects.get().sha256
    # The mediator is refused, with a reason on the page.
    page = maya.post(
        url(active, "sign/"),
        {"sha256": sha, "consent": "on", "typed_name": "Maya Mediator"},
        follow=True,
    ).content.decode()
    assert "never signs a settlement" in page
    for user in (active.alice, active.bob):
        client(user).post(
            url(active, "sign/"), {"sha256": sha, "consent": "on", "typed_name": user.full_name}
        )
    page = client(active.carol).get(url(active)).content.decode()
    assert "The mediation ended with a settlement." in page
    # Each signer keeps seeing that they signed (the page reloads when the mediation ends);
    # a lawyer, who never signs, is not told so.
    assert "You signed this version of the settlement." not in page
    for user in (active.alice, active.bob):
        page = client(user).get(url(active)).content.decode()
        assert "You signed this version of the settlement." in page
    pdf = client(active.carol).get(url(active, "settlement.pdf"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_an_unknown_form_is_the_one_404(active: ActiveCast) -> None:
    assert client(active.maya).post(url(active, "nonsense/")).status_code == 404


def test_the_people_panel_lists_the_joint_rooms_members_only(active: ActiveCast) -> None:
    """Someone in the case who may not read the joint room (a support person who has not
    signed, R2.3) is not listed, nor shown online, beside the negotiation."""
    from parley.cases.policy import Role
    from parley.testing import add_person

    side = active.participant(active.alice).side_id
    dana = add_person(
        active, "dana@example.com", "Dana Support", Role.SUPPORT, side=side, sign=False
    )
    page = client(active.bob).get(url(active)).content.decode()
    dana_row = f'data-person="{active.participant(dana).pk}"'
    for user in (active.maya, active.alice, active.bob, active.carol):
        assert f'data-person="{active.participant(user).pk}"' in page
    assert dana_row not in page
    assert "Dana Support" not in page
