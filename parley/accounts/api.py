from __future__ import annotations

from django.contrib.auth import login
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import SessionAuth

from parley.accounts.auth import TokenAuth
from parley.accounts.auth import request_user as the_user
from parley.accounts.models import ApiToken, User
from parley.apischema import ERRORS, ShortText, Text
from parley.cases.actions import do_accept_invitation, read_invitation
from parley.errors import BadInput, DomainError

router = Router(tags=["accounts"])


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    can_mediate: bool


class TokenIn(Schema):
    name: ShortText


class TokenOut(Schema):
    id: int
    name: str
    token: str


class InvitationIn(Schema):
    token: Text


class AcceptIn(Schema):
    token: Text
    password: ShortText | None = None


class InvitationOut(Schema):
    case_title: str
    email: str
    display_name: str
    role: str
    side: str | None


class AcceptOut(Schema):
    case: int
    participant: int
    role: str


@router.get("/me", response={200: MeOut, **ERRORS})
def me(request: HttpRequest) -> User:
    return the_user(request)


@router.post("/tokens", response={201: TokenOut, **ERRORS})
def create_token(request: HttpRequest, payload: TokenIn) -> Status[dict[str, object]]:
    token, raw = ApiToken.issue(the_user(request), payload.name.strip() or "script")
    return Status(201, {"id": token.pk, "name": token.name, "token": raw})


@router.post("/invitations/preview", auth=None, response={200: InvitationOut, **ERRORS})
def preview_invitation(request: HttpRequest, payload: InvitationIn) -> dict[str, object]:
    invitation = read_invitation(payload.token)
    return {
        "case_title": invitation.case.title,
        "email": invitation.email,
        "display_name": invitation.display_name,
        "role": invitation.role,
        "side": invitation.side.label if invitation.side else None,
    }


@router.post(
    "/invitations/accept",
    auth=[TokenAuth(), SessionAuth(csrf=True), lambda request: not request.user.is_authenticated],
    response={200: AcceptOut, **ERRORS},
)
def accept_invitation(request: HttpRequest, payload: AcceptIn) -> dict[str, object]:
    """Signed in: accept as yourself. New here: give a password and an account is made for the
    invited address."""
    user = request.user
    if not user.is_authenticated:
        invitation = read_invitation(payload.token)
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise DomainError(
                "sign_in_required", "You already have an account: sign in, then accept.", status=401
            )
        if not payload.password:
            raise BadInput("password_required", "Choose a password for your new account.")
        try:
            validate_password(
                payload.password,
                User(email=invitation.email, full_name=invitation.display_name),
            )
        except DjangoValidationError as exc:
            raise BadInput("weak_password", " ".join(exc.messages)) from None
        with transaction.atomic():
            user = User.objects.create_user(
                invitation.email, payload.password, full_name=invitation.display_name
            )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    assert isinstance(user, User)
    participant = do_accept_invitation(acting_user=user, token=payload.token)
    return {"case": participant.case_id, "participant": participant.pk, "role": participant.role}
