"""The demo mediation `make run` and `parley demo` seed. Demo data comes from nowhere else."""

from __future__ import annotations

from parley.accounts.models import User
from parley.accounts.second_factor import enrol_totp, has_second_factor
from parley.agreements.actions import (
    default_policy,
)
from parley.cases.builder import build_mediation
from parley.cases.models import Case
from parley.rooms.actions import do_post_entry
from parley.rooms.models import Room
from parley.rooms.policy import Instruction, RoomKind

DEMO_PASSWORD = "parley-demo-2026"  # noqa: S105 (demo accounts only, printed by make run)
# The demo mediator's authenticator-app secret (R11.2: she issues agreements). Demo only,
# printed by `parley demo`; `parley demo --code` prints her current code.
DEMO_TOTP_SECRET = "KRUGS4ZANFZSA5DIMUQGIZLNN4QGWZLZ"  # noqa: S105
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
    if not has_second_factor(maya):
        enrol_totp(maya, DEMO_TOTP_SECRET)
    alice = _user(*CAST[1][:2])
    bob = _user(*CAST[2][:2])
    carol = _user(*CAST[3][:2])
    case = build_mediation(
        maya,
        alice,
        bob,
        carol,
        title=DEMO_TITLE,
        reference="DEMO-2026-001",
        side_labels=("Alice Alvarez (homeowner)", "Brightline Builders"),
        policy=default_policy(),
        send_mail=False,
    )
    alice_side = case.sides.get(position=1)
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
