"""Plain-words descriptions of terms: the body of offer and proposal entries and the settlement
draft. Pure. A description carries the terms only, never anyone's ratings or utilities (R8.4)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext, gettext_noop

from parley.rooms.words import Part, money, say, words


def sum_sentence(payer: str, payee: str, amount: Decimal, currency: str) -> Part:
    return words(
        gettext_noop("%(payer)s pays %(payee)s the sum of %(sum)s."),
        payer=payer,
        payee=payee,
        sum=money(amount, currency),
    )


def package_lines(spec: Sequence[Mapping[str, Any]], package: Sequence[int]) -> list[Part]:
    return [
        f"{issue['title']}: {issue['options'][o]}" for issue, o in zip(spec, package, strict=True)
    ]


def share_text(share: Fraction) -> Part:
    if share == 1:
        return words(gettext_noop("all"))
    percent = share * 100
    shown = f"{float(percent):.2f}".rstrip("0").rstrip(".")
    return f"{shown}%"


def allocation_lines(
    spec: Sequence[Mapping[str, Any]],
    allocation: Sequence[Mapping[str, str]],
    labels: Mapping[int, str],
) -> list[Part]:
    """`allocation[item]` maps a side id (as text) to its share ("p/q")."""
    lines: list[Part] = []
    for item, shares in zip(spec, allocation, strict=True):
        parts = [
            (labels[int(side)], Fraction(share))
            for side, share in sorted(shares.items(), key=lambda kv: int(kv[0]))
            if Fraction(share) > 0
        ]
        if len(parts) == 1:
            lines.append(
                words(
                    gettext_noop("%(item)s: goes to %(side)s"), item=item["title"], side=parts[0][0]
                )
            )
        else:
            split: list[Part] = []
            for i, (who, share) in enumerate(parts):
                split += ([", "] if i else []) + [
                    words(gettext_noop("%(share)s to %(side)s"), share=share_text(share), side=who)
                ]
            lines.append(
                words(
                    gettext_noop("%(item)s: divided, %(shares)s"), item=item["title"], shares=split
                )
            )
    return lines


def bullet(lines: Sequence[Part]) -> str:
    """Lines as a list, read in the active language."""
    return "\n".join(f"- {say(line)}" for line in lines)


def settlement_text(case_title: str, party_names: Sequence[str], terms: Sequence[Part]) -> str:
    """The first draft, from accepted terms, in the active language (the drafter's: every
    party signs this one text, and the mediator may edit it). The mediator drafts; only the
    parties sign (R8.5)."""
    parties = "\n".join(f"- {n}" for n in party_names)
    return (
        "\n\n".join(
            [
                gettext("Settlement"),
                gettext("Matter: %(title)s") % {"title": case_title},
                gettext("The parties:") + "\n" + parties,
                gettext("settle the matter mediated in Parley on these terms:"),
                bullet(terms),
                gettext(
                    "Each party signs for itself, having read this text, and may take advice from its "
                    "own lawyer before signing. The mediator drafted this text at the parties' "
                    "request, decides nothing, and signs for no one."
                ),
            ]
        )
        + "\n"
    )
