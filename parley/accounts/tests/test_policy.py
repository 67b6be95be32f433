"""R11.2's second-factor rules, table-tested without a database."""

from __future__ import annotations

import pytest

from parley.accounts.policy import SecondFactorRule, must_enrol_before_using, must_enrol_to_issue


@pytest.mark.parametrize(
    ("rule", "has_factor", "to_issue", "to_use"),
    [
        (SecondFactorRule.MEDIATORS, False, True, False),
        (SecondFactorRule.MEDIATORS, True, False, False),
        (SecondFactorRule.EVERYONE, False, True, True),
        (SecondFactorRule.EVERYONE, True, False, False),
    ],
)
def test_r11_2_who_must_enrol_a_second_factor(
    rule: SecondFactorRule, has_factor: bool, to_issue: bool, to_use: bool
) -> None:
    assert must_enrol_to_issue(has_factor=has_factor) is to_issue
    assert must_enrol_before_using(rule=rule, has_factor=has_factor) is to_use
