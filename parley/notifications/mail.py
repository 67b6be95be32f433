"""The e-mails Parley sends. None carries mediation content (R3.6): only the room's name, the
case number, and a link to sign in and read."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parley.accounts.models import User
from parley.cases.models import Case, Invitation, Participant
from parley.meetings.times import when
from parley.rooms.models import Room
from parley.wording import in_sentence, invited_as


def footer() -> str:
    return "\n\n" + _(
        "For confidentiality Parley never puts what was written in a mediation into e-mail: "
        "sign in to read it."
    )


def about_parley() -> str:
    return _(
        "Parley is the online service your mediator uses to run the mediation: a joint room for "
        "everyone, a private room for each side with the mediator, and the agreement to mediate "
        "you sign before anything else."
    )


@contextmanager
def in_language_of(user: User | None) -> Iterator[None]:
    """Mails are written in their reader's language (the profile's), else the site's."""
    with translation.override(getattr(user, "language", None) or settings.LANGUAGE_CODE):
        yield


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
        subject=_("New activity in %(room)s") % {"room": room.label},
        body=_(
            "There is new activity in %(room)s in your mediation (case #%(case)s).\n"
            "Sign in to read it: %(link)s"
        )
        % {"room": room.label, "case": case.pk, "link": case_link(case)}
        + footer(),
    )


def invitation_mail(invitation: Invitation, token: str, mediator_name: str) -> Mail:
    return Mail(
        subject=_("%(mediator)s invites you to an online mediation") % {"mediator": mediator_name},
        body=_("Hello %(name)s,\n\n%(mediator)s, a mediator, runs a mediation on Parley.")
        % {"name": invitation.display_name, "mediator": mediator_name}
        + " "
        + invited_as(invitation)
        + "\n\n"
        + about_parley()
        + "\n\n"
        + _(
            "What happens next: open the link below, sign in or create your account with this "
            "address, then read and sign the agreement to mediate. Once the mediator and every "
            "party have signed, the mediation starts and the mediator schedules the sessions; "
            "you will get each one by e-mail with a calendar invitation."
        )
        + "\n\n"
        # The invitee has no account (and so no zone) yet: the time says which zone it is in.
        + _("Your link: %(link)s\nIt works once and expires on %(when)s.")
        % {"link": invitation_link(token), "when": when(invitation.expires_at, "UTC")}
        + footer(),
    )


def reminder_mail(case: Case) -> Mail:
    return Mail(
        subject=_("Please sign the agreement to mediate"),
        body=_(
            "Your mediation (case #%(case)s) is waiting for your signature on the agreement "
            "to mediate. Until you sign you cannot see or write anything in it.\n"
            "Sign in to read and sign it: %(link)s"
        )
        % {"case": case.pk, "link": case_link(case)}
        + footer(),
    )


def retention_mail(case: Case, due: datetime) -> Mail:
    return Mail(
        subject=_("The record of your mediation will be destroyed"),
        body=_(
            "The mediation (case #%(case)s) has ended. Under the retention policy of its "
            "agreement its content will be destroyed on %(when)s: after that no one, "
            "the mediator included, can read or export it.\n"
            "Until then you can sign in and export your record: %(link)s"
        )
        % {"case": case.pk, "when": when(due, "UTC"), "link": case_link(case)}
        + footer(),
    )


def deliver(mail: Mail, to: str) -> None:
    message = EmailMessage(mail.subject, mail.body, settings.DEFAULT_FROM_EMAIL, [to])
    for a in mail.attachments:
        message.attach(a.filename, a.content, a.mimetype)
    message.send(fail_silently=False)


def address_of(participant: Participant) -> str:
    return participant.user.email


SESSION_SUBJECTS = {
    "new": gettext_lazy("Mediation session: %(when)s"),
    "moved": gettext_lazy("Mediation session moved: %(when)s"),
    "cancelled": gettext_lazy("Mediation session cancelled: %(when)s"),
    "reminder": gettext_lazy("Reminder: mediation session %(when)s"),
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
        "new": _(
            "%(mediator)s has scheduled a %(kind)s in your mediation (case #%(case)s) for %(when)s."
        ),
        "moved": _(
            "%(mediator)s has moved a %(kind)s in your mediation (case #%(case)s). The new "
            "time is %(when)s."
        ),
        "cancelled": _(
            "%(mediator)s has cancelled the %(kind)s of %(when)s in your mediation "
            "(case #%(case)s)."
        ),
        "reminder": _(
            "A reminder: your %(kind)s with %(mediator)s (case #%(case)s) is on %(when)s."
        ),
    }
    said = lines[change] % {
        "mediator": mediator_name,
        "kind": in_sentence(kind_label),
        "case": case_id,
        "when": when,
    }
    nxt = (
        _("The calendar file attached removes it from your calendar.")
        if change == "cancelled"
        else _("At that time, sign in to Parley and press Join on the case page.")
    )
    attachments: tuple[Attachment, ...] = ()
    if ics is not None:
        method = "CANCEL" if change == "cancelled" else "REQUEST"
        attachments = (Attachment("mediation-session.ics", ics, f"text/calendar; method={method}"),)
    return Mail(
        subject=str(SESSION_SUBJECTS[change]) % {"when": when},
        body=f"{said}\n\n{nxt}\n"
        + _("Sessions of your mediation: %(link)s") % {"link": link}
        + footer(),
        attachments=attachments,
    )


def poll_mail(*, mediator_name: str, case_id: int, count: int) -> Mail:
    link = f"{settings.SITE_URL}/cases/{case_id}/sessions/"
    return Mail(
        subject=_("When can you attend? Mediation session"),
        body=_(
            "%(mediator)s proposes %(count)s possible times for a session of your mediation "
            "(case #%(case)s) and asks when you can attend."
        )
        % {"mediator": mediator_name, "count": count, "case": case_id}
        + "\n\n"
        + _(
            "What happens next: open the link, answer yes, if need be, or no for each time "
            "(they are shown in your own time zone). Only the mediator sees your answers. The "
            "mediator then picks a time and you get the invitation by e-mail."
        )
        + f"\n\n{link}"
        + footer(),
    )
