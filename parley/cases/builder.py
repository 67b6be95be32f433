"""A four-person mediation built through the real actions: the tests' cast, `parley demo` and
the load benchmark all start from it."""

from __future__ import annotations

from parley.accounts.models import User
from parley.agreements.actions import (
    do_add_disclosure,
    do_issue_agreement,
    do_set_agreement,
    do_sign,
)
from parley.agreements.policy import AgreementPolicy
from parley.cases.actions import do_accept_invitation, do_create_case, do_invite
from parley.cases.models import Case
from parley.cases.policy import Role

STAGES = ("setup", "signing", "active")


def build_mediation(
    mediator: User,
    first_party: User,
    second_party: User,
    counsel: User | None,
    *,
    title: str,
    reference: str = "",
    side_labels: tuple[str, str] = ("Alice", "Bob"),
    policy: AgreementPolicy | None = None,
    stage: str = "active",
    send_mail: bool = True,
) -> Case:
    """Two parties on their own sides, `counsel` (if any) on the first party's side, the
    agreement chosen with "no conflicts" disclosed. stage "setup" stops there; "signing" issues
    the agreement; "active" has everyone sign it."""
    assert stage in STAGES, stage
    case = do_create_case(acting_user=mediator, title=title, reference=reference)
    invited: list[tuple[User, str]] = []
    for party, label in zip((first_party, second_party), side_labels, strict=True):
        _, token = do_invite(
            acting_user=mediator,
            case_id=case.pk,
            email=party.email,
            display_name=party.full_name,
            role=Role.PARTY,
            side_label=label,
            send_mail=send_mail,
        )
        invited.append((party, token))
    if counsel is not None:
        _, token = do_invite(
            acting_user=mediator,
            case_id=case.pk,
            email=counsel.email,
            display_name=counsel.full_name,
            role=Role.COUNSEL,
            side_id=case.sides.get(position=1).pk,
            send_mail=send_mail,
        )
        invited.append((counsel, token))
    for person, token in invited:
        do_accept_invitation(acting_user=person, token=token)
    agreement = do_set_agreement(
        acting_user=mediator, case_id=case.pk, policy=policy or AgreementPolicy()
    )
    do_add_disclosure(acting_user=mediator, case_id=case.pk, text="", is_none=True)
    if stage != "setup":
        do_issue_agreement(acting_user=mediator, case_id=case.pk)
    if stage == "active":
        for person in [mediator, first_party, second_party] + ([counsel] if counsel else []):
            do_sign(
                acting_user=person,
                case_id=case.pk,
                typed_name=person.full_name,
                consent=True,
                shown_sha256=agreement.sha256,
            )
    case.refresh_from_db()
    return case
