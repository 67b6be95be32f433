"""R11.2 as pure rules: who must hold a second factor, and when."""

from __future__ import annotations

from enum import StrEnum


class SecondFactorRule(StrEnum):
    MEDIATORS = "mediators"  # mediators before they issue an agreement; offered to everyone
    EVERYONE = "everyone"  # every account, before it uses anything but its account pages


def must_enrol_to_issue(*, has_factor: bool) -> bool:
    """Issuing an agreement is a mediator's act: under either rule it needs a second factor
    (mediators hold other people's secrets)."""
    return not has_factor


def must_enrol_before_using(*, rule: SecondFactorRule, has_factor: bool) -> bool:
    """Under "everyone", an account without a factor sees only its account pages until it
    enrols one."""
    return rule is SecondFactorRule.EVERYONE and not has_factor
