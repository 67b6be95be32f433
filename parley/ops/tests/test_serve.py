from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from parley.ops.management.commands.serve import check_workers


def test_one_worker_needs_nothing_else() -> None:
    assert check_workers(1, redis_url="", vendor="sqlite") == ""


def test_several_workers_with_postgresql_and_redis_are_fine() -> None:
    assert check_workers(2, redis_url="redis://127.0.0.1:6379/0", vendor="postgresql") == ""


def test_several_workers_on_sqlite_with_redis_get_a_warning() -> None:
    assert "PostgreSQL" in check_workers(2, redis_url="redis://x", vendor="sqlite")


@override_settings(REDIS_URL="")
def test_serve_refuses_several_workers_with_the_in_memory_channel_layer() -> None:
    with pytest.raises(CommandError, match="needs REDIS_URL"):
        call_command("serve", "--workers", "2")


def test_serve_refuses_zero_workers() -> None:
    with pytest.raises(CommandError):
        check_workers(0, redis_url="", vendor="sqlite")
