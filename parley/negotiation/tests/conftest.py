from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest

from parley.negotiation.tests.helpers import EventTap
from parley.testing import ActiveCast


@pytest.fixture
def tap(
    active: ActiveCast,
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[Any]],
) -> Iterator[EventTap]:
    with EventTap(active, django_capture_on_commit_callbacks) as listening:
        yield listening


# The browser tests reuse the web engineer's real-server and Chromium fixtures.
from parley.web.tests.browser.conftest import browser, screenshots, server  # noqa: E402, F401
