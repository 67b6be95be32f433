"""The e-mails Parley sends. None carries mediation content (R3.6): only the room's name, the
case number, and a link to sign in and read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage

from parley.cases.models import Case, Invitation, Participant
from parley.meetings.times import when
from parley.rooms.models import Room

FOOTER = (
    "\n\nFor confidentiality Parley never puts what was written in a mediation into e-mail: "
    "sign in to read it."
)


ABOUT_PARLEY = (
    "Parley is the online service your mediator uses to run the mediation: a joint room for "
    "everyone, a private room for each side with the mediator, and the agreement to mediate "
    "you sign before anything else."
)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


@dataclass(frozen=True)
class Mail:
    subject: str
    body: str
    attachments: tuple[Attachment, ...] = field(default=())


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


def invitation_mail(invitation: Invitation, token: str, mediator_name: str) -> Mail:
    role = invitation.get_role_display().lower()
    return Mail(
        subject=f"{mediator_name} invites you to an online mediation",
        body=(
            f"Hello {invitation.display_name},\n\n"
            f"{mediator_name}, a mediator, invites you to take part in a mediation on Parley "
            f"as {role}.\n\n{ABOUT_PARLEY}\n\n"
            "What happens next: open the link below, sign in or create your account with this "
            "address, then read and sign the agreement to mediate. Once the mediator and every "
            "party have signed, the mediation starts and the mediator schedules the sessions; "
            "you will get each one by e-mail with a calendar invitation.\n\n"
            f"Your link: {invitation_link(token)}\n"
            # The invitee has no account (and so no zone) yet: the time says which zone it is in.
            f"It works once and expires on {when(invitation.expires_at, 'UTC')}." + FOOTER
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


def retention_mail(case: Case, due: datetime) -> Mail:
    return Mail(
        subject="The record of your mediation will be destroyed",
        body=(
            f"The mediation (case #{case.pk}) has ended. Under the retention policy of its "
            f"agreement its content will be destroyed on {when(due, 'UTC')}: after that no one, "
            "the mediator included, can read or export it.\n"
            f"Until then you can sign in and export your record: {case_link(case)}" + FOOTER
        ),
    )


def deliver(mail: Mail, to: str) -> None:
    message = EmailMessage(mail.subject, mail.body, settings.DEFAULT_FROM_EMAIL, [to])
    for a in mail.attachments:
        message.attach(a.filename, a.content, a.mimetype)
    message.send(fail_silently=False)


def address_of(participant: Participant) -> str:
    return participant.user.email


SESSION_SUBJECTS = {
    "new": "Mediation session: {when}",
    "moved": "Mediation session moved: {when}",
    "cancelled": "Mediation session cancelled: {when}",
    "reminder": "Reminder: mediation session {when}",
}


def session_mail(
    *,
    change: str,
    when: str,
    kind_label: str,
    mediator_name: str,
    case_id: int,
    ics: bytes | None,
) -> Mail:
    """A session's invitation, change, cancellation or reminder: the time in the reader's zone
    and a link; no title, no content. The calendar file rides along where there is one."""
    link = f"{settings.SITE_URL}/cases/{case_id}/sessions/"
    lines = {
        "new": f"{mediator_name} has scheduled a {kind_label.lower()} in your mediation "
        f"(case #{case_id}) for {when}.",
        "moved": f"{mediator_name} has moved a {kind_label.lower()} in your mediation "
        f"(case #{case_id}). The new time is {when}.",
        "cancelled": f"{mediator_name} has cancelled the {kind_label.lower()} of {when} in "
        f"your mediation (case #{case_id}).",
        "reminder": f"A reminder: your {kind_label.lower()} with {mediator_name} (case "
        f"#{case_id}) is on {when}.",
    }
    nxt = (
        "The calendar file attached removes it from your calendar."
        if change == "cancelled"
        else "At that time, sign in to Parley and press Join on the case page."
    )
    attachments: tuple[Attachment, ...] = ()
    if ics is not None:
        method = "CANCEL" if change == "cancelled" else "REQUEST"
        attachments = (Attachment("mediation-session.ics", ics, f"text/calendar; method={method}"),)
    return Mail(
        subject=SESSION_SUBJECTS[change].format(when=when),
        body=f"{lines[change]}\n\n{nxt}\nSessions of your mediation: {link}" + FOOTER,
        attachments=attachments,
    )


def poll_mail(*, mediator_name: str, case_id: int, count: int) -> Mail:
    link = f"{settings.SITE_URL}/cases/{case_id}/sessions/"
    return Mail(
        subject="When can you attend? Mediation session",
        body=(
            f"{mediator_name} proposes {count} possible times for a session of your mediation "
            f"(case #{case_id}) and asks when you can attend.\n\n"
            "What happens next: open the link, answer yes, if need be, or no for each time "
            "(they are shown in your own time zone). Only the mediator sees your answers. The "
            f"mediator then picks a time and you get the invitation by e-mail.\n\n{link}" + FOOTER
        ),
    )
