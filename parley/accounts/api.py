from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.contrib.auth import login
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Router, Schema, Status
from ninja.security import SessionAuth
from pydantic import Field

from parley.accounts.actions import do_create_token, do_revoke_token, do_update_profile
from parley.accounts.auth import SESSION_ONLY, TokenAuth
from parley.accounts.auth import request_user as the_user
from parley.accounts.models import TOKEN_DAYS_DEFAULT, TOKEN_DAYS_MAX, ApiToken, User
from parley.apischema import ERRORS, ShortText, Text
from parley.cases.actions import do_accept_invitation, read_invitation
from parley.errors import BadInput, DomainError

router = Router(tags=["accounts"])


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    can_mediate: bool
    time_zone: str
    language: str


class ProfileIn(Schema):
    full_name: ShortText
    time_zone: ShortText
    language: ShortText


class TokenIn(Schema):
    name: ShortText
    scope: Literal["read", "full"] = "full"
    days: int = Field(TOKEN_DAYS_DEFAULT, ge=1, le=TOKEN_DAYS_MAX)


class TokenOut(Schema):
    id: int
    name: str
    scope: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class NewTokenOut(TokenOut):
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


def new_person(request: HttpRequest) -> bool:
    return not request.user.is_authenticated and "authorization" not in request.headers


@router.get("/me", response={200: MeOut, **ERRORS})
def me(request: HttpRequest) -> User:
    return the_user(request)


@router.patch("/me", response={200: MeOut, **ERRORS})
def update_me(request: HttpRequest, payload: ProfileIn) -> User:
    return do_update_profile(
        acting_user=the_user(request),
        full_name=payload.full_name,
        time_zone=payload.time_zone,
        language=payload.language,
    )


@router.get("/tokens", auth=SESSION_ONLY, response={200: list[TokenOut], **ERRORS})
def list_tokens(request: HttpRequest) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=the_user(request)).order_by("-created_at"))


@router.post("/tokens", auth=SESSION_ONLY, response={201: NewTokenOut, **ERRORS})
def create_token(request: HttpRequest, payload: TokenIn) -> Status[dict[str, object]]:
    """The token itself is shown this once; only its hash is kept. A token cannot create
    tokens: this needs the signed-in browser."""
    token, raw = do_create_token(
        acting_user=the_user(request), name=payload.name, scope=payload.scope, days=payload.days
    )
    out = TokenOut.model_validate(token).model_dump()
    return Status(201, {**out, "token": raw})


@router.delete("/tokens/{token_id}", auth=SESSION_ONLY, response={204: None, **ERRORS})
def revoke_token(request: HttpRequest, token_id: int) -> Status[None]:
    do_revoke_token(acting_user=the_user(request), token_id=token_id)
    return Status(204, None)


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
    # New people accept anonymously; a request carrying a token that failed is not "new".
    auth=[TokenAuth(), SessionAuth(csrf=True), new_person],
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
                "sign_in_required",
                gettext("You already have an account: sign in, then accept."),
                status=401,
            )
        if not payload.password:
            raise BadInput("password_required", gettext("Choose a password for your new account."))
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
