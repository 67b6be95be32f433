"""The set-up page tells the mediator what became of each invitation (queued, sent, failed,
opened, accepted, expired) and lets them send it again, revoke it or change its address."""

from __future__ import annotations

import socket
from datetime import timedelta

from django.core import mail
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from parley.cases.actions import do_invite
from parley.cases.models import Invitation
from parley.cases.policy import Role
from parley.meetings.tests.helpers import Capture
from parley.testing import ActiveCast, Cast, build_case, cid


def setup_page(cast: ActiveCast) -> str:
    page = Client()
    page.force_login(cast.maya)
    return page.get(f"/cases/{cid(cast)}/setup/").content.decode()


def state_of(cast: ActiveCast, email: str) -> str:
    html = setup_page(cast)
    at = html.index(f"({email})")
    start = html.index('data-state="', at) + len('data-state="')
    return html[start : html.index('"', start)]


def invite(
    cast: ActiveCast, capture: Capture, email: str, name: str, role: Role, side: int | None = None
) -> tuple[Invitation, str]:
    with capture(execute=True):
        return do_invite(
            acting_user=cast.maya,
            case_id=cid(cast),
            email=email,
            display_name=name,
            role=role,
            side_id=side,
        )


def invite_dora(cast: ActiveCast, capture: Capture) -> tuple[Invitation, str]:
    return invite(cast, capture, "dora@example.com", "Dora Observer", Role.OBSERVER)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port  # nothing listens on it once the socket is closed


def test_an_invitation_goes_from_queued_to_sent_opened_and_accepted(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    from parley.accounts.models import User

    _invitation, token = invite_dora(active, django_capture_on_commit_callbacks)
    assert state_of(active, "dora@example.com") == "sent"
    [sent] = [m for m in mail.outbox if m.to == ["dora@example.com"]]
    assert "Maya Mediator" in sent.subject and "What happens next" in sent.body
    visitor = Client()
    assert visitor.get(f"/invitations/{token}/").status_code == 200
    assert state_of(active, "dora@example.com") == "opened"
    dora = User.objects.create_user("dora@example.com", "a long password 1", full_name="Dora")
    visitor.force_login(dora)
    assert visitor.post(f"/invitations/{token}/").status_code == 302
    assert state_of(active, "dora@example.com") == "accepted"
    # The used link says so, instead of a bare Not found.
    again = Client().get(f"/invitations/{token}/")
    assert again.status_code == 410
    assert "already accepted" in again.content.decode() and "Sign in" in again.content.decode()


def test_a_mail_the_server_refuses_shows_failed_and_can_be_sent_again(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture, settings: SettingsWrapper
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    settings.EMAIL_USE_TLS = False
    invitation, _ = invite_dora(active, django_capture_on_commit_callbacks)
    assert state_of(active, "dora@example.com") == "failed"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    page = Client()
    page.force_login(active.maya)
    with django_capture_on_commit_callbacks(execute=True):
        page.post(f"/cases/{cid(active)}/setup/invitations/{invitation.pk}/resend/")
    assert state_of(active, "dora@example.com") == "sent"
    assert [m.to for m in mail.outbox] == [["dora@example.com"]]


def test_an_expired_invitation_says_so_and_a_resend_gives_a_new_link(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    invitation, token = invite_dora(active, django_capture_on_commit_callbacks)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(1))
    assert state_of(active, "dora@example.com") == "expired"
    assert Client().get(f"/invitations/{token}/").status_code == 404
    page = Client()
    page.force_login(active.maya)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page.post(f"/cases/{cid(active)}/setup/invitations/{invitation.pk}/resend/")
    assert state_of(active, "dora@example.com") == "sent"
    link = mail.outbox[0].body.split("Your link: ")[1].split()[0]
    assert Client().get(link.replace("http://127.0.0.1:8000", "")).status_code == 200


def test_revoking_stops_the_link_and_a_new_address_gets_the_invitation(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    invitation, token = invite_dora(active, django_capture_on_commit_callbacks)
    page = Client()
    page.force_login(active.maya)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page.post(
            f"/cases/{cid(active)}/setup/invitations/{invitation.pk}/address/",
            {"email": "Dora.Real@Example.com"},
        )
    assert [m.to for m in mail.outbox] == [["dora.real@example.com"]]
    assert state_of(active, "dora.real@example.com") == "sent"
    response = page.post(
        f"/cases/{cid(active)}/setup/invitations/{invitation.pk}/revoke/", follow=True
    )
    assert "its link no longer works" in response.content.decode()
    assert state_of(active, "dora.real@example.com") == "revoked"
    assert Client().get(f"/invitations/{token}/").status_code == 404


def test_a_partys_invitation_cannot_be_revoked_and_others_cannot_touch_invitations(
    cast: Cast,
) -> None:
    cast = build_case(cast, stage="setup", with_carol=False)
    pending, _ = do_invite(
        acting_user=cast.maya,
        case_id=cid(cast),
        email="third@example.com",
        display_name="Third Party",
        role=Role.PARTY,
    )
    page = Client()
    page.force_login(cast.maya)
    response = page.post(f"/cases/{cid(cast)}/setup/invitations/{pending.pk}/revoke/", follow=True)
    assert "cannot be revoked" in response.content.decode()
    assert state_of(cast, "third@example.com") != "revoked"
    accepted = Invitation.objects.get(case_id=cid(cast), email=cast.alice.email)
    response = page.post(f"/cases/{cid(cast)}/setup/invitations/{accepted.pk}/resend/", follow=True)
    assert "already accepted or revoked" in response.content.decode()
    bob = Client()
    bob.force_login(cast.bob)
    assert bob.post(f"/cases/{cid(cast)}/setup/invitations/{pending.pk}/resend/").status_code == 404


def test_the_invitation_says_in_one_sentence_how_the_invitee_takes_part(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    """Page and e-mail word the role and side as a whole sentence, in the reader's language
    (was "invited as counsel for …" with the role's bare label)."""
    side = active.case.sides.get(position=1)
    _, token = invite(
        active,
        django_capture_on_commit_callbacks,
        "cora@example.com",
        "Cora Counsel",
        Role.COUNSEL,
        side.pk,
    )
    [sent] = [m for m in mail.outbox if m.to == ["cora@example.com"]]
    sentence = f"You are invited to take part as counsel for {side.label}."
    assert sentence in sent.body
    page = Client().get(f"/invitations/{token}/").content.decode()
    assert f"Hello Cora Counsel. {sentence}" in page
    german = Client(HTTP_ACCEPT_LANGUAGE="de").get(f"/invitations/{token}/").content.decode()
    assert f"Sie sind eingeladen, {side.label} als Rechtsbeistand zu vertreten." in german
    # An observer has no side: the sentence stands without one.
    _, observer_token = invite_dora(active, django_capture_on_commit_callbacks)
    observer = Client().get(f"/invitations/{observer_token}/").content.decode()
    assert "You are invited to observe the mediation." in observer
