"""Random mediations, checked after every step: each person's visible set, read through the API,
equals what R3-R5 allow (computed here by an independent model, not by the policy)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from parley.accounts.models import User
from parley.agreements.actions import do_add_disclosure, do_issue_agreement, do_set_agreement
from parley.agreements.policy import AgreementPolicy
from parley.cases.actions import do_accept_invitation, do_create_case, do_invite
from parley.cases.models import Case
from parley.cases.policy import Role
from parley.rooms.models import Room
from parley.rooms.policy import RoomKind
from parley.testing import Api

RUN = itertools.count()

# name -> (role, side) ; sides are "A" and "B"
PEOPLE = {
    "maya": ("mediator", None),
    "alice": ("party", "A"),
    "bob": ("party", "B"),
    "carol": ("counsel", "A"),
    "dave": ("support", "B"),
    "oscar": ("observer", None),
}
ROOMS = ["joint", "caucus_A", "caucus_B", "counsel_A", "counsel_B", "notebook"]


def may_read(role: str, side: str | None, room: str) -> bool:
    """R3, written out independently of parley.rooms.policy."""
    if room == "joint":
        return True
    if room == "notebook":
        return role == "mediator"
    kind, room_side = room.split("_")
    if kind == "caucus":
        return role == "mediator" or side == room_side
    return role != "mediator" and side == room_side  # counsel room: never the mediator


@dataclass
class Written:
    id: int
    room: str
    author: str
    instruction: str | None
    privileged: bool
    is_copy: bool = False


@dataclass
class Model:
    joined: set[str] = field(default_factory=set)
    signed: set[str] = field(default_factory=set)
    status: str = "signing"
    entries: list[Written] = field(default_factory=list)


class Mediation(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        run = next(RUN)
        self.users: dict[str, User] = {
            name: User.objects.create_user(
                f"{name}{run}@example.com",
                "pw-for-tests-only",
                full_name=f"{name.title()} Person{run}",
                can_mediate=(name == "maya"),
            )
            for name in PEOPLE
        }
        maya = self.users["maya"]
        case = do_create_case(acting_user=maya, title=f"Run {run}")
        self.case_id = case.pk
        self.tokens: dict[str, str] = {}
        for name in ("alice", "bob"):
            _, token = do_invite(
                acting_user=maya,
                case_id=case.pk,
                email=self.users[name].email,
                display_name=self.users[name].full_name,
                role=Role.PARTY,
                side_label=name,
            )
            do_accept_invitation(acting_user=self.users[name], token=token)
        self.sides = {"A": case.sides.get(position=1), "B": case.sides.get(position=2)}
        for name in ("carol", "dave", "oscar"):
            role, side = PEOPLE[name]
            _, self.tokens[name] = do_invite(
                acting_user=maya,
                case_id=case.pk,
                email=self.users[name].email,
                display_name=self.users[name].full_name,
                role=Role(role),
                side_id=self.sides[side].pk if side else None,
            )
        self.version = 0
        self._set_agreement()
        do_add_disclosure(acting_user=maya, case_id=case.pk, text="", is_none=True)
        do_issue_agreement(acting_user=maya, case_id=case.pk)
        self.rooms: dict[str, Room] = {}
        for room in Room.objects.filter(case=case):
            key = (
                room.kind
                if room.side is None
                else f"{room.kind}_{'A' if room.side_id == self.sides['A'].pk else 'B'}"
            )
            self.rooms[key] = room
        self.model = Model(joined={"maya", "alice", "bob"})
        self.apis = {name: Api(user) for name, user in self.users.items()}

    def _set_agreement(self) -> None:
        self.version += 1
        do_set_agreement(
            acting_user=self.users["maya"],
            case_id=self.case_id,
            policy=AgreementPolicy(results_confidential=self.version % 2 == 0),
        )

    def path(self, tail: str) -> str:
        return f"/cases/{self.case_id}{tail}"

    def reader(self, name: str) -> bool:
        return name in self.model.joined and name in self.model.signed

    def sees(self, name: str, room: str) -> bool:
        role, side = PEOPLE[name]
        return self.reader(name) and may_read(role, side, room)

    # --- rules -------------------------------------------------------------------------

    @rule(name=st.sampled_from(["carol", "dave", "oscar"]))
    def accept_invitation(self, name: str) -> None:
        if name in self.model.joined or self.model.status == "terminated":
            return
        do_accept_invitation(acting_user=self.users[name], token=self.tokens[name])
        self.model.joined.add(name)

    @rule(name=st.sampled_from(list(PEOPLE)))
    def sign(self, name: str) -> None:
        api = self.apis[name]
        status, agreement = api.get(self.path("/agreement"))
        if name not in self.model.joined:
            assert status == 404
            return
        status, body = api.post(
            self.path("/agreement/sign"),
            {"typed_name": agreement["my_name"], "consent": True, "sha256": agreement["sha256"]},
        )
        if self.model.status == "terminated":
            assert body["code"] == "case_terminated"
        elif name in self.model.signed:
            assert body["code"] == "already_signed"
        else:
            assert status == 201, body
            self.model.signed.add(name)
            if {"maya", "alice", "bob"} <= self.model.signed and self.model.status == "signing":
                self.model.status = "active"

    @precondition(lambda self: self.model.status != "terminated")
    @rule()
    def change_agreement(self) -> None:
        self._set_agreement()
        self.model.signed.clear()
        self.model.status = "signing"

    @rule(
        name=st.sampled_from(list(PEOPLE)),
        room=st.sampled_from(ROOMS),
        dnd=st.booleans(),
        acknowledge=st.booleans(),
    )
    def post(self, name: str, room: str, dnd: bool, acknowledge: bool) -> None:
        status, body = self.apis[name].post(
            self.path(f"/rooms/{self.rooms[room].pk}/entries"),
            {
                "body": f"{name} in {room}",
                "instruction": "do_not_disclose" if dnd else "may_disclose",
                "acknowledge_not_confidential": acknowledge,
            },
        )
        if not self.sees(name, room):
            assert status == 404, body
        elif self.model.status == "signing":
            assert body["code"] == "case_not_active"
        elif self.model.status == "terminated" and not acknowledge:
            assert body["code"] == "not_confidential_warning"
        else:
            assert status == 201, body
            carries = room.startswith("caucus") and PEOPLE[name][0] != "mediator"
            assert body["instruction"] == (
                ("do_not_disclose" if dnd else "may_disclose") if carries else None
            )
            assert body["privileged"] == (self.model.status != "terminated")
            self.model.entries.append(
                Written(body["id"], room, name, body["instruction"], body["privileged"])
            )

    @rule(data=st.data(), name=st.sampled_from(list(PEOPLE)), dnd=st.booleans())
    def change_instruction(self, data: st.DataObject, name: str, dnd: bool) -> None:
        if not self.model.entries:
            return
        entry = data.draw(st.sampled_from(self.model.entries))
        instruction = "do_not_disclose" if dnd else "may_disclose"
        status, body = self.apis[name].post(
            self.path(f"/entries/{entry.id}/instruction"), {"instruction": instruction}
        )
        role, side = PEOPLE[name]
        if not self.sees(name, entry.room):
            assert status == 404
        elif entry.instruction is None:
            assert body["code"] == "no_instruction"
        elif role in ("party", "counsel", "support") and entry.room == f"caucus_{side}":
            assert status == 200, body
            entry.instruction = instruction
        else:
            assert body["code"] == "not_allowed"

    @rule(
        data=st.data(),
        name=st.sampled_from(["maya", "maya", "alice", "bob"]),
        into=st.sampled_from(ROOMS),
    )
    def share(self, data: st.DataObject, name: str, into: str) -> None:
        target = into
        if not self.model.entries:
            return
        entry = data.draw(st.sampled_from(self.model.entries))
        status, body = self.apis[name].post(
            self.path(f"/entries/{entry.id}/share"), {"target_room": self.rooms[target].pk}
        )
        if status == 201:
            # Every condition R4.3-R4.5 sets for a share held.
            assert name == "maya" and self.model.status != "signing"
            assert entry.room.startswith("caucus") and not entry.is_copy
            assert entry.author != "system"
            assert entry.instruction != "do_not_disclose"
            assert target == "joint" or (target.startswith("caucus") and target != entry.room)
            self.model.entries.append(
                Written(body["id"], target, entry.author, None, body["privileged"], is_copy=True)
            )
        else:
            ok_to_share = (
                name == "maya"
                and self.sees(name, entry.room)
                and self.model.status in ("active", "terminated")
                and entry.room.startswith("caucus")
                and not entry.is_copy
                and entry.author != "system"
                and entry.instruction != "do_not_disclose"
                and (target == "joint" or (target.startswith("caucus") and target != entry.room))
            )
            assert not ok_to_share, body

    @rule(name=st.sampled_from(list(PEOPLE)))
    def terminate(self, name: str) -> None:
        status, body = self.apis[name].post(self.path("/terminate"), {})
        role = PEOPLE[name][0]
        if name not in self.model.joined:
            assert status == 404
        elif self.model.status == "terminated":
            assert body["code"] == "case_terminated"
        elif role not in ("party", "mediator"):
            assert status == 403
        else:
            assert status == 200, body
            self.model.status = "terminated"
            # The notices the termination writes are entries too.
            case = Case.objects.get(pk=self.case_id)
            from parley.rooms.models import Entry

            for notice in Entry.objects.filter(case=case, kind="system").exclude(
                pk__in=[e.id for e in self.model.entries]
            ):
                key = next(k for k, r in self.rooms.items() if r.pk == notice.room_id)
                self.model.entries.append(Written(notice.pk, key, "system", None, True))

    # --- the property ------------------------------------------------------------------

    @invariant()
    def everyone_sees_exactly_what_the_rules_allow(self) -> None:
        if not hasattr(self, "model"):
            return
        for name in PEOPLE:
            api = self.apis[name]
            seen: set[int] = set()
            for room in ROOMS:
                status, rows = api.get(self.path(f"/rooms/{self.rooms[room].pk}/entries?limit=200"))
                if self.sees(name, room):
                    assert status == 200, (name, room, rows)
                    seen |= {r["id"] for r in rows}
                else:
                    assert status == 404, (name, room)
            expected = {e.id for e in self.model.entries if self.sees(name, e.room)}
            assert seen == expected, (name, seen ^ expected)
            if self.reader(name) and name in self.model.joined:
                status, export = api.get(self.path("/export"))
                exported = {e["id"] for r in export["rooms"] for e in r["entries"]}
                assert exported == {
                    e.id
                    for e in self.model.entries
                    if self.sees(name, e.room) and e.room != "notebook"
                }


@pytest.mark.django_db
def test_r3_r4_r5_random_mediations_show_everyone_exactly_what_they_may_see() -> None:
    Mediation.TestCase.settings = settings(
        max_examples=12,
        stateful_step_count=20,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(Mediation, settings=Mediation.TestCase.settings)


def _unused(_: Any) -> None:  # keeps RoomKind imported for readers cross-checking names
    _ = RoomKind
