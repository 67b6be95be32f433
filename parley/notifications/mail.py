"""The e-mails Parley sends. None carries mediation content (R3.6): only the room's name, the
case number, and a link to sign in and read."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail

from parley.cases.models import Case, Invitation, Participant
from parley.rooms.models import Room

FOOTER = (
    "\n\nFor confidentiality Parley never puts what was written in a mediation into e-mail: "
    "sign in to read it."
)


@dataclass(frozen=True)
class Mail:
    subject: str
    body: str


def case_link(case: Case) -> str:
    return f"{settings.SITE_URL}/cases/{case.pk}/"


def invitation_link(token: str) -> str:
    return f"{settings.SITE_URL}/invitations/{token}/"


def activity_mail(room: Room, case: Case) -> Mail:
    return Mail(
        subject=f"New activity in {room.label}",
        body=(
            f"There is new activity in {room.label} in your mediation (case #{case.pk}).\n"
            f"Sign in to read it: {case_link(case)}" + FOOTER
        ),
    )


def invitation_mail(invitation: Invitation, token: str) -> Mail:
    return Mail(
        subject="You are invited to an online mediation",
        body=(
            f"Hello {invitation.display_name},\n\n"
            f"You are invited to take part in a mediation on Parley as {invitation.get_role_display().lower()}.\n"
            f"Open this link to read the agreement to mediate and join: {invitation_link(token)}\n"
            f"The link works once and expires on {invitation.expires_at:%d %B %Y}." + FOOTER
        ),
    )


def reminder_mail(case: Case) -> Mail:
    return Mail(
        subject="Please sign the agreement to mediate",
        body=(
            f"Your mediation (case #{case.pk}) is waiting for your signature on the agreement "
            f"to mediate. Until you sign you cannot see or write anything in it.\n"
            f"Sign in to read and sign it: {case_link(case)}" + FOOTER
        ),
    )


def deliver(mail: Mail, to: str) -> None:
    send_mail(mail.subject, mail.body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)


def address_of(participant: Participant) -> str:
    return participant.user.email
