"""The demo mediation `make run` and `parley demo` seed. Demo data comes from nowhere else."""

from __future__ import annotations

from parley.accounts.models import User
from parley.agreements.actions import (
    default_policy,
    do_add_disclosure,
    do_issue_agreement,
    do_set_agreement,
    do_sign,
)
from parley.cases.actions import do_accept_invitation, do_create_case, do_invite
from parley.cases.models import Case
from parley.cases.policy import Role
from parley.rooms.actions import do_post_entry
from parley.rooms.models import Room
from parley.rooms.policy import Instruction, RoomKind

DEMO_PASSWORD = "parley-demo-2026"  # noqa: S105 (demo accounts only, printed by make run)
DEMO_TITLE = "Demo: Alvarez v. Brightline Builders (kitchen renovation)"

CAST = [
    ("maya@demo.parley.test", "Maya Mediator", "mediator"),
    ("alice@demo.parley.test", "Alice Alvarez", "party"),
    ("bob@demo.parley.test", "Bob Brightline", "party"),
    ("carol@demo.parley.test", "Carol Counsel", "counsel for Alice"),
]


def _user(email: str, name: str, mediator: bool = False) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, full_name=name, can_mediate=mediator)
    return user


def seed_demo() -> tuple[Case, bool, list[tuple[str, str]]]:
    people = [(email, role) for email, _, role in CAST]
    existing = Case.objects.filter(title=DEMO_TITLE).first()
    if existing is not None:
        return existing, False, people
    maya = _user(*CAST[0][:2], mediator=True)
    alice = _user(*CAST[1][:2])
    bob = _user(*CAST[2][:2])
    carol = _user(*CAST[3][:2])
    case = do_create_case(acting_user=maya, title=DEMO_TITLE, reference="DEMO-2026-001")
    _, t_alice = do_invite(
        acting_user=maya,
        case_id=case.pk,
        email=alice.email,
        display_name=alice.full_name,
        role=Role.PARTY,
        side_label="Alice Alvarez (homeowner)",
        send_mail=False,
    )
    _, t_bob = do_invite(
        acting_user=maya,
        case_id=case.pk,
        email=bob.email,
        display_name=bob.full_name,
        role=Role.PARTY,
        side_label="Brightline Builders",
        send_mail=False,
    )
    alice_side = case.sides.get(position=1)
    _, t_carol = do_invite(
        acting_user=maya,
        case_id=case.pk,
        email=carol.email,
        display_name=carol.full_name,
        role=Role.COUNSEL,
        side_id=alice_side.pk,
        send_mail=False,
    )
    for user, token in ((alice, t_alice), (bob, t_bob), (carol, t_carol)):
        do_accept_invitation(acting_user=user, token=token)
    agreement = do_set_agreement(acting_user=maya, case_id=case.pk, policy=default_policy())
    do_add_disclosure(acting_user=maya, case_id=case.pk, text="", is_none=True)
    do_issue_agreement(acting_user=maya, case_id=case.pk)
    for user in (maya, alice, bob, carol):
        do_sign(
            acting_user=user,
            case_id=case.pk,
            typed_name=user.full_name,
            consent=True,
            shown_sha256=agreement.sha256,
        )
    joint = Room.objects.get(case=case, kind=RoomKind.JOINT)
    caucus_a = Room.objects.get(case=case, kind=RoomKind.CAUCUS, side=alice_side)
    do_post_entry(
        acting_user=maya,
        case_id=case.pk,
        room_id=joint.pk,
        body="Welcome, everyone. Let's start with what each of you hopes to leave with today.",
    )
    do_post_entry(
        acting_user=alice,
        case_id=case.pk,
        room_id=caucus_a.pk,
        body="I could live with a partial refund if the cabinets are fixed by March.",
    )
    do_post_entry(
        acting_user=alice,
        case_id=case.pk,
        room_id=caucus_a.pk,
        body="Between us: I have already had a quote from another builder for 9,000.",
        instruction=Instruction.DO_NOT_DISCLOSE,
    )
    return case, True, people
