"""The pages before the mediation starts: set-up, invitations, signing (R1, R2, R6.1)."""

from __future__ import annotations

import re

from django.test import Client

from parley.accounts.models import User
from parley.agreements.models import Signature
from parley.cases.models import Case, Invitation, Participant
from parley.cases.policy import CaseStatus
from parley.testing import PASSWORD, ActiveCast, Cast, build_case, mailed_token


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_a_mediator_creates_a_case_from_the_dashboard(cast: Cast) -> None:
    response = client_for(cast.maya).post("/cases/new/", {"title": "Smith v. Jones"})
    case = Case.objects.get(title="Smith v. Jones")
    assert response["Location"] == f"/cases/{case.pk}/setup/"
    html = client_for(cast.maya).get(f"/cases/{case.pk}/setup/").content.decode()
    assert "<title>Set-up: Smith v. Jones · Parley</title>" in html


def test_r1_a_person_without_mediator_rights_cannot_create_a_case(cast: Cast) -> None:
    client_for(cast.alice).post("/cases/new/", {"title": "Mine"})
    assert not Case.objects.filter(title="Mine").exists()


def test_r3_6_the_set_up_is_the_mediators_alone(cast: Cast) -> None:
    cast = build_case(cast, stage="setup")
    url = f"/cases/{cast.case.pk}/setup/"
    assert client_for(cast.alice).get(url).status_code == 404
    assert client_for(cast.olga).get(url).status_code == 404
    refused = client_for(cast.alice).post(
        url + "invite/", {"name": "Eve", "email": "eve@example.com", "role": "observer"}
    )
    assert refused.status_code == 404
    assert not Invitation.objects.filter(email="eve@example.com").exists()


def invitation_path(email: str) -> str:
    """The link in the invitation mail to `email` (the test stands for its recipient)."""
    return f"/invitations/{mailed_token(Invitation.objects.get(email=email).pk)}/"


def test_r11_2_the_mediator_invites_from_the_set_up_and_never_sees_the_link(cast: Cast) -> None:
    cast = build_case(cast, stage="setup")
    maya = client_for(cast.maya)
    maya.post(
        f"/cases/{cast.case.pk}/setup/invite/",
        {"name": "Sam Support", "email": "sam@example.com", "role": "support", "side": ""},
    )
    assert not Invitation.objects.filter(email="sam@example.com").exists()
    side = cast.case.sides.get(position=1)
    maya.post(
        f"/cases/{cast.case.pk}/setup/invite/",
        {"name": "Sam Support", "email": "sam@example.com", "role": "support", "side": side.pk},
    )
    html = maya.get(f"/cases/{cast.case.pk}/setup/").content.decode()
    invitation = Invitation.objects.get(email="sam@example.com")
    assert "Sam Support" in html and "sam@example.com" in html
    # Only the invited address gets the link: with it the mediator could open the invitation
    # and learn whether that address already has an account.
    assert not re.search(r"(?<!setup)/invitations/[^0-9]", html)
    assert mailed_token(invitation.pk) not in html


def test_an_invited_newcomer_chooses_a_password_and_joins(cast: Cast) -> None:
    cast = build_case(cast, stage="setup")
    maya = client_for(cast.maya)
    maya.post(
        f"/cases/{cast.case.pk}/setup/invite/",
        {"name": "Nina Newcomer", "email": "nina@example.com", "role": "observer"},
    )
    link = invitation_path("nina@example.com")
    visitor = Client()
    page = visitor.get(link).content.decode()
    assert "Create my account and accept" in page
    short = visitor.post(link, {"password": "short", "password_again": "short"})
    assert short.status_code == 422
    response = visitor.post(link, {"password": PASSWORD, "password_again": PASSWORD})
    assert response["Location"] == f"/cases/{cast.case.pk}/"
    assert Participant.objects.filter(case=cast.case, user__email="nina@example.com").exists()
    used = visitor.get(link)  # used once: it says so, and offers to sign in
    assert used.status_code == 410 and b"already accepted" in used.content


def test_a_known_person_must_sign_in_before_accepting(cast: Cast) -> None:
    cast = build_case(cast, stage="setup", with_carol=False)
    maya = client_for(cast.maya)
    side = cast.case.sides.get(position=1)
    maya.post(
        f"/cases/{cast.case.pk}/setup/invite/",
        {"name": "Carol Counsel", "email": cast.carol.email, "role": "counsel", "side": side.pk},
    )
    link = invitation_path(cast.carol.email)
    assert "Sign in to accept" in Client().get(link).content.decode()
    wrong = client_for(cast.bob).get(link).content.decode()
    assert "This invitation is for carol@example.com" in wrong
    response = client_for(cast.carol).post(link)
    assert response.status_code == 302


def test_r2_2_signing_needs_consent_and_the_exact_name(cast: Cast) -> None:
    cast = build_case(cast, stage="signing")
    agreement = cast.case.agreements.get()
    alice = client_for(cast.alice)
    url = f"/cases/{cast.case.pk}/sign/"
    page = alice.get(url).content.decode()
    assert agreement.sha256 in page
    assert "The mediator gives no legal advice" in page
    assert "The mediator has no conflict of interest to disclose." in page
    no_consent = alice.post(url, {"typed_name": "Alice Alvarez", "sha256": agreement.sha256})
    assert no_consent.status_code == 422
    wrong_name = alice.post(
        url, {"typed_name": "A. A.", "consent": "on", "sha256": agreement.sha256}
    )
    assert "Type your full name exactly as it appears" in wrong_name.content.decode()
    assert not Signature.objects.filter(participant__user=cast.alice).exists()
    alice.post(url, {"typed_name": "alice alvarez", "consent": "on", "sha256": agreement.sha256})
    assert Signature.objects.filter(participant__user=cast.alice).exists()


def test_r2_3_an_unsigned_participant_is_kept_out_of_the_rooms(cast: Cast) -> None:
    cast = build_case(cast, stage="signing")
    joint = cast.room("joint").pk
    bob = client_for(cast.bob)
    assert bob.get(f"/cases/{cast.case.pk}/")["Location"] == f"/cases/{cast.case.pk}/sign/"
    assert bob.get(f"/cases/{cast.case.pk}/rooms/{joint}/").status_code == 404


def test_r7_1_a_party_ends_the_mediation_from_the_page(active: ActiveCast) -> None:
    bob = client_for(active.bob)
    url = f"/cases/{active.case.pk}/end/"
    assert "declaring <strong>to the mediator</strong>" in bob.get(url).content.decode()
    unconfirmed = bob.post(url, {})
    assert unconfirmed.status_code == 422
    bob.post(url, {"confirm": "on"})
    active.case.refresh_from_db()
    assert active.case.status == CaseStatus.TERMINATED
    joint = active.room("joint").pk
    html = client_for(active.alice).get(f"/cases/{active.case.pk}/rooms/{joint}/").content
    banner = re.search(rb'<div id="ended-banner"[^>]*>', html)
    assert banner is not None
    assert b"hidden" not in banner.group(0)
    assert b"The mediation has ended." in html


def test_r7_2_the_mediator_declares_the_end_to_all(active: ActiveCast) -> None:
    maya = client_for(active.maya)
    url = f"/cases/{active.case.pk}/end/"
    assert "declaring to <strong>all parties jointly</strong>" in maya.get(url).content.decode()
    maya.post(url, {"confirm": "on", "statement": "Thank you."})
    joint = active.room("joint").pk
    html = client_for(active.bob).get(f"/cases/{active.case.pk}/rooms/{joint}/").content.decode()
    assert "The mediator declared to all parties that the mediation is terminated." in html


def test_r7_4_under_a_court_order_the_party_is_warned_and_may_still_end_it(
    cast: Cast,
) -> None:
    from parley.agreements.policy import AgreementPolicy
    from parley.cases.policy import CourtOrder

    cast = build_case(
        cast,
        policy=AgreementPolicy(court_order=CourtOrder("the County Court", "CO-7", min_sessions=2)),
    )
    alice = client_for(cast.alice)
    url = f"/cases/{cast.case.pk}/end/"
    assert "ordered by the County Court (order CO-7)" in alice.get(url).content.decode()
    refused = alice.post(url, {"confirm": "on"})
    assert refused.status_code == 422
    alice.post(url, {"confirm": "on", "confirm_court_order": "on"})
    cast.case.refresh_from_db()
    assert cast.case.status == CaseStatus.TERMINATED


def test_r5_1_after_the_end_posting_needs_confirmation_and_is_not_confidential(
    active: ActiveCast,
) -> None:
    client_for(active.maya).post(f"/cases/{active.case.pk}/end/", {"confirm": "on"})
    joint = active.room("joint").pk
    alice = client_for(active.alice)
    url = f"/cases/{active.case.pk}/rooms/{joint}/post/"
    warned = alice.post(url, {"body": "After.", "client_key": "a"}, HTTP_HX_REQUEST="true")
    assert "NOT confidential" in warned.content.decode()
    alice.post(url, {"body": "After.", "client_key": "b", "acknowledge_not_confidential": "on"})
    page = alice.get(f"/cases/{active.case.pk}/rooms/{joint}/").content.decode()
    assert "Not confidential: written after the mediation ended" in page
