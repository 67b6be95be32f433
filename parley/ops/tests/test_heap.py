"""The server's heap settings (parley/ops/heap.py): PARLEY_GC_FULL_EVERY decides how often the
collector stops the worker for a full pass."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from django.test import override_settings

from parley.ops.heap import settle


@pytest.fixture
def collector() -> Iterator[None]:
    """The process's thresholds and frozen objects are put back after the test."""
    thresholds = gc.get_threshold()
    yield
    gc.set_threshold(*thresholds)
    gc.unfreeze()


def full_passes_while_objects_pile_up() -> int:
    """Keep a million small containers alive (as open sockets keep their state): Python
    considers a full pass at every middle-generation collection that finds enough new ones."""

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "stop":
            finished[info["generation"]] += 1

    finished = [0, 0, 0]
    gc.callbacks.append(count)
    try:
        kept = [[n] for n in range(1_000_000)]
    finally:
        gc.callbacks.remove(count)
    assert len(kept) == 1_000_000
    return finished[2]


@override_settings(PARLEY_GC_FULL_EVERY=100)
def test_the_setting_makes_full_collections_rarer(collector: None) -> None:
    gc.set_threshold(700, 10, 10)  # Python's default
    settle()
    assert gc.get_threshold() == (700, 10, 100)
    assert gc.get_freeze_count() > 0, "what was loaded at start-up is out of the collector's way"
    rare = full_passes_while_objects_pile_up()
    gc.set_threshold(700, 10, 10)
    gc.collect()
    usual = full_passes_while_objects_pile_up()
    assert usual >= 3 and rare <= usual // 3, (rare, usual)


@override_settings(PARLEY_GC_FULL_EVERY=0)
def test_zero_leaves_pythons_thresholds(collector: None) -> None:
    gc.set_threshold(700, 10, 10)
    settle()
    assert gc.get_threshold() == (700, 10, 10)
