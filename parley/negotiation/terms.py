"""Plain-words descriptions of terms: the body of offer and proposal entries and the settlement
draft. Pure. A description carries the terms only, never anyone's ratings or utilities (R8.4)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from parley.negotiation.policy import format_amount


def sum_sentence(payer: str, payee: str, amount: Decimal, currency: str) -> str:
    return f"{payer} pays {payee} the sum of {format_amount(amount, currency)}."


def package_lines(spec: Sequence[Mapping[str, Any]], package: Sequence[int]) -> list[str]:
    return [
        f"{issue['title']}: {issue['options'][o]}" for issue, o in zip(spec, package, strict=True)
    ]


def share_text(share: Fraction) -> str:
    if share == 1:
        return "all"
    percent = share * 100
    shown = f"{float(percent):.2f}".rstrip("0").rstrip(".")
    return f"{shown}%"


def allocation_lines(
    spec: Sequence[Mapping[str, Any]],
    allocation: Sequence[Mapping[str, str]],
    labels: Mapping[int, str],
) -> list[str]:
    """`allocation[item]` maps a side id (as text) to its share ("p/q")."""
    lines = []
    for item, shares in zip(spec, allocation, strict=True):
        parts = [
            (labels[int(side)], Fraction(share))
            for side, share in sorted(shares.items(), key=lambda kv: int(kv[0]))
            if Fraction(share) > 0
        ]
        if len(parts) == 1:
            lines.append(f"{item['title']}: goes to {parts[0][0]}")
        else:
            split = ", ".join(f"{share_text(s)} to {who}" for who, s in parts)
            lines.append(f"{item['title']}: divided, {split}")
    return lines


def bullet(lines: Sequence[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)


SETTLEMENT_HEAD = "Settlement Agreement"


def settlement_text(case_title: str, party_names: Sequence[str], terms: Sequence[str]) -> str:
    """The first draft, from accepted terms. The mediator drafts and may edit; only the parties
    sign (R8.5)."""
    parties = "\n".join(f"- {n}" for n in party_names)
    return (
        f"{SETTLEMENT_HEAD}\n\n"
        f"Matter: {case_title}\n\n"
        f"The parties:\n{parties}\n\n"
        "settle the matter mediated in Parley on these terms:\n\n"
        f"{bullet(terms)}\n\n"
        "Each party signs for itself, having read this text, and may take advice from its own "
        "lawyer before signing. The mediator drafted this text at the parties' request, decides "
        "nothing, and signs for no one.\n"
    )
