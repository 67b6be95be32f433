"""Hypothesis strategies producing small instances rich in ties and zeros."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

# Scores drawn partly from a tiny set so equal scores, zeros and exact ties are common.
score = st.one_of(st.integers(0, 100), st.sampled_from([0, 50, 100]))


@st.composite
def split_total(draw: st.DrawFn, parts: int, total: int = 100, coarse: bool = False) -> list[int]:
    """Non-negative ints summing to ``total`` (cut points, often coinciding)."""
    cut = st.sampled_from([0, total // 4, total // 2, total]) if coarse else st.integers(0, total)
    cuts = sorted(draw(st.lists(cut, min_size=parts - 1, max_size=parts - 1)))
    edges = [0, *cuts, total]
    return [edges[k + 1] - edges[k] for k in range(parts)]


@st.composite
def ratings(
    draw: st.DrawFn, max_parties: int = 3, max_issues: int = 4, max_options: int = 4
) -> list[tuple[list[int], list[list[int]]]]:
    n = draw(st.integers(2, max_parties))
    issues = draw(st.integers(1, max_issues))
    counts = draw(st.lists(st.integers(1, max_options), min_size=issues, max_size=issues))
    out = []
    for _ in range(n):
        weights = draw(split_total(issues, coarse=draw(st.booleans())))
        scores = [draw(st.lists(score, min_size=k, max_size=k)) for k in counts]
        out.append((weights, scores))
    return out


@st.composite
def points(draw: st.DrawFn, m: int) -> list[int | Fraction]:
    """100 points over m items: ints (often tied) or Fractions."""
    if draw(st.booleans()):
        return list(draw(split_total(m, coarse=draw(st.booleans()))))
    raw = draw(st.lists(st.integers(0, 7), min_size=m, max_size=m).filter(lambda r: sum(r) > 0))
    total = sum(raw)
    return [Fraction(100 * r, total) for r in raw]


@st.composite
def valuations(draw: st.DrawFn, max_parties: int = 3, max_items: int = 6) -> list[list[int]]:
    n = draw(st.integers(1, max_parties))
    m = draw(st.integers(0, max_items))
    if draw(st.booleans()):
        value = st.integers(0, 6)
        return [draw(st.lists(value, min_size=m, max_size=m)) for _ in range(n)]
    if m == 0:
        return [[] for _ in range(n)]
    return [draw(split_total(m, total=1000)) for _ in range(n)]
