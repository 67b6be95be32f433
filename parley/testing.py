"""The one cast every test shares (docs/architecture.md): mediator Maya, parties Alice and Bob,
Alice's counsel Carol, and outsider Olga. Builds cases through the real actions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.test import Client

from parley.accounts.models import User
from parley.accounts.second_factor import enrol_totp
from parley.agreements.actions import do_sign
from parley.agreements.policy import AgreementPolicy
from parley.cases.actions import do_accept_invitation, do_invite
from parley.cases.builder import build_mediation
from parley.cases.models import Case, Participant
from parley.cases.policy import Role
from parley.rooms.models import Room
from parley.rooms.policy import RoomKind

PASSWORD = "correct horse battery"  # noqa: S105
# The test mediator's authenticator-app secret (base32), so tests can compute her codes.
MAYA_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105


@dataclass
class Cast:
    """The five people, before any case."""

    maya: User
    alice: User
    bob: User
    carol: User
    olga: User


@dataclass
class ActiveCast(Cast):
    """The five people and the case `build_case` made for them, with its rooms by name."""

    case: Case
    rooms: dict[str, Room]

    def participant(self, user: User) -> Participant:
        return Participant.objects.get(case=self.case, user=user)

    def room(self, name: str) -> Room:
        return self.rooms[name]


def cid(cast: ActiveCast) -> int:
    """The cast's case id."""
    return cast.case.pk


def make_cast() -> Cast:
    def user(email: str, name: str, **extra: Any) -> User:
        return User.objects.create_user(email, PASSWORD, full_name=name, **extra)

    maya = user("maya@example.com", "Maya Mediator", can_mediate=True)
    enrol_totp(maya, MAYA_TOTP_SECRET)  # R11.2: a mediator issues agreements with a second factor
    return Cast(
        maya=maya,
        alice=user("alice@example.com", "Alice Alvarez"),
        bob=user("bob@example.com", "Bob Brightline"),
        carol=user("carol@example.com", "Carol Counsel"),
        olga=user("olga@example.com", "Olga Outsider", can_mediate=True),
    )


def build_case(
    cast: Cast,
    *,
    stage: str = "active",
    policy: AgreementPolicy | None = None,
    with_carol: bool = True,
) -> ActiveCast:
    """stage: "setup" (invited, joined), "signing" (issued), "active" (everyone signed)."""
    case = build_mediation(
        cast.maya,
        cast.alice,
        cast.bob,
        cast.carol if with_carol else None,
        title="Alvarez v. Brightline",
        reference="R-1",
        policy=policy,
        stage=stage,
    )
    side_a = case.sides.get(position=1)
    side_b = case.sides.get(position=2)
    rooms = {
        "joint": Room.objects.get(case=case, kind=RoomKind.JOINT),
        "notebook": Room.objects.get(case=case, kind=RoomKind.NOTEBOOK),
        "caucus_a": Room.objects.get(case=case, kind=RoomKind.CAUCUS, side=side_a),
        "caucus_b": Room.objects.get(case=case, kind=RoomKind.CAUCUS, side=side_b),
        "counsel_a": Room.objects.get(case=case, kind=RoomKind.COUNSEL, side=side_a),
        "counsel_b": Room.objects.get(case=case, kind=RoomKind.COUNSEL, side=side_b),
    }
    people = {name: getattr(cast, name) for name in ("maya", "alice", "bob", "carol", "olga")}
    return ActiveCast(**people, case=case, rooms=rooms)


def add_person(
    cast: ActiveCast,
    email: str,
    name: str,
    role: Role,
    *,
    side: int | None = None,
    sign: bool = True,
) -> User:
    """Someone joins the case after it started: an observer (no side) or a side's support
    person, who accepts the invitation and, if `sign`, signs the current agreement."""
    from parley.agreements.models import Agreement

    person = User.objects.create_user(email, PASSWORD, full_name=name)
    _, token = do_invite(
        acting_user=cast.maya,
        case_id=cast.case.pk,
        email=email,
        display_name=name,
        role=role,
        side_id=side,
        send_mail=False,
    )
    do_accept_invitation(acting_user=person, token=token)
    if sign:
        agreement = Agreement.objects.filter(case=cast.case).latest()
        do_sign(
            acting_user=person,
            case_id=cast.case.pk,
            typed_name=name,
            consent=True,
            shown_sha256=agreement.sha256,
        )
    return person


class Api:
    """A JSON client signed in as one person."""

    def __init__(self, user: User | None) -> None:
        self.client = Client()
        if user is not None:
            self.client.force_login(user)

    def get(self, path: str) -> tuple[int, Any]:
        response = self.client.get(f"/api/v1{path}")
        return response.status_code, response.json()

    def post(self, path: str, data: Any = None) -> tuple[int, Any]:
        response = self.client.post(
            f"/api/v1{path}", data=json.dumps(data or {}), content_type="application/json"
        )
        return response.status_code, response.json()

    def put(self, path: str, data: Any = None) -> tuple[int, Any]:
        response = self.client.put(
            f"/api/v1{path}", data=json.dumps(data or {}), content_type="application/json"
        )
        return response.status_code, response.json()

    def patch(self, path: str, data: Any = None) -> tuple[int, Any]:
        response = self.client.patch(
            f"/api/v1{path}", data=json.dumps(data or {}), content_type="application/json"
        )
        return response.status_code, response.json()

    def delete(self, path: str) -> tuple[int, Any]:
        response = self.client.delete(f"/api/v1{path}")
        return response.status_code, response.json() if response.content else None


def session_cookie(user: User) -> str:
    """A real signed-in session for `user`, as the browser's cookie would carry it."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    assert store.session_key is not None
    return store.session_key


async def open_socket(
    user: User | None, case_id: int, *, session_key: str | None = None
) -> tuple[Any, bool, Any]:
    """The case's WebSocket through the real ASGI application: (communicator, connected, code).
    Signed in with a new session for `user`, or with `session_key` when given."""
    from asgiref.sync import sync_to_async
    from channels.testing import WebsocketCommunicator
    from django.conf import settings

    from parley.asgi import application

    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    if user is not None or session_key is not None:
        key = session_key or await sync_to_async(session_cookie)(user)  # type: ignore[arg-type]
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={key}".encode()))
    comm = WebsocketCommunicator(application, f"/ws/cases/{case_id}/", headers=headers)
    connected, code = await comm.connect()
    return comm, connected, code


def hold_session(
    cast: ActiveCast, attendees: list[User], *, kind: str = "joint", side_id: int | None = None
) -> Any:
    """A session under way now, scheduled by Maya, its roster confirmed with `attendees`."""
    from datetime import timedelta

    from django.utils import timezone

    from parley.meetings.actions import do_confirm_roster, do_schedule_session
    from parley.meetings.policy import SessionKind

    now = timezone.now()
    session = do_schedule_session(
        acting_user=cast.maya,
        case_id=cast.case.pk,
        kind=SessionKind(kind),
        side_id=side_id,
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(minutes=50),
        time_zone="Europe/Berlin",
    )
    do_confirm_roster(
        acting_user=cast.maya,
        case_id=cast.case.pk,
        session_id=session.pk,
        present_ids=[cast.participant(u).pk for u in attendees],
    )
    return session


MAILS_CHECKED = {"mails": 0, "calendars": 0}


def mail_texts(message: Any) -> list[str]:
    """A mail's subject, body and every attachment (the .ics files) as text."""
    texts = [message.subject, message.body]
    for name, content, _ in message.attachments:
        raw = content.decode("utf-8", "replace") if isinstance(content, bytes) else str(content)
        # iCalendar folds long lines at 75 octets: unfold before searching.
        texts.append(raw.replace("\r\n ", "").replace("\n ", ""))
        if str(name).endswith(".ics"):
            MAILS_CHECKED["calendars"] += 1
    return texts


def entry_texts_in_mail(messages: list[Any]) -> list[str]:
    """The texts of entries people wrote (anywhere in the database) found in these mails."""
    from parley.rooms.models import Entry, EntryKind
    from parley.vault.models import CaseKey

    # Entry bodies are encrypted in the database (R11.3): read through the model, not values();
    # a case whose key was destroyed (R11.4) has no text left to leak.
    shredded = CaseKey.objects.filter(destroyed_at__isnull=False).values_list("case_id")
    written = (
        Entry.objects.exclude(kind=EntryKind.SYSTEM)
        .exclude(case_id__in=shredded)
        .only("case_id", "salt", "body")
    )
    bodies = {e.body.strip() for e in written if len(e.body.strip()) >= 6}
    found: list[str] = []
    for message in messages:
        MAILS_CHECKED["mails"] += 1
        text = "\n".join(mail_texts(message))
        found.extend(b for b in bodies if b in text)
    return found


def small_pdf(text: str = "Parley test") -> bytes:
    """A real one-page PDF (pypdf must be able to read what the tests upload); `text` goes
    into its metadata, so the file's bytes hold it."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def entries_with_body(text: str, **filters: Any) -> list[Any]:
    """Entries whose text is `text`. Entry bodies are encrypted in the database (R11.3), so no
    query can match them: the rows are decrypted and compared here."""
    from parley.rooms.models import Entry

    return [e for e in Entry.objects.filter(**filters) if e.body == text]


def mailed_token(invitation_id: int) -> str:
    """The token the invitation mail carries to the invited address; a test holding it stands
    for the person who received that mail (nobody else is ever shown it)."""
    from parley.cases.invitations import invitation_token
    from parley.cases.models import Invitation

    return invitation_token(Invitation.objects.get(pk=invitation_id))
